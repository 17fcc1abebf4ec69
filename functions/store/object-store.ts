// Where the results store keeps what is large and written once: each account's scan of a run
// (its findings and error records). S3 when deployed; the embedded store keeps them in a folder,
// tests in memory. Objects are JSON text; a missing object reads as undefined.
import { GetObjectCommand, PutObjectCommand, type S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { s3Client } from '../aws/clients/s3';

export interface ObjectStore {
  put(key: string, body: string): Promise<void>;
  get(key: string): Promise<string | undefined>;
}

export class S3ObjectStore implements ObjectStore {
  private readonly s3: S3Client;
  constructor(
    readonly bucket: string,
    config: S3ClientConfig = {},
  ) {
    this.s3 = s3Client(config);
  }

  async put(key: string, body: string): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: 'application/json' }));
  }

  async get(key: string): Promise<string | undefined> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return await out.Body!.transformToString();
    } catch (error) {
      if ((error as Error).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  destroy(): void {
    this.s3.destroy();
  }
}

export class MemoryObjectStore implements ObjectStore {
  private readonly objects = new Map<string, string>();
  /** Requests served, by kind: the benchmark counts them as S3 requests. */
  readonly requests = { put: 0, get: 0 };

  async put(key: string, body: string): Promise<void> {
    this.requests.put++;
    this.objects.set(key, body);
  }

  async get(key: string): Promise<string | undefined> {
    this.requests.get++;
    return this.objects.get(key);
  }
}
