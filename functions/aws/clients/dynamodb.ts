// The DynamoDB client of the results store, with the one retry strategy (DynamoDB's
// ProvisionedThroughputExceeded is throttling like any other).
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { withRetry } from './config';

export const dynamodbClient = (config: DynamoDBClientConfig = {}) => new DynamoDBClient(withRetry(config));
