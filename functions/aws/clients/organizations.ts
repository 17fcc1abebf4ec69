// The Organizations client, in the one Region Organizations answers from in our partition, with
// the one retry strategy, traced in X-Ray.
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { organizationsRegion } from '../partition';
import { traced } from '../../observability/tracing';
import { clientConfig, type Credentials } from './config';

export const organizationsClient = (credentials?: Credentials) => traced(new OrganizationsClient(clientConfig({ region: organizationsRegion(), credentials })));
