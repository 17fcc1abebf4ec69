// The KmsRotorGuardrails stack (only with `-c guardrails=true`): the key-rotation SCP and the
// organization conformance pack, apart from the orchestrator so that a guardrail failure (e.g. an
// account without a Config recorder) rolls back only the guardrails. With `conformancePackRegions`,
// a pack-only stack KmsRotorGuardrails-<region> per extra Region (the pack is regional, the SCP is not).
import { CfnParameter, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { RotorContext } from './context';
import { Guardrails } from './constructs/guardrails';
import { ORG_TARGETS_HELP } from './orchestrator-stack';

export const GUARDRAILS_STACK_NAME = 'KmsRotorGuardrails';

/** The stack name of the pack-only stack for one more Region. */
export function regionalGuardrailsStackName(region: string): string {
  return `${GUARDRAILS_STACK_NAME}-${region}`;
}

export interface GuardrailsStackProps extends StackProps {
  settings: RotorContext;
  /** false for a pack-only stack of another Region. */
  withScp: boolean;
}

export class GuardrailsStack extends Stack {
  readonly guardrails: Guardrails;

  constructor(scope: Construct, id: string, props: GuardrailsStackProps) {
    super(scope, id, {
      description: props.withScp
        ? 'kms-rotor guardrails: the SCP that keeps KMS key rotation on, and the organization conformance pack CMK_BACKING_KEY_ROTATION_ENABLED'
        : 'kms-rotor guardrails for one more Region: the organization conformance pack CMK_BACKING_KEY_ROTATION_ENABLED',
      ...props,
    });
    const settings = props.settings;
    this.guardrails = new Guardrails(this, 'Guardrails', {
      scp: props.withScp
        ? {
            targets:
              settings.guardrailTargets ??
              new CfnParameter(this, 'GuardrailTargets', {
                type: 'CommaDelimitedList',
                description: `${ORG_TARGETS_HELP} the key-rotation SCP is attached to (or pass -c guardrailTargets=...)`,
              }).valueAsList,
            breakGlassRoleArns: settings.breakGlassRoleArns,
            allowedRotationRange: settings.allowedRotationRange,
          }
        : undefined,
      excludedAccounts: settings.conformancePackExcludedAccounts,
    });
  }
}
