// The SNS client of the drift topic, with the one retry strategy.
import { SNSClient } from '@aws-sdk/client-sns';
import { clientConfig } from './config';

export const snsClient = () => new SNSClient(clientConfig({}));
