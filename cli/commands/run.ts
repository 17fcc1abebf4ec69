// `rotor run`: a scan or a remediation rollout, on this machine (--local) with the ASL run
// in-process, or on the deployed state machine; prints the report when the run ends. The local
// engine and the SDK clients load only for the kind of run asked for (`run --help` needs neither).
import { randomUUID } from 'node:crypto';
import { Command, Option } from 'commander';
import { parseReportFormat } from '../../report';
import { outputOption, reportFormatOf, withAwsOptions, type AwsOptions } from '../aws-options';
import { checkStoreLocation, checkWritable, note, openStore } from '../context';
import { EXIT_CODES_HELP, InterruptedError, RunFailedError, UsageError } from '../errors';
import { localProgress, setChattiness } from '../progress';
import { finishRun, writeRunReport } from '../run-report';
import { externalIdFlag, inputFromFlags, withMemberAccessOptions, type RunFlags } from '../run-input';
import type { DeployedFlags } from '../deployed';
import type { FinalizeResult } from '../../functions/handlers/finalize';
import type { Reconciled } from '../../functions/store/reconcile';
import type { LocalProgress } from '../../local/runner';
import { gateOf, GATE_CONDITIONS, type GateFlags } from '../gate';

interface RunOptions extends RunFlags, DeployedFlags, GateFlags, AwsOptions {
  local?: boolean;
  report: string;
  output?: string;
  quiet?: boolean;
  progress: boolean;
  out?: string;
  table?: string;
  bucket?: string;
  dataDir?: string;
  wait: boolean;
}

export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomUUID().slice(0, 8)}`;
}

/** A local run needs credentials for the AWS it runs against: say so before anything starts. */
async function checkCredentials(): Promise<void> {
  const [{ callerAccountId }, { describeError }] = await Promise.all([import('../../functions/aws/credentials'), import('../../functions/aws/errors')]);
  try {
    await callerAccountId();
  } catch (error) {
    if ((error as Error).name === 'CredentialsProviderError') {
      throw new UsageError(
        'no AWS credentials: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for the management account (or a delegated administrator), or try it on the simulated organization: `rotor simulate`',
      );
    }
    throw new UsageError(`cannot reach AWS with the configured credentials: ${describeError(error)}`);
  }
}

async function runHere(input: Record<string, unknown>, options: RunOptions): Promise<void> {
  await checkStoreLocation(options, 'write');
  // The store first: a second run on it is refused before any AWS call.
  const opened = await openStore(options, 'write', { command: 'run', runId: String(input.runId) });
  try {
    await checkCredentials();
    const { runLocal } = await import('../../local/runner');
    note(`running ${input.mode} locally; results go to ${opened.where}`);
    const progress = localProgress(String(input.mode));
    // SIGINT/SIGTERM stop the run cleanly; a second one stops the process at once.
    const stop = new AbortController();
    const onSignal = (signal: NodeJS.Signals) => {
      if (stop.signal.aborted) process.exit(130);
      note(`\n${signal}: stopping run ${String(input.runId)} — the keys in flight are finished and written; again to stop at once`);
      stop.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    // Finalize reconciles the interrupted runs of the scope; what it did is said after the run.
    let reconciled: Reconciled[] = [];
    const onProgress = (p: LocalProgress) => {
      if (p.event === 'succeeded' && (p.state === 'Finalize' || p.state === 'FinalizeFailed')) reconciled = (p.output as FinalizeResult).reconciled;
      progress.onEvent(p);
    };
    const result = await runLocal(input, { store: opened.store, externalId: options.externalId, onProgress, signal: stop.signal })
      .finally(progress.done)
      .finally(() => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      });
    if (result.executionStatus === 'ABORTED') {
      if (await opened.store.getRun(result.runId)) {
        await opened.store.updateRun(result.runId, { status: 'INTERRUPTED', finishedAt: new Date().toISOString(), summary: await opened.store.countByStatus(result.runId) });
      }
      throw new InterruptedError(`run ${result.runId} INTERRUPTED: the keys in flight were written; the next run of this scope records the keys it enabled (\`rotor status ${result.runId}\`)`);
    }
    if (result.executionStatus === 'FAILED' && result.error === 'InputError') throw new UsageError(result.cause ?? 'bad input');
    noteReconciled(result.runId, reconciled);
    const run = await opened.store.getRun(result.runId);
    if (result.executionStatus === 'FAILED' && run?.status === 'RUNNING') {
      // The execution died before Finalize recorded it: show what was found, then fail.
      await writeRunReport(opened.store, run, options.report, options.out);
      throw new RunFailedError(`run ${result.runId} failed before it was finalized: ${result.error}: ${result.cause}`);
    }
    await finishRun(opened.store, result.runId, options.report, options.out, gateOf(options));
  } finally {
    await opened.close();
  }
}

/** Says what the run's Finalize recorded in the interrupted runs of its scope. */
function noteReconciled(runId: string, reconciled: readonly Reconciled[]): void {
  for (const r of reconciled) {
    const waiting = r.undecided > 0 ? `; ${r.undecided} key(s) it asked KMS to enable could not be read now and wait for the next run` : '';
    note(`run ${r.runId} was INTERRUPTED: ${r.remediated} key(s) it enabled are now recorded REMEDIATED there (found rotating by ${runId})${waiting}`);
  }
}

export function registerRun(program: Command): void {
  withMemberAccessOptions(
    withAwsOptions(program.command('run'))
      .description('Scan the Organization for KMS keys without automatic rotation, or remediate them in waves')
      .addOption(new Option('--mode <mode>', 'scan (the dry run: shows what remediate would change, wave by wave) or remediate').choices(['scan', 'remediate']).default('scan'))
      .option('--local', 'run the state machine on this machine against the AWS the SDK is configured for (no deployment)')
      .option('--accounts <ids>', 'only these account ids (comma-separated)')
      .option('--exclude-accounts <ids>', 'skip these account ids (comma-separated)')
      .option('--ous <ids>', 'only accounts in these OUs or below (comma-separated ou-… ids)')
      .option('--regions <names>', 'only these Regions (default: every Region enabled in each account)')
      .option('--read-key-tags', "read each in-scope key's tags into its finding (one kms:ListResourceTags call more per key)")
  )
    .option('--wave-size <n>', 'keys per remediation wave (default 50)')
    .addOption(new Option('--wave-order <order>', 'wave order').choices(['priority', 'canary-first']))
    .option('--max-failure-rate <f>', 'halt when a wave fails more than this fraction, 0–1 (default 0.05)')
    .option('--priority-tag <KEY=VALUES...>', 'accounts with this tag value go first (repeatable), e.g. environment=production')
    .option('--priority-ous <ids>', 'accounts in these OUs go first')
    .option('--run-id <id>', 'the run id (default: time-stamped and unique)')
    .option('--report <format>', 'report printed at the end: table (the default), json, csv, md, html or ocsf')
    .addOption(outputOption())
    .option('--no-progress', 'no progress line; the plan, each wave and the outcome are still said on stderr')
    .option('--quiet', 'nothing on stderr but errors (and no progress)')
    .option('--out <file>', 'write the report to FILE instead of stdout')
    .option('--table <name>', 'results in this DynamoDB table (default: the embedded store in .rotor/ for --local; $KMS_ROTOR_TABLE or the stack\'s table otherwise)')
    .option('--bucket <name>', 'with --table: the S3 bucket of account scans ($KMS_ROTOR_BUCKET or the stack\'s ManifestBucketName otherwise)')
    .option('--data-dir <dir>', 'where the embedded store lives', '.rotor')
    .option('--state-machine-arn <arn>', 'deployed state machine (default: scans use the scan-only machine, $KMS_ROTOR_SCAN_STATE_MACHINE_ARN or the stack\'s ScanStateMachineArn; remediation $KMS_ROTOR_STATE_MACHINE_ARN or StateMachineArn)')
    .option('--stack-name <name>', 'the orchestrator stack to read outputs from', 'KmsRotor')
    .option('--no-wait', 'deployed runs: print the run id and return at once')
    .option('--fail-on <statuses>', `what counts as findings (exit 3), comma-separated of ${GATE_CONDITIONS.join(', ')} (default NON_COMPLIANT,REMEDIATION_FAILED,NOT_COVERED)`)
    .option('--exit-zero', 'report findings but exit 0 (a failed or halted run still exits 1)')
    .addHelpText('after', '\nDeployed runs are followed with a progress line; Ctrl-C stops following (exit 130), not the execution.\n\nExamples:\n  rotor run --local --mode scan --output json --quiet > findings.json\n  rotor run --local --mode remediate --wave-size 10 --priority-tag environment=production\n  rotor run --mode remediate --no-wait\n  rotor run --local --mode scan --fail-on NON_COMPLIANT --exit-zero' + EXIT_CODES_HELP)
    .action(async (given: RunOptions) => {
      const options = { ...given, report: parseReportFormat(reportFormatOf(given.output, given.report, '--report')) };
      setChattiness(options.quiet ? 'quiet' : options.progress ? 'progress' : 'notes');
      gateOf(options);
      await checkWritable(options.out);
      const input = { ...inputFromFlags({ ...options, runId: options.runId ?? newRunId() }) };
      externalIdFlag(options.externalId);
      // A deployed run has the ExternalId of its deployment, read by the functions that need it.
      if (!options.local && options.externalId !== undefined) throw new UsageError("--external-id is for --local runs: the deployed functions read the deployment's ExternalId from its secret");
      if (options.local) await runHere(input, options);
      else await (await import('../deployed')).runDeployed(input, options);
    });
}
