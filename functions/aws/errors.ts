// What an AWS error means, whatever the service calls it: slow down (throttling), not allowed
// (access denied), and how to say it in one line.

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
