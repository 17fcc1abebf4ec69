// The JSON report: {runId, mode, status, startedAt, finishedAt, summary, compliancePercent (over
// the keys covered), coverage (functions/core/coverage.ts), controls (functions/core/controls.ts), findings, errors}, plus `waves` (plan and results) when there are any, `drift` / `expiredExceptions`
// when drift is given, and `keyEvents` (functions/core/run-key-events.ts) when the events around the run are given. Streamed: the findings array is written one element per line. Values are
// faithful data, as they came: JSON escaping, widened to what a terminal would act on
// (inertJson), keeps the file inert when printed, and parsing gives back the text unchanged.
import type { Finding } from '../functions/core/schemas';
import { ChunkWriter, compliancePercent, consoleUrl, iterate, statusTotals, waveRows } from './common';
import { CONTROLS } from '../functions/core/controls';
import { inertJson } from '../functions/core/text';
import type { ReportInput, ReportSink } from './types';

/** One finding as the JSON report shows it: the contract's fields in its order (docs/operator-guide.md "Read reports"), plus its console link. */
export function jsonFinding(finding: Finding): Record<string, unknown> {
  return {
    accountId: finding.accountId,
    region: finding.region,
    keyId: finding.keyId,
    keyArn: finding.keyArn,
    status: finding.status,
    ...(finding.reason !== undefined && { reason: finding.reason }),
    rotationEnabledBefore: finding.rotationEnabledBefore,
    ...(finding.rotationEnabledAfter !== undefined && { rotationEnabledAfter: finding.rotationEnabledAfter }),
    ...(finding.rotationPeriodInDays !== undefined && { rotationPeriodInDays: finding.rotationPeriodInDays }),
    ...(finding.nextRotationDate !== undefined && { nextRotationDate: finding.nextRotationDate }),
    ...(finding.onDemandRotationStartDate !== undefined && { onDemandRotationStartDate: finding.onDemandRotationStartDate }),
    ...(finding.aliases?.length && { aliases: finding.aliases }),
    ...(finding.tags && { tags: finding.tags }),
    ...(finding.wave !== undefined && { wave: finding.wave }),
    ...(finding.exception && {
      exception: { owner: finding.exception.owner, reason: finding.exception.reason, expiresAt: finding.exception.expiresAt },
    }),
    consoleUrl: consoleUrl(finding),
  };
}

function keyRef(finding: Finding) {
  return { accountId: finding.accountId, region: finding.region, keyId: finding.keyId, keyArn: finding.keyArn, status: finding.status };
}

const field = (name: string, value: unknown, indent = '  ') => `${indent}${JSON.stringify(name)}: ${inertJson(value)}`;

export async function writeJsonReport(input: ReportInput, sink: ReportSink): Promise<void> {
  const out = new ChunkWriter(sink);
  const { run } = input;
  const head = [
    field('runId', run.runId),
    field('mode', run.mode),
    field('status', run.status),
    field('startedAt', run.startedAt),
    field('finishedAt', run.finishedAt ?? null),
    field('summary', statusTotals(run.summary)),
    field('compliancePercent', compliancePercent(run.summary)),
    field('coverage', input.coverage),
    field('controls', CONTROLS),
  ];
  await out.write(`{\n${head.join(',\n')},\n  "findings": [`);
  let first = true;
  for await (const finding of iterate(input.findings)) {
    await out.write(`${first ? '\n' : ',\n'}    ${inertJson(jsonFinding(finding))}`);
    first = false;
  }
  await out.write(first ? '],\n' : '\n  ],\n');

  const errors = input.errors.map((e) => ({ accountId: e.accountId, ...(e.region !== undefined && { region: e.region }), error: e.error }));
  const tail = [field('errors', errors)];
  const waves = waveRows(run, input.wavePlan);
  if (waves.length > 0) {
    tail.push(field('waves', { plan: input.wavePlan ?? [], results: run.waves ?? [] }));
  }
  if (input.drift) {
    const drift = input.drift;
    tail.push(
      field('drift', {
        previousRunId: drift.previousRunId,
        newNonCompliant: drift.newNonCompliant.map(keyRef),
        regressed: drift.regressed.map(keyRef),
        resolved: drift.resolved.map(keyRef),
      }),
    );
    tail.push(
      field(
        'expiredExceptions',
        drift.expiredExceptions.map((e) => ({ target: e.target, owner: e.owner, reason: e.reason, expiresAt: e.expiresAt })),
      ),
    );
  }
  if (input.keyEvents) tail.push(field('keyEvents', input.keyEvents));
  await out.write(`${tail.join(',\n')}\n}\n`);
  await out.flush();
}
