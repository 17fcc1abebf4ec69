// The app under other contexts (esbuild skipped: the handlers are covered by orchestrator-stack.test):
// guardrails on (their own stacks), every option baked in as context, a rotation range, the
// schedule off or disabled.
import { ExecutionInput } from '../../functions/core/schemas';
import { keyRotationConformancePack, keyRotationScp } from '../../infra/guardrail-policies';
import { buildApp, expectNagAndLintClean, identityPolicies, logicalId, memberTemplateOf, roleStatements, type BuiltApp, type Json } from './support';

const ofType = (template: Json, type: string) => Object.values<Json>(template.Resources).filter((r) => r.Type === type);
const validateInputEnv = (built: BuiltApp) =>
  built.json.Resources[logicalId(built.stack.functions.handlers.ValidateInput.function)].Properties.Environment.Variables;

describe('guardrails=true alone (what `cdk synth -c guardrails=true` builds)', () => {
  let built: BuiltApp;
  let guardrails: Json;
  beforeAll(() => {
    built = buildApp({ guardrails: 'true' }, { bundle: false });
    guardrails = built.templates.KmsRotorGuardrails;
  });

  test('the guardrails are a stack of their own, KmsRotorGuardrails; the orchestrator holds none of them', () => {
    expect(Object.keys(built.templates).sort()).toEqual(['KmsRotor', 'KmsRotorGuardrails']);
    expect(built.stacks.guardrails?.stackName).toBe('KmsRotorGuardrails');
    expect(ofType(built.json, 'AWS::Organizations::Policy')).toHaveLength(0);
    expect(ofType(built.json, 'AWS::Config::OrganizationConformancePack')).toHaveLength(0);
    expect(built.json.Parameters).not.toHaveProperty('GuardrailTargets');
    // Nothing ties the two stacks together: a guardrail failure cannot roll the orchestrator back.
    expect(built.stacks.guardrails!.dependencies).toEqual([]);
    expect(built.stack.dependencies).toEqual([]);
    expect(JSON.stringify(guardrails)).not.toContain('Fn::ImportValue');
    expect(Object.keys(guardrails.Resources).filter((id) => id !== 'CDKMetadata')).toHaveLength(2);
  });

  test('the SCP denies turning rotation off, attached to the GuardrailTargets parameter', () => {
    const [scp] = ofType(guardrails, 'AWS::Organizations::Policy');
    expect(scp.Properties).toMatchObject({
      Name: 'kms-rotor-protect-key-rotation',
      Type: 'SERVICE_CONTROL_POLICY',
      TargetIds: { Ref: 'GuardrailTargets' },
      Content: keyRotationScp({}),
    });
    expect(guardrails.Parameters.GuardrailTargets.Type).toBe('CommaDelimitedList');
  });

  test('the organization conformance pack carries CMK_BACKING_KEY_ROTATION_ENABLED inline, excluding no account', () => {
    const [pack] = ofType(guardrails, 'AWS::Config::OrganizationConformancePack');
    expect(pack.Properties.OrganizationConformancePackName).toBe('kms-rotor-key-rotation');
    expect(JSON.parse(pack.Properties.TemplateBody)).toEqual(keyRotationConformancePack());
    expect(pack.Properties).not.toHaveProperty('ExcludedAccounts');
  });

  test('cdk-nag is clean and cfn-lint passes on both stacks, the member and the conformance pack templates', () => {
    expect(expectNagAndLintClean(built, 'guardrails')).toHaveLength(4);
  });
});

describe('conformance pack options', () => {
  let built: BuiltApp;
  beforeAll(() => {
    built = buildApp(
      { guardrails: 'true', conformancePackExcludedAccounts: '111111111111,222222222222', conformancePackRegions: 'eu-west-1,ap-southeast-2' },
      { bundle: false },
    );
  });

  test('conformancePackExcludedAccounts becomes ExcludedAccounts of every pack', () => {
    for (const name of ['KmsRotorGuardrails', 'KmsRotorGuardrails-eu-west-1', 'KmsRotorGuardrails-ap-southeast-2']) {
      const [pack] = ofType(built.templates[name], 'AWS::Config::OrganizationConformancePack');
      expect(pack.Properties.ExcludedAccounts).toEqual(['111111111111', '222222222222']);
    }
  });

  test('each extra Region gets a pack-only stack pinned to it; the SCP exists once', () => {
    expect(built.stacks.regionalGuardrails.map((s) => [s.stackName, s.region])).toEqual([
      ['KmsRotorGuardrails-eu-west-1', 'eu-west-1'],
      ['KmsRotorGuardrails-ap-southeast-2', 'ap-southeast-2'],
    ]);
    const scps = Object.values(built.templates).flatMap((t) => ofType(t, 'AWS::Organizations::Policy'));
    expect(scps).toHaveLength(1);
    for (const stack of built.stacks.regionalGuardrails) expect(built.templates[stack.stackName].Parameters).not.toHaveProperty('GuardrailTargets');
  });

  test('cdk-nag is clean and cfn-lint passes on every stack', () => {
    expectNagAndLintClean(built, 'packs');
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
        retentionDays: '400',
      },
      { bundle: false },
    );
  });

  test('retentionDays=400: every function keeps items 400 days (RETENTION_DAYS) and the scans expire after 400', () => {
    for (const handler of Object.values(built.stack.functions.handlers)) {
      expect(built.json.Resources[logicalId(handler.function)].Properties.Environment.Variables.RETENTION_DAYS).toBe('400');
    }
    const rules: Json[] = built.json.Resources[logicalId(built.stack.manifest.bucket)].Properties.LifecycleConfiguration.Rules;
    expect(rules.find((r) => r.Prefix === 'scans/')).toEqual({ Id: 'expire-scans', Prefix: 'scans/', ExpirationInDays: 400, Status: 'Enabled' });
    // Manifests and Map Run results keep their month.
    expect(rules.filter((r) => r.Prefix && r.Prefix !== 'scans/').map((r) => r.ExpirationInDays)).toEqual([30, 30, 30]);
  });

  test('no parameters are left but CDK’s bootstrap version, in either stack', () => {
    expect(Object.keys(built.json.Parameters)).toEqual(['BootstrapVersion']);
    expect(Object.keys(built.templates.KmsRotorGuardrails.Parameters)).toEqual(['BootstrapVersion']);
    expect(built.json).not.toHaveProperty('Conditions.HasExternalId');
  });

  test('the SCP exempts the break-glass role name in every account and enforces the rotation range', () => {
    const [scp] = ofType(built.templates.KmsRotorGuardrails, 'AWS::Organizations::Policy');
    expect(scp.Properties.TargetIds).toEqual(['r-ab12']);
    expect(scp.Properties.Content).toEqual(keyRotationScp({ breakGlassRoleArns: [breakGlassRoleArn], allowedRotationRange: { min: 90, max: 180 } }));
    expect(scp.Properties.Content.Statement).toHaveLength(4);
    // kms:DisableKeyRotation cannot be called across accounts: the exemption names every account.
    for (const statement of scp.Properties.Content.Statement) {
      expect(statement.Condition.ArnNotLike).toEqual({ 'aws:PrincipalArn': 'arn:aws:iam::*:role/BreakGlass' });
    }
  });

  test('the StackSet deploys to the given targets as delegated admin, with the given names and ExternalId', () => {
    const [stackSet] = ofType(built.json, 'AWS::CloudFormation::StackSet');
    expect(stackSet.Properties.CallAs).toBe('DELEGATED_ADMIN');
    expect(stackSet.Properties.StackInstancesGroup[0].DeploymentTargets.OrganizationalUnitIds).toEqual(['r-ab12', 'ou-ab12-abcdefgh']);
    const parameters = Object.fromEntries(stackSet.Properties.Parameters.map((p: Json) => [p.ParameterKey, p.ParameterValue]));
    expect(parameters).toMatchObject({
      OrganizationId: 'o-a1b2c3d4e5',
      ExternalId: 'rotor-ext-1',
      ScanRoleName: 'OrgScan',
      RemediateRoleName: 'OrgFix',
    });
    // The member template reads the ExternalId parameter, and its trust always requires it.
    const member = memberTemplateOf(built.json);
    const trust = member.Resources.ScanRole.Properties.AssumeRolePolicyDocument;
    expect(trust.Statement[0].Condition.StringEquals['sts:ExternalId']).toEqual({ Ref: 'ExternalId' });
  });

  test('the functions assume the given role names, in the given organization', () => {
    const assumed = (id: 'ScanAccount' | 'RemediateAccount') =>
      roleStatements(built.json, logicalId(built.stack.functions.handlers[id].role)).find((s) => s.Action === 'sts:AssumeRole');
    expect(JSON.stringify(assumed('ScanAccount')?.Resource)).toContain(':iam::*:role/OrgScan');
    expect(JSON.stringify(assumed('RemediateAccount')?.Resource)).toContain(':iam::*:role/OrgFix');
    expect(assumed('ScanAccount')?.Condition).toEqual({ StringEquals: { 'aws:ResourceOrgID': 'o-a1b2c3d4e5' } });
    expect(validateInputEnv(built)).toMatchObject({ SCAN_ROLE_NAME: 'OrgScan', REMEDIATE_ROLE_NAME: 'OrgFix' });
    expect(validateInputEnv(built)).not.toHaveProperty('EXTERNAL_ID');
  });

  test('remediation asks for a period the 90-180 range allows: 180 days, as the default of every run', () => {
    expect(validateInputEnv(built).DEFAULT_ROTATION_PERIOD_DAYS).toBe('180');
  });

  test('the schedule runs the cron expression with the full scan input, which ExecutionInput accepts', () => {
    const [schedule] = ofType(built.json, 'AWS::Scheduler::Schedule');
    expect(schedule.Properties.ScheduleExpression).toBe('cron(0 6 * * ? *)');
    const input = JSON.parse(schedule.Properties.Target.Input);
    // A scan enables nothing: no rotationPeriodInDays even under a rotation range.
    expect(input).toEqual({
      mode: 'scan',
      trigger: 'schedule',
      roleName: 'OrgScan',
      remediateRoleName: 'OrgFix',
    });
    expect(ExecutionInput.safeParse(input).success).toBe(true);
    expect(built.stack.scheduleInput).toEqual(input);
  });

  test('the email subscription is on the drift topic', () => {
    const [subscription] = ofType(built.json, 'AWS::SNS::Subscription');
    expect(subscription.Properties).toMatchObject({ Protocol: 'email', Endpoint: 'secops@example.com' });
  });

  test('least privilege holds here too, cdk-nag is clean, cfn-lint passes', () => {
    const actions = [...identityPolicies(built.json), ...identityPolicies(memberTemplateOf(built.json))].flatMap((p) =>
      p.document.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => [s.Action].flat() as string[]),
    );
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    expectNagAndLintClean(built, 'all-options');
  });
});

describe('a rotation range sets the period remediation asks for', () => {
  test.each([
    ['90-2560', '365'],
    ['90-364', '364'],
    ['400-2560', '400'],
  ])('allowedRotationRange=%s: DEFAULT_ROTATION_PERIOD_DAYS=%s on ValidateInput only', (range, days) => {
    const built = buildApp({ allowedRotationRange: range }, { bundle: false });
    expect(validateInputEnv(built).DEFAULT_ROTATION_PERIOD_DAYS).toBe(days);
    // ValidateInput refuses a StartExecution input that asks for a period outside the range.
    expect(validateInputEnv(built).ALLOWED_ROTATION_RANGE).toBe(range);
    const others = Object.entries(built.stack.functions.handlers).filter(([id]) => id !== 'ValidateInput');
    for (const [, handler] of others) {
      expect(built.json.Resources[logicalId(handler.function)].Properties.Environment.Variables).not.toHaveProperty('DEFAULT_ROTATION_PERIOD_DAYS');
    }
  });

  test('without a range KMS keeps its default: no DEFAULT_ROTATION_PERIOD_DAYS', () => {
    expect(validateInputEnv(buildApp({}, { bundle: false }))).not.toHaveProperty('DEFAULT_ROTATION_PERIOD_DAYS');
    expect(validateInputEnv(buildApp({}, { bundle: false }))).not.toHaveProperty('ALLOWED_ROTATION_RANGE');
  });
});

describe('the schedule can be turned off', () => {
  test('schedule=off: no schedule and no schedule role', () => {
    const built = buildApp({ schedule: 'off' }, { bundle: false });
    expect(ofType(built.json, 'AWS::Scheduler::Schedule')).toHaveLength(0);
    expect(built.stack.schedule).toBeUndefined();
    // Ten step function roles, EnforceKey's (continuous enforcement, detect by default), RecordStoppedExecution's and the two state machines' roles.
    expect(ofType(built.json, 'AWS::IAM::Role')).toHaveLength(10 + 1 + 1 + 2);
  });

  test('scheduleEnabled=false: the schedule exists, disabled', () => {
    const built = buildApp({ scheduleEnabled: 'false' }, { bundle: false });
    const [schedule] = ofType(built.json, 'AWS::Scheduler::Schedule');
    expect(schedule.Properties.State).toBe('DISABLED');
  });
});

test('without guardrails there is only the KmsRotor stack: neither SCP nor conformance pack', () => {
  const built = buildApp({ conformancePackRegions: 'eu-west-1' }, { bundle: false });
  expect(Object.keys(built.templates)).toEqual(['KmsRotor']);
  expect(built.stacks.guardrails).toBeUndefined();
  expect(built.stacks.regionalGuardrails).toEqual([]);
  expect(ofType(built.json, 'AWS::Organizations::Policy')).toHaveLength(0);
  expect(ofType(built.json, 'AWS::Config::OrganizationConformancePack')).toHaveLength(0);
});
