// ExportToSecurityHub: the run's findings, as Finalize recorded them, into the Security Hub of the
// account and Region it runs in, when the deployment has `securityHubExport` on (the state machine
// runs it after Finalize only then). A function of its own, so that only its bundle carries the
// Security Hub client and only its role may import findings; the state machine catches its
// failure, so the run's outcome never depends on it.
import * as z from 'zod';
import { exportRun, securityHubTarget } from '../aws/security-hub';
import { CONTROLS } from '../core/controls';
import { inertJson } from '../core/text';
import { count } from '../observability/telemetry';
import { lambdaHandler, parsedStep } from './deps';

/** The event the ASL passes (its Parameters). */
export const ExportToSecurityHubEvent = z.object({ runId: z.string() });
export type ExportToSecurityHubEvent = z.infer<typeof ExportToSecurityHubEvent>;

/** Findings imported, and those Security Hub still refused after the retries (each logged). */
export interface SecurityHubExportResult {
  imported: number;
  failed: number;
}

export const step = parsedStep(ExportToSecurityHubEvent, (deps): ((event: ExportToSecurityHubEvent) => Promise<SecurityHubExportResult>) => async ({ runId }) => {
  if (!deps.securityHub) throw new Error('ExportToSecurityHub was given no Security Hub to export to');
  const run = await deps.store.getRun(runId);
  if (!run) throw new Error(`run ${runId} is not in the results store`);
  const hub = await deps.securityHub();
  try {
    const result = await exportRun(deps.store, run, hub, deps.now());
    for (const f of result.failed) console.error(inertJson({ securityHubImportFailed: f }));
    count('SecurityHubFindingsRefused', result.failed.length);
    return { imported: result.imported, failed: result.failed.length };
  } finally {
    hub.client.destroy();
  }
});

export const handler = lambdaHandler('ExportToSecurityHub', step, () => ({ securityHub: () => securityHubTarget(CONTROLS) }));
