// AWS SDK clients for one account and Region, built the same way everywhere: the SDK's own
// configuration decides endpoints and profiles (AWS_ENDPOINT_URL, AWS_PROFILE...), retries are
// adaptive so throttling slows us down instead of failing the scan.
import { EC2Client } from '@aws-sdk/client-ec2';
import { KMSClient } from '@aws-sdk/client-kms';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { AdaptiveRetryStrategy } from '@smithy/core/retry';
import type { RetryErrorInfo, RetryStrategyV2, RetryToken, StandardRetryToken } from '@smithy/types';

export type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

/** Enough attempts that a storm of throttling (half the calls) still gets through. */
export const MAX_ATTEMPTS = 12;

/** The attempts per call: the SDK's own setting (AWS_MAX_ATTEMPTS) when the environment gives one. */
export function maxAttempts(env: Record<string, string | undefined> = process.env): number {
  const configured = Number(env.AWS_MAX_ATTEMPTS);
  return Number.isInteger(configured) && configured > 0 ? configured : MAX_ATTEMPTS;
}

/** The Region used for global APIs (Organizations, STS, DescribeRegions) when none is configured. */
export function homeRegion(): string {
  return process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
}

/** Other errors (server errors, timeouts) get this many attempts: a failing Region fails fast. */
export const OTHER_ERROR_ATTEMPTS = 3;

/**
 * The SDK's adaptive retry (client-side rate limiting, backoff with jitter), patient with
 * throttling and brief with everything else.
 */
export class ThrottlingTolerantRetry implements RetryStrategyV2 {
  private readonly inner = new AdaptiveRetryStrategy(async () => maxAttempts());

  acquireInitialRetryToken(scope: string): Promise<RetryToken> {
    return this.inner.acquireInitialRetryToken(scope);
  }

  async refreshRetryTokenForRetry(token: RetryToken, info: RetryErrorInfo): Promise<RetryToken> {
    if (info.errorType !== 'THROTTLING' && token.getRetryCount() + 1 >= OTHER_ERROR_ATTEMPTS) {
      // The SDK's retry middleware then throws the error itself.
      throw new Error('no further retries for a non-throttling error');
    }
    return this.inner.refreshRetryTokenForRetry(token as StandardRetryToken, info);
  }

  recordSuccess(token: RetryToken): void {
    this.inner.recordSuccess(token as StandardRetryToken);
  }
}

function baseConfig(region: string, credentials?: Credentials) {
  return { region, credentials, retryStrategy: new ThrottlingTolerantRetry(), maxAttempts: maxAttempts() };
}

export const kmsClient = (region: string, credentials?: Credentials) => new KMSClient(baseConfig(region, credentials));
export const ec2Client = (region: string, credentials?: Credentials) => new EC2Client(baseConfig(region, credentials));
export const stsClient = (region: string, credentials?: Credentials) => new STSClient(baseConfig(region, credentials));
/** The partition of the Region we run in: ARNs and global endpoints differ per partition. */
export function partitionOf(region: string): 'aws' | 'aws-cn' | 'aws-us-gov' {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** Organizations is a global service, served from one Region per partition. */
const ORGANIZATIONS_REGION = { aws: 'us-east-1', 'aws-cn': 'cn-northwest-1', 'aws-us-gov': 'us-gov-west-1' } as const;

export const organizationsClient = (credentials?: Credentials) =>
  new OrganizationsClient(baseConfig(ORGANIZATIONS_REGION[partitionOf(homeRegion())], credentials));

/** Throttling outlasted the SDK's retries: the state machine retries the step with backoff. */
export class ThrottlingError extends Error {
  override readonly name = 'ThrottlingError';
}

/** A step stopped before Lambda's timeout with work left: the state machine runs it again for the rest. */
export class TimeBudgetExceeded extends Error {
  override readonly name = 'TimeBudgetExceeded';
}

/** True for the errors that mean "slow down", whatever the service calls them. */
export function isThrottling(error: unknown): boolean {
  const name = (error as { name?: string })?.name ?? '';
  // Not KMS's LimitExceededException: that is a resource quota, which waiting does not fix.
  return /Throttl|TooManyRequests|RequestLimitExceeded|SlowDown|ProvisionedThroughputExceeded/i.test(name);
}

/** True for errors that mean the caller is not allowed (a role missing or not trusting us). */
export function isAccessDenied(error: unknown): boolean {
  const name = (error as { name?: string })?.name ?? '';
  return /AccessDenied|UnauthorizedOperation|AuthorizationError|NotAuthorized/i.test(name);
}

export function describeError(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return e?.name && e.message ? `${e.name}: ${e.message}` : String(error);
}
