// The EC2 client for one account and Region, with the one retry strategy.
import { EC2Client } from '@aws-sdk/client-ec2';
import { clientConfig, type Credentials } from './config';

export const ec2Client = (region: string, credentials?: Credentials) => new EC2Client(clientConfig({ region, credentials }));
