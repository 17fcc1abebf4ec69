// The simulated STS (awsQuery, 2011-06-15) and EC2 DescribeRegions (ec2Query, 2016-11-15): form
// parameters in, XML documents out, in the shapes the real services answer.
import { randomUUID } from 'node:crypto';
import { AwsError } from './errors';
import { ALL_REGIONS, isOptInRegion } from './regions';
import type { Identity, OrganizationState } from './state';

export const STS_XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';
export const EC2_XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

export function xmlEscape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Renders nested plain data as XML elements (arrays become repeated `member`/`item` by the caller). */
function el(name: string, content: string): string {
  return `<${name}>${content}</${name}>`;
}

function text(name: string, value: string | number): string {
  return el(name, xmlEscape(String(value)));
}

export interface QueryContext {
  state: OrganizationState;
  caller: Identity;
  region: string;
  now: Date;
  requestId: string;
}

type Params = URLSearchParams;

// ---------------------------------------------------------------------------------------------
// STS

function stsValidation(field: string, value: string | null, constraint: string): AwsError {
  return new AwsError('ValidationError', `1 validation error detected: Value '${value ?? 'null'}' at '${field}' failed to satisfy constraint: ${constraint}`, 400);
}

function stsResponse(action: string, result: string, requestId: string): string {
  return `<${action}Response xmlns="${STS_XMLNS}">\n  <${action}Result>${result}</${action}Result>\n` +
    `  <ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>\n</${action}Response>\n`;
}

function assumeRole(ctx: QueryContext, params: Params): string {
  const roleArn = params.get('RoleArn');
  const sessionName = params.get('RoleSessionName');
  if (!roleArn) throw stsValidation('roleArn', null, 'Member must not be null');
  if (!sessionName) throw stsValidation('roleSessionName', null, 'Member must not be null');
  if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
    throw stsValidation('roleSessionName', sessionName, 'Member must satisfy regular expression pattern: [\\w+=,.@-]*');
  }
  const durationText = params.get('DurationSeconds');
  const duration = durationText === null ? 3600 : Number(durationText);
  if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
    throw stsValidation('durationSeconds', durationText, 'Member must have value between 900 and 43200');
  }
  const m = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/.exec(roleArn);
  if (!m) throw stsValidation('roleArn', roleArn, 'Member must be a valid IAM role ARN');
  const [, accountId, roleName] = m;
  const denied = new AwsError('AccessDenied',
    `User: ${ctx.caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, 403);
  const account = ctx.state.account(accountId);
  if (!account || (account.state !== 'ACTIVE' && account.state !== 'PENDING_ACTIVATION')) throw denied;
  const role = account.roles.find((r) => r.name === roleName);
  if (!role) throw denied;
  // The management account is always trusted (the orchestrator runs there); others when the role lists them.
  if (ctx.caller.accountId !== ctx.state.managementAccountId && !role.trustedAccounts.includes(ctx.caller.accountId)) throw denied;
  if (role.externalId !== undefined && params.get('ExternalId') !== role.externalId) throw denied;

  const session = ctx.state.issueSession(accountId, roleName, sessionName, duration);
  const s = session.session!;
  const result =
    el('AssumedRoleUser', text('AssumedRoleId', session.userId) + text('Arn', session.arn)) +
    el('Credentials',
      text('AccessKeyId', session.accessKeyId) + text('SecretAccessKey', s.secretAccessKey) +
      text('SessionToken', s.sessionToken) + text('Expiration', s.expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z'))) +
    text('PackedPolicySize', 0);
  return stsResponse('AssumeRole', result, ctx.requestId);
}

function getCallerIdentity(ctx: QueryContext): string {
  const result = text('Arn', ctx.caller.arn) + text('UserId', ctx.caller.userId) + text('Account', ctx.caller.accountId);
  return stsResponse('GetCallerIdentity', result, ctx.requestId);
}

export const STS_OPERATIONS: Record<string, (ctx: QueryContext, params: Params) => string> = {
  AssumeRole: assumeRole,
  GetCallerIdentity: getCallerIdentity,
};

// ---------------------------------------------------------------------------------------------
// EC2

/** Values of a numbered list parameter: `Name.1`, `Name.2`, ... */
function numbered(params: Params, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 1; params.has(`${prefix}.${i}`); i++) out.push(params.get(`${prefix}.${i}`)!);
  return out;
}

interface RegionRow {
  regionName: string;
  regionEndpoint: string;
  optInStatus: 'opt-in-not-required' | 'opted-in' | 'not-opted-in';
}

function describeRegions(ctx: QueryContext, params: Params): string {
  const account = ctx.state.account(ctx.caller.accountId);
  const enabled = account?.regions ?? [];
  const allRegions = (params.get('AllRegions') ?? '').toLowerCase() === 'true';
  const names = ALL_REGIONS.filter((r) => allRegions || enabled.includes(r));
  let rows: RegionRow[] = names.map((r) => ({
    regionName: r,
    regionEndpoint: `ec2.${r}.amazonaws.com`,
    optInStatus: !enabled.includes(r) ? 'not-opted-in' : isOptInRegion(r) ? 'opted-in' : 'opt-in-not-required',
  }));
  const wanted = numbered(params, 'RegionName');
  for (const name of wanted) {
    if (!ALL_REGIONS.includes(name)) throw new AwsError('InvalidParameterValue', `Invalid region: ${name}`, 400);
  }
  if (wanted.length > 0) rows = rows.filter((r) => wanted.includes(r.regionName));
  for (let i = 1; params.has(`Filter.${i}.Name`); i++) {
    const name = params.get(`Filter.${i}.Name`)!;
    const values = numbered(params, `Filter.${i}.Value`);
    const field: Record<string, keyof RegionRow> = { 'opt-in-status': 'optInStatus', 'region-name': 'regionName', endpoint: 'regionEndpoint' };
    if (!field[name]) throw new AwsError('InvalidParameterValue', `The filter '${name}' is invalid`, 400);
    rows = rows.filter((r) => values.includes(r[field[name]]));
  }
  const items = rows.map((r) => el('item', text('regionName', r.regionName) + text('regionEndpoint', r.regionEndpoint) + text('optInStatus', r.optInStatus))).join('');
  return `<DescribeRegionsResponse xmlns="${EC2_XMLNS}">\n  <requestId>${ctx.requestId}</requestId>\n  <regionInfo>${items}</regionInfo>\n</DescribeRegionsResponse>\n`;
}

export const EC2_OPERATIONS: Record<string, (ctx: QueryContext, params: Params) => string> = {
  DescribeRegions: describeRegions,
};

// ---------------------------------------------------------------------------------------------
// Error documents

export function stsErrorXml(error: AwsError, requestId: string): string {
  return `<ErrorResponse xmlns="${STS_XMLNS}">\n  <Error>\n    <Type>${error.status >= 500 ? 'Receiver' : 'Sender'}</Type>\n` +
    `    <Code>${xmlEscape(error.code)}</Code>\n    <Message>${xmlEscape(error.message)}</Message>\n  </Error>\n` +
    `  <RequestId>${requestId}</RequestId>\n</ErrorResponse>\n`;
}

export function ec2ErrorXml(error: AwsError, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${xmlEscape(error.code)}</Code>` +
    `<Message>${xmlEscape(error.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>\n`;
}

export function newRequestId(): string {
  return randomUUID();
}
