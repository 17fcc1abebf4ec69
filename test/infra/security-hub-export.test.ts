// The Security Hub option (`-c securityHubExport=true`): the state machines run ExportToSecurityHub
// after Finalize and may invoke it, and only its role may call securityhub:BatchImportFindings, on
// the account's own default product only; without the option no function holds any Security Hub
// right and no state machine may invoke the export. With it, an alarm on the findings Security Hub
// refused (SecurityHubFindingsRefused) goes to the alarm topic, and the dashboard shows them.
import { parseRotorContext } from '../../infra/context';
import { buildApp, expectNagAndLintClean, identityPolicies, logicalId, roleStatements, type BuiltApp, type Json } from './support';

const substitutionsOf = (built: BuiltApp) => built.json.Resources[logicalId(built.stack.rollout.stateMachine)].Properties.DefinitionSubstitutions;
const refusedAlarms = (built: BuiltApp) =>
  Object.values<Json>(built.json.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.MetricName === 'SecurityHubFindingsRefused');
const dashboardBody = (built: BuiltApp) =>
  JSON.stringify(Object.values<Json>(built.json.Resources).find((r) => r.Type === 'AWS::CloudWatch::Dashboard')!.Properties.DashboardBody);
const securityHubStatements = (built: BuiltApp): Json[] =>
  identityPolicies(built.json).flatMap((p) =>
    p.document.Statement.filter((s) => [s.Action].flat().some((a: string) => a.toLowerCase().startsWith('securityhub:'))).map((s) => ({ ...s, roles: p.roles })),
  );

describe('securityHubExport=true', () => {
  let built: BuiltApp;
  beforeAll(() => {
    built = buildApp({ securityHubExport: 'true' }, { bundle: false });
  });

  test('the state machines run the export and may invoke it', () => {
    expect(substitutionsOf(built)).toMatchObject({ SecurityHubExport: 'true' });
    expect(built.stack.rollout.invokedFunctions).toContain('ExportToSecurityHubFunctionArn');
    expect(built.stack.scan.invokedFunctions).toContain('ExportToSecurityHubFunctionArn');
  });

  test('only the ExportToSecurityHub role may import findings, and only into its own account default product', () => {
    const exportRole = logicalId(built.stack.functions.handlers.ExportToSecurityHub.role);
    const statements = securityHubStatements(built);
    expect(statements).toEqual([
      {
        Sid: 'ImportFindingsIntoSecurityHub',
        Effect: 'Allow',
        Action: 'securityhub:BatchImportFindings',
        Resource: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':securityhub:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':product/', { Ref: 'AWS::AccountId' }, '/default']],
        },
        roles: [exportRole],
      },
    ]);
    expect(roleStatements(built.json, exportRole).filter((s) => [s.Action].flat().some((a: string) => a.startsWith('securityhub:')))).toHaveLength(1);
  });

  test('an alarm on SecurityHubFindingsRefused (KmsRotor namespace, service dimension, any refused finding) notifies the alarm topic', () => {
    const alarms = refusedAlarms(built);
    expect(alarms).toHaveLength(1);
    expect(alarms[0].Properties).toMatchObject({
      Namespace: 'KmsRotor',
      MetricName: 'SecurityHubFindingsRefused',
      Dimensions: [{ Name: 'service', Value: 'kms-rotor' }],
      Statistic: 'Sum',
      Period: 3600,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: logicalId(built.stack.notifications.topic) }],
    });
    expect(built.stack.notifications.alarms).toHaveLength(9);
  });

  test('the dashboard shows the refused findings with remediation and failures', () => {
    expect(dashboardBody(built)).toMatch(/Remediation and failures.*SecurityHubFindingsRefused/);
  });

  test('cdk-nag AwsSolutions and cfn-lint stay clean', () => {
    expectNagAndLintClean(built, 'securityhub');
  });
});

test('without the option no function holds a Security Hub right, and no state machine runs or may invoke the export', () => {
  const built = buildApp({}, { bundle: false });
  expect(securityHubStatements(built)).toEqual([]);
  expect(substitutionsOf(built)).toMatchObject({ SecurityHubExport: 'false' });
  expect(built.stack.rollout.invokedFunctions).not.toContain('ExportToSecurityHubFunctionArn');
  expect(refusedAlarms(built)).toEqual([]);
  expect(built.stack.notifications.alarms).toHaveLength(8);
  expect(dashboardBody(built)).not.toContain('SecurityHubFindingsRefused');
});

test('securityHubExport takes true or false only', () => {
  expect(parseRotorContext({ securityHubExport: 'false' }).securityHubExport).toBe(false);
  expect(parseRotorContext({}).securityHubExport).toBe(false);
  expect(() => parseRotorContext({ securityHubExport: 'yes' })).toThrow('-c securityHubExport="yes": must be true or false');
});
