// The event core: the documented CloudTrail records parse to the key they name; forged, foreign,
// failed and irrelevant events are dropped with a reason; the decision and the period policy.
import { decideKeyEvent, needsRotation, outsideRange, parseKeyEvent, type KeyEvent } from '../../functions/core/key-event';
import { cloudTrailEvent, keyArnOf } from '../support/cloudtrail-events';

const account = '111122223333';
const region = 'us-west-2';
const keyId = '1234abcd-12ab-34cd-56ef-1234567890ab';

function parsed(raw: unknown): KeyEvent {
  const result = parseKeyEvent(raw);
  if (!result.ok) throw new Error(result.reason);
  return result.event;
}

describe('parseKeyEvent', () => {
  it('reads CreateKey from responseElements and DisableKeyRotation from its resources, with the principal', () => {
    const created = parsed(cloudTrailEvent({ eventName: 'CreateKey', accountId: account, region, keyId, eventId: 'e-1' }));
    expect(created).toMatchObject({ eventId: 'e-1', eventName: 'CreateKey', accountId: account, region, keyId, keyArn: keyArnOf({ accountId: account, region, keyId }), principal: `arn:aws:iam::${account}:user/Alice` });
    const disabled = parsed(cloudTrailEvent({ eventName: 'DisableKeyRotation', accountId: account, region, keyId }));
    expect(disabled.keyArn).toBe(keyArnOf({ accountId: account, region, keyId }));
  });

  it('names the role behind an assumed-role session', () => {
    const raw = cloudTrailEvent({ eventName: 'EnableKey', accountId: account, region, keyId }) as { detail: Record<string, unknown> };
    raw.detail.userIdentity = { type: 'AssumedRole', arn: `arn:aws:sts::${account}:assumed-role/BreakGlass/bob`, sessionContext: { sessionIssuer: { arn: `arn:aws:iam::${account}:role/BreakGlass` } } };
    expect(parsed(raw).principal).toBe(`arn:aws:iam::${account}:role/BreakGlass`);
  });

  it('looks at the new primary Region after UpdatePrimaryRegion', () => {
    const mrk = 'mrk-1234abcd12ab34cd56ef1234567890ab';
    const event = parsed(cloudTrailEvent({ eventName: 'UpdatePrimaryRegion', accountId: account, region, keyId: mrk, requestParameters: { primaryRegion: 'eu-west-1' } }));
    expect(event).toMatchObject({ region: 'eu-west-1', keyArn: `arn:aws:kms:eu-west-1:${account}:key/${mrk}` });
  });

  it.each([
    ['a forged source', (e: any) => (e.source = 'custom.kms'), /not a KMS call/],
    ['a detail of another account', (e: any) => (e.detail.recipientAccountId = '999999999999'), /forged event/],
    ['a key of another account', (e: any) => (e.detail.resources[0].ARN = keyArnOf({ accountId: '999999999999', region, keyId })), /forged event/],
    ['a failed call', (e: any) => (e.detail.errorCode = 'AccessDenied'), /call failed/],
    ['another call', (e: any) => (e.detail.eventName = 'Decrypt'), /not an event kms-rotor enforces on/],
    ['no event id', (e: any) => delete e.detail.eventID, /malformed event: detail.eventID/],
    ['a key that is not a key id', (e: any) => ((e.detail.resources = []), (e.detail.requestParameters.keyId = 'alias/x')), /not a key id/],
  ])('drops %s with a reason', (_what, change, reason) => {
    const raw = cloudTrailEvent({ eventName: 'DisableKeyRotation', accountId: account, region, keyId });
    change(raw);
    const result = parseKeyEvent(raw);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });

  it('drops what is not an event at all', () => {
    for (const raw of [null, 42, 'x', [], {}]) expect(parseKeyEvent(raw).ok).toBe(false);
  });
});

describe('decideKeyEvent', () => {
  const event = parsed(cloudTrailEvent({ eventName: 'CreateKey', accountId: account, region, keyId }));
  it('acts on a first delivery from a member account only', () => {
    expect(decideKeyEvent(event, { isMember: true, seen: false })).toEqual({ act: true });
    expect(decideKeyEvent(event, { isMember: false, seen: false })).toMatchObject({ act: false, outcome: 'dropped' });
    expect(decideKeyEvent(event, { isMember: true, seen: true })).toMatchObject({ act: false, outcome: 'duplicate' });
  });

  it('acts on EnableKeyRotation only with a period outside the allowed range', () => {
    const enable = (days?: number) => parsed(cloudTrailEvent({ eventName: 'EnableKeyRotation', accountId: account, region, keyId, requestParameters: days ? { rotationPeriodInDays: days } : {} }));
    const range = { min: 90, max: 365 };
    expect(decideKeyEvent(enable(180), { isMember: true, seen: false, allowedRotationRange: range }).act).toBe(false);
    expect(decideKeyEvent(enable(2000), { isMember: true, seen: false, allowedRotationRange: range }).act).toBe(true);
    expect(decideKeyEvent(enable(2000), { isMember: true, seen: false }).act).toBe(false);
    expect(outsideRange(undefined, { min: 90, max: 180 })).toBe(true);
  });
});

describe('needsRotation', () => {
  it('turns rotation on for NON_COMPLIANT keys and fixes a period the range does not admit', () => {
    expect(needsRotation({ status: 'NON_COMPLIANT', reason: 'off', rotationEnabledBefore: false }, undefined)).toEqual({ enable: true, reason: 'off' });
    expect(needsRotation({ status: 'COMPLIANT', rotationEnabledBefore: true, rotationPeriodInDays: 2000 }, { min: 90, max: 365 }).enable).toBe(true);
    expect(needsRotation({ status: 'COMPLIANT', rotationEnabledBefore: true, rotationPeriodInDays: 2000 }, undefined).enable).toBe(false);
    for (const status of ['EXEMPT', 'NOT_APPLICABLE'] as const) expect(needsRotation({ status, rotationEnabledBefore: false }, undefined).enable).toBe(false);
  });
});
