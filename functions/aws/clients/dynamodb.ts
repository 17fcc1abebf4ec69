// The DynamoDB client of the results store, with the one retry strategy (DynamoDB's
// ProvisionedThroughputExceeded is throttling like any other), traced in X-Ray. It resolves its
// middleware on every call: the DocumentClient refuses a client that caches it.
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { traced } from '../../observability/tracing';
import { clientConfig } from './config';

export const dynamodbClient = (config: DynamoDBClientConfig = {}) => traced(new DynamoDBClient(clientConfig({ cacheMiddleware: false, ...config })));
