// The package as a user installs it: `npm pack`, then `npm install -g` of the tarball into a
// scratch prefix, and `kms-rotor` / `rotor` run from an unrelated folder against the simulated
// organization, with nothing of this repository on the way; its shell completion; and its library
// entry points (kms-rotor/aspects, kms-rotor/prevention) used, with their types, by another CDK app.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { startSimulator, type SimulatedOrganization } from '../../local/sim';
import { standardScenarioPath } from '../scenarios';
import { finished, REPO, userEnv } from '../support/built-command';

let sim: SimulatedOrganization;
let scratch: string;
let bin: string;
let prefix: string;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'rotor-package-'));
  const packed = await finished('npm', ['pack', '--silent', '--pack-destination', scratch], REPO, userEnv());
  expect(packed.status).toBe(0);
  const tarball = readdirSync(scratch).find((name) => name.endsWith('.tgz'))!;
  prefix = join(scratch, 'prefix');
  // The dependencies come from npm's cache, which `npm ci` filled.
  const installed = await finished('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(scratch, tarball)], scratch, userEnv());
  expect(installed.status).toBe(0);
  bin = join(prefix, 'bin');
  sim = await startSimulator({ scenario: standardScenarioPath });
});
afterAll(async () => {
  await sim?.close();
  rmSync(scratch, { recursive: true, force: true });
});

test('the tarball holds the built command, the workflow and the demo scenario, not the sources', async () => {
  const listed = await finished('tar', ['tzf', readdirSync(scratch).find((name) => name.endsWith('.tgz'))!], scratch, userEnv());
  const files = listed.stdout.split('\n').filter(Boolean).sort();
  expect(files).toEqual(expect.arrayContaining(['package/dist/cli.js', 'package/dist/scenarios/demo.json', 'package/statemachine/rollout.asl.json', 'package/package.json']));
  expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
});

test('kms-rotor and rotor run from any folder: the version, and a local scan whose JSON report is all of stdout', async () => {
  const elsewhere = join(scratch, 'elsewhere');
  mkdirSync(elsewhere);
  const env = userEnv({ PATH: `${bin}${delimiter}${process.env.PATH}` });
  const { version } = jest.requireActual<{ version: string }>('../../package.json');
  expect(await finished('kms-rotor', ['--version'], elsewhere, env)).toEqual({ status: 0, stdout: `${version}\n`, stderr: '' });
  expect(await finished('rotor', ['-v'], elsewhere, env)).toEqual({ status: 0, stdout: `${version}\n`, stderr: '' });

  const simulated = {
    ...env,
    AWS_ENDPOINT_URL: sim.endpoint,
    AWS_ACCESS_KEY_ID: sim.managementCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: sim.managementCredentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
  };
  const scan = await finished('kms-rotor', ['run', '--local', '--mode', 'scan', '--output', 'json', '--exit-zero'], elsewhere, simulated);
  expect(scan).toMatchObject({ status: 0 });
  expect(JSON.parse(scan.stdout)).toMatchObject({ mode: 'scan', status: 'SUCCEEDED' });
  // The store is the working folder's, as for any command run there.
  expect(readdirSync(elsewhere)).toEqual(['.rotor']);
  const runs = await finished('rotor', ['runs', '--output', 'json'], elsewhere, simulated);
  expect(JSON.parse(runs.stdout)).toHaveLength(1);
});

test('kms-rotor completion bash: a script that completes commands, subcommands and option values in bash', async () => {
  const env = userEnv({ PATH: `${bin}${delimiter}${process.env.PATH}` });
  const script = `source <(kms-rotor completion bash)
complete_words() { COMP_WORDS=("$@"); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); _rotor_complete; echo "\${COMPREPLY[*]}"; }
complete_words rotor exc; complete_words rotor exceptions l; complete_words rotor run --mode ""; complete_words kms-rotor completion z`;
  const completed = await finished('bash', ['-c', script], scratch, env);
  expect(completed).toMatchObject({ status: 0, stderr: '' });
  expect(completed.stdout.split('\n')).toEqual(['exceptions', 'list', 'scan remediate', 'zsh', '']);
  const zsh = await finished('kms-rotor', ['completion', 'zsh'], scratch, env);
  expect(zsh.stdout).toMatch(/^#compdef rotor kms-rotor\n/);
  expect(await finished('kms-rotor', ['completion', 'fish'], scratch, env)).toMatchObject({ status: 2, stdout: '' });
});

test('another CDK app imports kms-rotor/aspects and kms-rotor/prevention, type-checks against their types, and they work', async () => {
  const app = join(scratch, 'other-app');
  mkdirSync(join(app, 'node_modules'), { recursive: true });
  // The app's own aws-cdk-lib and constructs (the package's peers), and the installed kms-rotor.
  symlinkSync(join(prefix, 'lib', 'node_modules', 'kms-rotor'), join(app, 'node_modules', 'kms-rotor'));
  for (const dep of ['aws-cdk-lib', 'constructs', '@types']) symlinkSync(join(REPO, 'node_modules', dep), join(app, 'node_modules', dep));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'other-app', private: true }));
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { strict: true, module: 'node16', moduleResolution: 'node16', target: 'ES2022', types: ['node'], skipLibCheck: true, noEmit: true, preserveSymlinks: true }, files: ['app.ts'] }),
  );
  writeFileSync(
    join(app, 'app.ts'),
    `import { App, Aspects, Stack } from 'aws-cdk-lib';
import { CfnKey } from 'aws-cdk-lib/aws-kms';
import { KeyRotationAspect } from 'kms-rotor/aspects';
import { checkSources, type CheckReport } from 'kms-rotor/prevention';

const app = new App();
const stack = new Stack(app, 'Keys');
new CfnKey(stack, 'NoRotation', {});
new CfnKey(stack, 'Rotating', { enableKeyRotation: true });
Aspects.of(app).add(new KeyRotationAspect({ level: 'warning' }));
const assembly = app.synth();
const warnings = assembly.getStackByName('Keys').messages.filter((m) => m.level === 'warning').map((m) => m.id);
const report: CheckReport = checkSources([{ file: 'keys.json', text: JSON.stringify(assembly.getStackByName('Keys').template) }]);
console.log(JSON.stringify({ warnings, keys: report.keys.map((k) => [k.id, k.status]) }));
`,
  );
  const typed = await finished(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', app], app, userEnv());
  expect(typed).toMatchObject({ stdout: '', status: 0 });
  // Run it as the app's own build would: compiled to JavaScript (esbuild, keeping its imports).
  const esbuild = require('esbuild') as typeof import('esbuild');
  await esbuild.build({ entryPoints: [join(app, 'app.ts')], outfile: join(app, 'app.js'), platform: 'node', format: 'cjs', bundle: true, packages: 'external', logLevel: 'silent' });
  // kms-rotor resolves the app's aws-cdk-lib the way it would from the app's node_modules (here through NODE_PATH).
  const ran = await finished(process.execPath, [join(app, 'app.js')], app, userEnv({ NODE_PATH: join(REPO, 'node_modules') }));
  expect(ran).toMatchObject({ status: 0, stderr: '' });
  const out = JSON.parse(ran.stdout) as { warnings: string[]; keys: [string, string][] };
  expect(out.warnings).toEqual(['/Keys/NoRotation']);
  expect(Object.fromEntries(out.keys)).toEqual({ NoRotation: 'NON_COMPLIANT', Rotating: 'COMPLIANT' });
});

test('kms-rotor check-template ./relative/dir, from the folder the paths are relative to', async () => {
  const repo = join(scratch, 'iac-repo');
  mkdirSync(join(repo, 'templates', 'nested'), { recursive: true });
  const template = (rotation: boolean) => JSON.stringify({ Resources: { Key: { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: rotation } } } });
  writeFileSync(join(repo, 'templates', 'ok.json'), template(true));
  const env = userEnv({ PATH: `${bin}${delimiter}${process.env.PATH}` });
  expect(await finished('kms-rotor', ['check-template', './templates'], repo, env)).toMatchObject({ status: 0, stderr: '' });
  writeFileSync(join(repo, 'templates', 'nested', 'off.json'), template(false));
  const found = await finished('kms-rotor', ['check-template', './templates', '--format', 'json'], repo, env);
  expect(found.status).toBe(1);
  expect(JSON.parse(found.stdout).keys.map((k: { file: string; status: string }) => [k.file, k.status]).sort()).toEqual([
    ['templates/nested/off.json', 'NON_COMPLIANT'],
    ['templates/ok.json', 'COMPLIANT'],
  ]);
});
