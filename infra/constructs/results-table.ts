// The results store: one DynamoDB table (pk/sk, gsi1, gsi2) as docs/architecture.md describes it.
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

export const TABLE_KEYS = { partition: 'pk', sort: 'sk' } as const;
export const TABLE_INDEXES = [
  { indexName: 'gsi1', partition: 'gsi1pk', sort: 'gsi1sk' },
  { indexName: 'gsi2', partition: 'gsi2pk', sort: 'gsi2sk' },
] as const;

export class ResultsTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stringKey = (name: string) => ({ name, type: dynamodb.AttributeType.STRING });
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: stringKey(TABLE_KEYS.partition),
      sortKey: stringKey(TABLE_KEYS.sort),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // The AWS owned-and-managed DynamoDB key: readers need no KMS permission at all, and the app
      // grants no kms:Decrypt anywhere.
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // The table is the audit record: it outlives the stack and cannot be deleted by accident.
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of TABLE_INDEXES) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: stringKey(index.partition),
        sortKey: stringKey(index.sort),
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
  }
}
