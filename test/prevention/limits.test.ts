// check-template within limits, on inputs made here: a 100k-key template and a 10 MB YAML are
// checked whole (the work is linear, so these run in seconds; no time is asserted), a 125k-key plan
// and deeply nested modules reach no stack limit, a FIFO is refused at once, and a cloud assembly
// is read only inside itself and each template once.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPaths, checkSources, exitCodeFor, findingsOf, renderJson, renderSarif, renderText, summarize } from '../../prevention';
import { cloudFormationJson, cloudFormationYaml, nonCompliantCount, terraformPlan } from './generated-inputs';

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'rotor-limits-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

/** The 1-based line of the first line of `text` that `line` starts. */
function lineOf(text: string, line: string): number {
  return text.split('\n').findIndex((candidate) => candidate.startsWith(line)) + 1;
}

function template(resources: Record<string, unknown>): string {
  return JSON.stringify({ Resources: resources });
}

const keyWithoutRotation = { Type: 'AWS::KMS::Key', Properties: {} };

describe('large inputs', () => {
  it('checks a 100,000-key JSON template whole, each key on its own line', () => {
    const text = cloudFormationJson(100_000);
    const report = checkSources([{ file: 'big.json', text }]);
    expect(summarize(report)).toMatchObject({ keys: 100_000, NON_COMPLIANT: nonCompliantCount(100_000), errors: 0 });
    const lines = new Map(report.keys.map((key) => [key.id, key.line]));
    expect(lines.get('Key0')).toBe(lineOf(text, '  "Key0"'));
    expect(lines.get('Key99999')).toBe(lineOf(text, '  "Key99999"'));
  });

  it('checks a 10 MB YAML template whole, each key on its own line', () => {
    const text = cloudFormationYaml(40_000, 200);
    expect(text.length).toBeGreaterThan(10 * 1024 * 1024);
    const report = checkSources([{ file: 'big.yaml', text }]);
    expect(summarize(report)).toMatchObject({ keys: 40_000, NON_COMPLIANT: nonCompliantCount(40_000), errors: 0 });
    expect(report.keys.find((key) => key.id === 'Key39999')?.line).toBe(lineOf(text, '  Key39999:'));
  });

  it('still refuses a repeated key in a large YAML mapping, saying where', () => {
    const text = `${cloudFormationYaml(20_000)}  Key7:\n    Type: AWS::KMS::Key\n`;
    const report = checkSources([{ file: 'repeated.yaml', text }]);
    expect(report.errors).toEqual([
      { file: 'repeated.yaml', error: `invalid YAML: Map keys must be unique at line ${text.split('\n').length - 2}, column 3` },
    ]);
  });

  it('checks a 125,000-key Terraform plan read from disk, and renders every format', async () => {
    const plan = join(folder, 'plan.json');
    writeFileSync(plan, terraformPlan(125_000));
    const report = await checkPaths([plan]);
    expect(summarize(report)).toMatchObject({ files: 1, keys: 125_000, NON_COMPLIANT: nonCompliantCount(125_000), errors: 0 });
    expect(exitCodeFor(report)).toBe(1);
    expect(JSON.parse(renderJson(report)).findings).toHaveLength(nonCompliantCount(125_000));
    expect(JSON.parse(renderSarif(report)).runs[0].results).toHaveLength(nonCompliantCount(125_000));
    expect(renderText(report).split('\n')).toHaveLength(nonCompliantCount(125_000) + 2);
  });

  it('finds a key under 20,000 levels of child modules', () => {
    const depth = 20_000;
    const key = { address: 'module.deep.aws_kms_key.k', type: 'aws_kms_key', mode: 'managed', values: { enable_key_rotation: false } };
    // Written by hand: JSON.stringify itself recurses.
    const text =
      '{"format_version":"1.2","planned_values":{"root_module":' +
      '{"child_modules":['.repeat(depth) +
      JSON.stringify({ resources: [key] }) +
      ']}'.repeat(depth) +
      '}}';
    const report = checkSources([{ file: 'deep.json', text }]);
    expect(report.errors).toEqual([]);
    expect(findingsOf(report).map((finding) => finding.id)).toEqual(['module.deep.aws_kms_key.k']);
  });
});

describe('only regular files are read', () => {
  const mkfifo = (path: string) => execFileSync('mkfifo', [path]);

  it('refuses a FIFO argument at once, exit code 2, and checks the other files', async () => {
    const fifo = join(folder, 'template.json');
    mkfifo(fifo);
    const other = join(folder, 'other.json');
    writeFileSync(other, template({ K: keyWithoutRotation }));
    const report = await checkPaths([fifo, other]);
    expect(report.errors).toEqual([{ file: fifo, error: 'a named pipe (FIFO), not a regular file: only regular files are read' }]);
    expect(report.keys.map((key) => key.id)).toEqual(['K']);
    expect(exitCodeFor(report)).toBe(2);
  });

  it('refuses a link to a FIFO, and a template in a cloud assembly that links to one', async () => {
    const fifo = join(folder, 'pipe');
    mkfifo(fifo);
    const assembly = join(folder, 'cdk.out');
    mkdirSync(assembly);
    writeFileSync(join(assembly, 'manifest.json'), JSON.stringify({ version: '48.0.0', artifacts: {} }));
    symlinkSync('../pipe', join(assembly, 'Piped.template.json'));
    symlinkSync('pipe', join(folder, 'linked.json'));
    const report = await checkPaths([join(folder, 'linked.json'), assembly]);
    expect(report.errors.map((error) => error.error)).toEqual([
      'a named pipe (FIFO), not a regular file: only regular files are read',
      'a link to a file outside the cloud assembly: not read',
    ]);
  });

  it('leaves out FIFOs a folder walk or a cloud assembly holds, without waiting on them', async () => {
    mkfifo(join(folder, 'plan.json'));
    mkfifo(join(folder, 'Stack.template.json'));
    writeFileSync(join(folder, 'real.template.json'), template({ K: keyWithoutRotation }));
    const report = await checkPaths([folder]);
    expect(report.files).toEqual([join(folder, 'real.template.json')]);
  });

  it('refuses a device', async () => {
    const report = await checkPaths(['/dev/zero']);
    expect(report.errors).toEqual([{ file: '/dev/zero', error: 'a device, not a regular file: only regular files are read' }]);
  });
});

describe('cloud assemblies are read inside themselves, each template once', () => {
  /** A cloud assembly at `path` whose manifest names these nested assembly folders. */
  function assembly(path: string, nested: string[], templates: Record<string, Record<string, unknown>> = {}) {
    mkdirSync(path, { recursive: true });
    const artifacts = Object.fromEntries(
      nested.map((directoryName, i) => [`nested${i}`, { type: 'cdk:cloud-assembly', properties: { directoryName } }]),
    );
    writeFileSync(join(path, 'manifest.json'), JSON.stringify({ version: '48.0.0', artifacts }));
    for (const [name, resources] of Object.entries(templates)) writeFileSync(join(path, name), template(resources));
  }

  it('refuses a directoryName that leaves the assembly, and reads nothing out there', async () => {
    const outside = join(folder, 'secrets');
    assembly(outside, [], { 'Outside.template.json': { Outside: keyWithoutRotation } });
    const root = join(folder, 'project', 'cdk.out');
    assembly(root, ['../..', '../../secrets', '/etc', 'assembly-Ok'], { 'App.template.json': { App: keyWithoutRotation } });
    assembly(join(root, 'assembly-Ok'), [], { 'Ok.template.json': { Ok: keyWithoutRotation } });
    const report = await checkPaths([root]);
    expect(report.keys.map((key) => key.id).sort()).toEqual(['App', 'Ok']);
    expect(report.errors).toEqual([
      { file: join(root, 'manifest.json'), error: 'nested assembly "../.." is outside the cloud assembly: not followed' },
      { file: join(root, 'manifest.json'), error: 'nested assembly "../../secrets" is outside the cloud assembly: not followed' },
      { file: join(root, 'manifest.json'), error: 'nested assembly "/etc" is outside the cloud assembly: not followed' },
    ]);
    expect(exitCodeFor(report)).toBe(2);
  });

  it('refuses a nested assembly that is a link out of the assembly', async () => {
    const outside = join(folder, 'elsewhere');
    assembly(outside, [], { 'Outside.template.json': { Outside: keyWithoutRotation } });
    const root = join(folder, 'cdk.out');
    assembly(root, ['assembly-Linked']);
    symlinkSync(outside, join(root, 'assembly-Linked'));
    const report = await checkPaths([root]);
    expect(report.keys).toEqual([]);
    expect(report.errors[0].error).toBe('nested assembly "assembly-Linked" is outside the cloud assembly: not followed');
  });

  it('visits each template once when manifests and links lead back into the assembly', async () => {
    const root = join(folder, 'cdk.out');
    assembly(root, ['.', 'assembly-A', 'assembly-Loop', 'assembly-A/..'], { 'Root.template.json': { Root: keyWithoutRotation } });
    assembly(join(root, 'assembly-A'), ['..', '.', 'assembly-B'], { 'A.template.json': { A: keyWithoutRotation } });
    assembly(join(root, 'assembly-A', 'assembly-B'), ['../..', '../../assembly-A'], { 'B.template.json': { B: keyWithoutRotation } });
    symlinkSync('.', join(root, 'assembly-Loop'));
    const report = await checkPaths([root, join(root, 'assembly-A'), join(root, 'Root.template.json')]);
    expect(report.errors).toEqual([]);
    expect(report.files).toEqual([
      join(root, 'Root.template.json'),
      join(root, 'assembly-A', 'A.template.json'),
      join(root, 'assembly-A', 'assembly-B', 'B.template.json'),
    ]);
    expect(report.keys.map((key) => key.id)).toEqual(['Root', 'A', 'B']);
  });

  it('visits each file once in a folder walk that meets the same assembly and file again', async () => {
    const root = join(folder, 'cdk.out');
    assembly(root, [], { 'Root.template.json': { Root: keyWithoutRotation } });
    symlinkSync('cdk.out', join(folder, 'again.out'));
    const report = await checkPaths([folder, root, join(root, 'Root.template.json')]);
    expect(report.files).toEqual([join(root, 'Root.template.json')]);
  });
});
