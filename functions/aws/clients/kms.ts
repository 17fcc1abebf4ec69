// The KMS client for one account and Region, with the one retry strategy, a sample of its calls traced in X-Ray.
import { KMSClient } from '@aws-sdk/client-kms';
import { sampledTraced } from '../../observability/tracing';
import { clientConfig, type Credentials } from './config';

export const kmsClient = (region: string, credentials?: Credentials) => sampledTraced(new KMSClient(clientConfig({ region, credentials })));
