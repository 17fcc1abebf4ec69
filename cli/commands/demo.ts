// `rotor demo` (what `npm start` runs): the built-in simulated organization, the real ASL and
// handlers, the embedded store, one exception, a full remediate rollout, the report printed and
// written as HTML; then continuous enforcement's loop: a key created in a member account, its
// CloudTrail event enforced, a scan of the account reporting it rotating.
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { demoScenarioPath, startSimulator, type SimulatedOrganization } from '../../local/sim';
import { runLocal } from '../../local/runner';
import { useSimulatorEnv } from '../../local/simulator-env';
import { checkStoreLocation, note, openStore } from '../context';
import { localProgress } from '../progress';
import { finishRun, writeRunReport } from '../run-report';
import { inputFromFlags } from '../run-input';
import { newRunId } from './run';
import { DEFAULT_REMEDIATE_ROLE_NAME } from '../../functions/core/schemas';
import type { ResultsStore } from '../../functions/store/results-store';
import { inertText } from '../../functions/core/text';

/** The demo's exception: a non-rotating key of a non-production account, owned by its team. */
function demoExceptionTarget(sim: SimulatedOrganization): string | undefined {
  for (const account of sim.accounts()) {
    if (account.id === sim.managementAccountId || /prod/i.test(account.tags.environment ?? '') || account.roles.length === 0) continue;
    const key = sim
      .listKeys(account.id)
      .find((k) => k.keyManager === 'CUSTOMER' && k.keySpec === 'SYMMETRIC_DEFAULT' && k.origin === 'AWS_KMS' && k.keyState === 'Enabled' && !k.rotationEnabled && k.multiRegionKeyType !== 'REPLICA');
    if (key) return key.arn;
  }
  return undefined;
}

/**
 * Continuous enforcement end to end: someone in a member account creates a key (KMS turns no
 * rotation on), the simulator's CloudTrail has the event, the enforcer (what the deployed EnforceKey
 * runs) turns rotation on, and a scan of that account and Region reports the key rotating, its
 * report listing the event (key events) with its eventId.
 */
async function showEnforcementLoop(sim: SimulatedOrganization, store: ResultsStore): Promise<void> {
  const account = sim.accounts().find((a) => a.id !== sim.managementAccountId && a.state === 'ACTIVE' && a.roles.some((r) => r.name === DEFAULT_REMEDIATE_ROLE_NAME));
  if (!account) return;
  const region = account.regions[0];
  const [{ credentialsFor }, { kmsClient }, { CreateKeyCommand }, { EventEnforcer, organizationMembership }, { ENABLE_PER_SECOND }] = await Promise.all([
    import('../../functions/aws/credentials'),
    import('../../functions/aws/clients/kms'),
    import('@aws-sdk/client-kms'),
    import('../../functions/aws/event-enforcement'),
    import('../../functions/aws/rotation'),
  ]);
  const seen = sim.cloudTrailEvents().length;
  const kms = kmsClient(region, await credentialsFor({ accountId: account.id, roleName: DEFAULT_REMEDIATE_ROLE_NAME, sessionName: 'developer' }));
  const created = await kms.send(new CreateKeyCommand({ Description: 'created after the rollout' })).finally(() => kms.destroy());
  note(`
continuous enforcement: a key created in ${account.id} ${region} (${created.KeyMetadata?.KeyId}), without rotation`);
  const enforcer = new EventEnforcer(
    { mode: 'remediate', scanRoleName: 'KmsRotorScanRole', remediateRoleName: DEFAULT_REMEDIATE_ROLE_NAME, enablePerSecond: ENABLE_PER_SECOND },
    { store, isMember: organizationMembership(), now: () => new Date() },
  );
  try {
    for (const event of sim.cloudTrailEvents().slice(seen)) note(inertText(`  event: ${(await enforcer.handle(event)).line}`));
  } finally {
    enforcer.close();
  }
  const scan = inputFromFlags({ mode: 'scan', accounts: account.id, regions: region, runId: newRunId() });
  note(`scan ${scan.runId} of ${account.id} ${region}: the key is in the report, its event under KEY EVENTS`);
  await runLocal(scan, { store });
  await finishRun(store, scan.runId!, 'table', undefined);
  if (created.KeyMetadata?.Arn) note(`  rotor history ${created.KeyMetadata.Arn} --output json   (its event finding: source "event", the eventId)`);
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Run a full remediate rollout on the built-in simulated organization (no AWS account needed)')
    .option('--data-dir <dir>', 'where the demo\'s own store and HTML report go (emptied first: every demo starts from a fresh organization)', '.rotor/demo')
    .option('--wave-size <n>', 'keys per wave', '4')
    .action(async (options: { dataDir: string; waveSize: string }) => {
      // The simulated organization starts afresh each time, so the demo's store does too: drift
      // against an earlier demo would only report the simulator's reset.
      // Checked first: a --data-dir that names a file must not be deleted as if it were the old store.
      await checkStoreLocation({ dataDir: options.dataDir }, 'write');
      rmSync(resolve(options.dataDir), { recursive: true, force: true });
      const sim = await startSimulator({ scenario: demoScenarioPath });
      const restoreEnv = useSimulatorEnv(sim);
      const opened = await openStore({ dataDir: options.dataDir });
      try {
        note(`simulated organization: ${sim.accounts().length} accounts on ${sim.endpoint}`);
        const target = demoExceptionTarget(sim);
        if (target && !(await opened.store.exceptions()).some((e) => e.target === target)) {
          const expires = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
          await opened.store.addException({ target, owner: 'payments-team@example.com', reason: 'legacy batch job re-encrypts nightly; rotation scheduled with the Q3 migration', expiresAt: expires, createdAt: new Date().toISOString() });
          note(`exception added: ${target} (owner payments-team@example.com, expires ${expires})`);
        }
        const input = inputFromFlags({
          mode: 'remediate',
          waveSize: options.waveSize,
          priorityTag: ['environment=production'],
          runId: newRunId(),
        });
        note(`remediate rollout ${input.runId}: waves of ${options.waveSize} keys, production accounts first`);
        const progress = localProgress('remediate');
        await runLocal(input, { store: opened.store, onProgress: progress.onEvent }).finally(progress.done);
        await finishRun(opened.store, input.runId!, 'table', undefined);
        await showEnforcementLoop(sim, opened.store);
        // Written after the loop, so the rollout's page lists the key event handled since it.
        const html = resolve(join(options.dataDir, 'demo-report.html'));
        const run = await opened.store.getRun(input.runId!);
        if (run) await writeRunReport(opened.store, run, 'html', html);
        const dir = `--data-dir ${options.dataDir}`;
        note(`\nopen ${html} in a browser, or look further:`);
        for (const command of [`report --latest --format md ${dir}`, `runs ${dir}`, `exceptions list ${dir}`, `simulate   (the demo organization, for any AWS client)`]) {
          note(`  rotor ${command}`);
        }
      } finally {
        restoreEnv();
        await opened.close();
        await sim.close();
      }
    });
}
