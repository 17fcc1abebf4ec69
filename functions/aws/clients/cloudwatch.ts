// The CloudWatch client of the run metrics, with the one retry strategy.
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { withRetry } from './config';

export const cloudwatchClient = () => new CloudWatchClient(withRetry({}));
