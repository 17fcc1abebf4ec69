// The whole check over the fixture templates, plans and cloud assemblies: every verdict, every
// exit code, and the shape of the text, JSON and SARIF reports.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPaths, checkSources, exitCodeFor, findingsOf, renderJson, renderReport, renderText, buildSarif, type CheckReport } from '../../prevention';

const fixture = (name: string) => join(__dirname, 'fixtures', name);

/** id → [status, first violation's rule id or the reason]. */
function verdicts(report: CheckReport): Record<string, [string, string]> {
  return Object.fromEntries(report.keys.map((key) => [key.id, [key.status, key.violations[0]?.ruleId ?? key.reason]]));
}

describe('CloudFormation YAML with short tags, conditions and parameters', () => {
  let report: CheckReport;
  beforeAll(async () => {
    report = await checkPaths([fixture('keys-mixed.yaml')]);
  });

  it('judges every key', () => {
    const notApplicable = (reason: string): [string, string] => ['NOT_APPLICABLE', reason];
    expect(verdicts(report)).toEqual({
      RotatingKey: ['COMPLIANT', 'rotation is enabled'],
      RotatingStringKey: ['COMPLIANT', 'rotation is enabled'],
      PlainKey: ['NON_COMPLIANT', 'KMS_KEY_ROTATION_DISABLED'],
      FalseKey: ['NON_COMPLIANT', 'KMS_KEY_ROTATION_DISABLED'],
      StringFalseKey: ['NON_COMPLIANT', 'KMS_KEY_ROTATION_DISABLED'],
      ParamDefaultTrueKey: ['NON_COMPLIANT', 'KMS_KEY_ROTATION_UNRESOLVED'],
      ParamNoDefaultKey: ['NON_COMPLIANT', 'KMS_KEY_ROTATION_UNRESOLVED'],
      ParamDefaultFalseKey: ['NON_COMPLIANT', 'KMS_KEY_ROTATION_DISABLED'],
      ParamAllowedTrueKey: ['COMPLIANT', 'rotation is enabled'],
      ParamAllowsFalseKey: ['NON_COMPLIANT', 'KMS_KEY_ROTATION_UNRESOLVED'],
      ConditionalKey: ['NON_COMPLIANT', 'KMS_KEY_ROTATION_DISABLED'],
      ConditionalBothTrueKey: ['COMPLIANT', 'rotation is enabled'],
      ConditionalNoValueKey: ['NON_COMPLIANT', 'KMS_KEY_ROTATION_DISABLED'],
      MappedKey: ['NON_COMPLIANT', 'KMS_KEY_ROTATION_DISABLED'],
      MappedAlwaysKey: ['COMPLIANT', 'rotation is enabled'],
      ImportedRotationKey: ['NON_COMPLIANT', 'KMS_KEY_ROTATION_UNRESOLVED'],
      SigningKey: notApplicable('asymmetric key (KeySpec RSA_2048): automatic rotation does not apply'),
      HmacKey: notApplicable('HMAC key (KeySpec HMAC_256): automatic rotation does not apply'),
      ImportedMaterialKey: notApplicable('imported key material (Origin EXTERNAL): automatic rotation does not apply'),
      ReplicaOfPrimary: notApplicable('multi-Region replica key: rotation is set on its primary key'),
      ShortPeriodKey: ['NON_COMPLIANT', 'KMS_KEY_ROTATION_PERIOD_INVALID'],
      BadWindowKey: ['NON_COMPLIANT', 'KMS_KEY_PENDING_WINDOW_INVALID'],
    });
    expect(exitCodeFor(report)).toBe(1);
    expect(report.errors).toEqual([]);
  });

  it('says why, in the words of the brief', () => {
    const reasons = Object.fromEntries(report.keys.map((key) => [key.id, key.reason]));
    expect(reasons.PlainKey).toBe('rotation is not enabled');
    expect(reasons.ParamNoDefaultKey).toBe('rotation depends on parameter RotateNoDefault, which can be set to false at deploy time');
    expect(reasons.ParamDefaultTrueKey).toBe('rotation depends on parameter RotateWithDefault, which can be set to false at deploy time');
    expect(reasons.ParamAllowsFalseKey).toBe('rotation depends on parameter RotateEither, which can be set to false at deploy time');
    expect(reasons.ConditionalKey).toBe('rotation is not enabled when condition IsProd is false');
  });

  it('locates each resource on the line of its logical id', () => {
    const lines = Object.fromEntries(report.keys.map((key) => [key.id, key.line]));
    expect(lines.RotatingKey).toBe(45);
    expect(lines.PlainKey).toBe(55);
    expect(lines.BadWindowKey).toBe(135);
  });
});

describe('CloudFormation JSON', () => {
  it('passes a clean template with exit code 0', async () => {
    const report = await checkPaths([fixture('keys-clean.json')]);
    expect(verdicts(report)).toEqual({
      DataKey: ['COMPLIANT', 'rotation is enabled'],
      SigningKey: ['NOT_APPLICABLE', 'asymmetric key (KeySpec ECC_NIST_P256): automatic rotation does not apply'],
      DataKeyReplica: ['NOT_APPLICABLE', 'multi-Region replica key: rotation is set on its primary key'],
    });
    expect(exitCodeFor(report)).toBe(0);
  });

  it('flags the string "false", a parameter that allows false, and a condition', async () => {
    const report = await checkPaths([fixture('keys-findings.json')]);
    expect(findingsOf(report).map((f) => [f.id, f.line, f.message])).toEqual([
      ['LegacyKey', 14, 'rotation is not enabled'],
      ['ParameterKey', 18, 'rotation depends on parameter Rotate, which can be set to false at deploy time'],
      ['ProdOnlyKey', 22, 'rotation is not enabled when condition IsProd is false'],
    ]);
    expect(verdicts(report).RotatingKey).toEqual(['COMPLIANT', 'rotation is enabled']);
    expect(exitCodeFor(report)).toBe(1);
  });
});

describe('Terraform plans', () => {
  it('walks nested modules and resource changes', async () => {
    const report = await checkPaths([fixture('tf-plan-nested.json')]);
    expect(verdicts(report)).toEqual({
      'aws_kms_key.main': ['COMPLIANT', 'rotation is enabled'],
      'aws_kms_key.signing': ['NOT_APPLICABLE', 'asymmetric key (customer_master_key_spec RSA_4096): automatic rotation does not apply'],
      'aws_kms_key.mac': ['NOT_APPLICABLE', 'HMAC key (customer_master_key_spec HMAC_256): automatic rotation does not apply'],
      'aws_kms_replica_key.replica': ['NOT_APPLICABLE', 'multi-Region replica key: rotation is set on its primary key'],
      'module.storage.aws_kms_key.bucket': ['NON_COMPLIANT', 'KMS_KEY_ROTATION_DISABLED'],
      'module.storage.aws_kms_external_key.imported': [
        'NOT_APPLICABLE',
        'imported key material (aws_kms_external_key): automatic rotation does not apply',
      ],
      'module.storage.module.archive.aws_kms_key.archive': ['NON_COMPLIANT', 'KMS_KEY_ROTATION_UNRESOLVED'],
      'module.storage.module.archive.aws_kms_key.cold["eu"]': ['NON_COMPLIANT', 'KMS_KEY_ROTATION_PERIOD_INVALID'],
    });
    // A key being deleted and a data source are not keys the plan creates.
    expect(report.keys.map((key) => key.id)).not.toEqual(expect.arrayContaining(['aws_kms_key.retired']));
    expect(report.keys.find((key) => key.id.startsWith('data.'))).toBeUndefined();
    expect(report.keys.every((key) => key.line === undefined)).toBe(true);
    expect(exitCodeFor(report)).toBe(1);
  });

  it('skips keys removed from state without being destroyed (actions ["forget"]), like deletes', () => {
    const change = (address: string, actions: string[]) => ({
      address,
      mode: 'managed',
      type: 'aws_kms_key',
      change: { actions, after: { enable_key_rotation: false } },
    });
    const plan = {
      format_version: '1.2',
      resource_changes: [
        change('aws_kms_key.forgotten', ['forget']),
        change('aws_kms_key.deleted', ['delete']),
        change('aws_kms_key.replaced', ['delete', 'create']),
      ],
      planned_values: { root_module: { resources: [{ address: 'aws_kms_key.forgotten', mode: 'managed', type: 'aws_kms_key', values: {} }] } },
    };
    const report = checkSources([{ file: 'plan.json', text: JSON.stringify(plan) }]);
    expect(verdicts(report)).toEqual({ 'aws_kms_key.replaced': ['NON_COMPLIANT', 'KMS_KEY_ROTATION_DISABLED'] });
  });

  it('reads a plan that has only resource_changes', async () => {
    const report = await checkPaths([fixture('tf-plan-changes-only.json')]);
    expect(verdicts(report)).toEqual({
      'module.app.aws_kms_key.new': ['NON_COMPLIANT', 'KMS_KEY_ROTATION_DISABLED'],
      'module.app.aws_kms_key.kept': ['COMPLIANT', 'rotation is enabled'],
    });
  });
});

describe('files that cannot be checked', () => {
  it.each([
    ['malformed.yaml', /^invalid YAML: /],
    ['unknown-tag.yaml', /^unknown tag !Foo at line 5/],
    ['multi-document.yaml', /2 YAML documents/],
    ['not-a-template.json', /^not a CloudFormation template or Terraform plan$/],
    ['list.json', /not an object/],
    ['scalar.yaml', /not an object/],
    ['broken.json', /^invalid JSON: .*\(line 3\)$/],
    ['no-such-file.yaml', /^no such file or folder$/],
  ])('%s is exit code 2 and says why', async (name, why) => {
    const report = await checkPaths([fixture(name)]);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0].file).toBe(fixture(name));
    expect(report.errors[0].error).toMatch(why);
    expect(exitCodeFor(report)).toBe(2);
  });

  it('still checks the other files, and an error outweighs findings', async () => {
    const paths = [fixture('keys-findings.json'), fixture('unknown-tag.yaml'), fixture('keys-clean.json')];
    const report = await checkPaths(paths);
    expect(report.files).toEqual(paths);
    expect(report.keys.length).toBe(7);
    expect(findingsOf(report)).toHaveLength(3);
    expect(exitCodeFor(report)).toBe(2);
  });
});

describe('CloudFormation: an intrinsic function on the whole Properties block', () => {
  it('judges every branch of the block, AWS::NoValue as no properties', () => {
    const template = [
      'Conditions:',
      '  IsProd: !Equals [!Ref "AWS::AccountId", "111111111111"]',
      'Resources:',
      '  BothRotate:',
      '    Type: AWS::KMS::Key',
      '    Properties: !If',
      '      - IsProd',
      '      - { EnableKeyRotation: true, RotationPeriodInDays: 90 }',
      '      - { EnableKeyRotation: true }',
      '  DevDoesNot:',
      '    Type: AWS::KMS::Key',
      '    Properties: !If [IsProd, { EnableKeyRotation: true }, { Description: dev }]',
      '  DevHasNone:',
      '    Type: AWS::KMS::Key',
      '    Properties: !If [IsProd, { EnableKeyRotation: true }, !Ref "AWS::NoValue"]',
    ].join('\n');
    const report = checkSources([{ file: 'conditional.yaml', text: template }]);
    expect(report.errors).toEqual([]);
    expect(Object.fromEntries(report.keys.map((key) => [key.id, [key.status, key.reason, key.line]]))).toEqual({
      BothRotate: ['COMPLIANT', 'rotation is enabled', 4],
      DevDoesNot: ['NON_COMPLIANT', 'rotation is not enabled when condition IsProd is false', 10],
      DevHasNone: ['NON_COMPLIANT', 'rotation is not enabled when condition IsProd is false', 13],
    });
  });
});

describe('CDK cloud assemblies (cdk.out folders)', () => {
  it('checks every template, nested stacks and nested assemblies included, and not asset folders', async () => {
    const report = await checkPaths([fixture('cloud-assembly')]);
    expect(report.errors).toEqual([]);
    expect(report.files.map((file) => file.slice(fixture('cloud-assembly').length + 1))).toEqual([
      'AppStack.template.json',
      'AppStackDataNestedStackA1B2C3D4.nested.template.json',
      'EmptyStack.template.json',
      join('assembly-Prod', 'ProdDataStack.template.json'),
    ]);
    expect(verdicts(report)).toEqual({
      DataKey6F6D1C0A: ['COMPLIANT', 'rotation is enabled'],
      ArchiveKeyB0C1D2E3: ['COMPLIANT', 'rotation is enabled'],
      TableKey12345678: ['COMPLIANT', 'rotation is enabled'],
      SigningKeyABCDEF12: ['NOT_APPLICABLE', 'asymmetric key (KeySpec RSA_3072): automatic rotation does not apply'],
    });
    expect(exitCodeFor(report)).toBe(0);
  });

  it('names the nested template that holds a key without rotation', async () => {
    const report = await checkPaths([fixture('cloud-assembly-finding')]);
    expect(findingsOf(report)).toEqual([
      {
        file: fixture(join('cloud-assembly-finding', 'assembly-Dev', 'DevStack.template.json')),
        id: 'ScratchKey9A8B7C6D',
        resourceType: 'AWS::KMS::Key',
        line: 3,
        ruleId: 'KMS_KEY_ROTATION_DISABLED',
        message: 'rotation is not enabled',
      },
    ]);
    expect(exitCodeFor(report)).toBe(1);
  });

  it('refuses a folder without templates, and finds nested assemblies without a manifest', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'rotor-assembly-'));
    try {
      expect((await checkPaths([folder])).errors[0].error).toBe('no CloudFormation template, cdk.out folder or Terraform plan JSON in this folder');
      const nested = join(folder, 'assembly-Stage');
      mkdirSync(nested);
      writeFileSync(join(nested, 'S.template.json'), JSON.stringify({ Resources: { K: { Type: 'AWS::KMS::Key' } } }));
      const report = await checkPaths([folder]);
      expect(report.errors).toEqual([]);
      expect(verdicts(report)).toEqual({ K: ['NON_COMPLIANT', 'KMS_KEY_ROTATION_DISABLED'] });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('reports', () => {
  let report: CheckReport;
  beforeAll(async () => {
    report = await checkPaths([fixture('keys-findings.json'), fixture('tf-plan-nested.json'), fixture('not-a-template.json')]);
  });

  it('text: one line per finding, not-applicable keys with the reason, errors, a summary', () => {
    const file = fixture('keys-findings.json');
    const lines = renderText(report).trimEnd().split('\n');
    expect(lines).toContain(`${file}: LegacyKey (AWS::KMS::Key): rotation is not enabled`);
    expect(lines).toContain(`${file}: ParameterKey (AWS::KMS::Key): rotation depends on parameter Rotate, which can be set to false at deploy time`);
    expect(lines).toContain(
      `${fixture('tf-plan-nested.json')}: aws_kms_key.signing (aws_kms_key): not applicable: asymmetric key (customer_master_key_spec RSA_4096): automatic rotation does not apply`,
    );
    expect(lines).toContain(`${fixture('not-a-template.json')}: error: not a CloudFormation template or Terraform plan`);
    expect(lines[lines.length - 1]).toBe(
      'Checked 3 files: 12 KMS keys (2 compliant, 6 non-compliant, 4 not applicable), 6 findings; 1 file could not be checked.',
    );
  });

  it('json: summary, findings, keys and errors', () => {
    const parsed = JSON.parse(renderJson(report));
    expect(parsed.summary).toEqual({ files: 3, keys: 12, COMPLIANT: 2, NON_COMPLIANT: 6, NOT_APPLICABLE: 4, findings: 6, errors: 1 });
    expect(parsed.findings[0]).toEqual({
      file: fixture('keys-findings.json'),
      id: 'LegacyKey',
      resourceType: 'AWS::KMS::Key',
      line: 14,
      ruleId: 'KMS_KEY_ROTATION_DISABLED',
      message: 'rotation is not enabled',
    });
    expect(parsed.keys).toHaveLength(12);
    expect(parsed.errors).toEqual([{ file: fixture('not-a-template.json'), error: 'not a CloudFormation template or Terraform plan' }]);
    expect(renderReport(report, 'json')).toBe(renderJson(report));
  });

  it('sarif: version 2.1.0, rules, results with rule ids and locations', () => {
    const sarif = buildSarif(report);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.$schema).toMatch(/sarif-2\.1\.0/);
    const [run] = sarif.runs;
    const ruleIds = run.tool.driver.rules.map((rule) => rule.id);
    expect(ruleIds).toContain('KMS_KEY_ROTATION_DISABLED');
    expect(run.results).toHaveLength(6);
    for (const result of run.results) {
      expect(ruleIds[result.ruleIndex]).toBe(result.ruleId);
      expect(result.level).toBe('error');
      expect(result.locations[0].physicalLocation.artifactLocation.uri).toMatch(/^file:\/\/\/.*\.json$/);
    }
    const legacy = run.results.find((result) => result.message.text.startsWith('LegacyKey'));
    expect(legacy).toMatchObject({
      ruleId: 'KMS_KEY_ROTATION_DISABLED',
      message: { text: 'LegacyKey (AWS::KMS::Key): rotation is not enabled' },
      locations: [
        {
          physicalLocation: { region: { startLine: 14 } },
          logicalLocations: [{ name: 'LegacyKey', kind: 'resource' }],
        },
      ],
    });
    const planResult = run.results.find((result) => result.message.text.startsWith('module.storage.aws_kms_key.bucket'));
    expect(planResult?.locations[0].physicalLocation).not.toHaveProperty('region');
    expect(run.invocations[0].executionSuccessful).toBe(false);
    expect(run.invocations[0].toolExecutionNotifications[0].message.text).toMatch(/not a CloudFormation template/);
    expect(JSON.parse(renderReport(report, 'sarif'))).toEqual(JSON.parse(JSON.stringify(sarif)));
  });
});
