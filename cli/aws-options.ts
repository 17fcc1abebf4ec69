// The AWS CLI's conventions, shared by the rotor commands: `--profile` and `--region` on those that
// talk to AWS, handed to the SDK through its own environment variables (so its config and
// credentials files, credential chain and endpoint settings apply just as for the AWS CLI), and
// `--output table|json` on those that list or show something.
import { Command, Option } from 'commander';
import { UsageError } from './errors';

export interface AwsOptions {
  profile?: string;
  region?: string;
}

export type ListingOutput = 'table' | 'json';

/** The variables `applyAwsOptions` may set: the SDK reads them when a client is created. */
const AWS_VARIABLES = ['AWS_PROFILE', 'AWS_REGION'] as const;

/** Commands whose --profile / --region are the SDK's (history's --region is the key's Region). */
const sdkProfile = new WeakSet<Command>();
const sdkRegion = new WeakSet<Command>();

/** `--profile` and, unless the command uses `--region` for something else, `--region`. */
export function withAwsOptions(command: Command, { region = true }: { region?: boolean } = {}): Command {
  command.option('--profile <name>', 'use this named profile of the AWS config and credentials files (as the AWS CLI does)');
  sdkProfile.add(command);
  if (region) {
    command.option('--region <region>', 'call AWS in this Region (default: $AWS_REGION, else the profile\'s region)');
    sdkRegion.add(command);
  }
  return command;
}

/** `--output table|json` with no default, for a command that also has a report-format flag (see reportFormatOf). */
export function outputOption(): Option {
  return new Option('--output <format>', 'table, or json for scripts').choices(['table', 'json']);
}

/** `--output table|json`: the table for people, JSON for scripts. */
export function withOutputOption(command: Command): Command {
  return command.addOption(outputOption().default('table'));
}

/**
 * Before a command's action: `--profile` becomes AWS_PROFILE and `--region` AWS_REGION, which the
 * SDK prefers over the environment's keys and the profile's region, as the AWS CLI does. Without
 * either Region, the one the SDK would take from the profile is written to AWS_REGION too: the
 * local engine and the handlers take their home Region from AWS_REGION, as Lambda sets it.
 */
export async function applyAwsOptions(command: Command): Promise<void> {
  const { profile, region } = command.opts<AwsOptions>();
  if (sdkProfile.has(command) && profile !== undefined) {
    if (!profile.trim()) throw new UsageError('--profile: is empty; give a profile name');
    process.env.AWS_PROFILE = profile;
  }
  if (sdkRegion.has(command) && region !== undefined) {
    if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region)) throw new UsageError(`--region: "${region}" is not a Region name such as us-east-1`);
    process.env.AWS_REGION = region;
  }
  if (sdkProfile.has(command) && !process.env.AWS_REGION) {
    const configured = await profileRegion();
    if (configured) process.env.AWS_REGION = configured;
  }
}

/** The region of the profile in use, read by the SDK's own loader (config and credentials files); undefined when none is set. */
async function profileRegion(): Promise<string | undefined> {
  const { loadConfig, NODE_REGION_CONFIG_OPTIONS, NODE_REGION_CONFIG_FILE_OPTIONS } = await import('@smithy/core/config');
  return loadConfig(NODE_REGION_CONFIG_OPTIONS, NODE_REGION_CONFIG_FILE_OPTIONS)().catch(() => undefined);
}

/** Puts AWS_PROFILE and AWS_REGION back as they were: `main` may run many command lines in one process. */
export function preserveAwsEnvironment(): () => void {
  const saved = AWS_VARIABLES.map((name) => [name, process.env[name]] as const);
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

/**
 * The report format of a command that takes both `--output table|json` (the spelling every command
 * shares) and its own report-format flag (`--report`, `--format`), which also knows csv, md, html.
 */
export function reportFormatOf(output: string | undefined, format: string | undefined, formatFlag: string): string {
  if (output !== undefined && format !== undefined && output !== format) {
    throw new UsageError(`--output ${output} and ${formatFlag} ${format} disagree: give one of them`);
  }
  return output ?? format ?? 'table';
}
