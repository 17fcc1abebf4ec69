// The DynamoDB client of the results store, with the one retry strategy (DynamoDB's
// ProvisionedThroughputExceeded is throttling like any other), traced in X-Ray.
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { traced } from '../../observability/tracing';
import { withRetry } from './config';

export const dynamodbClient = (config: DynamoDBClientConfig = {}) => traced(new DynamoDBClient(withRetry(config)));
