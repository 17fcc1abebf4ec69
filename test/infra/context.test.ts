// The CDK app's context: defaults, every accepted form, and a failure naming each bad value, both
// from the pure parser and from infra/app.ts as `cdk synth` runs it.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { CONTEXT_KEYS, ContextError, DEFAULT_RETENTION_DAYS, parseRotorContext, readContext } from '../../infra/context';
import { buildRotorApp } from '../../infra/rotor-app';
import { REPO_ROOT } from './support';

function issuesOf(raw: Record<string, unknown>): { key: string; message: string }[] {
  try {
    parseRotorContext(raw);
  } catch (error) {
    if (error instanceof ContextError) return error.issues.map(({ key, message }) => ({ key, message }));
    throw error;
  }
  throw new Error('expected a ContextError');
}

describe('parseRotorContext', () => {
  test('defaults: parameters for org values, the default role names, a daily schedule, no guardrails', () => {
    expect(parseRotorContext({})).toEqual({
      memberTargets: undefined,
      organizationId: undefined,
      externalId: undefined,
      scanRoleName: 'KmsRotorScanRole',
      remediateRoleName: 'KmsRotorRemediateRole',
      callAs: 'SELF',
      schedule: { expression: 'rate(1 day)', enabled: true },
      notificationEmail: undefined,
      guardrails: false,
      guardrailTargets: undefined,
      breakGlassRoleArns: undefined,
      allowedRotationRange: undefined,
      conformancePackExcludedAccounts: undefined,
      conformancePackRegions: undefined,
      retentionDays: 90,
      enforcement: 'detect',
      enforcementRegions: undefined,
      enforcementNotifications: false,
      securityHubExport: false,
    });
  });

  test('every option as the strings `-c key=value` gives', () => {
    const settings = parseRotorContext({
      memberTargets: 'r-ab12, ou-ab12-abcdefgh,ou-ab12-abcdefgh',
      organizationId: 'o-a1b2c3d4e5',
      externalId: 'rotor-external-1',
      scanRoleName: 'OrgScan',
      remediateRoleName: 'OrgFix',
      callAs: 'DELEGATED_ADMIN',
      schedule: 'cron(0 6 ? * MON-FRI *)',
      scheduleEnabled: 'false',
      notificationEmail: 'secops@example.com',
      guardrails: 'true',
      guardrailTargets: 'ou-ab12-zzzzzzzz',
      breakGlassRoleArn: 'arn:aws:iam::111122223333:role/admin/BreakGlass',
      allowedRotationRange: '90-365',
      conformancePackExcludedAccounts: '111111111111, 222222222222',
      conformancePackRegions: 'eu-west-1,ap-southeast-2',
      retentionDays: '400',
      enforcement: 'remediate',
      enforcementRegions: 'eu-west-1, ap-southeast-2',
      enforcementNotifications: 'true',
      securityHubExport: 'true',
    });
    expect(settings).toEqual({
      memberTargets: ['r-ab12', 'ou-ab12-abcdefgh'],
      organizationId: 'o-a1b2c3d4e5',
      externalId: 'rotor-external-1',
      scanRoleName: 'OrgScan',
      remediateRoleName: 'OrgFix',
      callAs: 'DELEGATED_ADMIN',
      schedule: { expression: 'cron(0 6 ? * MON-FRI *)', enabled: false },
      notificationEmail: 'secops@example.com',
      guardrails: true,
      guardrailTargets: ['ou-ab12-zzzzzzzz'],
      breakGlassRoleArns: ['arn:aws:iam::111122223333:role/admin/BreakGlass'],
      allowedRotationRange: { min: 90, max: 365 },
      conformancePackExcludedAccounts: ['111111111111', '222222222222'],
      conformancePackRegions: ['eu-west-1', 'ap-southeast-2'],
      retentionDays: 400,
      enforcement: 'remediate',
      enforcementRegions: ['eu-west-1', 'ap-southeast-2'],
      enforcementNotifications: true,
      securityHubExport: true,
    });
  });

  test('retentionDays: the store\'s default of 90, a number from cdk.json or digits from -c, 7-3650', () => {
    expect(DEFAULT_RETENTION_DAYS).toBe(90);
    expect(parseRotorContext({}).retentionDays).toBe(DEFAULT_RETENTION_DAYS);
    expect(parseRotorContext({ retentionDays: '' }).retentionDays).toBe(DEFAULT_RETENTION_DAYS);
    expect(parseRotorContext({ retentionDays: 30 }).retentionDays).toBe(30);
    expect(parseRotorContext({ retentionDays: ' 7 ' }).retentionDays).toBe(7);
    expect(parseRotorContext({ retentionDays: '3650' }).retentionDays).toBe(3650);
  });

  test('breakGlassRoleArn: account * (every account), or a list of role ARNs', () => {
    expect(parseRotorContext({ breakGlassRoleArn: 'arn:aws:iam::*:role/BreakGlass' }).breakGlassRoleArns).toEqual([
      'arn:aws:iam::*:role/BreakGlass',
    ]);
    expect(
      parseRotorContext({ breakGlassRoleArn: 'arn:aws:iam::111122223333:role/BreakGlass, arn:aws:iam::*:role/ops/Incident' })
        .breakGlassRoleArns,
    ).toEqual(['arn:aws:iam::111122223333:role/BreakGlass', 'arn:aws:iam::*:role/ops/Incident']);
    expect(parseRotorContext({ breakGlassRoleArn: ['arn:aws:iam::*:role/BreakGlass'] }).breakGlassRoleArns).toEqual([
      'arn:aws:iam::*:role/BreakGlass',
    ]);
  });

  test('a break-glass list too long for an SCP is refused, naming the size', () => {
    const roles = Array.from({ length: 40 }, (_, i) => `arn:aws:iam::${String(100000000000 + i)}:role/break-glass/EmergencyAccessRole`);
    expect(issuesOf({ breakGlassRoleArn: roles.join(','), allowedRotationRange: '400-2560' })).toEqual([
      { key: 'breakGlassRoleArn', message: expect.stringMatching(/makes the SCP \d+ characters, over the 5120/) },
    ]);
    // Each deny statement repeats the list: five roles in the one statement without a range fit.
    expect(() => parseRotorContext({ breakGlassRoleArn: roles.slice(0, 5).join(',') })).not.toThrow();
  });

  test('JSON values from cdk.json: arrays and booleans', () => {
    const settings = parseRotorContext({ memberTargets: ['r-ab12'], guardrails: true, scheduleEnabled: false });
    expect(settings.memberTargets).toEqual(['r-ab12']);
    expect(settings.guardrails).toBe(true);
    expect(settings.schedule).toEqual({ expression: 'rate(1 day)', enabled: false });
  });

  test('schedule=off turns the schedule off; rate expressions in either number form', () => {
    expect(parseRotorContext({ schedule: 'off' }).schedule).toBeUndefined();
    expect(parseRotorContext({ schedule: 'rate(12 hours)' }).schedule?.expression).toBe('rate(12 hours)');
    expect(parseRotorContext({ schedule: 'rate(1 hour)' }).schedule?.expression).toBe('rate(1 hour)');
  });

  test.each([
    ['memberTargets', 'r-ab12,123456789012', /123456789012 is not a root id/],
    ['memberTargets', 'ou-ab12', /ou-ab12 is not a root id/],
    ['guardrailTargets', 'root', /root is not a root id/],
    ['organizationId', 'org-1', /organization id/],
    ['externalId', 'x', /2-1224 characters/],
    ['scanRoleName', 'bad role', /IAM role name/],
    ['callAs', 'ADMIN', /SELF, DELEGATED_ADMIN/],
    ['schedule', 'daily', /rate\(\.\.\.\) or cron\(\.\.\.\)/],
    ['schedule', 'rate(1 days)', /rate\(\.\.\.\) or cron\(\.\.\.\)/],
    ['schedule', 'cron(0 6 * * *)', /rate\(\.\.\.\) or cron\(\.\.\.\)/],
    ['scheduleEnabled', 'yes', /true or false/],
    ['guardrails', 'on', /true or false/],
    ['notificationEmail', 'secops', /email address/],
    ['breakGlassRoleArn', 'BreakGlass', /^BreakGlass is not an IAM role ARN/],
    ['breakGlassRoleArn', 'arn:aws:iam::111122223333:user/admin', /^arn:aws:iam::111122223333:user\/admin is not an IAM role ARN/],
    ['breakGlassRoleArn', 'arn:aws:iam::*:role/*', /^arn:aws:iam::\*:role\/\* is not an IAM role ARN/],
    ['breakGlassRoleArn', 'arn:aws:iam::*:role/Ok,arn:aws:iam::12:role/Bad', /^arn:aws:iam::12:role\/Bad is not an IAM role ARN/],
    ['conformancePackExcludedAccounts', '111111111111,12345', /^12345 is not a 12-digit account id/],
    ['conformancePackExcludedAccounts', Array.from({ length: 1001 }, (_, i) => String(100000000000 + i)).join(','), /at most 1000/],
    ['conformancePackRegions', 'eu-west-1,europe', /^europe is not a Region name/],
    ['allowedRotationRange', '30-365', /within 90-2560/],
    ['allowedRotationRange', '90-3000', /within 90-2560/],
    ['allowedRotationRange', '365-90', /MIN no greater than MAX/],
    ['allowedRotationRange', '90', /MIN-MAX/],
    ['retentionDays', '6', /whole number of days within 7-3650/],
    ['retentionDays', '3651', /whole number of days within 7-3650/],
    ['retentionDays', '30.5', /whole number of days within 7-3650/],
    ['retentionDays', '-30', /whole number of days within 7-3650/],
    ['retentionDays', '1e2', /whole number of days within 7-3650/],
    ['retentionDays', '0x20', /whole number of days within 7-3650/],
    ['retentionDays', 'ninety', /whole number of days within 7-3650/],
    ['retentionDays', 12.5, /whole number of days within 7-3650/],
    ['retentionDays', true, /whole number of days within 7-3650/],
  ])('%s=%s is refused', (key, value, message) => {
    const issues = issuesOf({ [key]: value });
    expect(issues).toEqual([{ key, message: expect.stringMatching(message) }]);
  });

  const NOT_A_TARGET = 'is not a root id (r-xxxx) or an organizational unit id (ou-xxxx-xxxxxxxx)';
  const NOT_A_REGION = 'is not a Region name such as eu-west-1';
  // Every key with a bad value: the one message it gets, naming the rule (and the bad items of a list).
  const BAD_VALUES: [string, unknown, string][] = [
    ['memberTargets', 'r-ab12,x-1, y-2', `x-1, y-2 ${NOT_A_TARGET}`],
    ['memberTargets', 12, 'must be a comma-separated list'],
    ['memberTargets', ['r-ab12', 7], 'must be a comma-separated list'],
    ['organizationId', 'o-short', 'must be an organization id such as o-a1b2c3d4e5'],
    ['externalId', 'has space', 'must be 2-1224 characters of [A-Za-z0-9+=,.@:/_-]'],
    ['externalId', 42, 'must be a string'],
    ['scanRoleName', 'x'.repeat(65), 'must be an IAM role name'],
    ['remediateRoleName', 'bad/role', 'must be an IAM role name'],
    ['callAs', 'self', 'must be one of SELF, DELEGATED_ADMIN'],
    ['schedule', 'rate(0 days)', 'must be an EventBridge Scheduler rate(...) or cron(...) expression, or off'],
    ['scheduleEnabled', 1, 'must be true or false'],
    ['notificationEmail', 'a@b', 'must be an email address'],
    ['guardrails', 'TRUE', 'must be true or false'],
    ['guardrailTargets', 'ou-1', `ou-1 ${NOT_A_TARGET}`],
    ['breakGlassRoleArn', 'arn:aws:iam::*:user/x', 'arn:aws:iam::*:user/x is not an IAM role ARN: give arn:aws:iam::*:role/BreakGlass (that role name in every account), one role ARN, or a comma-separated list of them'],
    ['allowedRotationRange', '90-', 'must be MIN-MAX days, both within 90-2560, such as 90-365'],
    ['allowedRotationRange', '89-365', 'must have both within 90-2560 (KMS accepts RotationPeriodInDays 90-2560)'],
    ['allowedRotationRange', '3000-90', 'must have both within 90-2560 (KMS accepts RotationPeriodInDays 90-2560)'],
    ['allowedRotationRange', '200 - 100', 'must have MIN no greater than MAX'],
    ['conformancePackExcludedAccounts', '1234567890123', '1234567890123 is not a 12-digit account id'],
    ['conformancePackRegions', 'EU-WEST-1', `EU-WEST-1 ${NOT_A_REGION}`],
    ['retentionDays', '99999999999999999999', 'must be a whole number of days within 7-3650, such as 90'],
    ['retentionDays', 6, 'must be a whole number of days within 7-3650'],
    ['enforcement', 'enforce', 'must be one of remediate, detect, off'],
    ['enforcementRegions', 'eu-west-1,mars-1', `mars-1 ${NOT_A_REGION}`],
    ['enforcementNotifications', 'no', 'must be true or false'],
    ['securityHubExport', 0, 'must be true or false'],
    ['evidenceRetentionDays', '0', 'must be a whole number of days within 1-3650'],
    ['evidenceRetentionDays', 'a year', 'must be a whole number of days within 1-3650, such as 90'],
  ];
  test.each(BAD_VALUES)('%s=%j: exactly its message', (key, value, message) => {
    expect(issuesOf({ [key]: value })).toEqual([{ key, message }]);
  });

  test('every context key has a bad-value case above', () => {
    expect([...new Set(BAD_VALUES.map(([key]) => key))].sort()).toEqual([...CONTEXT_KEYS].sort());
  });

  test('not given is undefined, null or blank: each key then takes its default', () => {
    const blank = Object.fromEntries(CONTEXT_KEYS.map((key) => [key, ' ']));
    const none = Object.fromEntries(CONTEXT_KEYS.map((key) => [key, null]));
    expect(parseRotorContext(blank)).toEqual(parseRotorContext({}));
    expect(parseRotorContext(none)).toEqual(parseRotorContext({}));
    expect(parseRotorContext({ memberTargets: ' , ,', breakGlassRoleArn: [] }).memberTargets).toBeUndefined();
  });

  test('the schedule follows enforcement unless given: weekly when remediating, daily otherwise', () => {
    expect(parseRotorContext({ enforcement: 'remediate' }).schedule).toEqual({ expression: 'rate(7 days)', enabled: true });
    expect(parseRotorContext({ enforcement: 'off' }).schedule).toEqual({ expression: 'rate(1 day)', enabled: true });
    expect(parseRotorContext({ enforcement: 'remediate', schedule: 'rate(2 days)' }).schedule?.expression).toBe('rate(2 days)');
    expect(parseRotorContext({ evidenceRetentionDays: 1 }).evidenceRetentionDays).toBe(1);
  });

  test('a rule over two keys speaks alongside other bad keys, and never of a key that is itself bad', () => {
    expect(issuesOf({ scanRoleName: 'Same', remediateRoleName: 'Same', callAs: 'x' })).toEqual([
      { key: 'callAs', message: 'must be one of SELF, DELEGATED_ADMIN' },
      { key: 'remediateRoleName', message: 'must differ from scanRoleName (Same): a scan must never hold remediation rights' },
    ]);
    const roles = Array.from({ length: 40 }, (_, i) => `arn:aws:iam::${String(100000000000 + i)}:role/break-glass/EmergencyAccessRole`);
    expect(issuesOf({ breakGlassRoleArn: roles.join(','), allowedRotationRange: '10-20' })).toEqual([
      { key: 'allowedRotationRange', message: expect.stringMatching(/^must have both within/) },
    ]);
  });

  test('the error names every bad key with the value given', () => {
    expect(() => parseRotorContext({ breakGlassRoleArn: 'nope', allowedRotationRange: '10-20', memberTargets: 'x-1' })).toThrow(
      /-c memberTargets="x-1": .*\n.*-c breakGlassRoleArn="nope": .*\n.*-c allowedRotationRange="10-20": /,
    );
  });

  test('the scan and remediate roles must differ', () => {
    expect(issuesOf({ scanRoleName: 'Same', remediateRoleName: 'Same' })).toEqual([
      { key: 'remediateRoleName', message: expect.stringMatching(/must differ from scanRoleName/) },
    ]);
  });

  test('readContext asks for exactly the keys the parser knows', () => {
    const asked: string[] = [];
    const raw = readContext((key) => {
      asked.push(key);
      return key === 'guardrails' ? 'true' : undefined;
    });
    expect(parseRotorContext(raw).guardrails).toBe(true);
    expect(asked).toContain('allowedRotationRange');
    expect(asked).toContain('conformancePackExcludedAccounts');
    expect(asked).toContain('conformancePackRegions');
    expect(asked).toContain('retentionDays');
    expect(asked).toContain('securityHubExport');
    expect(asked).toContain('evidenceRetentionDays');
    expect(asked).toHaveLength(21);
  });
});

describe('a bad context value stops synth', () => {
  test('buildRotorApp throws before creating any stack', () => {
    const app = new App({ context: { breakGlassRoleArn: 'arn:aws:iam::1:role/x' } });
    expect(() => buildRotorApp(app)).toThrow(/breakGlassRoleArn="arn:aws:iam::1:role\/x"/);
    expect(app.node.children).toHaveLength(0);
  });

  test('an extra conformance pack Region may not be the one the guardrails stack deploys to', () => {
    const app = new App({ context: { guardrails: 'true', conformancePackRegions: 'eu-west-1,us-east-1' } });
    expect(() => buildRotorApp(app, { defaultRegion: 'us-east-1' })).toThrow(
      /-c conformancePackRegions="eu-west-1,us-east-1": names us-east-1, where KmsRotorGuardrails already deploys the pack/,
    );
    expect(app.node.children).toHaveLength(0);
  });

  test('infra/app.ts (what cdk synth runs) exits 1 with the message, not a stack trace', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kms-rotor-app-'));
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'infra/app.ts'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify({ allowedRotationRange: '30-400', memberTargets: 'ou-bad' }),
      },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('-c allowedRotationRange="30-400"');
    expect(result.stderr).toContain('-c memberTargets="ou-bad"');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(fs.readdirSync(outdir)).toEqual([]);
  });
});
