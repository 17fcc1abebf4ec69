// A folder argument that is not a cdk.out: walked for templates, cloud assemblies and plans, with
// node_modules, .git and .gitignore-listed paths skipped (ignored cdk.out folders still checked),
// other JSON and YAML left out quietly, and Terraform configuration pointed to its plan.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { checkPaths, exitCodeFor, TERRAFORM_CONFIGURATION_NOT_READ } from '../../prevention';

const fixture = (name: string) => join(__dirname, 'fixtures', name);

let repo: string;
beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), 'rotor-walk-'));
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

function write(path: string, text: string) {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), text);
}

const keyTemplate = (id: string) => JSON.stringify({ Resources: { [id]: { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true } } } });

/** A repository as CI checks it out after `cdk synth` and `terraform show -json`. */
function layOutRepository() {
  mkdirSync(join(repo, '.git'));
  write('.git/stray.template.json', keyTemplate('InGit'));
  write('.gitignore', 'cdk.out\nbuild/\n*.secret.json\n!infra/keep.secret.json\n');
  write('package.json', JSON.stringify({ name: 'iac', dependencies: {} }));
  write('config.json', JSON.stringify({ Resources: 'not a mapping' }));
  write('.github/workflows/ci.yml', 'on: push\njobs: { check: { runs-on: Resources } }\n');
  write('chart/templates/key.yaml', 'Resources:\n  Key:\n    Type: AWS::KMS::Key\n   broken: [\n');
  write('templates/app.yaml', 'Resources:\n  AppKey:\n    Type: AWS::KMS::Key\n');
  write('templates/app.template', keyTemplate('JsonKey'));
  write('build/out.template.json', keyTemplate('Built'));
  write('node_modules/pkg/template.json', keyTemplate('Vendored'));
  write('infra/keys.secret.json', keyTemplate('Ignored'));
  write('infra/keep.secret.json', keyTemplate('Kept'));
  write('infra/main.tf', 'resource "aws_kms_key" "k" {}\n');
  write('infra/plan.json', JSON.stringify({ format_version: '1.2', planned_values: { root_module: { resources: [] } } }));
  write('infra/cdk.out/cdk.out', '{"version":"48.0.0"}');
  write('infra/cdk.out/manifest.json', JSON.stringify({ version: '48.0.0', artifacts: {} }));
  write('infra/cdk.out/App.template.json', keyTemplate('CdkKey'));
  write('infra/cdk.out/asset.abc/handler.template.json', keyTemplate('Asset'));
  write('sub/.gitignore', 'local.yaml\n');
  write('sub/local.yaml', 'Resources: {}\n');
  write('sub/shared.yaml', 'Resources: {}\n');
  symlinkSync(join(repo, 'templates'), join(repo, 'linked'));
}

describe('a folder walk', () => {
  it('checks templates, cdk.out and plans, and skips what git would not track', async () => {
    layOutRepository();
    const report = await checkPaths(['.'], { cwd: repo });
    expect(report.files).toEqual([
      join('chart', 'templates', 'key.yaml'),
      join('infra', 'cdk.out', 'App.template.json'),
      join('infra', 'keep.secret.json'),
      join('infra', 'plan.json'),
      join('sub', 'shared.yaml'),
      join('templates', 'app.template'),
      join('templates', 'app.yaml'),
    ]);
    // A file that does not parse is an error only when it names a KMS key type.
    expect(report.errors).toEqual([{ file: join('chart', 'templates', 'key.yaml'), error: expect.stringMatching(/^invalid YAML/) }]);
    expect(report.keys.map((key) => key.id)).toEqual(['CdkKey', 'Kept', 'JsonKey', 'AppKey']);
    expect(exitCodeFor(report)).toBe(2);
  });

  it('follows the repository root\'s .gitignore when it starts in a subfolder', async () => {
    layOutRepository();
    const report = await checkPaths(['infra'], { cwd: repo });
    expect(report.files).toEqual([
      join('infra', 'cdk.out', 'App.template.json'),
      join('infra', 'keep.secret.json'),
      join('infra', 'plan.json'),
    ]);
  });

  it('reads an ignored file or folder named on the command line', async () => {
    layOutRepository();
    const report = await checkPaths(['build', 'infra/keys.secret.json'], { cwd: repo });
    expect(report.keys.map((key) => key.id)).toEqual(['Built', 'Ignored']);
  });

  it('points a folder of Terraform configuration to its plan, and a .tf argument too', async () => {
    write('main.tf', 'resource "aws_kms_key" "k" {}\n');
    write('variables.tf', 'variable "x" {}\n');
    const report = await checkPaths(['.', 'main.tf'], { cwd: repo });
    expect(report.errors).toEqual([
      { file: '.', error: `no CloudFormation template, cdk.out folder or Terraform plan JSON in this folder; ${TERRAFORM_CONFIGURATION_NOT_READ}` },
      { file: 'main.tf', error: TERRAFORM_CONFIGURATION_NOT_READ },
    ]);
    expect(TERRAFORM_CONFIGURATION_NOT_READ).toContain('terraform show -json plan.out > plan.json');
    write('plan.json', JSON.stringify({ format_version: '1.2', resource_changes: [] }));
    expect((await checkPaths(['.'], { cwd: repo })).errors).toEqual([]);
  });

  it('checks a cdk.out fixture the same whether named or found', async () => {
    const named = await checkPaths([fixture('cloud-assembly')]);
    const found = await checkPaths([join(__dirname, 'fixtures')]);
    for (const file of named.files) expect(found.files).toContain(file);
    expect(found.files).not.toContain(fixture(join('cloud-assembly', 'asset.0123abcd', 'handler.template.json')));
  });
});
