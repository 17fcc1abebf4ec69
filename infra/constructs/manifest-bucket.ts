// The results bucket (construct id ManifestBucket, kept so that the deployed bucket stays the same):
// each account's scan of a run (scans/<runId>/<accountId>.json, the results store's objects), the
// account manifests ListAccounts writes and the Distributed Maps read (ItemReader), and the Map Run
// results they write (ResultWriter). Scans live as long as the table's per-run items; the rest is
// transient run data.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { SCANS_PREFIX } from '../../functions/store/layout';

const S3_ACCESS_LOGS_USE_BUCKET_POLICY = '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy';

/** Where ListAccounts writes the account manifests (functions/aws/manifests.ts). */
export const MANIFEST_PREFIX = 'manifests/';
/** Where ScanAccount writes each account's scan of a run (functions/store/layout.ts). */
export { SCANS_PREFIX };
/** Days manifests and Map Run results are kept: they matter while a run is processed and investigated. */
export const RUN_DATA_DAYS = 30;

export interface ManifestBucketProps {
  /** Days the account scans are kept: the deployment's retention, as the table's TTL. */
  retentionDays: number;
  /** The ResultWriter prefixes of the state machine definition (without a trailing slash). */
  resultPrefixes: readonly string[];
}

export class ManifestBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: ManifestBucketProps) {
    super(scope, id);
    // Access logs delivered under a bucket policy, not the LogDeliveryWrite ACL, so both buckets keep
    // ACLs disabled (BucketOwnerEnforced). The recommended feature flag, set here for this construct.
    this.node.setContext(S3_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    // SSE-S3: Step Functions and Lambda read and write without KMS permissions (no kms:Decrypt anywhere).
    const common = {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    } as const;

    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      ...common,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(365) }],
    });
    // No AwsSolutions-S1 finding here: cdk-nag recognises a server access log destination.

    // One expiry per prefix: a bucket-wide rule would also expire the scans, after the shorter time.
    const runData = [MANIFEST_PREFIX, ...props.resultPrefixes.map((prefix) => `${prefix.replace(/\/+$/, '')}/`)];
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...common,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'manifest-bucket/',
      lifecycleRules: [
        { id: 'expire-scans', prefix: SCANS_PREFIX, expiration: Duration.days(props.retentionDays) },
        ...runData.map((prefix) => ({ id: `expire-${prefix.replace(/\/$/, '')}`, prefix, expiration: Duration.days(RUN_DATA_DAYS) })),
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
  }
}
