// The STS client for one account and Region, with the one retry strategy.
import { STSClient } from '@aws-sdk/client-sts';
import { withRetry, type Credentials } from './config';

export const stsClient = (region: string, credentials?: Credentials) => new STSClient(withRetry({ region, credentials }));
