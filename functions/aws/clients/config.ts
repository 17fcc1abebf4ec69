// What every AWS client of ours is built with: the SDK's own configuration for endpoints and
// profiles (AWS_ENDPOINT_URL, AWS_PROFILE...), the one retry strategy, adaptive (client-side
// rate limiting) so throttling slows us down instead of failing the scan, and the one shared
// keep-alive HTTP handler (clients/http.ts). Each service's factory (clients/<service>.ts) applies
// it; no client is built any other way.
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { AdaptiveRetryStrategy } from '@smithy/core/retry';
import { sharedRequestHandler } from './http';
import type { RetryErrorInfo, RetryStrategyV2, RetryToken, StandardRetryToken } from '@smithy/types';

export type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

/** Enough attempts that a storm of throttling (half the calls) still gets through. */
export const MAX_ATTEMPTS = 12;

/** The attempts per call: the SDK's own setting (AWS_MAX_ATTEMPTS) when the environment gives one. */
export function maxAttempts(env: Record<string, string | undefined> = process.env): number {
  const configured = Number(env.AWS_MAX_ATTEMPTS);
  return Number.isInteger(configured) && configured > 0 ? configured : MAX_ATTEMPTS;
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

/**
 * A client's configuration with the one retry strategy and the shared HTTP handler: the caller's
 * Region, credentials, endpoint... kept. `cacheMiddleware` resolves a command's middleware stack
 * once per client instead of on every call (a scan makes thousands of the same two calls); our
 * middleware (tracing) is added when the client is built, never between calls.
 */
export function clientConfig<C extends object>(config: C): C & { retryStrategy: ThrottlingTolerantRetry; maxAttempts: number; requestHandler: ReturnType<typeof sharedRequestHandler>; cacheMiddleware: true } {
  // A caller's own requestHandler (a test's fault injector) wins over the shared one.
  return { requestHandler: sharedRequestHandler(), cacheMiddleware: true, ...config, retryStrategy: new ThrottlingTolerantRetry(), maxAttempts: maxAttempts() };
}
