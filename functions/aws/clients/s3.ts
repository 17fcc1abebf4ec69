// The S3 client of the results bucket, with the one retry strategy (S3's SlowDown is throttling).
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { clientConfig } from './config';

export const s3Client = (config: S3ClientConfig = {}) => new S3Client(clientConfig(config));
