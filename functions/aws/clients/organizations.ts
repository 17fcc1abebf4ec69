// The Organizations client, in the one Region Organizations answers from in our partition, with
// the one retry strategy.
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { organizationsRegion } from '../partition';
import { withRetry, type Credentials } from './config';

export const organizationsClient = (credentials?: Credentials) => new OrganizationsClient(withRetry({ region: organizationsRegion(), credentials }));
