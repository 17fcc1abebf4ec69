// The STS client for one account and Region, with the one retry strategy, traced in X-Ray.
import { STSClient } from '@aws-sdk/client-sts';
import { traced } from '../../observability/tracing';
import { clientConfig, type Credentials } from './config';

export const stsClient = (region: string, credentials?: Credentials) => traced(new STSClient(clientConfig({ region, credentials })));
