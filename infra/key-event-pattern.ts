// The EventBridge pattern of the KMS calls continuous enforcement acts on, built once from the
// core's list (functions/core/key-event.ts): the member accounts' rules forward what it matches,
// and the central bus's rule queues it. Pure data.
import { CLOUDTRAIL_EVENT_SOURCE, DETAIL_TYPE, ENFORCED_EVENT_NAMES, EVENT_SOURCE, outsideRange, type RotationRangeDays } from '../functions/core/key-event';

/**
 * Every enforced call that succeeded; EnableKeyRotation only with a period the allowed range does
 * not admit (none without a range, so the orchestrator's own EnableKeyRotation never comes back).
 */
export function keyEventPattern(allowedRotationRange?: RotationRangeDays): Record<string, unknown> {
  const alwaysNames = ENFORCED_EVENT_NAMES.filter((name) => name !== 'EnableKeyRotation');
  const branches: Record<string, unknown>[] = [{ eventName: [...alwaysNames] }];
  if (allowedRotationRange) {
    const period = [{ numeric: ['<', allowedRotationRange.min] }, { numeric: ['>', allowedRotationRange.max] }];
    // Without a period KMS applies 365 days: that counts when 365 is outside the range.
    if (outsideRange(undefined, allowedRotationRange)) period.push({ exists: false } as never);
    branches.push({ eventName: ['EnableKeyRotation'], requestParameters: { rotationPeriodInDays: period } });
  }
  return {
    source: [EVENT_SOURCE],
    'detail-type': [DETAIL_TYPE],
    detail: {
      eventSource: [CLOUDTRAIL_EVENT_SOURCE],
      errorCode: [{ exists: false }],
      ...(branches.length === 1 ? branches[0] : { $or: branches }),
    },
  };
}
