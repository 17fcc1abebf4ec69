// Member access: a service-managed CloudFormation StackSet that puts the scan role and the remediate
// role (infra/member-template.ts) into every account under the target roots/OUs, and into every
// account that joins them later (auto-deployment); with continuous enforcement, also the rule that
// forwards each enforced Region's KMS events to the central bus.
import { Aws } from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import { Construct } from 'constructs';
import type { RotationRangeDays } from '../../functions/core/key-event';
import { MEMBER_PARAMETERS, memberTemplate } from '../member-template';

export const MEMBER_STACK_SET_NAME = 'KmsRotorMemberAccess';

export interface MemberAccessStackSetProps {
  /** Roots (r-...) or OUs (ou-...) to deploy to: literals, or a CommaDelimitedList parameter's value. */
  targets: string[];
  callAs: 'SELF' | 'DELEGATED_ADMIN';
  scanRoleName: string;
  remediateRoleName: string;
  /** The orchestrator roles each member role trusts. */
  scanPrincipalArn: string;
  remediatePrincipalArn: string;
  organizationId: string;
  /** The sts:ExternalId every member role requires (a literal or the required parameter's token). */
  externalId: string;
  /** Continuous enforcement: a rule in each of `regions` forwards KMS events to `busArn` (the roles stay in this Region). */
  keyEvents?: { busArn: string; regions: string[]; allowedRotationRange?: RotationRangeDays };
}

export class MemberAccessStackSet extends Construct {
  readonly stackSet: cloudformation.CfnStackSet;

  constructor(scope: Construct, id: string, props: MemberAccessStackSetProps) {
    super(scope, id);
    const parameters: Partial<Record<keyof typeof MEMBER_PARAMETERS, string>> = {
      OrchestratorAccountId: Aws.ACCOUNT_ID,
      ScanPrincipalArn: props.scanPrincipalArn,
      RemediatePrincipalArn: props.remediatePrincipalArn,
      OrganizationId: props.organizationId,
      ExternalId: props.externalId,
      ScanRoleName: props.scanRoleName,
      RemediateRoleName: props.remediateRoleName,
      ...(props.keyEvents ? { KeyEventBusArn: props.keyEvents.busArn, HomeRegion: Aws.REGION } : {}),
    };
    const parameterList: cloudformation.CfnStackSet.ParameterProperty[] = Object.entries(parameters).map(
      ([parameterKey, parameterValue]) => ({ parameterKey, parameterValue }),
    );
    this.stackSet = new cloudformation.CfnStackSet(this, 'StackSet', {
      stackSetName: MEMBER_STACK_SET_NAME,
      description: 'kms-rotor member access: the scan and remediate roles the orchestrator assumes in each member account',
      permissionModel: 'SERVICE_MANAGED',
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      callAs: props.callAs,
      capabilities: ['CAPABILITY_NAMED_IAM'],
      managedExecution: { Active: true },
      operationPreferences: {
        // Roll out to a quarter of the accounts at a time and carry on past a few failing accounts
        // (an account with a conflicting role name); those show up as scan error records.
        concurrencyMode: 'SOFT_FAILURE_TOLERANCE',
        maxConcurrentPercentage: 25,
        failureTolerancePercentage: 10,
        regionConcurrencyType: 'PARALLEL',
      },
      parameters: parameterList,
      // IAM is global: the roles in one stack instance per account, in this stack's Region; with key
      // events forwarded, an instance in every enforced Region (the roles only in this one's).
      stackInstancesGroup: [{ deploymentTargets: { organizationalUnitIds: props.targets }, regions: props.keyEvents?.regions ?? [Aws.REGION] }],
      templateBody: JSON.stringify(memberTemplate(props.keyEvents ? { forwardKeyEvents: { allowedRotationRange: props.keyEvents.allowedRotationRange } } : {}), null, 1),
    });
  }
}
