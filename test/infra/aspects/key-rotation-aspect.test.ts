// The key-rotation Aspect annotates exactly the keys the template check would flag, at the level asked.
import { App, Aspects, CfnParameter, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { KeyRotationAspect } from '../../../infra/aspects';

function keysStack(level?: 'error' | 'warning'): Stack {
  const app = new App();
  const stack = new Stack(app, 'Keys');
  new kms.Key(stack, 'Rotating', { enableKeyRotation: true });
  new kms.Key(stack, 'NotRotating');
  new kms.Key(stack, 'Signing', { keySpec: kms.KeySpec.RSA_2048, keyUsage: kms.KeyUsage.SIGN_VERIFY });
  new kms.Key(stack, 'Mac', { keySpec: kms.KeySpec.HMAC_256, keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC });
  const flag = new CfnParameter(stack, 'RotateFlag', { type: 'String', allowedValues: ['true', 'false'] });
  new kms.CfnKey(stack, 'FromParameter', { enableKeyRotation: flag.valueAsString as unknown as boolean });
  // A default of "true" can be overridden at deploy time; only AllowedValues ["true"] settles it.
  const on = new CfnParameter(stack, 'RotateOn', { type: 'String', default: 'true' });
  new kms.CfnKey(stack, 'FromDefaultedParameter', { enableKeyRotation: on.valueAsString as unknown as boolean });
  const onlyOn = new CfnParameter(stack, 'RotateOnly', { type: 'String', default: 'true', allowedValues: ['true'] });
  new kms.CfnKey(stack, 'FromRestrictedParameter', { enableKeyRotation: onlyOn.valueAsString as unknown as boolean });
  const overridden = new kms.Key(stack, 'Overridden');
  (overridden.node.defaultChild as kms.CfnKey).addPropertyOverride('EnableKeyRotation', true);
  Aspects.of(app).add(new KeyRotationAspect(level ? { level } : {}));
  return stack;
}

describe('KeyRotationAspect', () => {
  it('adds an error to the keys without rotation, and to no other construct', () => {
    const annotations = Annotations.fromStack(keysStack());
    annotations.hasError('/Keys/NotRotating/Resource', Match.stringLikeRegexp('^\\[KMS_KEY_ROTATION_DISABLED\\] rotation is not enabled'));
    annotations.hasError(
      '/Keys/FromParameter',
      Match.stringLikeRegexp('^\\[KMS_KEY_ROTATION_UNRESOLVED\\] rotation depends on parameter RotateFlag, which can be set to false at deploy time'),
    );
    annotations.hasError(
      '/Keys/FromDefaultedParameter',
      Match.stringLikeRegexp('^\\[KMS_KEY_ROTATION_UNRESOLVED\\] rotation depends on parameter RotateOn, which can be set to false at deploy time'),
    );
    const errors = annotations.findError('*', Match.anyValue());
    expect(errors.map((error) => error.id).sort()).toEqual(['/Keys/FromDefaultedParameter', '/Keys/FromParameter', '/Keys/NotRotating/Resource']);
    annotations.hasNoError('/Keys/Rotating/Resource', Match.anyValue());
    annotations.hasNoError('/Keys/Signing/Resource', Match.anyValue());
    annotations.hasNoError('/Keys/Mac/Resource', Match.anyValue());
    annotations.hasNoError('/Keys/Overridden/Resource', Match.anyValue());
    annotations.hasNoError('/Keys/FromRestrictedParameter', Match.anyValue());
    expect(annotations.findWarning('*', Match.stringLikeRegexp('KMS_KEY'))).toEqual([]);
  });

  it('adds acknowledgeable warnings instead when asked', () => {
    const annotations = Annotations.fromStack(keysStack('warning'));
    annotations.hasWarning('/Keys/NotRotating/Resource', Match.stringLikeRegexp('rotation is not enabled'));
    annotations.hasWarning('/Keys/NotRotating/Resource', Match.stringLikeRegexp('ack: kms-rotor:KMS_KEY_ROTATION_DISABLED'));
    annotations.hasNoWarning('/Keys/Rotating/Resource', Match.anyValue());
    annotations.hasNoWarning('/Keys/Signing/Resource', Match.anyValue());
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
  });

  it('flags a rotation period out of range', () => {
    // The CDK's own template validation warns about it on the console too; keep the test output clean.
    const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const app = new App();
    const stack = new Stack(app, 'Periods');
    new kms.CfnKey(stack, 'TooShort', { enableKeyRotation: true, rotationPeriodInDays: 30 });
    new kms.CfnKey(stack, 'Fine', { enableKeyRotation: true, rotationPeriodInDays: 365 });
    Aspects.of(stack).add(new KeyRotationAspect());
    const annotations = Annotations.fromStack(stack);
    annotations.hasError('/Periods/TooShort', Match.stringLikeRegexp('RotationPeriodInDays 30 is outside 90-2560 days'));
    annotations.hasNoError('/Periods/Fine', Match.anyValue());
    quiet.mockRestore();
  });
});
