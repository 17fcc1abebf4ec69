// The simulated organization's HTTP endpoint on loopback: one endpoint for Organizations, STS, EC2,
// KMS and the tagging API (like moto). It identifies the caller from the SigV4 credential scope, routes by
// X-Amz-Target or the scope's service, applies latency, faults and throttling, counts calls, and
// answers in each protocol's wire shape.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsError, statusForCode } from './errors';
import { matchFault, type ArmedFault, type Fault } from './faults';
import { KMS_OPERATIONS, keyMetadata, requestKeyId } from './kms';
import { authorizeOrganizations, ORGANIZATIONS_OPERATIONS } from './organizations';
import {
  EC2_OPERATIONS, ec2ErrorXml, newRequestId, STS_OPERATIONS, stsErrorXml,
} from './query-services';
import { isOptInRegion } from './regions';
import {
  loadScenario, validateFault, type AccountFields, type AccountState, type KeyInput, type KeyState, type RoleInput, type Scenario, type ScenarioInput,
} from './scenario';
import { OrganizationState, type Identity, type KeyRecord } from './state';
import { TAGGING_OPERATIONS } from './tagging';
import { RateLimiter, resolveQuotas, seededRandom } from './throttle';
import { cloudTrailEvent, cloudTrailEventsOf, RECORDED_KMS_CALLS } from './cloudtrail';

export type ServiceName = 'kms' | 'organizations' | 'sts' | 'ec2' | 'tagging';

/** Where the simulator serves its CloudTrail events (GET, a JSON array). */
export const CLOUDTRAIL_PATH = '/_simulator/cloudtrail';

export interface SimulatorOptions {
  /** The organization: a Scenario, a scenario object in the input form, or a path to a JSON file. */
  scenario: Scenario | ScenarioInput | string;
  /** Port on 127.0.0.1; default: an ephemeral port. */
  port?: number;
  /** Delay before every answer, in milliseconds. */
  latencyMs?: number;
  /** Per-operation quotas (requests/s per account + Region); merged over the real KMS quotas. false: no throttling. */
  quotas?: Partial<Record<string, number>> | false;
  /** Fraction (0-1) of KMS calls answered with ThrottlingException at random ("throttling storm"). */
  throttleFraction?: number;
  /** Seed of the storm's random generator (default 1). */
  seed?: number;
  /** Faults in addition to the scenario's own. */
  faults?: Fault[];
  /** The simulator's clock (rotation dates, credential expiry, token buckets); default: the system clock. */
  clock?: () => Date;
  /** Reject long-term access keys the scenario does not name (default: they act as the management account). */
  strictAccessKeys?: boolean;
}

/** Calls of one operation by one account in one Region. */
export interface CallCount {
  accountId: string;
  region: string;
  service: ServiceName | string;
  operation: string;
  /** Every request, whatever its answer. */
  calls: number;
  /** Requests answered with success. */
  succeeded: number;
  /** Requests answered with an error, by error code. */
  errors: Record<string, number>;
}

export interface KeyCallCount {
  accountId: string;
  region: string;
  keyId: string;
  operation: string;
  calls: number;
  /** Requests answered with success (an EnableKeyRotation that took effect). */
  succeeded: number;
}

export interface CallFilter {
  accountId?: string;
  region?: string;
  service?: string;
  operation?: string;
}

/** A key as tests see it: DescribeKey's facts plus aliases, tags and the rotation setting. */
export interface KeyView {
  accountId: string;
  region: string;
  keyId: string;
  arn: string;
  description: string;
  keyManager: string;
  keySpec: string;
  keyUsage: string;
  origin: string;
  keyState: string;
  enabled: boolean;
  multiRegion: boolean;
  multiRegionKeyType?: 'PRIMARY' | 'REPLICA';
  primaryRegion?: string;
  customKeyStoreId?: string;
  creationDate: string;
  aliases: string[];
  tags: Record<string, string>;
  /** The rotation setting (a replica's is its primary's; kept while a key is pending deletion). */
  rotationEnabled: boolean;
  rotationPeriodInDays?: number;
  /** The full KeyMetadata that DescribeKey answers. */
  metadata: Record<string, unknown>;
}

export interface AccountView extends AccountFields {
  roles: { name: string; externalId?: string; trustedAccounts: string[] }[];
}

export interface SessionView {
  accessKeyId: string;
  accountId: string;
  roleName: string;
  arn: string;
  expiration: string;
}

export interface SimulatedOrganization {
  /** http://127.0.0.1:PORT, for the SDK's `endpoint` or AWS_ENDPOINT_URL. */
  endpoint: string;
  port: number;
  scenario: Scenario;
  managementAccountId: string;
  /** Long-term credentials of the management account. */
  managementCredentials: { accessKeyId: string; secretAccessKey: string };
  close(): Promise<void>;

  callCounts(filter?: CallFilter): CallCount[];
  /** The KMS write calls answered so far, as the EventBridge events CloudTrail would deliver (also `GET /_simulator/cloudtrail`). */
  cloudTrailEvents(): Record<string, unknown>[];
  /** Sum of calls (every answer) matching the filter. */
  totalCalls(filter?: CallFilter): number;
  keyCallCounts(filter?: { accountId?: string; region?: string; keyId?: string; operation?: string }): KeyCallCount[];
  resetCallCounts(): void;

  accounts(): AccountView[];
  getKey(accountId: string, region: string, keyId: string): KeyView | undefined;
  listKeys(accountId: string, region?: string): KeyView[];
  createKey(accountId: string, region: string, spec?: Omit<KeyInput, 'region'>): KeyView;
  setRotation(accountId: string, region: string, keyId: string, enabled: boolean, periodInDays?: number): void;
  setKeyState(accountId: string, region: string, keyId: string, state: KeyState): void;
  setAccountState(accountId: string, state: AccountState): void;
  setRoles(accountId: string, roles: RoleInput[]): void;
  sessions(): SessionView[];

  addFault(fault: Fault): void;
  setFaults(faults: Fault[]): void;
  clearFaults(): void;
  setThrottleFraction(fraction: number): void;
  setQuotas(quotas: Partial<Record<string, number>> | false): void;
  setLatency(ms: number): void;
}

// ---------------------------------------------------------------------------------------------
// Wire helpers

export interface CredentialScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

/** The credential scope of a SigV4 Authorization header (signatures are not verified). */
export function parseCredentialScope(authorization: string | undefined): CredentialScope | undefined {
  if (!authorization) return undefined;
  const m = /Credential=([^/,\s]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request/.exec(authorization);
  if (!m) return undefined;
  return { accessKeyId: m[1], date: m[2], region: m[3], service: m[4] };
}

const JSON_TARGETS: Record<string, ServiceName> = {
  TrentService: 'kms',
  AWSOrganizationsV20161128: 'organizations',
  ResourceGroupsTaggingAPI_20170126: 'tagging',
};

/** A request's whole body as UTF-8 text (the test stand-ins on loopback read theirs with it too). */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function throttleError(service: string): AwsError {
  switch (service) {
    case 'organizations':
      return new AwsError('TooManyRequestsException', 'You have sent too many requests in too short a period of time. The quota helps protect against denial-of-service attacks. Try again later.', 400, { Type: 'Throttling' });
    case 'sts':
      return new AwsError('Throttling', 'Rate exceeded', 400);
    case 'ec2':
      return new AwsError('RequestLimitExceeded', 'Request limit exceeded.', 503);
    default:
      return new AwsError('ThrottlingException', 'Rate exceeded', 400);
  }
}

function invalidToken(service: string): AwsError {
  if (service === 'sts') return new AwsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
  if (service === 'ec2') return new AwsError('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
  return new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.', 400);
}

function expiredToken(service: string): AwsError {
  if (service === 'sts') return new AwsError('ExpiredTokenException', 'The security token included in the request is expired', 400);
  if (service === 'ec2') return new AwsError('RequestExpired', 'Request has expired.', 400);
  return new AwsError('ExpiredTokenException', 'The security token included in the request is expired', 400);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ---------------------------------------------------------------------------------------------

function keyView(state: OrganizationState, key: KeyRecord): KeyView {
  const owner = state.rotationOwner(key);
  const view: KeyView = {
    accountId: key.accountId, region: key.region, keyId: key.keyId, arn: key.arn, description: key.description,
    keyManager: key.keyManager, keySpec: key.keySpec, keyUsage: key.keyUsage, origin: key.origin, keyState: key.keyState,
    enabled: key.keyState === 'Enabled', multiRegion: key.multiRegion, creationDate: key.creationDate.toISOString(),
    aliases: state.aliasesIn(key.accountId, key.region).filter((a) => a.targetKeyId === key.keyId).map((a) => a.name),
    tags: { ...key.tags }, rotationEnabled: owner.rotation.enabled,
    metadata: keyMetadata(state, key),
  };
  if (owner.rotation.enabled) view.rotationPeriodInDays = owner.rotation.periodInDays;
  if (key.multiRegion) view.multiRegionKeyType = key.primaryRegion ? 'REPLICA' : 'PRIMARY';
  if (key.primaryRegion) view.primaryRegion = key.primaryRegion;
  if (key.customKeyStoreId) view.customKeyStoreId = key.customKeyStoreId;
  return view;
}

function matches(filter: CallFilter | undefined, c: { accountId: string; region: string; service?: string; operation: string }): boolean {
  return !filter || ((filter.accountId === undefined || filter.accountId === c.accountId) &&
    (filter.region === undefined || filter.region === c.region) &&
    (filter.service === undefined || filter.service === c.service) &&
    (filter.operation === undefined || filter.operation === c.operation));
}

function bareKeyId(keyId: string): string {
  const at = keyId.indexOf(':key/');
  return at >= 0 ? keyId.slice(at + 5) : keyId;
}

/** Starts the simulated organization on 127.0.0.1. */
export async function startSimulator(opts: SimulatorOptions): Promise<SimulatedOrganization> {
  const scenario = loadScenario(opts.scenario);
  const clock = opts.clock ?? (() => new Date());
  const state = new OrganizationState(scenario, clock);
  const limiter = new RateLimiter(resolveQuotas(opts.quotas));
  const random = seededRandom(opts.seed ?? 1);
  let throttleFraction = checkFraction(opts.throttleFraction ?? 0);
  let latencyMs = opts.latencyMs ?? 0;
  let faults: ArmedFault[] = [...scenario.faults, ...(opts.faults ?? []).map((f, i) => validateFault(f, `faults[${i}]`))]
    .map((fault) => ({ fault, fired: 0 }));
  const counts = new Map<string, CallCount>();
  /** What CloudTrail would have delivered to EventBridge: the KMS write calls answered, in order. */
  const trailEvents: Record<string, unknown>[] = [];
  const keyCounts = new Map<string, KeyCallCount>();

  function checkFraction(f: number): number {
    if (!(f >= 0 && f <= 1)) throw new Error(`throttleFraction must be between 0 and 1, got ${f}`);
    return f;
  }

  function record(accountId: string, region: string, service: string, operation: string, outcome: string | undefined, keyId?: string): void {
    const id = `${accountId}|${region}|${service}|${operation}`;
    let c = counts.get(id);
    if (!c) {
      c = { accountId, region, service, operation, calls: 0, succeeded: 0, errors: {} };
      counts.set(id, c);
    }
    c.calls += 1;
    if (outcome === undefined) c.succeeded += 1;
    else c.errors[outcome] = (c.errors[outcome] ?? 0) + 1;
    if (keyId !== undefined) {
      const bare = bareKeyId(keyId);
      const kid = `${accountId}|${region}|${bare}|${operation}`;
      const k = keyCounts.get(kid) ?? { accountId, region, keyId: bare, operation, calls: 0, succeeded: 0 };
      k.calls += 1;
      if (outcome === undefined) k.succeeded += 1;
      keyCounts.set(kid, k);
    }
  }

  function identify(scope: CredentialScope, service: string, sessionToken: string | undefined): Identity {
    if (opts.strictAccessKeys && !scope.accessKeyId.startsWith('ASIA') && !state.isKnownAccessKey(scope.accessKeyId)) {
      throw invalidToken(service);
    }
    const identity = state.identityFor(scope.accessKeyId);
    if (!identity) throw invalidToken(service);
    if (identity.session) {
      if (sessionToken !== identity.session.sessionToken) throw invalidToken(service);
      if (identity.session.expiresAt.getTime() <= clock().getTime()) throw expiredToken(service);
    }
    return identity;
  }

  type Answer = { status: number; contentType: string; body: string };

  function errorAnswer(service: string, error: AwsError, requestId: string): Answer {
    if (service === 'sts') return { status: error.status, contentType: 'text/xml', body: stsErrorXml(error, requestId) };
    if (service === 'ec2') return { status: error.status, contentType: 'text/xml;charset=UTF-8', body: ec2ErrorXml(error, requestId) };
    const messageKey = service === 'organizations' ? 'Message' : 'message';
    return {
      status: error.status, contentType: 'application/x-amz-json-1.1',
      body: JSON.stringify({ __type: error.code, [messageKey]: error.message, ...error.extra }),
    };
  }

  async function answer(req: IncomingMessage, body: string, requestId: string): Promise<Answer> {
    const target = req.headers['x-amz-target'];
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let scope = parseCredentialScope(req.headers.authorization);
    let service: string;
    let operation: string;
    let jsonInput: Record<string, unknown> = {};
    let params = new URLSearchParams();
    if (typeof target === 'string') {
      const [prefix, op] = target.split('.');
      service = JSON_TARGETS[prefix] ?? scope?.service ?? 'kms';
      operation = op ?? '';
      if (!JSON_TARGETS[prefix]) return errorAnswer(service, new AwsError('UnknownOperationException', `Unknown target ${target}`), requestId);
      try {
        jsonInput = body.trim() ? JSON.parse(body) as Record<string, unknown> : {};
      } catch {
        return errorAnswer(service, new AwsError('SerializationException', 'Start of structure or map found where not expected.'), requestId);
      }
    } else {
      params = new URLSearchParams(body);
      for (const [k, v] of url.searchParams) if (!params.has(k)) params.set(k, v);
      if (!scope && params.has('X-Amz-Credential')) {
        scope = parseCredentialScope(`Credential=${params.get('X-Amz-Credential')}`);
      }
      service = scope?.service ?? 'sts';
      operation = params.get('Action') ?? '';
    }
    const sessionToken = (req.headers['x-amz-security-token'] as string | undefined) ?? params.get('X-Amz-Security-Token') ?? undefined;

    if (!scope) {
      const code = service === 'sts' || service === 'ec2' ? 'MissingAuthenticationToken' : 'MissingAuthenticationTokenException';
      return errorAnswer(service, new AwsError(code, 'Request is missing Authentication Token', 403), requestId);
    }
    const region = scope.region;
    let caller: Identity;
    try {
      caller = identify(scope, service, sessionToken);
    } catch (e) {
      const error = e as AwsError;
      record('unknown', region, service, operation, error.code);
      return errorAnswer(service, error, requestId);
    }
    const keyId = service === 'kms' ? requestKeyId(jsonInput) : undefined;
    const trail = service === 'kms' && RECORDED_KMS_CALLS.has(operation);
    try {
      const result = dispatch(service, operation, caller, region, jsonInput, params, keyId, requestId);
      record(caller.accountId, region, service, operation, undefined, keyId);
      if (trail) trailEvents.push(...cloudTrailEventsOf({ operation, caller, region, at: clock(), requestId, input: jsonInput, output: JSON.parse(result.body || '{}') }));
      return result;
    } catch (e) {
      if (!(e instanceof AwsError)) throw e;
      record(caller.accountId, region, service, operation, e.code, keyId);
      // Throttled calls never reach the service, so CloudTrail logs none; refused ones it logs with their error.
      if (trail && e.code !== 'ThrottlingException' && e.code !== 'TooManyRequestsException') {
        trailEvents.push(cloudTrailEvent({ operation, caller, region, at: clock(), requestId, input: jsonInput, errorCode: e.code, errorMessage: e.message }));
      }
      return errorAnswer(service, e, requestId);
    }
  }

  function dispatch(service: string, operation: string, caller: Identity, region: string,
    jsonInput: Record<string, unknown>, params: URLSearchParams, keyId: string | undefined, requestId: string): Answer {
    const now = clock();
    const account = state.account(caller.accountId);
    if (service === 'kms' && (!account || !account.regions.includes(region))) throw invalidToken('kms');
    if (service === 'ec2' && isOptInRegion(region) && !account?.regions.includes(region)) throw invalidToken('ec2');

    const handlers: Record<string, unknown> = service === 'kms' ? KMS_OPERATIONS : service === 'organizations' ? ORGANIZATIONS_OPERATIONS
      : service === 'sts' ? STS_OPERATIONS : service === 'ec2' ? EC2_OPERATIONS : service === 'tagging' ? TAGGING_OPERATIONS : {};
    if (!Object.prototype.hasOwnProperty.call(handlers, operation)) {
      if (service === 'kms' || service === 'organizations' || service === 'tagging') throw new AwsError('UnknownOperationException', `The operation ${operation} is not supported by the simulated ${service}.`);
      throw new AwsError('InvalidAction', `The action ${operation} is not valid for this web service.`, 400);
    }

    const effect = matchFault(faults, { accountId: caller.accountId, region, service, operation, keyId });
    if (effect?.kind === 'error') throw new AwsError(effect.code, effect.message, effect.status ?? statusForCode(effect.code));
    if (service === 'kms' && throttleFraction > 0 && random() < throttleFraction) throw throttleError('kms');
    if (!limiter.admit(caller.accountId, region, operation, now.getTime())) throw throttleError(service);

    switch (service) {
      case 'kms': {
        const out = KMS_OPERATIONS[operation]({ state, caller, region, now, ignoreEnableRotation: effect?.kind === 'ignore-enable-rotation' }, jsonInput);
        return { status: 200, contentType: 'application/x-amz-json-1.1', body: JSON.stringify(out) };
      }
      case 'tagging': {
        if (!account || !account.regions.includes(region)) throw invalidToken('tagging');
        const out = TAGGING_OPERATIONS[operation]({ state, caller, region }, jsonInput);
        return { status: 200, contentType: 'application/x-amz-json-1.1', body: JSON.stringify(out) };
      }
      case 'organizations': {
        authorizeOrganizations({ state, caller }, operation);
        const out = ORGANIZATIONS_OPERATIONS[operation]({ state, caller }, jsonInput);
        return { status: 200, contentType: 'application/x-amz-json-1.1', body: JSON.stringify(out) };
      }
      case 'sts':
        return { status: 200, contentType: 'text/xml', body: STS_OPERATIONS[operation]({ state, caller, region, now, requestId }, params) };
      default:
        return { status: 200, contentType: 'text/xml;charset=UTF-8', body: EC2_OPERATIONS[operation]({ state, caller, region, now, requestId }, params) };
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = newRequestId();
    let result: Answer;
    if (req.method === 'GET' && req.url === CLOUDTRAIL_PATH) {
      const body = JSON.stringify(trailEvents);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    try {
      const body = await readBody(req);
      if (latencyMs > 0) await sleep(latencyMs);
      result = await answer(req, body, requestId);
    } catch (e) {
      result = { status: 500, contentType: 'application/x-amz-json-1.1', body: JSON.stringify({ __type: 'InternalFailure', message: (e as Error).message }) };
    }
    res.writeHead(result.status, {
      'content-type': result.contentType,
      'content-length': Buffer.byteLength(result.body),
      'x-amzn-requestid': requestId,
    });
    res.end(result.body);
  }

  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  function requireKey(accountId: string, region: string, keyId: string): KeyRecord {
    const key = state.findKey(accountId, region, keyId);
    if (!key) throw new Error(`no key ${keyId} in account ${accountId} ${region}`);
    return key;
  }

  function requireAccount(accountId: string) {
    const account = state.account(accountId);
    if (!account) throw new Error(`no account ${accountId} in the simulated organization`);
    return account;
  }

  let closed: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    scenario,
    managementAccountId: scenario.managementAccountId,
    managementCredentials: { accessKeyId: scenario.managementCredentials.accessKeyId, secretAccessKey: scenario.managementCredentials.secretAccessKey },
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },

    cloudTrailEvents() {
      return [...trailEvents];
    },

    callCounts(filter) {
      return [...counts.values()].filter((c) => matches(filter, c)).map((c) => ({ ...c, errors: { ...c.errors } }));
    },
    totalCalls(filter) {
      return [...counts.values()].filter((c) => matches(filter, c)).reduce((n, c) => n + c.calls, 0);
    },
    keyCallCounts(filter) {
      return [...keyCounts.values()]
        .filter((k) => (!filter?.accountId || filter.accountId === k.accountId) && (!filter?.region || filter.region === k.region) &&
          (!filter?.keyId || filter.keyId === k.keyId) && (!filter?.operation || filter.operation === k.operation))
        .map((k) => ({ ...k }));
    },
    resetCallCounts() {
      counts.clear();
      keyCounts.clear();
    },

    accounts() {
      return [...state.accounts.values()].map((a) => ({
        id: a.id, name: a.name, email: a.email, state: a.state, parent: a.parent, tags: { ...a.tags }, regions: [...a.regions],
        roles: a.roles.map((r) => ({ ...r, trustedAccounts: [...r.trustedAccounts] })),
      }));
    },
    getKey(accountId, region, keyId) {
      const key = state.findKey(accountId, region, keyId);
      return key ? keyView(state, key) : undefined;
    },
    listKeys(accountId, region) {
      const account = requireAccount(accountId);
      const regions = region ? [region] : account.regions;
      return regions.flatMap((r) => state.keysIn(accountId, r).map((k) => keyView(state, k)));
    },
    createKey(accountId, region, spec = {}) {
      return keyView(state, state.createKey(accountId, region, spec));
    },
    setRotation(accountId, region, keyId, enabled, periodInDays) {
      state.setRotation(requireKey(accountId, region, keyId), enabled, periodInDays);
    },
    setKeyState(accountId, region, keyId, keyState) {
      state.setKeyState(requireKey(accountId, region, keyId), keyState);
    },
    setAccountState(accountId, accountState) {
      requireAccount(accountId).state = accountState;
    },
    setRoles(accountId, roles) {
      requireAccount(accountId).roles = roles.map((r) => ({
        name: r.name, trustedAccounts: r.trustedAccounts ?? [scenario.managementAccountId],
        ...(r.externalId === undefined ? {} : { externalId: r.externalId }),
      }));
    },
    sessions() {
      return state.sessions().map((s) => ({
        accessKeyId: s.accessKeyId, accountId: s.accountId, roleName: s.session!.roleName, arn: s.arn,
        expiration: s.session!.expiresAt.toISOString(),
      }));
    },

    addFault(fault) {
      faults.push({ fault: validateFault(fault, 'fault'), fired: 0 });
    },
    setFaults(list) {
      faults = list.map((f, i) => ({ fault: validateFault(f, `faults[${i}]`), fired: 0 }));
    },
    clearFaults() {
      faults = [];
    },
    setThrottleFraction(fraction) {
      throttleFraction = checkFraction(fraction);
    },
    setQuotas(quotas) {
      limiter.setQuotas(resolveQuotas(quotas));
    },
    setLatency(ms) {
      latencyMs = ms;
    },
  };
}
