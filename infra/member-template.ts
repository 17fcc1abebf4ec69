// The CloudFormation template the member-access StackSet deploys into every member account: the
// read-only scan role and the remediate role, and with continuous enforcement the rule that forwards
// each Region's KMS events to the orchestrator. Pure data, built by hand (no assets), so the
// StackSet carries it inline as TemplateBody and tests and cfn-lint read it as-is.
import type { RotationRangeDays } from '../functions/core/key-event';
import { keyEventPattern } from './key-event-pattern';

/** Read actions that have no resource-level permissions: IAM only accepts `*` for them. */
export const UNSCOPED_READ_ACTIONS = ['kms:ListKeys', 'kms:ListAliases', 'ec2:DescribeRegions'] as const;
/** Read actions scoped to the member account's keys. */
export const KEY_READ_ACTIONS = ['kms:DescribeKey', 'kms:GetKeyRotationStatus'] as const;
/** What a scan that reads key tags (readKeyTags) needs besides: on the same keys. */
export const KEY_TAG_READ_ACTIONS = ['kms:ListResourceTags'] as const;
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
  /** Only with key events forwarded (memberTemplate's forwardKeyEvents). */
  KeyEventBusArn: 'KeyEventBusArn',
  HomeRegion: 'HomeRegion',
} as const;

const KEYS_OF_THIS_ACCOUNT = { 'Fn::Sub': 'arn:${AWS::Partition}:kms:*:${AWS::AccountId}:key/*' };

function permissions(withRemediation: boolean): object {
  const statements: object[] = [
    { Sid: 'ListKeysAliasesRegions', Effect: 'Allow', Action: [...UNSCOPED_READ_ACTIONS], Resource: '*' },
    { Sid: 'ReadKeyRotation', Effect: 'Allow', Action: [...KEY_READ_ACTIONS, ...KEY_TAG_READ_ACTIONS], Resource: KEYS_OF_THIS_ACCOUNT },
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

export interface MemberTemplateOptions {
  /** Continuous enforcement: a rule in every Region of the StackSet forwards the KMS events to the central bus. */
  forwardKeyEvents?: { allowedRotationRange?: RotationRangeDays };
}

/** The name of the member rule in each Region (the forwarding role's trust names it). */
export const KEY_EVENTS_RULE_NAME = 'kms-rotor-key-events';

/**
 * The member template as a JSON-ready object. With key events forwarded it is deployed to every
 * enforced Region: the roles (IAM is global) only in the home Region's stack, the rule and its
 * forwarding role in each.
 */
export function memberTemplate(options: MemberTemplateOptions = {}): Record<string, unknown> {
  const template = accessTemplate();
  return options.forwardKeyEvents ? withKeyEventForwarding(template, options.forwardKeyEvents.allowedRotationRange) : template;
}

/**
 * Adds the rule (the KMS events of this account and Region) and the role EventBridge needs to put
 * them on a bus of another account: events:PutEvents on that bus only, assumable by EventBridge
 * for this account's rule only.
 */
function withKeyEventForwarding(template: Record<string, any>, allowedRotationRange: RotationRangeDays | undefined): Record<string, unknown> {
  const inHome = 'InHomeRegion';
  const roles = Object.fromEntries(Object.entries<Record<string, unknown>>(template.Resources).map(([id, resource]) => [id, { ...resource, Condition: inHome }]));
  const outputs = Object.fromEntries(Object.entries<Record<string, unknown>>(template.Outputs).map(([id, output]) => [id, { ...output, Condition: inHome }]));
  const ruleArn = { 'Fn::Sub': `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/${KEY_EVENTS_RULE_NAME}` };
  return {
    ...template,
    Parameters: {
      ...template.Parameters,
      [MEMBER_PARAMETERS.KeyEventBusArn]: {
        Type: 'String',
        AllowedPattern: '^arn:aws[a-z-]*:events:[a-z0-9-]+:\\d{12}:event-bus/[\\w.-]+$',
        Description: 'The orchestrator\'s central event bus for KMS events (continuous enforcement).',
      },
      [MEMBER_PARAMETERS.HomeRegion]: {
        Type: 'String',
        AllowedPattern: '^[a-z]{2}(-[a-z]+)+-\\d{1,2}$',
        Description: 'The Region whose stack instance holds the member roles (IAM is global).',
      },
    },
    Conditions: { [inHome]: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, { Ref: MEMBER_PARAMETERS.HomeRegion }] } },
    Resources: {
      ...roles,
      KeyEventsForwardRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          Description: 'kms-rotor: lets this Region\'s rule put KMS events on the orchestrator\'s central bus. Nothing else.',
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'events.amazonaws.com' },
                Action: 'sts:AssumeRole',
                Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnEquals: { 'aws:SourceArn': ruleArn } },
              },
            ],
          },
          Policies: [
            {
              PolicyName: 'kms-rotor-forward-key-events',
              PolicyDocument: { Version: '2012-10-17', Statement: [{ Sid: 'PutOnCentralBus', Effect: 'Allow', Action: 'events:PutEvents', Resource: { Ref: MEMBER_PARAMETERS.KeyEventBusArn } }] },
            },
          ],
        },
      },
      KeyEventsRule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          Name: KEY_EVENTS_RULE_NAME,
          Description: 'kms-rotor continuous enforcement: KMS calls that can leave a key without rotation, to the orchestrator',
          State: 'ENABLED',
          EventPattern: keyEventPattern(allowedRotationRange),
          Targets: [{ Id: 'CentralBus', Arn: { Ref: MEMBER_PARAMETERS.KeyEventBusArn }, RoleArn: { 'Fn::GetAtt': ['KeyEventsForwardRole', 'Arn'] } }],
        },
      },
    },
    Outputs: outputs,
  };
}

function accessTemplate(): Record<string, any> {
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
