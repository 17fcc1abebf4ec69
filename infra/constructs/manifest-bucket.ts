// The run-data bucket: the account manifest the scan's Distributed Map reads (ItemReader) and the
// Map Run results it writes (ResultWriter). Transient data: findings live in the results table.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

const S3_ACCESS_LOGS_USE_BUCKET_POLICY = '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy';

/** Where list-accounts writes the account manifests (the handler's MANIFEST_PREFIX). */
export const MANIFEST_PREFIX = 'manifests/';

export class ManifestBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string) {
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

    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...common,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'manifest-bucket/',
      lifecycleRules: [
        // Manifests and Map Run results only matter while a run is being processed and investigated.
        { id: 'expire-run-data', expiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
  }
}
