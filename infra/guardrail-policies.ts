// The guardrails' policy documents, as pure data: the service control policy that keeps rotation on
// (and, optionally, the rotation period within a range), the break-glass exemption it carries, the
// rotation period remediation must ask for under it, and the Config conformance pack template with
// the managed rule CMK_BACKING_KEY_ROTATION_ENABLED.
import type { RotationRangeDays } from '../functions/core/key-event';
import { DEFAULT_ROTATION_DAYS } from '../functions/core/schemas';

export interface GuardrailPolicyOptions {
  /**
   * The roles still allowed to turn rotation off (or set any period), e.g. for an incident: role
   * ARNs as given with `-c breakGlassRoleArn` (see breakGlassPrincipalPatterns).
   */
  breakGlassRoleArns?: string[];
  /** Rotation periods outside this range are denied on kms:EnableKeyRotation. */
  allowedRotationRange?: RotationRangeDays;
}

export const CONFORMANCE_RULE_IDENTIFIER = 'CMK_BACKING_KEY_ROTATION_ENABLED';
/** AWS Organizations' limit on the size of a service control policy. */
export const SCP_MAX_CHARACTERS = 5120;

const ROLE_ARN_PARTS = /^arn:([^:]+):iam::([^:]+):role\/(.+)$/;

/**
 * The aws:PrincipalArn patterns the SCP exempts. kms:DisableKeyRotation cannot be called across
 * accounts, so a break-glass role only helps in its own account. One ARN with a concrete account is
 * therefore widened to that role path and name in every account (`arn:aws:iam::*:role/<path><name>`);
 * an ARN with account `*` is kept, and so is every ARN of a list (each one exempts its role in its
 * own account: list one per account, or use `*`).
 */
export function breakGlassPrincipalPatterns(roleArns: string[] | undefined): string[] {
  if (!roleArns || roleArns.length === 0) return [];
  if (roleArns.length > 1) return [...new Set(roleArns)];
  const parts = ROLE_ARN_PARTS.exec(roleArns[0]);
  if (!parts) throw new Error(`${roleArns[0]} is not an IAM role ARN`);
  const [, partition, , pathAndName] = parts;
  return [`arn:${partition}:iam::*:role/${pathAndName}`];
}

/**
 * The rotation period remediation asks for when a range is enforced: KMS's default (365 days) when
 * the range allows it, else the range's bound nearest to it, so the SCP never denies kms-rotor's own
 * kms:EnableKeyRotation. undefined without a range.
 */
export function rotationPeriodWithin(range: RotationRangeDays | undefined): number | undefined {
  if (!range) return undefined;
  return Math.min(Math.max(DEFAULT_ROTATION_DAYS, range.min), range.max);
}

type Statement = Record<string, unknown>;

/**
 * The SCP. SCPs never restrict the management account or service-linked roles, and a Deny with an
 * ArnNotLike on aws:PrincipalArn exempts exactly the break-glass roles (their sessions carry the role
 * ARN; with several patterns the Deny applies only when the principal matches none of them).
 */
export function keyRotationScp(options: GuardrailPolicyOptions): { Version: string; Statement: Statement[] } {
  const patterns = breakGlassPrincipalPatterns(options.breakGlassRoleArns);
  const exceptBreakGlass: Record<string, unknown> =
    patterns.length > 0 ? { ArnNotLike: { 'aws:PrincipalArn': patterns.length === 1 ? patterns[0] : patterns } } : {};
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
