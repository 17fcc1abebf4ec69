// The hand-built policy documents: the member template's two roles, the key-rotation SCP and the
// conformance pack template.
import { CONFORMANCE_RULE_IDENTIFIER, keyRotationConformancePack, keyRotationScp } from '../../infra/guardrail-policies';
import { memberTemplate } from '../../infra/member-template';
import { resolveConditions, type Json } from './support';

describe('member template', () => {
  const template = memberTemplate() as Json;
  const role = (id: string) => template.Resources[id].Properties;
  const permissions = (id: string) => role(id).Policies.flatMap((p: Json) => p.PolicyDocument.Statement);
  const actionsOf = (id: string) => permissions(id).flatMap((s: Json) => s.Action).sort();

  test('the scan role reads; the remediate role reads and enables rotation, nothing else', () => {
    expect(actionsOf('ScanRole')).toEqual(
      ['ec2:DescribeRegions', 'kms:DescribeKey', 'kms:GetKeyRotationStatus', 'kms:ListAliases', 'kms:ListKeys', 'kms:ListResourceTags'].sort(),
    );
    expect(actionsOf('RemediateRole')).toEqual([...actionsOf('ScanRole'), 'kms:EnableKeyRotation'].sort());
    for (const id of ['ScanRole', 'RemediateRole']) {
      for (const statement of permissions(id)) expect(statement.Effect).toBe('Allow');
    }
  });

  test('Resource "*" only for the actions without resource-level permissions; the rest on this account’s keys', () => {
    for (const id of ['ScanRole', 'RemediateRole']) {
      for (const statement of permissions(id)) {
        if (statement.Resource === '*') {
          expect(statement.Action.sort()).toEqual(['ec2:DescribeRegions', 'kms:ListAliases', 'kms:ListKeys']);
        } else {
          expect(statement.Resource).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:kms:*:${AWS::AccountId}:key/*' });
        }
      }
    }
  });

  test.each([
    ['ScanRole', 'ScanPrincipalArn', 'ScanRoleName'],
    ['RemediateRole', 'RemediatePrincipalArn', 'RemediateRoleName'],
  ])('%s trusts only its function role, inside the organization, with the ExternalId when set', (id, principal, name) => {
    expect(role(id).RoleName).toEqual({ Ref: name });
    const withExternalId = resolveConditions(role(id).AssumeRolePolicyDocument, { HasExternalId: true }) as Json;
    const withoutExternalId = resolveConditions(role(id).AssumeRolePolicyDocument, { HasExternalId: false }) as Json;
    for (const doc of [withExternalId, withoutExternalId]) {
      expect(doc.Statement).toHaveLength(1);
      const [statement] = doc.Statement;
      expect(statement).toMatchObject({
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${OrchestratorAccountId}:root' } },
      });
      expect(statement.Condition.ArnEquals).toEqual({ 'aws:PrincipalArn': { Ref: principal } });
      expect(statement.Condition.StringEquals['aws:PrincipalOrgID']).toEqual({ Ref: 'OrganizationId' });
    }
    expect(withExternalId.Statement[0].Condition.StringEquals['sts:ExternalId']).toEqual({ Ref: 'ExternalId' });
    expect(withoutExternalId.Statement[0].Condition.StringEquals).not.toHaveProperty('sts:ExternalId');
  });

  test('every Ref names a parameter or a resource of the template', () => {
    const refs = JSON.stringify(template).match(/"Ref":"[^"]+"/g) ?? [];
    const known = new Set([...Object.keys(template.Parameters), ...Object.keys(template.Resources)]);
    for (const ref of refs) expect(known).toContain(JSON.parse(`{${ref}}`).Ref);
  });
});

describe('key-rotation SCP', () => {
  const breakGlass = 'arn:aws:iam::111122223333:role/BreakGlass';

  test('denies DisableKeyRotation to everyone but the break-glass role', () => {
    expect(keyRotationScp({ breakGlassRoleArn: breakGlass })).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyDisableKeyRotation',
          Effect: 'Deny',
          Action: 'kms:DisableKeyRotation',
          Resource: '*',
          Condition: { ArnNotLike: { 'aws:PrincipalArn': breakGlass } },
        },
      ],
    });
  });

  test('without a break-glass role the deny has no exception (and no empty Condition)', () => {
    expect(keyRotationScp({}).Statement).toEqual([
      { Sid: 'DenyDisableKeyRotation', Effect: 'Deny', Action: 'kms:DisableKeyRotation', Resource: '*' },
    ]);
  });

  test('a rotation range denies periods below and above it', () => {
    const statements = keyRotationScp({ breakGlassRoleArn: breakGlass, allowedRotationRange: { min: 90, max: 400 } }).Statement;
    expect(statements.map((s) => s.Sid)).toEqual(['DenyDisableKeyRotation', 'DenyRotationPeriodBelowRange', 'DenyRotationPeriodAboveRange']);
    expect(statements[1]).toMatchObject({
      Action: 'kms:EnableKeyRotation',
      Condition: { NumericLessThan: { 'kms:RotationPeriodInDays': '90' }, ArnNotLike: { 'aws:PrincipalArn': breakGlass } },
    });
    expect(statements[2]).toMatchObject({
      Action: 'kms:EnableKeyRotation',
      Condition: { NumericGreaterThan: { 'kms:RotationPeriodInDays': '400' } },
    });
  });

  test('a range without the 365-day default also denies requests that leave the period out', () => {
    const statements = keyRotationScp({ allowedRotationRange: { min: 90, max: 180 } }).Statement;
    expect(statements.at(-1)).toEqual({
      Sid: 'DenyDefaultRotationPeriodOutsideRange',
      Effect: 'Deny',
      Action: 'kms:EnableKeyRotation',
      Resource: '*',
      Condition: { Null: { 'kms:RotationPeriodInDays': 'true' } },
    });
    expect(keyRotationScp({ allowedRotationRange: { min: 90, max: 365 } }).Statement).toHaveLength(3);
  });

  test('fits the 5,120-character SCP limit in its largest form', () => {
    const largest = keyRotationScp({ breakGlassRoleArn: breakGlass, allowedRotationRange: { min: 400, max: 2560 } });
    expect(largest.Statement).toHaveLength(4);
    expect(JSON.stringify(largest).length).toBeLessThan(5120);
  });
});

test('the conformance pack holds the AWS managed rule CMK_BACKING_KEY_ROTATION_ENABLED', () => {
  const rules = Object.values<Json>(keyRotationConformancePack().Resources as Json);
  expect(rules).toHaveLength(1);
  expect(rules[0].Type).toBe('AWS::Config::ConfigRule');
  expect(rules[0].Properties.Source).toEqual({ Owner: 'AWS', SourceIdentifier: CONFORMANCE_RULE_IDENTIFIER });
  expect(CONFORMANCE_RULE_IDENTIFIER).toBe('CMK_BACKING_KEY_ROTATION_ENABLED');
});
