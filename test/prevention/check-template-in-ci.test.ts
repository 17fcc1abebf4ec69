// check-template as another repository's CI runs it: the built command in a child process started
// in that repository's folder, directly and through `npm run rotor`; every check-template example
// of the operator's guide and of --help, run there; and a FIFO argument that ends at once.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callerFolder } from '../../cli/commands/check-template';
import { buildCli, CLI, finished as runToEnd, REPO, rotorScript } from '../support/built-command';

/** A child process run to its end, stopped after a minute: a check that hangs fails instead of holding the suite. */
const finished = (command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) => runToEnd(command, args, cwd, env, 60_000);
const fixture = (name: string) => join(__dirname, 'fixtures', name);

const rotatingKey = { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true } };
const cleanPlan = JSON.stringify({
  format_version: '1.2',
  planned_values: { root_module: { resources: [{ address: 'aws_kms_key.k', mode: 'managed', type: 'aws_kms_key', values: { enable_key_rotation: true } }] } },
});

let work: string;
beforeAll(() => {
  buildCli();
  work = mkdtempSync(join(tmpdir(), 'rotor-ci-'));
  // A clean infrastructure repository, as the guide's examples expect it...
  const ci = join(work, 'ci');
  mkdirSync(ci);
  writeFileSync(join(ci, 'template.yaml'), `Resources:\n  DataKey:\n    Type: AWS::KMS::Key\n    Properties:\n      EnableKeyRotation: true\n`);
  cpSync(fixture('cloud-assembly'), join(ci, 'cdk.out'), { recursive: true });
  writeFileSync(join(ci, 'plan.json'), cleanPlan);
  writeFileSync(join(work, 'terraform-show.json'), cleanPlan);
  // ...and one with a finding, for relative paths.
  mkdirSync(join(work, 'iac'));
  writeFileSync(join(work, 'iac', 'stack.template.json'), JSON.stringify({ Resources: { Plain: { Type: 'AWS::KMS::Key' }, Rotating: rotatingKey } }));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the folder relative paths start from', () => {
  const env = (vars: Record<string, string>) => vars as NodeJS.ProcessEnv;

  it('is INIT_CWD under `npm run rotor`, which starts in this package\'s root', () => {
    expect(callerFolder(env({ npm_lifecycle_event: 'rotor', npm_package_name: 'kms-rotor', INIT_CWD: '/home/me/iac' }), REPO)).toBe('/home/me/iac');
  });

  it('is the working folder otherwise: installed, in another package\'s script, in this package\'s tests', () => {
    expect(callerFolder(env({}), '/ci/job')).toBe('/ci/job');
    expect(callerFolder(env({ npm_lifecycle_event: 'rotor', npm_package_name: 'their-iac', INIT_CWD: '/ci' }), '/ci/job')).toBe('/ci/job');
    expect(callerFolder(env({ npm_lifecycle_event: 'test', npm_package_name: 'kms-rotor', INIT_CWD: '/ci' }), '/ci/job')).toBe('/ci/job');
  });

  it('is the folder the built command runs in, whatever INIT_CWD a parent npm left', async () => {
    const inherited = { ...process.env, INIT_CWD: '/', npm_lifecycle_event: 'test', npm_package_name: 'kms-rotor' };
    const run = await finished(process.execPath, [CLI, 'check-template', 'iac', '--format', 'json', '--out', 'report.json'], work, inherited);
    expect(run.status).toBe(1);
    const report = JSON.parse(readFileSync(join(work, 'report.json'), 'utf8'));
    expect(report.findings.map((finding: { file: string; id: string }) => [finding.file, finding.id])).toEqual([[join('iac', 'stack.template.json'), 'Plain']]);
  });

  it('is the folder `npm run rotor` is typed in, for the paths and for --out', async () => {
    const run = await finished('npm', ['--prefix', REPO, 'run', '--silent', 'rotor', '--', 'check-template', 'iac', '--out', 'npm-report.txt'], work);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
    expect(run.stdout).toBe(`Checked 1 file: 2 KMS keys (1 compliant, 1 non-compliant, 0 not applicable), 1 finding. Report written to npm-report.txt.\n`);
    expect(readFileSync(join(work, 'npm-report.txt'), 'utf8')).toContain(`${join('iac', 'stack.template.json')}: Plain (AWS::KMS::Key): rotation is not enabled`);
  });
});

describe('the examples', () => {
  /** The lines of the sh block of the operator's guide's "Prevention in CI". */
  function guideExamples(): string[] {
    const guide = readFileSync(join(REPO, 'docs', 'operator-guide.md'), 'utf8');
    const block = guide.slice(guide.indexOf('## Prevention in CI')).match(/```sh\n([\s\S]*?)```/);
    return (block?.[1] ?? '').split('\n').filter((line) => line.trim() !== '');
  }

  async function helpExamples(): Promise<string[]> {
    const help = await finished(process.execPath, [CLI, 'check-template', '--help'], work);
    return help.stdout.split('\n').flatMap((line) => line.match(/^ {2}\$ (.*)$/)?.[1] ?? []);
  }

  /** Every example, and its exit code in the clean repository. */
  const EXPECTED: Record<string, number> = {
    'rotor check-template .': 0,
    'rotor check-template template.yaml': 0,
    'rotor check-template template.yaml cdk.out plan.json --format sarif --out kms.sarif': 0,
    'rotor check-template cdk.out --format sarif --out rotation.sarif': 0,
    'terraform plan -out plan.out && terraform show -json plan.out > plan.json': 0,
    'terraform show -json plan.out > plan.json && rotor check-template plan.json --format json': 0,
  };

  it('are the ones this test runs', async () => {
    expect([...new Set([...guideExamples(), ...(await helpExamples())])].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s exits %d', async (example, status) => {
    // Terraform is not installed here: the stand-in prints a plan as `terraform show -json` does.
    const terraform = `terraform() { if [ "$1" = show ]; then cat ${JSON.stringify(join(work, 'terraform-show.json'))}; fi; }`;
    const run = await finished('bash', ['-c', rotorScript(`${terraform}; ${example}`)], join(work, 'ci'));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(status);
    for (const out of example.match(/--out (\S+)/)?.slice(1) ?? []) {
      expect(JSON.parse(readFileSync(join(work, 'ci', out), 'utf8')).runs[0].results).toEqual([]);
    }
  });
});

it('refuses a FIFO argument at once: exit 2, saying why, without a stack trace', async () => {
  const fifo = join(work, 'pipe.yaml');
  if (!existsSync(fifo)) execFileSync('mkfifo', [fifo]);
  const run = await finished(process.execPath, [CLI, 'check-template', 'pipe.yaml', join('iac', 'stack.template.json')], work);
  expect(run.status).toBe(2);
  expect(run.stdout).toContain('pipe.yaml: error: a named pipe (FIFO), not a regular file: only regular files are read\n');
  expect(run.stdout).toContain('Plain (AWS::KMS::Key): rotation is not enabled');
  expect(run.stderr).toBe('');
});
