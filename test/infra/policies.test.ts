// The hand-built policy documents: the member template's two roles, the key-rotation SCP with its
// break-glass exemption, the rotation period remediation asks for, and the conformance pack template.
import { EXTERNAL_ID } from '../../functions/core/schemas';
import {
  breakGlassPrincipalPatterns,
  CONFORMANCE_RULE_IDENTIFIER,
  keyRotationConformancePack,
  keyRotationScp,
  rotationPeriodWithin,
  SCP_MAX_CHARACTERS,
} from '../../infra/guardrail-policies';
import { EXTERNAL_ID_PARAMETER, memberTemplate } from '../../infra/member-template';
import type { Json } from './support';

describe('member template', () => {
  const template = memberTemplate() as Json;
  const role = (id: string) => template.Resources[id].Properties;
  const permissions = (id: string) => role(id).Policies.flatMap((p: Json) => p.PolicyDocument.Statement);
  const actionsOf = (id: string) => permissions(id).flatMap((s: Json) => s.Action).sort();

  test('the scan role reads; the remediate role reads and enables rotation, nothing else', () => {
    // kms:ListResourceTags for runs that read key tags (readKeyTags), on this account's keys only.
    expect(actionsOf('ScanRole')).toEqual(['ec2:DescribeRegions', 'kms:DescribeKey', 'kms:GetKeyRotationStatus', 'kms:ListAliases', 'kms:ListKeys', 'kms:ListResourceTags'].sort());
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
  ])('%s trusts only its function role, inside the organization, always with the ExternalId', (id, principal, name) => {
    expect(role(id).RoleName).toEqual({ Ref: name });
    expect(role(id).AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: expect.any(String),
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${OrchestratorAccountId}:root' } },
          Condition: {
            ArnEquals: { 'aws:PrincipalArn': { Ref: principal } },
            StringEquals: { 'aws:PrincipalOrgID': { Ref: 'OrganizationId' }, 'sts:ExternalId': { Ref: 'ExternalId' } },
          },
        },
      ],
    });
  });

  test('the ExternalId is required: no default, no condition that could drop it', () => {
    expect(template.Parameters.ExternalId).toEqual({ ...EXTERNAL_ID_PARAMETER, Description: expect.any(String) });
    expect(template.Parameters.ExternalId).not.toHaveProperty('Default');
    expect(template.Parameters.ExternalId.MinLength).toBe(2);
    // Masked wherever CloudFormation would show a parameter's value.
    expect(template.Parameters.ExternalId.NoEcho).toBe(true);
    expect(template).not.toHaveProperty('Conditions');
    expect(JSON.stringify(template)).not.toContain('Fn::If');
  });

  test.each(['ab', 'rotor-ext_1+=,.@:/', 'x'.repeat(1224)])('the ExternalId pattern accepts %s, as the execution input does', (value) => {
    expect(new RegExp(EXTERNAL_ID_PARAMETER.AllowedPattern).test(value)).toBe(true);
    expect(EXTERNAL_ID.test(value)).toBe(true);
  });

  test.each(['', 'a', 'has space', 'x'.repeat(1225), 'semi;colon'])('the ExternalId pattern refuses %j, as the execution input does', (value) => {
    expect(new RegExp(EXTERNAL_ID_PARAMETER.AllowedPattern).test(value)).toBe(false);
    expect(EXTERNAL_ID.test(value)).toBe(false);
  });

  test('every Ref names a parameter or a resource of the template', () => {
    const refs = JSON.stringify(template).match(/"Ref":"[^"]+"/g) ?? [];
    const known = new Set([...Object.keys(template.Parameters), ...Object.keys(template.Resources)]);
    for (const ref of refs) expect(known).toContain(JSON.parse(`{${ref}}`).Ref);
  });
});

describe('break-glass principals', () => {
  test('one role ARN of a concrete account becomes that role path and name in every account', () => {
    expect(breakGlassPrincipalPatterns(['arn:aws:iam::111122223333:role/BreakGlass'])).toEqual(['arn:aws:iam::*:role/BreakGlass']);
    expect(breakGlassPrincipalPatterns(['arn:aws-us-gov:iam::111122223333:role/ops/admin/BreakGlass'])).toEqual([
      'arn:aws-us-gov:iam::*:role/ops/admin/BreakGlass',
    ]);
  });

  test('an ARN with account * is kept; a list is kept as given, duplicates dropped', () => {
    expect(breakGlassPrincipalPatterns(['arn:aws:iam::*:role/BreakGlass'])).toEqual(['arn:aws:iam::*:role/BreakGlass']);
    const list = ['arn:aws:iam::111122223333:role/BreakGlass', 'arn:aws:iam::444455556666:role/Incident'];
    expect(breakGlassPrincipalPatterns([...list, list[0]])).toEqual(list);
    expect(breakGlassPrincipalPatterns(undefined)).toEqual([]);
    expect(breakGlassPrincipalPatterns([])).toEqual([]);
  });
});

describe('key-rotation SCP', () => {
  const breakGlass = 'arn:aws:iam::111122223333:role/BreakGlass';
  const everyAccount = 'arn:aws:iam::*:role/BreakGlass';

  test('denies DisableKeyRotation to everyone but the break-glass role, in every account', () => {
    expect(keyRotationScp({ breakGlassRoleArns: [breakGlass] })).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyDisableKeyRotation',
          Effect: 'Deny',
          Action: 'kms:DisableKeyRotation',
          Resource: '*',
          Condition: { ArnNotLike: { 'aws:PrincipalArn': everyAccount } },
        },
      ],
    });
  });

  test('several break-glass roles: the deny applies to a principal that matches none of them', () => {
    const roles = ['arn:aws:iam::111122223333:role/BreakGlass', 'arn:aws:iam::*:role/Incident'];
    const [statement] = keyRotationScp({ breakGlassRoleArns: roles }).Statement;
    expect(statement.Condition).toEqual({ ArnNotLike: { 'aws:PrincipalArn': roles } });
  });

  test('without a break-glass role the deny has no exception (and no empty Condition)', () => {
    expect(keyRotationScp({}).Statement).toEqual([
      { Sid: 'DenyDisableKeyRotation', Effect: 'Deny', Action: 'kms:DisableKeyRotation', Resource: '*' },
    ]);
  });

  test('a rotation range denies periods below and above it', () => {
    const statements = keyRotationScp({ breakGlassRoleArns: [breakGlass], allowedRotationRange: { min: 90, max: 400 } }).Statement;
    expect(statements.map((s) => s.Sid)).toEqual(['DenyDisableKeyRotation', 'DenyRotationPeriodBelowRange', 'DenyRotationPeriodAboveRange']);
    expect(statements[1]).toMatchObject({
      Action: 'kms:EnableKeyRotation',
      Condition: { NumericLessThan: { 'kms:RotationPeriodInDays': '90' }, ArnNotLike: { 'aws:PrincipalArn': everyAccount } },
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

  test('fits the 5,120-character SCP limit in its largest single-role form', () => {
    const largest = keyRotationScp({ breakGlassRoleArns: [breakGlass], allowedRotationRange: { min: 400, max: 2560 } });
    expect(largest.Statement).toHaveLength(4);
    expect(JSON.stringify(largest).length).toBeLessThan(SCP_MAX_CHARACTERS);
    expect(SCP_MAX_CHARACTERS).toBe(5120);
  });
});

describe('the rotation period remediation asks for under a range', () => {
  test.each([
    [{ min: 90, max: 2560 }, 365],
    [{ min: 365, max: 365 }, 365],
    [{ min: 90, max: 180 }, 180],
    [{ min: 400, max: 2560 }, 400],
  ])('%j gives %i days', (range, days) => {
    expect(rotationPeriodWithin(range)).toBe(days);
  });

  test('every range gives a period the SCP of that range does not deny', () => {
    for (const range of [{ min: 90, max: 100 }, { min: 90, max: 364 }, { min: 366, max: 2560 }, { min: 2560, max: 2560 }]) {
      const period = rotationPeriodWithin(range)!;
      expect(period).toBeGreaterThanOrEqual(range.min);
      expect(period).toBeLessThanOrEqual(range.max);
      // The SCP's own numeric conditions, evaluated for a request that carries this period.
      for (const statement of keyRotationScp({ allowedRotationRange: range }).Statement.filter((s) => s.Action === 'kms:EnableKeyRotation')) {
        const condition = statement.Condition as Json;
        if (condition.NumericLessThan) expect(period < Number(condition.NumericLessThan['kms:RotationPeriodInDays'])).toBe(false);
        if (condition.NumericGreaterThan) expect(period > Number(condition.NumericGreaterThan['kms:RotationPeriodInDays'])).toBe(false);
      }
    }
  });

  test('no range, no period', () => {
    expect(rotationPeriodWithin(undefined)).toBeUndefined();
  });
});

test('the conformance pack holds the AWS managed rule CMK_BACKING_KEY_ROTATION_ENABLED', () => {
  const rules = Object.values<Json>(keyRotationConformancePack().Resources as Json);
  expect(rules).toHaveLength(1);
  expect(rules[0].Type).toBe('AWS::Config::ConfigRule');
  expect(rules[0].Properties.Source).toEqual({ Owner: 'AWS', SourceIdentifier: CONFORMANCE_RULE_IDENTIFIER });
  expect(CONFORMANCE_RULE_IDENTIFIER).toBe('CMK_BACKING_KEY_ROTATION_ENABLED');
});
