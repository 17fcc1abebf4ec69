// Enforces one CloudTrail-delivered KMS event: is its account ours, was it handled already, then
// the key it names is read (through the remediate role, or the scan role when only detecting),
// classified with classifyKey and the exceptions, given rotation with the configured period when
// it needs it, re-read, and the outcome recorded in the key's partition of the results store.
import { DescribeAccountCommand } from '@aws-sdk/client-organizations';
import { DescribeKeyCommand, ListAliasesCommand, type KMSClient } from '@aws-sdk/client-kms';
import { classifyKey, keyScope } from '../core/classify';
import { exceptionFor } from '../core/exceptions';
import {
  decideKeyEvent,
  describeEventRecord,
  eventFinding,
  needsRotation,
  outcomeOf,
  parseKeyEvent,
  type EventOutcome,
  type EventRecord,
  type KeyEvent,
  type RotationRangeDays,
} from '../core/key-event';
import type { ExceptionRecord, Finding } from '../core/schemas';
import type { ResultsStore } from '../store/results-store';
import { describeError, isThrottling } from './errors';
import { kmsClient } from './clients/kms';
import { organizationsClient } from './clients/organizations';
import { type Credentials } from './clients/config';
import { credentialsFor, MemberAccessDenied } from './credentials';
import { factsFromMetadata, readRotation } from './key-scanner';
import { RatePacer } from './pool';
import { enableAndVerify, Throttled } from './rotation';

export interface EnforcementConfig {
  /** remediate turns rotation on; detect only records the key's state (through the scan role). */
  mode: 'remediate' | 'detect';
  scanRoleName: string;
  remediateRoleName: string;
  externalId?: string;
  rotationPeriodInDays?: number;
  allowedRotationRange?: RotationRangeDays;
  /** EnableKeyRotation calls a second per account and Region from this enforcer. */
  enablePerSecond: number;
}

/** What one event came to; `record` is what the store keeps (absent for events that name no key of ours). */
export interface HandledEvent {
  eventId?: string;
  keyArn?: string;
  outcome: EventOutcome;
  reason?: string;
  record?: EventRecord;
  /** A line for logs and the CLI. */
  line: string;
}

/** Whether an account belongs to the Organization: Organizations' own answer, cached for the enforcer's life. */
export type MembershipCheck = (accountId: string) => Promise<boolean>;

/** DescribeAccount from the orchestrator's account: ACTIVE accounts of the Organization are members. */
export function organizationMembership(): MembershipCheck {
  const known = new Map<string, Promise<boolean>>();
  return (accountId) => {
    let answer = known.get(accountId);
    if (!answer) {
      const client = organizationsClient();
      answer = client
        .send(new DescribeAccountCommand({ AccountId: accountId }))
        .then((out) => (out.Account?.State ?? out.Account?.Status) === 'ACTIVE')
        .catch((error) => {
          if ((error as Error).name === 'AccountNotFoundException') return false;
          known.delete(accountId);
          throw error;
        })
        .finally(() => client.destroy());
      known.set(accountId, answer);
    }
    return answer;
  };
}

export interface EnforcerDeps {
  store: ResultsStore;
  isMember: MembershipCheck;
  now: () => Date;
  /** Called for each event that turned rotation on (remediate) or found a key without it (detect). */
  notify?: (record: EventRecord) => Promise<void>;
}

/**
 * Handles events one by one, sharing per-account credentials, clients and pacers (one pacer per
 * account and Region: the EnableKeyRotation quota's scope). Throttling that outlasts the SDK
 * leaves as Throttled: the event is retried later, nothing is recorded for it yet.
 */
export class EventEnforcer {
  private readonly credentials = new Map<string, Promise<Credentials | undefined>>();
  private readonly clients = new Map<string, KMSClient>();
  private readonly pacers = new Map<string, RatePacer>();
  private exceptions?: Promise<ExceptionRecord[]>;

  constructor(
    private readonly config: EnforcementConfig,
    private readonly deps: EnforcerDeps,
  ) {}

  async handle(raw: unknown): Promise<HandledEvent> {
    const parsed = parseKeyEvent(raw);
    if (!parsed.ok) return { eventId: parsed.eventId, outcome: 'dropped', reason: parsed.reason, line: `dropped ${parsed.eventId ?? '(no event id)'}: ${parsed.reason}` };
    const event = parsed.event;
    const isMember = await this.deps.isMember(event.accountId);
    const seen = isMember ? (await this.deps.store.getEventRecord(event.keyArn, event.eventId)) !== undefined : false;
    const decision = decideKeyEvent(event, { isMember, seen, allowedRotationRange: this.config.allowedRotationRange });
    if (!decision.act) {
      const line = `${decision.outcome} ${event.keyArn} (${event.eventName} ${event.eventId}): ${decision.reason}`;
      // A duplicate keeps its first record; a foreign account's event is not ours to store.
      return { eventId: event.eventId, keyArn: event.keyArn, outcome: decision.outcome, reason: decision.reason, line };
    }
    const record = await this.enforce(event);
    await this.deps.store.putEventRecord(record);
    const alert = record.outcome === 'enforced' || record.finding?.status === 'NON_COMPLIANT' || record.finding?.status === 'REMEDIATION_FAILED';
    if (alert && this.deps.notify) await this.deps.notify(record);
    return { eventId: event.eventId, keyArn: event.keyArn, outcome: record.outcome, reason: record.reason, record, line: describeEventRecord(record) };
  }

  /** Releases the SDK clients. */
  close(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }

  private async enforce(event: KeyEvent): Promise<EventRecord> {
    const at = () => this.deps.now().toISOString();
    const base = { eventId: event.eventId, eventName: event.eventName, eventTime: event.eventTime, principal: event.principal, accountId: event.accountId, region: event.region, keyId: event.keyId, keyArn: event.keyArn };
    const failed = (reason: string): EventRecord => ({ ...base, outcome: 'failed', reason, handledAt: at() });
    let kms: KMSClient;
    try {
      kms = await this.kmsFor(event.accountId, event.region);
    } catch (error) {
      if (error instanceof MemberAccessDenied) return failed(error.message);
      throw error;
    }
    const read = async <T>(fn: () => Promise<T>): Promise<{ value?: T; error?: unknown }> => {
      try {
        return { value: await fn() };
      } catch (error) {
        if (isThrottling(error)) throw new Throttled();
        return { error };
      }
    };
    const described = await read(() => kms.send(new DescribeKeyCommand({ KeyId: event.keyId })));
    if (described.error) {
      if ((described.error as Error).name === 'NotFoundException') {
        const finding = eventFinding(event, { status: 'NOT_APPLICABLE', reason: 'the key no longer exists', rotationEnabledBefore: null }, {}, at());
        return { ...base, outcome: 'recorded', reason: finding.reason, handledAt: at(), finding };
      }
      return failed(`cannot read the key: ${describeError(described.error)}`);
    }
    // The key's aliases, as a scan lists them: an alias/aws/ alias marks an AWS-managed key even where KeyManager says otherwise.
    const listed = await read(() => kms.send(new ListAliasesCommand({ KeyId: event.keyId })));
    const aliases = (listed.value?.Aliases ?? []).flatMap((a) => (a.AliasName ? [a.AliasName] : [])).sort();
    const facts = { ...factsFromMetadata(described.value!.KeyMetadata!), awsManagedByAlias: aliases.some((a) => a.startsWith('alias/aws/')) || undefined };
    const rotation = keyScope(facts).inScope ? await read(() => readRotation(kms, event.keyId)) : undefined;
    if (rotation?.error) return failed(`cannot read the key's rotation status: ${describeError(rotation.error)}`);
    const exception = exceptionFor(facts.keyArn, event.accountId, await this.exceptionList(), this.deps.now());
    const verdict = classifyKey(facts, rotation?.value, exception);
    const keyFacts = { keySpec: facts.keySpec, keyManager: facts.keyManager, aliases: aliases.length > 0 ? aliases : undefined };
    const need = needsRotation(verdict, this.config.allowedRotationRange);
    let finding: Finding;
    if (!need.enable || this.config.mode === 'detect') {
      const reason = need.enable ? need.reason : verdict.reason;
      finding = eventFinding(event, { status: need.enable ? 'NON_COMPLIANT' : verdict.status, reason, rotationEnabledBefore: verdict.rotationEnabledBefore, rotationPeriodInDays: verdict.rotationPeriodInDays }, keyFacts, at());
      if (exception && verdict.status === 'EXEMPT') finding.exception = { owner: exception.owner, reason: exception.reason, expiresAt: exception.expiresAt };
    } else {
      const result = await enableAndVerify(kms, this.pacerFor(event.accountId, event.region), event.keyId, this.config.rotationPeriodInDays);
      finding = result.gone
        ? eventFinding(event, { status: 'NOT_APPLICABLE', reason: `left scope while it was enforced: ${result.gone}`, rotationEnabledBefore: verdict.rotationEnabledBefore }, keyFacts, at())
        : eventFinding(
            event,
            {
              status: result.outcome.status,
              reason: result.outcome.reason ?? need.reason,
              rotationEnabledBefore: verdict.rotationEnabledBefore,
              rotationEnabledAfter: result.after?.enabled ?? false,
              rotationPeriodInDays: result.after?.periodInDays,
            },
            keyFacts,
            at(),
          );
      finding.remediatedAt = at();
    }
    return { ...base, outcome: outcomeOf(finding), reason: finding.reason, handledAt: at(), finding };
  }

  private exceptionList(): Promise<ExceptionRecord[]> {
    this.exceptions ??= this.deps.store.exceptions().catch((error) => {
      this.exceptions = undefined;
      throw error;
    });
    return this.exceptions;
  }

  private async kmsFor(accountId: string, region: string): Promise<KMSClient> {
    const scope = `${accountId}/${region}`;
    const existing = this.clients.get(scope);
    if (existing) return existing;
    let credentials = this.credentials.get(accountId);
    if (!credentials) {
      const roleName = this.config.mode === 'remediate' ? this.config.remediateRoleName : this.config.scanRoleName;
      credentials = credentialsFor({ accountId, roleName, externalId: this.config.externalId, sessionName: `kms-rotor-enforce-${accountId}` });
      this.credentials.set(accountId, credentials);
      // A failed assumption is not kept: the next event of the account asks again.
      credentials.catch(() => this.credentials.delete(accountId));
    }
    const client = kmsClient(region, await credentials);
    this.clients.set(scope, client);
    return client;
  }

  private pacerFor(accountId: string, region: string): RatePacer {
    const scope = `${accountId}/${region}`;
    let pacer = this.pacers.get(scope);
    if (!pacer) this.pacers.set(scope, (pacer = new RatePacer(this.config.enablePerSecond)));
    return pacer;
  }
}
