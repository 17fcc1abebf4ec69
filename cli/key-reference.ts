// How a command names one KMS key: its full ARN, its key id with --region and --account, or an
// alias or a key id alone, found among the keys that recorded runs listed. A reference that fits
// none of these, or fits several keys, is bad usage (exit 2) and says why.
import type { Finding } from '../functions/core/schemas';
import type { ResultsStore } from '../functions/store/results-store';
import { UsageError } from './errors';

/** A KMS key id: a UUID, or `mrk-` and 32 hex digits for a multi-Region key. */
export const KEY_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const ACCOUNT = /^\d{12}$/;
/** A key ARN as KMS writes it: arn:PARTITION:kms:REGION:ACCOUNT:key/KEY_ID. */
const KMS_KEY_ARN = /^arn:(aws(?:-[a-z]+)*):kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/;

export const KEY_ARN_SHAPE = 'arn:aws:kms:REGION:ACCOUNT:key/KEY_ID';

/** Why `arn` is not a KMS key ARN, or undefined when it is one. */
export function keyArnProblem(arn: string): string | undefined {
  const match = KMS_KEY_ARN.exec(arn);
  if (!match) return `is not a KMS key ARN (${KEY_ARN_SHAPE})`;
  const [, , region, , keyId] = match;
  if (!REGION.test(region)) return `has "${region}" where a Region such as us-east-1 belongs`;
  if (!KEY_ID.test(keyId)) return `has "${keyId}" where a key id belongs (a UUID, or mrk- and 32 hex digits)`;
  return undefined;
}

/** The partition a Region belongs to, as in its key ARNs. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  return 'aws';
}

export interface KeyScope {
  /** The key's Region. */
  region?: string;
  /** The key's account id. */
  account?: string;
}

function checkScope(scope: KeyScope): void {
  if (scope.region !== undefined && !REGION.test(scope.region)) throw new UsageError(`--region: "${scope.region}" is not a Region name such as us-east-1`);
  if (scope.account !== undefined && !ACCOUNT.test(scope.account)) throw new UsageError(`--account: "${scope.account}" is not a 12-digit account id`);
}

const inScope = (f: Finding, scope: KeyScope) => (scope.region === undefined || f.region === scope.region) && (scope.account === undefined || f.accountId === scope.account);

/** The distinct key ARNs of the newest run that lists a key matching `matches` within the scope. */
async function keysListed(store: ResultsStore, scope: KeyScope, matches: (f: Finding) => boolean): Promise<string[]> {
  for await (const run of store.runs()) {
    const found = new Set<string>();
    for await (const f of store.findings(run.runId, scope.account)) if (inScope(f, scope) && matches(f)) found.add(f.keyArn);
    if (found.size > 0) return [...found].sort();
  }
  return [];
}

/** The key ARN a reference names; looks in the recorded runs only for an alias or a key id without its scope. */
export async function resolveKeyReference(store: ResultsStore, reference: string, scope: KeyScope): Promise<string> {
  checkScope(scope);
  if (reference.startsWith('arn:')) {
    const problem = keyArnProblem(reference);
    if (problem) throw new UsageError(`"${reference}" ${problem}`);
    return reference;
  }
  const isAlias = /^alias\/[\w/-]+$/.test(reference);
  if (!isAlias && !KEY_ID.test(reference)) {
    throw new UsageError(`"${reference}" is not a key ARN (${KEY_ARN_SHAPE}), a key id or an alias (alias/NAME)`);
  }
  if (!isAlias && scope.region && scope.account) return `arn:${partitionOf(scope.region)}:kms:${scope.region}:${scope.account}:key/${reference}`;
  const arns = await keysListed(store, scope, (f) => (isAlias ? (f.aliases ?? []).includes(reference) : f.keyId === reference));
  const where = [scope.account && `account ${scope.account}`, scope.region && `Region ${scope.region}`].filter(Boolean).join(', ');
  if (arns.length === 0) {
    throw new UsageError(
      `no recorded run lists a key ${isAlias ? 'with alias ' : ''}${reference}${where ? ` in ${where}` : ''}: ` +
        (isAlias ? 'give the key ARN, or its key id with --region and --account' : 'give the key ARN, or add --region and --account'),
    );
  }
  if (arns.length > 1) {
    throw new UsageError(`${reference} names ${arns.length} keys${where ? ` in ${where}` : ''}: ${arns.join(', ')}; narrow it with --region and --account, or give the ARN`);
  }
  return arns[0];
}
