// The KMS client for one account and Region, with the one retry strategy.
import { KMSClient } from '@aws-sdk/client-kms';
import { withRetry, type Credentials } from './config';

export const kmsClient = (region: string, credentials?: Credentials) => new KMSClient(withRetry({ region, credentials }));
