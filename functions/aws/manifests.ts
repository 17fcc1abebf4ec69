// Where ListAccounts leaves the account manifest that the ScanAccounts Distributed Map reads
// (its ItemReader) and Finalize checks every account against: S3 when deployed; the local runner
// keeps it in memory, behind the same face.
import { MemoryObjectStore, S3ObjectStore, type ObjectStore } from '../store/object-store';

export interface ManifestLocation {
  bucket: string;
  key: string;
}

export class ManifestStore {
  constructor(
    private readonly objects: ObjectStore,
    private readonly bucket: string,
  ) {}

  location(runId: string, name: string): ManifestLocation {
    return { bucket: this.bucket, key: `manifests/${runId}/${name}.json` };
  }

  async put(runId: string, name: string, items: readonly unknown[]): Promise<ManifestLocation> {
    const location = this.location(runId, name);
    await this.objects.put(location.key, JSON.stringify(items));
    return location;
  }

  async get(location: ManifestLocation): Promise<unknown[]> {
    const text = await this.objects.get(location.key);
    if (text === undefined) throw new Error(`no manifest at ${location.bucket}/${location.key}`);
    return JSON.parse(text) as unknown[];
  }

  /** The run's manifest of that name, or undefined when the step that writes it never ran. */
  async read(runId: string, name: string): Promise<unknown[] | undefined> {
    const text = await this.objects.get(this.location(runId, name).key);
    return text === undefined ? undefined : (JSON.parse(text) as unknown[]);
  }
}

export class S3ManifestStore extends ManifestStore {
  constructor(bucket: string) {
    super(new S3ObjectStore(bucket), bucket);
  }
}

/** Manifests kept in memory: the local runner's stand-in for the S3 bucket. */
export class MemoryManifestStore extends ManifestStore {
  constructor() {
    super(new MemoryObjectStore(), 'local');
  }
}
