// The Security Hub option of the deployed Finalize (`-c securityHubExport=true`): its environment
// turns the export on, and its role may call securityhub:BatchImportFindings on the account's own
// default product only; without the option no function holds any Security Hub right.
import { parseRotorContext } from '../../infra/context';
import { buildApp, cfnLint, identityPolicies, logicalId, roleStatements, runNag, templatesToLint, type BuiltApp, type Json } from './support';

const finalizeEnv = (built: BuiltApp) => built.json.Resources[logicalId(built.stack.functions.handlers.Finalize.function)].Properties.Environment.Variables;
const securityHubStatements = (built: BuiltApp): Json[] =>
  identityPolicies(built.json).flatMap((p) =>
    p.document.Statement.filter((s) => [s.Action].flat().some((a: string) => a.toLowerCase().startsWith('securityhub:'))).map((s) => ({ ...s, roles: p.roles })),
  );

describe('securityHubExport=true', () => {
  let built: BuiltApp;
  beforeAll(() => {
    built = buildApp({ securityHubExport: 'true' }, { bundle: false });
  });

  test("Finalize's environment turns the export on", () => {
    expect(finalizeEnv(built)).toMatchObject({ SECURITY_HUB_EXPORT: 'true' });
  });

  test('only the Finalize role may import findings, and only into its own account default product', () => {
    const finalizeRole = logicalId(built.stack.functions.handlers.Finalize.role);
    const statements = securityHubStatements(built);
    expect(statements).toEqual([
      {
        Sid: 'ImportFindingsIntoSecurityHub',
        Effect: 'Allow',
        Action: 'securityhub:BatchImportFindings',
        Resource: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':securityhub:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':product/', { Ref: 'AWS::AccountId' }, '/default']],
        },
        roles: [finalizeRole],
      },
    ]);
    expect(roleStatements(built.json, finalizeRole).filter((s) => [s.Action].flat().some((a: string) => a.startsWith('securityhub:')))).toHaveLength(1);
  });

  test('cdk-nag AwsSolutions and cfn-lint stay clean', () => {
    expect(runNag(built.app).violations).toEqual([]);
    const lint = cfnLint(templatesToLint(built, 'securityhub'));
    expect({ status: lint.status, output: lint.output }).toEqual({ status: 0, output: '' });
  });
});

test('without the option no function holds a Security Hub right, and Finalize does not export', () => {
  const built = buildApp({}, { bundle: false });
  expect(securityHubStatements(built)).toEqual([]);
  expect(finalizeEnv(built)).not.toHaveProperty('SECURITY_HUB_EXPORT');
});

test('securityHubExport takes true or false only', () => {
  expect(parseRotorContext({ securityHubExport: 'false' }).securityHubExport).toBe(false);
  expect(parseRotorContext({}).securityHubExport).toBe(false);
  expect(() => parseRotorContext({ securityHubExport: 'yes' })).toThrow('-c securityHubExport="yes": must be true or false');
});
