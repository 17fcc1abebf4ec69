import { classifyKey, FRESH_SCAN_MS, keyScope, needsReadBeforeEnable, verifyRemediation } from '../../functions/core/classify';
import type { ExceptionRecord, KeyFacts } from '../../functions/core/schemas';

const arn = 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const base: KeyFacts = {
  keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
  keyArn: arn,
  keyManager: 'CUSTOMER',
  keySpec: 'SYMMETRIC_DEFAULT',
  keyUsage: 'ENCRYPT_DECRYPT',
  origin: 'AWS_KMS',
  keyState: 'Enabled',
  multiRegion: false,
};
const exception: ExceptionRecord = { target: arn, owner: 'alice', reason: 'legacy app', expiresAt: '2099-01-01', createdAt: '2026-01-01' };

describe('keyScope: which keys the control covers', () => {
  it.each<[string, Partial<KeyFacts>, RegExp]>([
    ['AWS-managed (KeyManager)', { keyManager: 'AWS' }, /AWS-managed/],
    ['AWS-managed (alias/aws/ known without DescribeKey)', { keyManager: undefined, awsManagedByAlias: true }, /AWS-managed/],
    ['asymmetric RSA', { keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY' }, /asymmetric key \(RSA_2048\)/],
    ['asymmetric ECC', { keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' }, /asymmetric key \(ECC_NIST_P256\)/],
    ['HMAC', { keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' }, /HMAC key \(HMAC_256\)/],
    ['imported material', { origin: 'EXTERNAL' }, /imported key material/],
    ['CloudHSM key store', { origin: 'AWS_CLOUDHSM', customKeyStoreId: 'cks-1' }, /custom key store \(CloudHSM cks-1\)/],
    ['external key store', { origin: 'EXTERNAL_KEY_STORE', customKeyStoreId: 'cks-2' }, /external key store cks-2/],
    ['disabled', { keyState: 'Disabled' }, /disabled/],
    ['pending deletion', { keyState: 'PendingDeletion' }, /pending deletion/],
    ['pending import', { origin: 'AWS_KMS', keyState: 'PendingImport' }, /pending import/],
    [
      'multi-Region replica',
      { multiRegion: true, multiRegionKeyType: 'REPLICA', primaryKeyArn: 'arn:aws:kms:us-east-1:111111111111:key/mrk-1' },
      /replica of arn:aws:kms:us-east-1:111111111111:key\/mrk-1/,
    ],
  ])('%s is NOT_APPLICABLE with the reason', (_name, change, reason) => {
    const scope = keyScope({ ...base, ...change });
    expect(scope.inScope).toBe(false);
    expect(!scope.inScope && scope.reason).toMatch(reason);
  });

  it('covers an enabled customer symmetric AWS_KMS key, and a multi-Region primary', () => {
    expect(keyScope(base).inScope).toBe(true);
    expect(keyScope({ ...base, multiRegion: true, multiRegionKeyType: 'PRIMARY' }).inScope).toBe(true);
  });

  it('decides replica by ARN: a primary whose type reads REPLICA (as moto reports it) is still the primary', () => {
    expect(keyScope({ ...base, multiRegion: true, multiRegionKeyType: 'REPLICA', primaryKeyArn: arn }).inScope).toBe(true);
    expect(keyScope({ ...base, multiRegion: true, multiRegionKeyType: 'PRIMARY', primaryKeyArn: arn.replace('us-east-1', 'eu-west-1') }).inScope).toBe(false);
    expect(keyScope({ ...base, multiRegion: true, multiRegionKeyType: 'REPLICA' }).inScope).toBe(false);
  });
});

describe('classifyKey: the scan-time status', () => {
  it('COMPLIANT when rotation is on, keeping the period', () => {
    expect(classifyKey(base, { enabled: true, periodInDays: 180 })).toEqual({ status: 'COMPLIANT', rotationEnabledBefore: true, rotationPeriodInDays: 180 });
  });
  it('NON_COMPLIANT when rotation is off', () => {
    expect(classifyKey(base, { enabled: false })).toMatchObject({ status: 'NON_COMPLIANT', rotationEnabledBefore: false });
  });
  it('EXEMPT when rotation is off and an exception covers it', () => {
    const verdict = classifyKey(base, { enabled: false }, exception);
    expect(verdict.status).toBe('EXEMPT');
    expect(verdict.reason).toContain('alice');
  });
  it('COMPLIANT, not EXEMPT, when an excepted key rotates anyway', () => {
    expect(classifyKey(base, { enabled: true }, exception).status).toBe('COMPLIANT');
  });
  it('NOT_APPLICABLE with no rotation status needed', () => {
    expect(classifyKey({ ...base, keySpec: 'HMAC_512' }, undefined)).toMatchObject({ status: 'NOT_APPLICABLE', rotationEnabledBefore: null });
  });
  it('refuses to guess an in-scope key without its rotation status', () => {
    expect(() => classifyKey(base, undefined)).toThrow(/needs its rotation status/);
  });
});

describe('verifyRemediation: the re-scan decides', () => {
  it('REMEDIATED when the re-scan shows rotation on with the period asked for', () => {
    expect(verifyRemediation({ enabled: true, periodInDays: 365 }, 365)).toEqual({ status: 'REMEDIATED' });
    expect(verifyRemediation({ enabled: true, periodInDays: 365 }, undefined)).toEqual({ status: 'REMEDIATED' });
  });
  it('REMEDIATION_FAILED when EnableKeyRotation failed', () => {
    expect(verifyRemediation(undefined, undefined, 'DisabledException: key is disabled')).toEqual({
      status: 'REMEDIATION_FAILED',
      reason: 'DisabledException: key is disabled',
    });
  });
  it('REMEDIATION_FAILED when the call succeeded but rotation stayed off', () => {
    expect(verifyRemediation({ enabled: false }, undefined)).toMatchObject({ status: 'REMEDIATION_FAILED', reason: expect.stringMatching(/still disabled/) });
  });
  it('REMEDIATION_FAILED when the period differs from the one asked for', () => {
    expect(verifyRemediation({ enabled: true, periodInDays: 365 }, 90)).toMatchObject({ status: 'REMEDIATION_FAILED', reason: expect.stringMatching(/365 days, not the 90/) });
  });
});

describe('needsReadBeforeEnable: when the scan no longer stands for the key', () => {
  const scannedAt = '2026-12-01T10:00:00.000Z';
  const at = (ms: number) => new Date(Date.parse(scannedAt) + ms);
  it('not within FRESH_SCAN_MS of the scan', () => {
    expect(needsReadBeforeEnable({ scannedAt }, at(0))).toBe(false);
    expect(needsReadBeforeEnable({ scannedAt }, at(FRESH_SCAN_MS))).toBe(false);
  });
  it('after it, or for a scan dated after now or not a date', () => {
    expect(needsReadBeforeEnable({ scannedAt }, at(FRESH_SCAN_MS + 1))).toBe(true);
    expect(needsReadBeforeEnable({ scannedAt }, at(-1))).toBe(true);
    expect(needsReadBeforeEnable({ scannedAt: 'yesterday' }, at(0))).toBe(true);
  });
  it('always when an earlier attempt asked to enable the key, however fresh its scan', () => {
    expect(needsReadBeforeEnable({ scannedAt, enableRequestedAt: scannedAt }, at(0))).toBe(true);
  });
});
