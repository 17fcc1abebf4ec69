// `rotor check-template`: exit codes 0/1/2, formats, --out, and the help text, through commander.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerCheckTemplate } from '../../cli/commands/check-template';
import { UsageError } from '../../cli/errors';

const fixture = (name: string) => join(__dirname, 'fixtures', name);

interface Run {
  stdout: string;
  stderr: string;
  exitCode: number;
  error?: unknown;
}

/** Runs the command as bin.ts would, and turns a thrown error into the exit code bin.ts gives it. */
async function rotor(...args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  const program = new Command('rotor').exitOverride().configureOutput({
    writeOut: (text) => (stdout += text),
    writeErr: (text) => (stderr += text),
  });
  registerCheckTemplate(program);
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'rotor', 'check-template', ...args]);
    return { stdout, stderr, exitCode: Number(process.exitCode ?? 0) };
  } catch (error) {
    const exitCode = (error as { exitCode?: number }).exitCode ?? 1;
    return { stdout, stderr, exitCode, error };
  } finally {
    process.exitCode = undefined;
    out.mockRestore();
    err.mockRestore();
  }
}

describe('rotor check-template', () => {
  it('exits 0 on clean files and says so', async () => {
    const run = await rotor(fixture('keys-clean.json'), fixture('cloud-assembly'));
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/Checked 5 files: 7 KMS keys \(4 compliant, 0 non-compliant, 3 not applicable\), 0 findings\.\n$/);
  });

  it('exits 1 with findings, one line each', async () => {
    const run = await rotor(fixture('keys-findings.json'));
    expect(run.error).toBeUndefined();
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(`${fixture('keys-findings.json')}: LegacyKey (AWS::KMS::Key): rotation is not enabled\n`);
  });

  it('exits 2 on a file it cannot parse, naming the file and why, without a stack trace', async () => {
    const run = await rotor(fixture('keys-findings.json'), fixture('unknown-tag.yaml'));
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toContain(`${fixture('unknown-tag.yaml')}: error: unknown tag !Foo at line 5`);
    expect(run.stdout).not.toMatch(/\n\s+at /);
  });

  it('writes JSON and SARIF, and the errors to stderr for those formats', async () => {
    const json = await rotor('--format', 'json', fixture('tf-plan-nested.json'), fixture('not-a-template.json'));
    expect(json.exitCode).toBe(2);
    expect(JSON.parse(json.stdout).summary.findings).toBe(3);
    expect(json.stderr).toBe(`rotor: ${fixture('not-a-template.json')}: not a CloudFormation template or Terraform plan\n`);
    const sarif = await rotor('--format', 'sarif', fixture('keys-mixed.yaml'));
    expect(sarif.exitCode).toBe(1);
    const parsed = JSON.parse(sarif.stdout);
    expect(parsed.version).toBe('2.1.0');
    expect(parsed.runs[0].results[0]).toMatchObject({ ruleId: 'KMS_KEY_ROTATION_DISABLED' });
  });

  it('writes the report to --out and a summary to stdout', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'rotor-out-'));
    try {
      const target = join(folder, 'report.sarif');
      const run = await rotor(fixture('cloud-assembly-finding'), '--format', 'sarif', '--out', target);
      expect(run.exitCode).toBe(1);
      expect(run.stdout).toBe(`Checked 1 file: 1 KMS key (0 compliant, 1 non-compliant, 0 not applicable), 1 finding. Report written to ${target}.\n`);
      const sarif = JSON.parse(readFileSync(target, 'utf8'));
      expect(sarif.runs[0].results[0].locations[0].physicalLocation.region).toEqual({ startLine: 3 });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('reports a missing path as that file\'s error, keeps the other files\' results, and exits 2', async () => {
    const missing = fixture('does-not-exist.yaml');
    const text = await rotor(fixture('keys-findings.json'), missing);
    expect(text.error).toBeUndefined();
    expect(text.exitCode).toBe(2);
    expect(text.stdout).toContain(`${fixture('keys-findings.json')}: LegacyKey (AWS::KMS::Key): rotation is not enabled\n`);
    expect(text.stdout).toContain(`${missing}: error: no such file or folder\n`);
    expect(text.stdout).toMatch(/Checked 2 files: .*; 1 file could not be checked\.\n$/);

    const folder = mkdtempSync(join(tmpdir(), 'rotor-missing-'));
    try {
      const target = join(folder, 'report.sarif');
      const sarif = await rotor('--format', 'sarif', '--out', target, missing, fixture('cloud-assembly-finding'));
      expect(sarif.error).toBeUndefined();
      expect(sarif.exitCode).toBe(2);
      expect(sarif.stderr).toBe(`rotor: ${missing}: no such file or folder\n`);
      const [run] = JSON.parse(readFileSync(target, 'utf8')).runs;
      expect(run.results.map((result: { ruleId: string }) => result.ruleId)).toEqual(['KMS_KEY_ROTATION_DISABLED']);
      expect(run.invocations[0].executionSuccessful).toBe(false);
      expect(run.invocations[0].toolExecutionNotifications[0].message.text).toBe(`${missing}: no such file or folder`);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it.each([
    [['--format', 'xml', fixture('keys-clean.json')], /unknown format "xml".*text, json, sarif/],
    [[], /needs at least one file/],
    [['--out', join(tmpdir(), 'no-such-folder', 'r.txt'), fixture('keys-clean.json')], /cannot write/],
  ])('bad usage %j ends with a UsageError, exit code 2', async (args, message) => {
    const run = await rotor(...args);
    expect(run.error).toBeInstanceOf(UsageError);
    expect((run.error as Error).message).toMatch(message);
    expect(run.exitCode).toBe(2);
  });

  it('explains itself in --help, with an example', async () => {
    const run = await rotor('--help');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('Usage: rotor check-template [options] <files...>');
    expect(run.stdout).toContain('Terraform plans');
    expect(run.stdout).toContain('--format <format>');
    expect(run.stdout).toContain('(default: "text")');
    expect(run.stdout).toContain('--out <file>');
    expect(run.stdout).toContain('Exit codes: 0 no findings, 1 findings, 2');
    // commander wraps paragraphs to the terminal's width.
    const words = run.stdout.replace(/\s+/g, ' ');
    expect(words).toContain('Any other folder is searched');
    expect(words).toContain('Relative paths are taken from the folder you run the command in');
    expect(words).toContain('terraform show -json plan.out > plan.json');
    expect(run.stdout).toContain('$ rotor check-template cdk.out --format sarif --out rotation.sarif');
  });
});
