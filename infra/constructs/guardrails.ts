// Service-wide containment (with `-c guardrails=true`): an SCP that denies turning key rotation off
// (and rotation periods outside the allowed range), and an organization Config conformance pack with
// the AWS managed rule CMK_BACKING_KEY_ROTATION_ENABLED. The SCP is global, the pack regional: a
// pack-only instance covers one more Region.
import * as config from 'aws-cdk-lib/aws-config';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import { Construct } from 'constructs';
import { GuardrailPolicyOptions, keyRotationConformancePack, keyRotationScp } from '../guardrail-policies';

export const GUARDRAIL_SCP_NAME = 'kms-rotor-protect-key-rotation';
export const CONFORMANCE_PACK_NAME = 'kms-rotor-key-rotation';

export interface GuardrailScpProps extends GuardrailPolicyOptions {
  /** Roots or OUs the SCP is attached to: literals, or a CommaDelimitedList parameter's value. */
  targets: string[];
}

export interface GuardrailsProps {
  /** The SCP; absent in a pack-only instance (an SCP exists once per organization, not per Region). */
  scp?: GuardrailScpProps;
  /** Accounts the conformance pack skips (ExcludedAccounts). */
  excludedAccounts?: string[];
}

export class Guardrails extends Construct {
  readonly scp?: organizations.CfnPolicy;
  readonly conformancePack: config.CfnOrganizationConformancePack;

  constructor(scope: Construct, id: string, props: GuardrailsProps) {
    super(scope, id);
    if (props.scp) {
      this.scp = new organizations.CfnPolicy(this, 'KeyRotationScp', {
        name: GUARDRAIL_SCP_NAME,
        type: 'SERVICE_CONTROL_POLICY',
        description: 'kms-rotor: deny kms:DisableKeyRotation (and rotation periods outside the allowed range) except for the break-glass roles',
        content: keyRotationScp(props.scp),
        targetIds: props.scp.targets,
      });
    }
    this.conformancePack = new config.CfnOrganizationConformancePack(this, 'KeyRotationConformancePack', {
      organizationConformancePackName: CONFORMANCE_PACK_NAME,
      templateBody: JSON.stringify(keyRotationConformancePack()),
      excludedAccounts: props.excludedAccounts,
    });
  }
}
