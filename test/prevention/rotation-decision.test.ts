// The one rotation decision, over CloudFormation properties (literal and intrinsic) and Terraform attributes.
import { UnknownValue, type TemplateContext } from '../../prevention/intrinsic-values';
import { decideKeyRotation, isKeyResourceType } from '../../prevention/rotation-decision';

const cfnKey = (properties: Record<string, unknown>) => ({ resourceType: 'AWS::KMS::Key', properties });
const tfKey = (properties: Record<string, unknown>) => ({ resourceType: 'aws_kms_key', properties });

describe('decideKeyRotation: CloudFormation literals', () => {
  it.each([
    [{ EnableKeyRotation: true }],
    [{ EnableKeyRotation: 'true' }],
    [{ EnableKeyRotation: 'True' }],
    [{ EnableKeyRotation: true, KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', Origin: 'AWS_KMS' }],
    [{ EnableKeyRotation: true, RotationPeriodInDays: 90, PendingWindowInDays: 7 }],
    [{ EnableKeyRotation: true, RotationPeriodInDays: '2560', PendingWindowInDays: 30 }],
    [{ EnableKeyRotation: true, MultiRegion: true }],
  ])('%j is COMPLIANT', (properties) => {
    expect(decideKeyRotation(cfnKey(properties))).toEqual({ status: 'COMPLIANT', reason: 'rotation is enabled', violations: [] });
  });

  it.each([[{}], [{ EnableKeyRotation: false }], [{ EnableKeyRotation: 'false' }], [{ EnableKeyRotation: 'yes' }], [{ KeySpec: 'SYMMETRIC_DEFAULT' }]])(
    '%j is NON_COMPLIANT: rotation is not enabled',
    (properties) => {
      const verdict = decideKeyRotation(cfnKey(properties));
      expect(verdict.status).toBe('NON_COMPLIANT');
      expect(verdict.violations).toEqual([{ ruleId: 'KMS_KEY_ROTATION_DISABLED', message: 'rotation is not enabled' }]);
    },
  );

  it('flags a rotation period or a deletion window out of range, with every violation listed', () => {
    const verdict = decideKeyRotation(cfnKey({ RotationPeriodInDays: 89, PendingWindowInDays: 31 }));
    expect(verdict.violations.map((v) => v.ruleId)).toEqual([
      'KMS_KEY_ROTATION_DISABLED',
      'KMS_KEY_ROTATION_PERIOD_INVALID',
      'KMS_KEY_PENDING_WINDOW_INVALID',
    ]);
    expect(verdict.violations[1].message).toBe('RotationPeriodInDays 89 is outside 90-2560 days');
    expect(verdict.violations[2].message).toBe('PendingWindowInDays 31 is outside 7-30 days');
    expect(decideKeyRotation(cfnKey({ EnableKeyRotation: true, RotationPeriodInDays: 2561 })).status).toBe('NON_COMPLIANT');
    expect(decideKeyRotation(cfnKey({ EnableKeyRotation: true, RotationPeriodInDays: 'yearly' })).violations[0].message).toBe(
      'RotationPeriodInDays "yearly" is outside 90-2560 days',
    );
  });

  it.each([
    [{ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }, 'asymmetric key (KeySpec RSA_2048): automatic rotation does not apply'],
    [{ KeySpec: 'ECC_NIST_P384', KeyUsage: 'KEY_AGREEMENT' }, 'asymmetric key (KeySpec ECC_NIST_P384): automatic rotation does not apply'],
    [{ KeySpec: 'HMAC_512', KeyUsage: 'GENERATE_VERIFY_MAC' }, 'HMAC key (KeySpec HMAC_512): automatic rotation does not apply'],
    [{ Origin: 'EXTERNAL' }, 'imported key material (Origin EXTERNAL): automatic rotation does not apply'],
  ])('%j is NOT_APPLICABLE', (properties, reason) => {
    expect(decideKeyRotation(cfnKey(properties))).toEqual({ status: 'NOT_APPLICABLE', reason, violations: [] });
  });

  it('passes replica keys by their type', () => {
    const verdict = decideKeyRotation({ resourceType: 'AWS::KMS::ReplicaKey', properties: { PrimaryKeyArn: 'arn' } });
    expect(verdict).toEqual({ status: 'NOT_APPLICABLE', reason: 'multi-Region replica key: rotation is set on its primary key', violations: [] });
  });
});

describe('decideKeyRotation: CloudFormation intrinsics', () => {
  const context: TemplateContext = {
    parameters: {
      On: { Type: 'String', Default: 'true' },
      Off: { Type: 'String', Default: false },
      Open: { Type: 'String', AllowedValues: ['true', 'false'] },
      FromSsm: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/rotation/enabled' },
      Spec: { Type: 'String', Default: 'RSA_4096' },
      Period: { Type: 'Number', Default: 30 },
    },
    mappings: { ByStage: { prod: { Rotate: 'true' }, dev: { Rotate: 'false' } } },
  };
  const decide = (properties: Record<string, unknown>) => decideKeyRotation(cfnKey(properties), context);

  it('uses a parameter default', () => {
    expect(decide({ EnableKeyRotation: { Ref: 'On' } }).status).toBe('COMPLIANT');
    expect(decide({ EnableKeyRotation: { Ref: 'Off' } }).violations).toEqual([
      { ruleId: 'KMS_KEY_ROTATION_DISABLED', message: 'rotation is not enabled (parameter Off defaults to false)' },
    ]);
  });

  it('reports a parameter without default as unresolved, a violation', () => {
    const verdict = decide({ EnableKeyRotation: { Ref: 'Open' } });
    expect(verdict.status).toBe('NON_COMPLIANT');
    expect(verdict.violations).toEqual([
      { ruleId: 'KMS_KEY_ROTATION_UNRESOLVED', message: 'rotation depends on parameter Open with no default' },
    ]);
  });

  it('does not take an SSM parameter name for its value', () => {
    expect(decide({ EnableKeyRotation: { Ref: 'FromSsm' } }).violations[0]).toEqual({
      ruleId: 'KMS_KEY_ROTATION_UNRESOLVED',
      message: 'rotation depends on parameter FromSsm, read from SSM parameter store at deploy time',
    });
  });

  it('names other intrinsics and references it cannot evaluate', () => {
    expect(decide({ EnableKeyRotation: { 'Fn::ImportValue': 'x' } }).reason).toBe(
      'rotation depends on Fn::ImportValue, which the check does not evaluate',
    );
    expect(decide({ EnableKeyRotation: { Ref: 'SomeBucket' } }).reason).toBe(
      'rotation depends on SomeBucket, which is not a parameter of the template',
    );
    expect(decide({ EnableKeyRotation: { Ref: 'AWS::Region' } }).reason).toBe('rotation depends on pseudo parameter AWS::Region');
  });

  it('flags Fn::If when either branch can be false, naming the condition', () => {
    expect(decide({ EnableKeyRotation: { 'Fn::If': ['IsProd', true, false] } }).reason).toBe(
      'rotation is not enabled when condition IsProd is false',
    );
    expect(decide({ EnableKeyRotation: { 'Fn::If': ['IsProd', { Ref: 'AWS::NoValue' }, true] } }).reason).toBe(
      'rotation is not enabled when condition IsProd is true',
    );
    expect(decide({ EnableKeyRotation: { 'Fn::If': ['A', true, { 'Fn::If': ['B', { Ref: 'Off' }, 'true'] }] } }).reason).toBe(
      'rotation is not enabled when condition A is false and condition B is true (parameter Off defaults to false)',
    );
    expect(decide({ EnableKeyRotation: { 'Fn::If': ['A', true, { Ref: 'Open' }] } }).reason).toBe(
      'rotation depends on parameter Open with no default when condition A is false',
    );
    expect(decide({ EnableKeyRotation: { 'Fn::If': ['A', true, { Ref: 'On' }] } }).status).toBe('COMPLIANT');
  });

  it('reads Fn::FindInMap through every entry a non-literal key can reach', () => {
    expect(decide({ EnableKeyRotation: { 'Fn::FindInMap': ['ByStage', 'prod', 'Rotate'] } }).status).toBe('COMPLIANT');
    expect(decide({ EnableKeyRotation: { 'Fn::FindInMap': ['ByStage', { Ref: 'Stage' }, 'Rotate'] } }).reason).toBe(
      'rotation is not enabled (mapping ByStage has dev/Rotate = "false")',
    );
    expect(decide({ EnableKeyRotation: { 'Fn::FindInMap': ['Nope', 'a', 'b'] } }).reason).toBe(
      'rotation depends on mapping Nope, which the template does not define',
    );
  });

  it('resolves key spec and period through parameters too', () => {
    expect(decide({ KeySpec: { Ref: 'Spec' }, KeyUsage: 'SIGN_VERIFY' }).status).toBe('NOT_APPLICABLE');
    expect(decide({ EnableKeyRotation: true, RotationPeriodInDays: { Ref: 'Period' } }).violations).toEqual([
      { ruleId: 'KMS_KEY_ROTATION_PERIOD_INVALID', message: 'RotationPeriodInDays 30 is outside 90-2560 days' },
    ]);
  });

  it('keeps a key in scope when its spec is in doubt', () => {
    expect(decide({ KeySpec: { Ref: 'Unknown' } }).status).toBe('NON_COMPLIANT');
    expect(decide({ KeySpec: { 'Fn::If': ['C', 'RSA_2048', 'SYMMETRIC_DEFAULT'] } }).status).toBe('NON_COMPLIANT');
  });
});

describe('decideKeyRotation: Terraform', () => {
  it('reads aws_kms_key attributes', () => {
    expect(decideKeyRotation(tfKey({ enable_key_rotation: true, customer_master_key_spec: 'SYMMETRIC_DEFAULT' })).status).toBe('COMPLIANT');
    expect(decideKeyRotation(tfKey({ enable_key_rotation: false })).reason).toBe('rotation is not enabled');
    expect(decideKeyRotation(tfKey({})).reason).toBe('rotation is not enabled');
    expect(decideKeyRotation(tfKey({ enable_key_rotation: true, rotation_period_in_days: null, deletion_window_in_days: 5 })).reason).toBe(
      'deletion_window_in_days 5 is outside 7-30 days',
    );
  });

  it('names a value known only after apply', () => {
    expect(decideKeyRotation(tfKey({ enable_key_rotation: new UnknownValue('enable_key_rotation, known only after apply') })).violations).toEqual([
      { ruleId: 'KMS_KEY_ROTATION_UNRESOLVED', message: 'rotation depends on enable_key_rotation, known only after apply' },
    ]);
  });

  it.each([
    ['aws_kms_key', { customer_master_key_spec: 'RSA_2048', key_usage: 'SIGN_VERIFY' }, 'asymmetric key (customer_master_key_spec RSA_2048)'],
    ['aws_kms_key', { customer_master_key_spec: 'HMAC_384', key_usage: 'GENERATE_VERIFY_MAC' }, 'HMAC key (customer_master_key_spec HMAC_384)'],
    ['aws_kms_key', { custom_key_store_id: 'cks-1234567890abcdef0' }, 'key in a custom key store (custom_key_store_id cks-1234567890abcdef0)'],
    ['aws_kms_replica_key', {}, 'multi-Region replica key'],
    ['aws_kms_external_key', {}, 'imported key material (aws_kms_external_key)'],
  ])('%s %j is NOT_APPLICABLE', (resourceType, properties, reason) => {
    const verdict = decideKeyRotation({ resourceType, properties });
    expect(verdict.status).toBe('NOT_APPLICABLE');
    expect(verdict.reason.startsWith(reason)).toBe(true);
  });

  it('knows which resource types are keys', () => {
    expect(['AWS::KMS::Key', 'AWS::KMS::ReplicaKey', 'aws_kms_key', 'aws_kms_replica_key', 'aws_kms_external_key'].every(isKeyResourceType)).toBe(true);
    expect(['AWS::KMS::Alias', 'aws_kms_alias', 'AWS::S3::Bucket', 42].some(isKeyResourceType)).toBe(false);
  });
});
