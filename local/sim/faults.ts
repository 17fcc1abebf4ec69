// Injected faults of the simulated organization: which request a fault hits, and what it does.
// Pure: the server asks `matchFault` for each request and acts on the answer.

/** EnableKeyRotation answers the given error (default KMSInternalException) in an account. */
export interface EnableRotationErrorFault {
  type: 'enable-rotation-error';
  accountId: string;
  region?: string;
  keyId?: string;
  /** Error code, e.g. KMSInternalException, AccessDeniedException, DisabledException. */
  error?: string;
  message?: string;
  /** Only the first N matching calls fail (the rest succeed); unlimited when absent. */
  times?: number;
}

/** EnableKeyRotation answers success but the key's rotation stays off. */
export interface EnableRotationIgnoredFault {
  type: 'enable-rotation-ignored';
  accountId: string;
  region?: string;
  keyId?: string;
}

/** Every call of a service (default KMS) in an account and Region answers a server error. */
export interface RegionFailureFault {
  type: 'region-failure';
  accountId: string;
  region: string;
  service?: 'kms' | 'ec2' | 'all';
  /** Error code, default InternalFailure (HTTP 500). */
  error?: string;
  message?: string;
}

/** Any operation, filtered by account, Region, service and operation, answers an error. */
export interface OperationErrorFault {
  type: 'operation-error';
  accountId?: string;
  region?: string;
  service?: 'kms' | 'organizations' | 'sts' | 'ec2';
  operation?: string;
  error: string;
  message?: string;
  /** HTTP status; derived from the error code when absent. */
  status?: number;
  times?: number;
}

export type Fault = EnableRotationErrorFault | EnableRotationIgnoredFault | RegionFailureFault | OperationErrorFault;

/** What a request looks like to the fault matcher. */
export interface FaultRequest {
  accountId: string;
  region: string;
  service: string;
  operation: string;
  keyId?: string;
}

export type FaultEffect =
  | { kind: 'error'; code: string; message: string; status?: number }
  | { kind: 'ignore-enable-rotation' };

/** A fault with the number of times it has fired (for `times`). */
export interface ArmedFault {
  fault: Fault;
  fired: number;
}

function regionMatches(want: string | undefined, region: string): boolean {
  return want === undefined || want === region;
}

function keyMatches(want: string | undefined, keyId: string | undefined): boolean {
  return want === undefined || want === keyId || (keyId !== undefined && keyId.endsWith(`/${want}`));
}

function exhausted(armed: ArmedFault): boolean {
  const times = (armed.fault as { times?: number }).times;
  return times !== undefined && armed.fired >= times;
}

/** The first armed fault that hits the request, and what it does; bumps its fired count. */
export function matchFault(faults: ArmedFault[], request: FaultRequest): FaultEffect | undefined {
  for (const armed of faults) {
    const f = armed.fault;
    if (exhausted(armed)) continue;
    let effect: FaultEffect | undefined;
    switch (f.type) {
      case 'region-failure':
        if (f.accountId === request.accountId && f.region === request.region &&
            ((f.service ?? 'kms') === 'all' || (f.service ?? 'kms') === request.service)) {
          effect = { kind: 'error', code: f.error ?? 'InternalFailure',
            message: f.message ?? `We encountered an internal error. Please try again.` };
        }
        break;
      case 'enable-rotation-error':
        if (request.service === 'kms' && request.operation === 'EnableKeyRotation' &&
            f.accountId === request.accountId && regionMatches(f.region, request.region) &&
            keyMatches(f.keyId, request.keyId)) {
          const code = f.error ?? 'KMSInternalException';
          effect = { kind: 'error', code, message: f.message ?? defaultFaultMessage(code, request) };
        }
        break;
      case 'enable-rotation-ignored':
        if (request.service === 'kms' && request.operation === 'EnableKeyRotation' &&
            f.accountId === request.accountId && regionMatches(f.region, request.region) &&
            keyMatches(f.keyId, request.keyId)) {
          effect = { kind: 'ignore-enable-rotation' };
        }
        break;
      case 'operation-error':
        if ((f.accountId === undefined || f.accountId === request.accountId) &&
            regionMatches(f.region, request.region) &&
            (f.service === undefined || f.service === request.service) &&
            (f.operation === undefined || f.operation === request.operation)) {
          effect = { kind: 'error', code: f.error, message: f.message ?? defaultFaultMessage(f.error, request), status: f.status };
        }
        break;
    }
    if (effect) {
      armed.fired += 1;
      return effect;
    }
  }
  return undefined;
}

function defaultFaultMessage(code: string, request: FaultRequest): string {
  if (code === 'AccessDeniedException' || code === 'AccessDenied') {
    return `User: arn:aws:sts::${request.accountId}:assumed-role/simulated is not authorized to perform: ` +
      `${request.service}:${request.operation} because no identity-based policy allows the ${request.service}:${request.operation} action`;
  }
  if (code === 'KMSInternalException' || code === 'InternalFailure') return 'We encountered an internal error. Please try again.';
  return `Simulated fault: ${code}`;
}
