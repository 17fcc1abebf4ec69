// The results table's key schema, defined once for the CDK stack and the embedded store.
export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;

/**
 * The one secondary index: runs newest first (gsi1pk RUNS, gsi1sk <startedAt>#<runId>), and handled
 * events by the day they were handled (gsi1pk EVENTS#<yyyy-mm-dd>, gsi1sk <handledAt>#<eventId>).
 */
export const TABLE_INDEXES = [{ indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }] as const;

/**
 * The TTL attribute (epoch seconds) the store writes on per-run and per-key items; run records and
 * exceptions carry none. dynalite ignores it; the CDK table sets TimeToLiveSpecification on it.
 */
export const TTL_ATTRIBUTE = 'ttl';

/** The CreateTable input for a store of our own (dynalite, or a table made outside CDK). */
export function createTableInput(tableName: string) {
  const attributes = [TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey, ...TABLE_INDEXES.flatMap((i) => [i.partitionKey, i.sortKey])];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: attributes.map((AttributeName) => ({ AttributeName, AttributeType: 'S' as const })),
    KeySchema: [
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: TABLE_INDEXES.map((i) => ({
      IndexName: i.indexName,
      KeySchema: [
        { AttributeName: i.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: i.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    })),
  };
}
