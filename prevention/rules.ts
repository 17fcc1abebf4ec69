// The rules a key declaration is checked against, with the words reports and SARIF show for them.
import { MAX_ROTATION_DAYS, MIN_ROTATION_DAYS } from '../functions/core/schemas';

export const MIN_PENDING_WINDOW_DAYS = 7;
export const MAX_PENDING_WINDOW_DAYS = 30;

export interface Rule {
  id: string;
  /** PascalCase name, as SARIF's reportingDescriptor.name wants. */
  name: string;
  shortDescription: string;
  fullDescription: string;
  help: string;
}

export const RULES = {
  KMS_KEY_ROTATION_DISABLED: {
    id: 'KMS_KEY_ROTATION_DISABLED',
    name: 'KmsKeyRotationDisabled',
    shortDescription: 'Symmetric encryption KMS key without automatic rotation',
    fullDescription:
      'A customer-managed symmetric encryption KMS key must have automatic key rotation enabled ' +
      '(CIS AWS Foundations, Security Hub KMS.4).',
    help:
      'Set EnableKeyRotation: true on the AWS::KMS::Key (CDK: enableKeyRotation: true; Terraform: ' +
      'enable_key_rotation = true).',
  },
  KMS_KEY_ROTATION_UNRESOLVED: {
    id: 'KMS_KEY_ROTATION_UNRESOLVED',
    name: 'KmsKeyRotationUnresolved',
    shortDescription: 'KMS key rotation cannot be decided from the template',
    fullDescription:
      'Whether automatic rotation is enabled depends on a value the template does not fix (a parameter ' +
      'that can be set to false at deploy time, an import, a value known only after apply), so rotation ' +
      'is not guaranteed.',
    help:
      'Set EnableKeyRotation to true, or restrict the parameter it reads to true (AllowedValues: ["true"]): ' +
      'a default of "true" can be overridden when the stack is deployed.',
  },
  KMS_KEY_ROTATION_PERIOD_INVALID: {
    id: 'KMS_KEY_ROTATION_PERIOD_INVALID',
    name: 'KmsKeyRotationPeriodInvalid',
    shortDescription: `KMS key rotation period outside ${MIN_ROTATION_DAYS}-${MAX_ROTATION_DAYS} days`,
    fullDescription: `RotationPeriodInDays must be a whole number of days from ${MIN_ROTATION_DAYS} to ${MAX_ROTATION_DAYS}.`,
    help: `Set RotationPeriodInDays between ${MIN_ROTATION_DAYS} and ${MAX_ROTATION_DAYS} (365 is the default).`,
  },
  KMS_KEY_PENDING_WINDOW_INVALID: {
    id: 'KMS_KEY_PENDING_WINDOW_INVALID',
    name: 'KmsKeyPendingWindowInvalid',
    shortDescription: `KMS key deletion window outside ${MIN_PENDING_WINDOW_DAYS}-${MAX_PENDING_WINDOW_DAYS} days`,
    fullDescription: `PendingWindowInDays (Terraform: deletion_window_in_days) must be from ${MIN_PENDING_WINDOW_DAYS} to ${MAX_PENDING_WINDOW_DAYS} days.`,
    help: `Set PendingWindowInDays between ${MIN_PENDING_WINDOW_DAYS} and ${MAX_PENDING_WINDOW_DAYS}.`,
  },
} as const satisfies Record<string, Rule>;

export type RuleId = keyof typeof RULES;
export const RULE_IDS = Object.keys(RULES) as RuleId[];
