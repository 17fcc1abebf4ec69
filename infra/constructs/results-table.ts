// The results store's table: pk/sk, one global secondary index (gsi1, runs newest first) and TTL on
// `ttl`, as functions/store/table-schema.ts defines them for the store and the embedded table alike.
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE_INDEXES, TABLE_KEYS, TTL_ATTRIBUTE } from '../../functions/store/table-schema';

export { TABLE_INDEXES, TABLE_KEYS, TTL_ATTRIBUTE };

export class ResultsTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stringKey = (name: string) => ({ name, type: dynamodb.AttributeType.STRING });
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: stringKey(TABLE_KEYS.partitionKey),
      sortKey: stringKey(TABLE_KEYS.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Per-run and per-key items expire after the deployment's retention (the store sets `ttl`);
      // run records and exceptions have no `ttl` and are kept.
      timeToLiveAttribute: TTL_ATTRIBUTE,
      // The AWS owned-and-managed DynamoDB key: readers need no KMS permission at all, and the app
      // grants no kms:Decrypt anywhere.
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // The table is the audit record: it outlives the stack and cannot be deleted by accident.
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudFormation adds or deletes one global secondary index per stack update: a change here is
    // one index at a time.
    for (const index of TABLE_INDEXES) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: stringKey(index.partitionKey),
        sortKey: stringKey(index.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
  }
}
