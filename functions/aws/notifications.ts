// Publishes a finished run's drift: a message on the SNS topic (the run's metrics, which the
// stack's alarms watch, are EMF from Finalize's invocation: functions/observability/); and, for
// continuous enforcement, one message per key an event enforced.
import { PublishCommand } from '@aws-sdk/client-sns';
import { snsClient } from './clients/sns';
import { inertText } from '../core/text';

export interface DriftNotice {
  runId: string;
  status: string;
  nonCompliantKeys: number;
  driftedKeys: number;
  errorScopes: number;
  subject: string;
  message: string;
}

/** SNS's largest message: 256 KiB of UTF-8. */
export const SNS_MESSAGE_BYTES = 262_144;
/** The key events a drift message lists at most; `rotor drift` lists every one. */
export const DRIFT_NOTICE_EVENTS = 50;

export type DriftPublisher = (notice: DriftNotice) => Promise<void>;

export function publishDrift(topicArn: string | undefined): DriftPublisher | undefined {
  if (!topicArn) return undefined;
  const sns = snsClient();
  return async (notice) => {
    // Only drift is news: a run that found nothing new does not page anyone.
    if (notice.driftedKeys > 0) {
      await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: notice.subject.slice(0, 100), Message: notice.message }));
    }
  };
}

/** What an enforced (or, detecting, a non-compliant) key's notification says. */
export interface KeyEnforcementNotice {
  keyArn: string;
  accountId: string;
  region: string;
  eventName: string;
  eventId: string;
  principal: string;
  outcome: string;
  status?: string;
  reason?: string;
}

/** One SNS message per key an event enforced (subject and body from AWS and people's text, made inert). */
export function publishKeyEnforcement(topicArn: string | undefined): ((notice: KeyEnforcementNotice) => Promise<void>) | undefined {
  if (!topicArn) return undefined;
  const sns = snsClient();
  return async (n) => {
    const done = n.outcome === 'enforced' ? `automatic rotation turned on (${n.status})` : `recorded ${n.status ?? n.outcome}, nothing changed`;
    const lines = [
      `key: ${n.keyArn}`,
      `account: ${n.accountId}`,
      `Region: ${n.region}`,
      `event: ${n.eventName} ${n.eventId}`,
      `by: ${n.principal}`,
      `done: ${done}`,
      ...(n.reason ? [`reason: ${n.reason}`] : []),
    ].map((line) => inertText(line));
    await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: inertText(`kms-rotor: ${n.eventName} in ${n.accountId} ${n.region}`).slice(0, 100), Message: lines.join('\n') }));
  };
}
