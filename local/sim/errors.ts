// Errors the simulated services answer, with the HTTP status AWS uses for each code. The server
// renders them in the protocol's own error shape (awsJson `__type`, query `ErrorResponse`).

const SERVER_ERRORS: Record<string, number> = {
  InternalFailure: 500,
  InternalError: 500,
  KMSInternalException: 500,
  ServiceException: 500,
  ServiceUnavailable: 503,
  ServiceUnavailableException: 503,
  DependencyTimeoutException: 503,
};

const CLIENT_STATUS: Record<string, number> = {
  AccessDenied: 403,
  InvalidClientTokenId: 403,
  SignatureDoesNotMatch: 403,
  MissingAuthenticationToken: 403,
  AuthFailure: 401,
  UnauthorizedOperation: 403,
};

export function statusForCode(code: string): number {
  return SERVER_ERRORS[code] ?? CLIENT_STATUS[code] ?? 400;
}

/** An error answer of a simulated service. */
export class AwsError extends Error {
  readonly status: number;
  constructor(readonly code: string, message: string, status?: number, readonly extra: Record<string, unknown> = {}) {
    super(message);
    this.name = code;
    this.status = status ?? statusForCode(code);
  }
}

