// `rotor check-template PATH...`: the preventive check for CI: KMS keys without rotation in
// CloudFormation templates, CDK cloud assemblies (cdk.out) and Terraform plans, or in a folder of them.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import packageJson from '../../package.json';
import { checkPaths, exitCodeFor, isReportFormat, renderReport, REPORT_FORMATS, summaryLine } from '../../prevention';
import { UsageError } from '../errors';

interface CheckTemplateOptions {
  format: string;
  out?: string;
}

// Paragraphs without hard line breaks: commander wraps them to the terminal's width.
const DESCRIPTION = [
  'Check CloudFormation templates (JSON or YAML), CDK cloud assemblies (a cdk.out folder, nested ' +
    'assemblies included) and Terraform plans (terraform show -json) for KMS keys without automatic rotation.',
  'Any other folder is searched for all three, skipping node_modules, .git and what .gitignore lists ' +
    '(cdk.out folders are checked even when ignored). Relative paths are taken from the folder you run ' +
    'the command in. Terraform configuration (.tf) is not read: check its plan as JSON ' +
    '(terraform plan -out plan.out && terraform show -json plan.out > plan.json).',
  'Every symmetric encryption key (AWS::KMS::Key, aws_kms_key) must enable rotation: a key without ' +
    'EnableKeyRotation / enable_key_rotation, with it false, or with it left to a parameter that can be set ' +
    'to false at deploy time (any parameter whose AllowedValues are not all true) is a finding, and so is a ' +
    'RotationPeriodInDays outside 90-2560 or a PendingWindowInDays outside 7-30. A key declared disabled is ' +
    'still checked: it would not rotate once enabled. Asymmetric, HMAC, replica and imported-material keys ' +
    'are not applicable, listed with the reason.',
  'Exit codes: 0 no findings, 1 findings, 2 a file that is missing or cannot be read or parsed, or a ' +
    'folder with nothing to check (the report still covers the other files), or bad usage.',
].join('\n\n');

const EXAMPLES = `
Examples:
  $ rotor check-template template.yaml
  $ rotor check-template .
  $ rotor check-template cdk.out --format sarif --out rotation.sarif
  $ terraform show -json plan.out > plan.json && rotor check-template plan.json --format json`;

/**
 * The folder the user ran the command in. `npm run rotor` starts it in this package's root and
 * puts the user's folder in INIT_CWD. Only that script's INIT_CWD counts: npm sets INIT_CWD for
 * every script, and children inherit it, so another package's script (which runs from its own
 * root, after any `cd` of its own) or this package's tests must keep the working folder.
 */
export function callerFolder(env: NodeJS.ProcessEnv, cwd: string): string {
  const launchedByRotorScript = env.npm_lifecycle_event === 'rotor' && env.npm_package_name === packageJson.name;
  return launchedByRotorScript && env.INIT_CWD ? resolve(cwd, env.INIT_CWD) : cwd;
}

export async function runCheckTemplate(files: string[], options: CheckTemplateOptions): Promise<void> {
  if (!isReportFormat(options.format)) {
    throw new UsageError(`unknown format "${options.format}" for check-template: use one of ${REPORT_FORMATS.join(', ')}`);
  }
  if (files.length === 0) throw new UsageError('check-template needs at least one file or folder');

  const cwd = callerFolder(process.env, process.cwd());
  // A path that does not exist is that file's error in the report (exit 2), like a file that does not
  // parse: CI still gets the report, SARIF included, with the other files' results.
  const report = await checkPaths(files, { cwd });
  const output = renderReport(report, options.format);
  if (options.out) {
    try {
      await writeFile(resolve(cwd, options.out), output);
    } catch (error) {
      throw new UsageError(`cannot write ${options.out}: ${(error as Error).message}`);
    }
    process.stdout.write(`${summaryLine(report)} Report written to ${options.out}.\n`);
  } else {
    process.stdout.write(output);
  }
  // The text report already lists the files it could not check; for the others, say it on stderr.
  if (options.format !== 'text' || options.out) {
    for (const error of report.errors) process.stderr.write(`rotor: ${error.file}: ${error.error}\n`);
  }
  const exitCode = exitCodeFor(report);
  if (exitCode !== 0) process.exitCode = exitCode;
}

export function registerCheckTemplate(program: Command): Command {
  return program
    .command('check-template')
    .summary('check templates, cdk.out folders and Terraform plans for KMS keys without rotation')
    .description(DESCRIPTION)
    .usage('[options] <files...>')
    .argument('[files...]', 'CloudFormation templates, Terraform plan JSON files, cdk.out folders, or folders to search')
    .addOption(new Option('--format <format>', `report format: ${REPORT_FORMATS.join(', ')}`).default('text'))
    .option('--out <file>', 'write the report to this file instead of standard output')
    .addHelpText('after', EXAMPLES)
    .action((files: string[], options: CheckTemplateOptions) => runCheckTemplate(files, options));
}
