// The evidence bucket (context `evidenceRetentionDays`): Finalize leaves each run's bundle there
// (evidence/<runId>/: the findings as OCSF and manifest.json, functions/store/evidence.ts). S3
// Object Lock in governance mode holds every object version for the retention: no one changes or
// deletes it without s3:BypassGovernanceRetention, which no role of this app has.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { EVIDENCE_PREFIX } from '../../functions/core/evidence';

export { EVIDENCE_PREFIX };

export interface EvidenceBucketProps {
  /** Days each object version is locked (governance mode), then kept no longer. */
  retentionDays: number;
  /** Where the bucket's server access logs go (the results bucket's log bucket). */
  accessLogs: s3.IBucket;
}

export class EvidenceBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: EvidenceBucketProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      // SSE-S3: Finalize writes without KMS permissions, as with the results bucket.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Object Lock needs versioning; CDK turns both on.
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.governance(Duration.days(props.retentionDays)),
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'evidence-bucket/',
      // Kept after the lock ends no longer than it was locked: the lock is the retention.
      lifecycleRules: [
        { id: 'expire-evidence', prefix: EVIDENCE_PREFIX, expiration: Duration.days(props.retentionDays + 1), noncurrentVersionExpiration: Duration.days(props.retentionDays + 1) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
