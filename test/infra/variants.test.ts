// The app under other contexts (esbuild skipped: the handlers are covered by orchestrator-stack.test):
// guardrails on, every option baked in as context, the schedule off or disabled.
import { keyRotationConformancePack, keyRotationScp } from '../../infra/guardrail-policies';
import {
  buildApp,
  cfnLint,
  identityPolicies,
  logicalId,
  memberTemplateOf,
  resolveConditions,
  roleStatements,
  runNag,
  templatesToLint,
  type BuiltApp,
  type Json,
} from './support';

const ofType = (built: BuiltApp, type: string) => Object.values<Json>(built.json.Resources).filter((r) => r.Type === type);

describe('guardrails=true alone (what `cdk synth -c guardrails=true` builds)', () => {
  let built: BuiltApp;
  beforeAll(() => {
    built = buildApp({ guardrails: 'true' }, { bundle: false });
  });

  test('the SCP denies turning rotation off, attached to the GuardrailTargets parameter', () => {
    const [scp] = ofType(built, 'AWS::Organizations::Policy');
    expect(scp.Properties).toMatchObject({
      Name: 'kms-rotor-protect-key-rotation',
      Type: 'SERVICE_CONTROL_POLICY',
      TargetIds: { Ref: 'GuardrailTargets' },
      Content: keyRotationScp({}),
    });
    expect(built.json.Parameters.GuardrailTargets.Type).toBe('CommaDelimitedList');
  });

  test('the organization conformance pack carries CMK_BACKING_KEY_ROTATION_ENABLED inline', () => {
    const [pack] = ofType(built, 'AWS::Config::OrganizationConformancePack');
    expect(pack.Properties.OrganizationConformancePackName).toBe('kms-rotor-key-rotation');
    expect(JSON.parse(pack.Properties.TemplateBody)).toEqual(keyRotationConformancePack());
  });

  test('cdk-nag is clean and cfn-lint passes on the stack, member and conformance pack templates', () => {
    expect(runNag(built.app).violations).toEqual([]);
    const files = templatesToLint(built, 'guardrails');
    expect(files).toHaveLength(3);
    const result = cfnLint(files);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('every option given as context', () => {
  const breakGlassRoleArn = 'arn:aws:iam::111122223333:role/BreakGlass';
  let built: BuiltApp;
  beforeAll(() => {
    built = buildApp(
      {
        memberTargets: 'r-ab12,ou-ab12-abcdefgh',
        organizationId: 'o-a1b2c3d4e5',
        externalId: 'rotor-ext-1',
        scanRoleName: 'OrgScan',
        remediateRoleName: 'OrgFix',
        callAs: 'DELEGATED_ADMIN',
        schedule: 'cron(0 6 * * ? *)',
        notificationEmail: 'secops@example.com',
        guardrails: 'true',
        guardrailTargets: 'r-ab12',
        breakGlassRoleArn,
        allowedRotationRange: '90-180',
      },
      { bundle: false },
    );
  });

  test('no parameters are left but CDK’s bootstrap version', () => {
    expect(Object.keys(built.json.Parameters)).toEqual(['BootstrapVersion']);
    expect(built.json.Conditions ?? {}).not.toHaveProperty('HasExternalId');
  });

  test('the SCP exempts the break-glass role and enforces the rotation range', () => {
    const [scp] = ofType(built, 'AWS::Organizations::Policy');
    expect(scp.Properties.TargetIds).toEqual(['r-ab12']);
    expect(scp.Properties.Content).toEqual(keyRotationScp({ breakGlassRoleArn, allowedRotationRange: { min: 90, max: 180 } }));
    expect(scp.Properties.Content.Statement).toHaveLength(4);
  });

  test('the StackSet deploys to the given targets as delegated admin, with the given names and ExternalId', () => {
    const [stackSet] = ofType(built, 'AWS::CloudFormation::StackSet');
    expect(stackSet.Properties.CallAs).toBe('DELEGATED_ADMIN');
    expect(stackSet.Properties.StackInstancesGroup[0].DeploymentTargets.OrganizationalUnitIds).toEqual(['r-ab12', 'ou-ab12-abcdefgh']);
    const parameters = Object.fromEntries(stackSet.Properties.Parameters.map((p: Json) => [p.ParameterKey, p.ParameterValue]));
    expect(parameters).toMatchObject({
      OrganizationId: 'o-a1b2c3d4e5',
      ExternalId: 'rotor-ext-1',
      ScanRoleName: 'OrgScan',
      RemediateRoleName: 'OrgFix',
    });
    // The member template reads the ExternalId parameter: set, so the trust requires it.
    const member = memberTemplateOf(built.json);
    const trust = resolveConditions(member.Resources.ScanRole.Properties.AssumeRolePolicyDocument, { HasExternalId: true }) as Json;
    expect(trust.Statement[0].Condition.StringEquals['sts:ExternalId']).toEqual({ Ref: 'ExternalId' });
  });

  test('the functions assume the given role names, in the given organization', () => {
    const assumed = (id: 'ScanAccount' | 'RemediateAccount') =>
      roleStatements(built.json, logicalId(built.stack.functions.handlers[id].role)).find((s) => s.Action === 'sts:AssumeRole');
    expect(JSON.stringify(assumed('ScanAccount')?.Resource)).toContain(':iam::*:role/OrgScan');
    expect(JSON.stringify(assumed('RemediateAccount')?.Resource)).toContain(':iam::*:role/OrgFix');
    expect(assumed('ScanAccount')?.Condition).toEqual({ StringEquals: { 'aws:ResourceOrgID': 'o-a1b2c3d4e5' } });
    const env = built.json.Resources[logicalId(built.stack.functions.handlers.ValidateInput.function)].Properties.Environment.Variables;
    expect(env).toMatchObject({ SCAN_ROLE_NAME: 'OrgScan', REMEDIATE_ROLE_NAME: 'OrgFix', EXTERNAL_ID: 'rotor-ext-1' });
  });

  test('the schedule runs the cron expression with the full scan input', () => {
    const [schedule] = ofType(built, 'AWS::Scheduler::Schedule');
    expect(schedule.Properties.ScheduleExpression).toBe('cron(0 6 * * ? *)');
    expect(JSON.parse(schedule.Properties.Target.Input)).toEqual({
      mode: 'scan',
      trigger: 'schedule',
      roleName: 'OrgScan',
      remediateRoleName: 'OrgFix',
      externalId: 'rotor-ext-1',
    });
  });

  test('the email subscription is on the drift topic', () => {
    const [subscription] = ofType(built, 'AWS::SNS::Subscription');
    expect(subscription.Properties).toMatchObject({ Protocol: 'email', Endpoint: 'secops@example.com' });
  });

  test('least privilege holds here too, cdk-nag is clean, cfn-lint passes', () => {
    const actions = [...identityPolicies(built.json), ...identityPolicies(memberTemplateOf(built.json))].flatMap((p) =>
      p.document.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => [s.Action].flat() as string[]),
    );
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    expect(runNag(built.app).violations).toEqual([]);
    const result = cfnLint(templatesToLint(built, 'all-options'));
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('the schedule can be turned off', () => {
  test('schedule=off: no schedule and no schedule role', () => {
    const built = buildApp({ schedule: 'off' }, { bundle: false });
    expect(ofType(built, 'AWS::Scheduler::Schedule')).toHaveLength(0);
    expect(built.stack.schedule).toBeUndefined();
    expect(ofType(built, 'AWS::IAM::Role')).toHaveLength(11 - 1);
  });

  test('scheduleEnabled=false: the schedule exists, disabled', () => {
    const built = buildApp({ scheduleEnabled: 'false' }, { bundle: false });
    const [schedule] = ofType(built, 'AWS::Scheduler::Schedule');
    expect(schedule.Properties.State).toBe('DISABLED');
  });
});

test('without guardrails there is neither SCP nor conformance pack', () => {
  const built = buildApp({}, { bundle: false });
  expect(ofType(built, 'AWS::Organizations::Policy')).toHaveLength(0);
  expect(ofType(built, 'AWS::Config::OrganizationConformancePack')).toHaveLength(0);
  expect(built.json.Parameters).not.toHaveProperty('GuardrailTargets');
});
