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
      On: { Type: 'String', Default: 'true', AllowedValues: ['true'] },
      Off: { Type: 'String', Default: false },
      Open: { Type: 'String', AllowedValues: ['true', 'false'] },
      Overridable: { Type: 'String', Default: 'true' },
      Free: { Type: 'String' },
      Either: { Type: 'String', Default: 'true', AllowedValues: [true, false] },
      OnlyTrue: { Type: 'String', AllowedValues: [true, 'True', 'true'] },
      FromSsm: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/rotation/enabled' },
      Spec: { Type: 'String', Default: 'RSA_4096' },
      Period: { Type: 'Number', Default: 30 },
    },
    mappings: { ByStage: { prod: { Rotate: 'true' }, dev: { Rotate: 'false' } } },
  };
  const decide = (properties: Record<string, unknown>) => decideKeyRotation(cfnKey(properties), context);

  it('passes a parameter only when every value it allows enables rotation', () => {
    expect(decide({ EnableKeyRotation: { Ref: 'On' } }).status).toBe('COMPLIANT');
    expect(decide({ EnableKeyRotation: { Ref: 'OnlyTrue' } }).status).toBe('COMPLIANT');
  });

  it('flags a parameter whose default disables rotation', () => {
    expect(decide({ EnableKeyRotation: { Ref: 'Off' } }).violations).toEqual([
      { ruleId: 'KMS_KEY_ROTATION_DISABLED', message: 'rotation is not enabled (parameter Off defaults to false)' },
    ]);
  });

  it('flags a parameter defaulting to true whose AllowedValues include false', () => {
    expect(decide({ EnableKeyRotation: { Ref: 'Either' } })).toEqual({
      status: 'NON_COMPLIANT',
      reason: 'rotation depends on parameter Either, which can be set to false at deploy time',
      violations: [{ ruleId: 'KMS_KEY_ROTATION_UNRESOLVED', message: 'rotation depends on parameter Either, which can be set to false at deploy time' }],
    });
  });

  it('flags a free-form parameter, defaulted to true or not, as settable to false at deploy time', () => {
    expect(decide({ EnableKeyRotation: { Ref: 'Overridable' } }).violations).toEqual([
      { ruleId: 'KMS_KEY_ROTATION_UNRESOLVED', message: 'rotation depends on parameter Overridable, which can be set to false at deploy time' },
    ]);
    expect(decide({ EnableKeyRotation: { Ref: 'Free' } }).violations).toEqual([
      {
        ruleId: 'KMS_KEY_ROTATION_UNRESOLVED',
        message: 'rotation depends on parameter Free, which has no default and can be set to false at deploy time',
      },
    ]);
  });

  it('reports a parameter without default that allows false as unresolved, a violation', () => {
    const verdict = decide({ EnableKeyRotation: { Ref: 'Open' } });
    expect(verdict.status).toBe('NON_COMPLIANT');
    expect(verdict.violations).toEqual([
      { ruleId: 'KMS_KEY_ROTATION_UNRESOLVED', message: 'rotation depends on parameter Open, which can be set to false at deploy time' },
    ]);
  });

  it('checks a rotation period against every value its parameter allows', () => {
    const periods: TemplateContext = { parameters: { Days: { Type: 'Number', Default: 365, AllowedValues: [365, 30] } } };
    expect(decideKeyRotation(cfnKey({ EnableKeyRotation: true, RotationPeriodInDays: { Ref: 'Days' } }), periods).violations).toEqual([
      { ruleId: 'KMS_KEY_ROTATION_PERIOD_INVALID', message: 'RotationPeriodInDays 30 is outside 90-2560 days (parameter Days allows 30)' },
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
      'rotation depends on parameter Open, which can be set to false at deploy time when condition A is false',
    );
    expect(decide({ EnableKeyRotation: { 'Fn::If': ['A', true, { Ref: 'On' }] } }).status).toBe('COMPLIANT');
    expect(decide({ EnableKeyRotation: { 'Fn::If': ['A', true, { Ref: 'Overridable' }] } }).reason).toBe(
      'rotation depends on parameter Overridable, which can be set to false at deploy time when condition A is false',
    );
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
      { ruleId: 'KMS_KEY_ROTATION_PERIOD_INVALID', message: 'RotationPeriodInDays 30 is outside 90-2560 days (parameter Period defaults to 30)' },
    ]);
  });

  it('keeps a key in scope when its spec is in doubt', () => {
    expect(decide({ KeySpec: { Ref: 'Unknown' } }).status).toBe('NON_COMPLIANT');
    expect(decide({ KeySpec: { 'Fn::If': ['C', 'RSA_2048', 'SYMMETRIC_DEFAULT'] } }).status).toBe('NON_COMPLIANT');
  });
});

describe('decideKeyRotation: an intrinsic function on the whole Properties block', () => {
  const decide = (properties: unknown) => decideKeyRotation(cfnKey(properties as Record<string, unknown>), {});

  it('judges both branches of Fn::If, like a property-level Fn::If', () => {
    expect(decide({ 'Fn::If': ['IsProd', { EnableKeyRotation: true }, { EnableKeyRotation: 'true', Description: 'dev' }] })).toEqual({
      status: 'COMPLIANT',
      reason: 'rotation is enabled',
      violations: [],
    });
    expect(decide({ 'Fn::If': ['IsProd', { EnableKeyRotation: true }, { Description: 'dev' }] }).violations).toEqual([
      { ruleId: 'KMS_KEY_ROTATION_DISABLED', message: 'rotation is not enabled when condition IsProd is false' },
    ]);
  });

  it('takes AWS::NoValue as no properties at all', () => {
    expect(decide({ 'Fn::If': ['IsProd', { EnableKeyRotation: true }, { Ref: 'AWS::NoValue' }] }).reason).toBe(
      'rotation is not enabled when condition IsProd is false',
    );
    expect(decide({ Ref: 'AWS::NoValue' }).reason).toBe('rotation is not enabled');
  });

  it('keeps each branch whole: an asymmetric branch is out of scope, the other must rotate', () => {
    const branches = (other: Record<string, unknown>) => ({ 'Fn::If': ['Signing', { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }, other] });
    expect(decide(branches({ EnableKeyRotation: true })).status).toBe('COMPLIANT');
    expect(decide(branches({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })).status).toBe('NOT_APPLICABLE');
    expect(decide(branches({ RotationPeriodInDays: 30 })).violations).toEqual([
      { ruleId: 'KMS_KEY_ROTATION_DISABLED', message: 'rotation is not enabled when condition Signing is false' },
      { ruleId: 'KMS_KEY_ROTATION_PERIOD_INVALID', message: 'RotationPeriodInDays 30 is outside 90-2560 days when condition Signing is false' },
    ]);
  });

  it('names nested conditions and functions it cannot evaluate', () => {
    expect(decide({ 'Fn::If': ['A', { EnableKeyRotation: true }, { 'Fn::If': ['B', { EnableKeyRotation: true }, {}] }] }).reason).toBe(
      'rotation is not enabled when condition A is false and condition B is false',
    );
    expect(decide({ 'Fn::Transform': { Name: 'AWS::Include' } }).violations).toEqual([
      { ruleId: 'KMS_KEY_ROTATION_UNRESOLVED', message: 'rotation depends on Fn::Transform, which the check does not evaluate' },
    ]);
  });
});

describe('decideKeyRotation: disabled keys are still checked, and the message says so', () => {
  const disabledNote = 'rotation is not enabled; the key is disabled now, but would not rotate once enabled';

  it.each([
    ['AWS::KMS::Key', { Enabled: false }],
    ['AWS::KMS::Key', { Enabled: 'false', EnableKeyRotation: false }],
    ['aws_kms_key', { is_enabled: false, enable_key_rotation: false }],
  ])('%s %j is NON_COMPLIANT', (resourceType, properties) => {
    expect(decideKeyRotation({ resourceType, properties })).toEqual({
      status: 'NON_COMPLIANT',
      reason: disabledNote,
      violations: [{ ruleId: 'KMS_KEY_ROTATION_DISABLED', message: disabledNote }],
    });
  });

  it('says nothing of it for an enabled key, or one that only may be disabled', () => {
    expect(decideKeyRotation(cfnKey({ Enabled: true })).reason).toBe('rotation is not enabled');
    expect(decideKeyRotation(cfnKey({ Enabled: { 'Fn::If': ['C', true, false] } })).reason).toBe('rotation is not enabled');
    expect(decideKeyRotation(cfnKey({ Enabled: false, EnableKeyRotation: true })).status).toBe('COMPLIANT');
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
