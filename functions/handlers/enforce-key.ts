// EnforceKey: continuous enforcement. The central bus's rule puts each KMS event of the member
// accounts on a queue; this function takes them in batches and enforces each (aws/event-enforcement.ts).
// A malformed or foreign event is logged and dropped; only an event that could not be handled yet
// (throttling, the store unreachable) is returned to the queue, which retries it and then moves it
// to the dead-letter queue.
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import { externalIdFromEnv } from '../aws/external-id';
import { EventEnforcer, organizationMembership, type EnforcementConfig, type EnforcerDeps, type HandledEvent } from '../aws/event-enforcement';
import { publishKeyEnforcement } from '../aws/notifications';
import { ENABLE_PER_SECOND } from '../aws/rotation';
import { EVENT_HANDLER_CONCURRENCY, type EventRecord } from '../core/key-event';
import { DEFAULT_REMEDIATE_ROLE_NAME, DEFAULT_SCAN_ROLE_NAME, MAX_ROTATION_DAYS, MIN_ROTATION_DAYS, parseOrThrow, ROLE_NAME } from '../core/schemas';
import { logger } from '../observability/telemetry';
import { lambdaHandler, type Step } from './deps';

/** The deployment's settings, from the function's environment (set by infra/constructs/enforcement.ts). */
const EnforcementEnvironment = z.object({
  ENFORCEMENT: z.enum(['remediate', 'detect']),
  SCAN_ROLE_NAME: z.string().regex(ROLE_NAME).default(DEFAULT_SCAN_ROLE_NAME),
  REMEDIATE_ROLE_NAME: z.string().regex(ROLE_NAME).default(DEFAULT_REMEDIATE_ROLE_NAME),
  ROTATION_PERIOD_DAYS: z.coerce.number().int().min(MIN_ROTATION_DAYS).max(MAX_ROTATION_DAYS).optional(),
  ALLOWED_ROTATION_RANGE: z
    .string()
    .regex(/^\d+-\d+$/)
    .transform((range) => {
      const [min, max] = range.split('-').map(Number);
      return { min, max };
    })
    .optional(),
  ENFORCEMENT_TOPIC_ARN: z.string().optional(),
});

/** The deployment's settings but the ExternalId, which the step reads from its own source (the secret). */
export function enforcementConfigFromEnv(env: Record<string, string | undefined> = process.env): Omit<EnforcementConfig, 'externalId'> {
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const settings = parseOrThrow(EnforcementEnvironment, given);
  return {
    mode: settings.ENFORCEMENT,
    scanRoleName: settings.SCAN_ROLE_NAME,
    remediateRoleName: settings.REMEDIATE_ROLE_NAME,
    rotationPeriodInDays: settings.ROTATION_PERIOD_DAYS,
    allowedRotationRange: settings.ALLOWED_ROTATION_RANGE,
    // The function runs at most EVENT_HANDLER_CONCURRENCY at once: together they stay at ENABLE_PER_SECOND per account and Region.
    enablePerSecond: ENABLE_PER_SECOND / EVENT_HANDLER_CONCURRENCY,
  };
}

/** The notification of one record, when the deployment has a topic for them. */
function notifier(topicArn: string | undefined): EnforcerDeps['notify'] {
  const publish = publishKeyEnforcement(topicArn);
  if (!publish) return undefined;
  return (record: EventRecord) =>
    publish({ ...record, outcome: record.outcome, status: record.finding?.status, reason: record.reason ?? record.finding?.reason });
}

let membership: ReturnType<typeof organizationMembership> | undefined;

export const step: Step<SQSEvent, SQSBatchResponse> = (deps) => async (event) => {
  const config = { ...enforcementConfigFromEnv(), externalId: await deps.externalId?.() };
  membership ??= organizationMembership();
  const enforcer = new EventEnforcer(config, { store: deps.store, isMember: membership, now: deps.now, notify: notifier(process.env.ENFORCEMENT_TOPIC_ARN) });
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  try {
    for (const message of event.Records) {
      let body: unknown;
      try {
        body = JSON.parse(message.body);
      } catch {
        log({ outcome: 'dropped', messageId: message.messageId, reason: 'the message body is not JSON' });
        continue;
      }
      try {
        const handled: HandledEvent = await enforcer.handle(body);
        log({ outcome: handled.outcome, eventId: handled.eventId, keyArn: handled.keyArn, status: handled.record?.finding?.status, reason: handled.reason });
      } catch (error) {
        // Not handled yet: back to the queue (retried after its visibility timeout, then the DLQ).
        log({ outcome: 'retry', messageId: message.messageId, error: String((error as Error).message ?? error) });
        batchItemFailures.push({ itemIdentifier: message.messageId });
      }
    }
  } finally {
    enforcer.close();
  }
  return { batchItemFailures };
};

/** One line per event on the function's logger (JSON in Lambda, silent elsewhere). */
function log(entry: Record<string, unknown>): void {
  logger.info('key event', entry);
}

export const handler = lambdaHandler('EnforceKey', step, () => ({ externalId: externalIdFromEnv() }));
