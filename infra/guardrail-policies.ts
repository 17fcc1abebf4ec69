// The guardrails' policy documents, as pure data: the service control policy that keeps rotation on
// (and, optionally, the rotation period within a range) and the Config conformance pack template
// with the managed rule CMK_BACKING_KEY_ROTATION_ENABLED.
import type { RotationRange } from './context';
import { DEFAULT_ROTATION_DAYS } from '../functions/core/schemas';

export interface GuardrailPolicyOptions {
  /** The one role still allowed to turn rotation off (or set any period), e.g. for an incident. */
  breakGlassRoleArn?: string;
  /** Rotation periods outside this range are denied on kms:EnableKeyRotation. */
  allowedRotationRange?: RotationRange;
}

export const CONFORMANCE_RULE_IDENTIFIER = 'CMK_BACKING_KEY_ROTATION_ENABLED';

type Statement = Record<string, unknown>;

/**
 * The SCP. SCPs never restrict the management account or service-linked roles, and a Deny with an
 * ArnNotLike on aws:PrincipalArn exempts exactly the break-glass role (its sessions carry the role ARN).
 */
export function keyRotationScp(options: GuardrailPolicyOptions): { Version: string; Statement: Statement[] } {
  const exceptBreakGlass: Record<string, unknown> = options.breakGlassRoleArn
    ? { ArnNotLike: { 'aws:PrincipalArn': options.breakGlassRoleArn } }
    : {};
  const deny = (sid: string, action: string, condition: Record<string, unknown>): Statement => {
    const merged = { ...condition, ...exceptBreakGlass };
    return {
      Sid: sid,
      Effect: 'Deny',
      Action: action,
      Resource: '*',
      ...(Object.keys(merged).length > 0 ? { Condition: merged } : {}),
    };
  };

  const statements: Statement[] = [deny('DenyDisableKeyRotation', 'kms:DisableKeyRotation', {})];
  const range = options.allowedRotationRange;
  if (range) {
    statements.push(
      deny('DenyRotationPeriodBelowRange', 'kms:EnableKeyRotation', {
        NumericLessThan: { 'kms:RotationPeriodInDays': String(range.min) },
      }),
      deny('DenyRotationPeriodAboveRange', 'kms:EnableKeyRotation', {
        NumericGreaterThan: { 'kms:RotationPeriodInDays': String(range.max) },
      }),
    );
    // A request without RotationPeriodInDays gets KMS's default period; deny it too when that default
    // is itself outside the range, or the range could be bypassed by leaving the field out.
    if (DEFAULT_ROTATION_DAYS < range.min || DEFAULT_ROTATION_DAYS > range.max) {
      statements.push(
        deny('DenyDefaultRotationPeriodOutsideRange', 'kms:EnableKeyRotation', {
          Null: { 'kms:RotationPeriodInDays': 'true' },
        }),
      );
    }
  }
  return { Version: '2012-10-17', Statement: statements };
}

/** The organization conformance pack's template: one AWS managed Config rule. */
export function keyRotationConformancePack(): Record<string, unknown> {
  return {
    Resources: {
      CmkBackingKeyRotationEnabled: {
        Type: 'AWS::Config::ConfigRule',
        Properties: {
          ConfigRuleName: 'kms-rotor-cmk-backing-key-rotation-enabled',
          Description:
            'Checks that automatic key rotation is enabled for every customer managed symmetric KMS key (CIS, Security Hub KMS.4).',
          Source: { Owner: 'AWS', SourceIdentifier: CONFORMANCE_RULE_IDENTIFIER },
          MaximumExecutionFrequency: 'TwentyFour_Hours',
        },
      },
    },
  };
}
