// Where ListAccounts leaves the account manifest that the ScanAccounts Distributed Map reads
// (its ItemReader): S3 when deployed; the local runner brings its own store with the same face.
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

export interface ManifestLocation {
  bucket: string;
  key: string;
}

export interface ManifestStore {
  put(runId: string, name: string, items: readonly unknown[]): Promise<ManifestLocation>;
  get(location: ManifestLocation): Promise<unknown[]>;
}

export class S3ManifestStore implements ManifestStore {
  private readonly s3 = new S3Client({ retryMode: 'adaptive', maxAttempts: 8 });
  constructor(private readonly bucket: string) {}

  async put(runId: string, name: string, items: readonly unknown[]): Promise<ManifestLocation> {
    const key = `manifests/${runId}/${name}.json`;
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: JSON.stringify(items), ContentType: 'application/json' }),
    );
    return { bucket: this.bucket, key };
  }

  async get(location: ManifestLocation): Promise<unknown[]> {
    const out = await this.s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
    return JSON.parse(await out.Body!.transformToString()) as unknown[];
  }
}

/** Manifests kept in memory: the local runner's stand-in for the S3 bucket. */
export class MemoryManifestStore implements ManifestStore {
  private readonly objects = new Map<string, unknown[]>();

  async put(runId: string, name: string, items: readonly unknown[]): Promise<ManifestLocation> {
    const location = { bucket: 'local', key: `manifests/${runId}/${name}.json` };
    this.objects.set(location.key, [...items]);
    return location;
  }

  async get(location: ManifestLocation): Promise<unknown[]> {
    const items = this.objects.get(location.key);
    if (!items) throw new Error(`no manifest at ${location.bucket}/${location.key}`);
    return items;
  }
}
