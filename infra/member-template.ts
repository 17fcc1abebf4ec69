// The CloudFormation template the member-access StackSet deploys into every member account: the
// read-only scan role and the remediate role. Pure data, built by hand (two roles, no assets), so the
// StackSet carries it inline as TemplateBody and tests and cfn-lint read it as-is.

/** Read actions that have no resource-level permissions: IAM only accepts `*` for them. */
export const UNSCOPED_READ_ACTIONS = ['kms:ListKeys', 'kms:ListAliases', 'ec2:DescribeRegions'] as const;
/** Read actions scoped to the member account's keys (no kms:ListResourceTags: nothing reads key tags). */
export const KEY_READ_ACTIONS = ['kms:DescribeKey', 'kms:GetKeyRotationStatus'] as const;
/** The one change kms-rotor makes. */
export const REMEDIATE_ACTIONS = ['kms:EnableKeyRotation'] as const;

/** The member template's parameters, which the StackSet fills in. */
export const MEMBER_PARAMETERS = {
  OrchestratorAccountId: 'OrchestratorAccountId',
  ScanPrincipalArn: 'ScanPrincipalArn',
  RemediatePrincipalArn: 'RemediatePrincipalArn',
  OrganizationId: 'OrganizationId',
  ExternalId: 'ExternalId',
  ScanRoleName: 'ScanRoleName',
  RemediateRoleName: 'RemediateRoleName',
} as const;

const KEYS_OF_THIS_ACCOUNT = { 'Fn::Sub': 'arn:${AWS::Partition}:kms:*:${AWS::AccountId}:key/*' };

function permissions(withRemediation: boolean): object {
  const statements: object[] = [
    { Sid: 'ListKeysAliasesRegions', Effect: 'Allow', Action: [...UNSCOPED_READ_ACTIONS], Resource: '*' },
    { Sid: 'ReadKeyRotation', Effect: 'Allow', Action: [...KEY_READ_ACTIONS], Resource: KEYS_OF_THIS_ACCOUNT },
  ];
  if (withRemediation) {
    statements.push({ Sid: 'EnableKeyRotation', Effect: 'Allow', Action: [...REMEDIATE_ACTIONS], Resource: KEYS_OF_THIS_ACCOUNT });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * Trust: the orchestrator account, but only the one function role named by `principalParameter`
 * (aws:PrincipalArn, so the trust survives a replaced role), only from inside the organization, and
 * always with the ExternalId (the parameter is required: there is no "none"). A role given as
 * principal is pinned to the role's unique id and breaks silently if the role is ever replaced; the
 * root principal with a PrincipalArn condition grants the same single role without that trap.
 */
function trust(principalParameter: string, sid: string): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: sid,
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${${MEMBER_PARAMETERS.OrchestratorAccountId}}:root` } },
        Action: 'sts:AssumeRole',
        Condition: {
          ArnEquals: { 'aws:PrincipalArn': { Ref: principalParameter } },
          StringEquals: {
            'aws:PrincipalOrgID': { Ref: MEMBER_PARAMETERS.OrganizationId },
            'sts:ExternalId': { Ref: MEMBER_PARAMETERS.ExternalId },
          },
        },
      },
    ],
  };
}

const roleArnPattern = '^arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+$';
const roleNamePattern = '^[\\w+=,.@-]{1,64}$';
/**
 * The sts:ExternalId the member roles require, as both templates declare it: 2-1224 characters,
 * NoEcho (CloudFormation masks it in the console, the API and events: it is not shown to whoever
 * may read the stack).
 */
export const EXTERNAL_ID_PARAMETER = {
  Type: 'String',
  NoEcho: true,
  MinLength: 2,
  MaxLength: 1224,
  AllowedPattern: '^[\\w+=,.@:/-]{2,1224}$',
} as const;

/** The member template as a JSON-ready object. */
export function memberTemplate(): Record<string, unknown> {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description:
      'kms-rotor member access: a read-only scan role and a remediate role (enable rotation only), ' +
      'assumable only by the kms-rotor orchestrator functions from inside the organization.',
    Parameters: {
      [MEMBER_PARAMETERS.OrchestratorAccountId]: {
        Type: 'String',
        AllowedPattern: '^\\d{12}$',
        Description: 'The account that runs the kms-rotor orchestrator.',
      },
      [MEMBER_PARAMETERS.ScanPrincipalArn]: {
        Type: 'String',
        AllowedPattern: roleArnPattern,
        Description: 'The orchestrator role allowed to assume the scan role (the scan function).',
      },
      [MEMBER_PARAMETERS.RemediatePrincipalArn]: {
        Type: 'String',
        AllowedPattern: roleArnPattern,
        Description: 'The orchestrator role allowed to assume the remediate role (the remediate function).',
      },
      [MEMBER_PARAMETERS.OrganizationId]: {
        Type: 'String',
        AllowedPattern: '^o-[a-z0-9]{10,32}$',
        Description: 'The organization whose principals may assume the roles (aws:PrincipalOrgID).',
      },
      [MEMBER_PARAMETERS.ExternalId]: {
        ...EXTERNAL_ID_PARAMETER,
        Description: 'sts:ExternalId required to assume the roles (required: every assumption must carry it).',
      },
      [MEMBER_PARAMETERS.ScanRoleName]: { Type: 'String', AllowedPattern: roleNamePattern, Description: 'Name of the scan role.' },
      [MEMBER_PARAMETERS.RemediateRoleName]: {
        Type: 'String',
        AllowedPattern: roleNamePattern,
        Description: 'Name of the remediate role.',
      },
    },
    Resources: {
      ScanRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: { Ref: MEMBER_PARAMETERS.ScanRoleName },
          Description: 'kms-rotor scan: lists KMS keys and reads their rotation status. Changes nothing.',
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: trust(MEMBER_PARAMETERS.ScanPrincipalArn, 'KmsRotorScanFunction'),
          Policies: [{ PolicyName: 'kms-rotor-scan', PolicyDocument: permissions(false) }],
        },
      },
      RemediateRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: { Ref: MEMBER_PARAMETERS.RemediateRoleName },
          Description: 'kms-rotor remediate: the scan reads plus kms:EnableKeyRotation. Nothing else.',
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: trust(MEMBER_PARAMETERS.RemediatePrincipalArn, 'KmsRotorRemediateFunction'),
          Policies: [{ PolicyName: 'kms-rotor-remediate', PolicyDocument: permissions(true) }],
        },
      },
    },
    Outputs: {
      ScanRoleArn: { Value: { 'Fn::GetAtt': ['ScanRole', 'Arn'] } },
      RemediateRoleArn: { Value: { 'Fn::GetAtt': ['RemediateRole', 'Arn'] } },
    },
  };
}
