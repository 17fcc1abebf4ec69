// The HTML report: one self-contained page (inline CSS, an inline SVG chart, no script, no font,
// no request; a Content-Security-Policy says so to the browser). Sections: run header, totals per
// status, compliance chart across recent runs, drift, the non-compliant and failed keys, the wave
// plan/results, exceptions (those ending within 30 days flagged), errors, and a table per account.
// Every value is escaped; every key links to its AWS console page.
//
// Streaming: two passes over findings, each written row by row and never collected. Pass one is
// the "non-compliant and failed keys" section near the top (from `nonCompliantFindings` when the
// caller has it, else `findings` filtered); pass two is the per-account tables, which start a new
// table whenever the account changes (findings arrive sorted by account) and close it with that
// account's counts.
import { FINDING_STATUSES } from '../functions/core/schemas';
import type { Finding, FindingStatus } from '../functions/core/schemas';
import { chartPoints, complianceChartSvg } from './chart';
import { controlsText } from '../functions/core/controls';
import { complianceHeadline, fullyCovered } from '../functions/core/coverage';
import {
  ChunkWriter,
  accountName,
  compliancePercent,
  consoleUrl,
  countsText,
  emptyCounts,
  exceptionStatus,
  exceptionTargetLabel,
  formatPercent,
  iterate,
  needsAttention,
  reportTime,
  rotationText,
  statusTotals,
  totalKeys,
  waveOutcome,
  waveRows,
} from './common';
import { escapeHtml as h } from './escape';
import type { ReportInput, ReportSink } from './types';

const STYLE = `
:root { --ink:#1f2933; --muted:#616e7c; --line:#d9e2ec; --bg:#f5f7fa; --card:#fff;
  --ok:#1f7a3d; --ok-bg:#e3f4e8; --bad:#b42318; --bad-bg:#fde8e6; --fixed:#0b69a3; --fixed-bg:#e1effa;
  --failed:#8a1c1c; --failed-bg:#f9d3d0; --exempt:#8d5b00; --exempt-bg:#fff3d6; --na:#52606d; --na-bg:#eceff3; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: var(--bg); }
header { background: #102a43; color: #fff; padding: 20px 32px; }
header h1 { margin: 0 0 6px; font-size: 22px; font-weight: 600; }
header .meta { margin: 0; color: #bcccdc; }
header .meta b { color: #fff; font-weight: 600; }
header code { color: #fff; }
nav { padding: 8px 32px; background: #fff; border-bottom: 1px solid var(--line); font-size: 13px; }
nav a { margin-right: 16px; color: var(--fixed); text-decoration: none; }
main { padding: 8px 32px 32px; max-width: 1400px; }
section { margin-top: 24px; }
h2 { font-size: 18px; margin: 0 0 10px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
h3 .acct-id { color: var(--muted); font-weight: 400; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; margin-left: 6px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { background: var(--card); border: 1px solid var(--line); border-left: 5px solid var(--na); border-radius: 6px; padding: 10px 16px; min-width: 128px; }
.card .num { display: block; font-size: 26px; font-weight: 700; }
.card .label { color: var(--muted); font-size: 12px; letter-spacing: .03em; }
.card.compliance { border-left-color: #102a43; }
.card.total { border-left-color: var(--ink); }
.card.s-COMPLIANT { border-left-color: var(--ok); } .card.s-NON_COMPLIANT { border-left-color: var(--bad); }
.card.s-REMEDIATED { border-left-color: var(--fixed); } .card.s-REMEDIATION_FAILED { border-left-color: var(--failed); }
.card.s-EXEMPT { border-left-color: var(--exempt); } .card.s-NOT_APPLICABLE { border-left-color: var(--na); }
.panel { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; }
table { border-collapse: collapse; width: 100%; background: var(--card); border: 1px solid var(--line); border-radius: 6px; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f0f4f8; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:hover { background: #f8fafc; }
.mono, td.key a, code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; }
td.key a { color: var(--fixed); text-decoration: none; white-space: nowrap; }
td.region, td.acct, .until { white-space: nowrap; }
table.narrow { width: auto; min-width: 560px; }
td.key a:hover { text-decoration: underline; }
.aliases { display: block; color: var(--muted); font-size: 12px; }
.status { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 11.5px; font-weight: 600; white-space: nowrap; }
.s-COMPLIANT .status, .status.s-COMPLIANT { color: var(--ok); background: var(--ok-bg); }
.status.s-NON_COMPLIANT { color: var(--bad); background: var(--bad-bg); }
.status.s-REMEDIATED { color: var(--fixed); background: var(--fixed-bg); }
.status.s-REMEDIATION_FAILED { color: var(--failed); background: var(--failed-bg); }
.status.s-EXEMPT { color: var(--exempt); background: var(--exempt-bg); }
.status.s-NOT_APPLICABLE { color: var(--na); background: var(--na-bg); }
.status.run-SUCCEEDED { color: var(--ok); background: var(--ok-bg); }
.status.run-HALTED, .status.run-FAILED, .status.run-INTERRUPTED { color: var(--bad); background: var(--bad-bg); }
.status.run-RUNNING { color: var(--fixed); background: var(--fixed-bg); }
.account-counts { color: var(--muted); margin: 6px 0 0; font-size: 13px; }
.empty { color: var(--muted); font-style: italic; }
tr.expiring-soon td { background: #fff8e6; }
tr.expired td { background: #fdeceb; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 11.5px; font-weight: 600; }
.badge.expiring-soon { color: #8d5b00; background: #ffe8a3; }
.badge.expired { color: var(--bad); background: var(--bad-bg); }
.badge.active { color: var(--ok); background: var(--ok-bg); }
.badge.halted { color: var(--bad); background: var(--bad-bg); }
.chart { max-width: 100%; height: auto; background: var(--card); border: 1px solid var(--line); border-radius: 6px; }
.chart .grid { stroke: #e4e7eb; stroke-width: 1; }
.chart .axis { fill: #7b8794; font-size: 11px; }
.chart .line { fill: none; stroke: var(--ok); stroke-width: 2.5; }
.chart .dot { fill: #fff; stroke: var(--ok); stroke-width: 2.5; }
.chart .value { fill: var(--ink); font-size: 12px; font-weight: 600; }
.drift-counts { display: flex; gap: 24px; margin: 0 0 10px; }
footer { padding: 16px 32px 32px; color: var(--muted); font-size: 12px; }
@media print { nav { display: none; } header { background: #fff; color: var(--ink); } header .meta, header .meta b, header code { color: var(--ink); } }
`;

function statusBadge(status: FindingStatus): string {
  return `<span class="status s-${status}">${h(status)}</span>`;
}

function keyCell(finding: Finding): string {
  const aliases = finding.aliases?.length ? `<span class="aliases">${h(finding.aliases.join(', '))}</span>` : '';
  return `<td class="key"><a href="${h(consoleUrl(finding))}" title="${h(`Open in AWS: ${finding.keyArn}`)}" target="_blank" rel="noopener noreferrer">${h(finding.keyId)}</a>${aliases}</td>`;
}

function exceptionCell(finding: Finding): string {
  if (!finding.exception) return '<td></td>';
  const e = finding.exception;
  return `<td title="${h(e.reason)}">${h(e.owner)}<span class="aliases until">until ${h(e.expiresAt)}</span></td>`;
}

function attentionRow(input: ReportInput, finding: Finding): string {
  const name = accountName(input, finding.accountId);
  return (
    `<tr class="key" data-key-arn="${h(finding.keyArn)}" data-status="${h(finding.status)}">` +
    `<td class="acct"><span class="mono">${h(finding.accountId)}</span>${name ? `<span class="aliases">${h(name)}</span>` : ''}</td>` +
    `<td class="region">${h(finding.region)}</td>${keyCell(finding)}<td>${statusBadge(finding.status)}</td>` +
    `<td>${h(finding.reason)}</td><td class="num">${h(finding.wave)}</td></tr>\n`
  );
}

function accountRow(finding: Finding): string {
  return (
    `<tr class="key" data-key-arn="${h(finding.keyArn)}" data-status="${h(finding.status)}">` +
    `<td class="region">${h(finding.region)}</td>${keyCell(finding)}<td>${statusBadge(finding.status)}</td>` +
    `<td>${h(finding.reason)}</td><td class="region">${h(rotationText(finding))}</td><td class="num">${h(finding.rotationPeriodInDays)}</td>` +
    `<td class="num">${h(finding.wave)}</td>${exceptionCell(finding)}</tr>\n`
  );
}

function table(headers: readonly (string | [string, 'num'])[], body: string, className?: string): string {
  const ths = headers.map((x) => (Array.isArray(x) ? `<th class="num">${h(x[0])}</th>` : `<th>${h(x)}</th>`)).join('');
  return `<table${className ? ` class="${className}"` : ''}><thead><tr>${ths}</tr></thead><tbody>\n${body}</tbody></table>\n`;
}

function headerHtml(input: ReportInput, now: Date): string {
  const { run } = input;
  const finished = run.finishedAt ? ` · finished <b>${h(run.finishedAt)}</b>` : '';
  const halt = run.haltReason ? `<p class="meta">Halted: ${h(run.haltReason)}</p>` : '';
  const coverage = `<p class="meta" id="coverage" data-covered="${fullyCovered(input.coverage)}">Compliance ${h(complianceHeadline(run.summary, input.coverage))}</p><p class="meta" id="controls">Controls: ${h(controlsText())}</p>`;
  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">` +
    `<meta name="referrer" content="no-referrer">` +
    `<title>KMS key rotation report · run ${h(run.runId)}</title><style>${STYLE}</style></head>\n<body>\n` +
    `<header><h1>KMS key rotation report</h1>` +
    `<p class="meta">Run <code>${h(run.runId)}</code> · mode <b>${h(run.mode)}</b> · <span class="status run-${h(run.status)}">${h(run.status)}</span>` +
    ` · started <b>${h(run.startedAt)}</b>${finished} · ${h(run.accountCount)} accounts · report generated ${h(now.toISOString())}</p>${coverage}${halt}</header>\n` +
    `<nav><a href="#totals">Totals</a><a href="#attention">Non-compliant and failed</a>${input.drift ? '<a href="#drift">Drift</a>' : ''}` +
    `<a href="#waves">Waves</a><a href="#exceptions">Exceptions</a><a href="#errors">Errors</a><a href="#accounts">Accounts</a></nav>\n<main>\n`
  );
}

function totalsHtml(input: ReportInput): string {
  const { run } = input;
  const totals = statusTotals(run.summary);
  const cards = [
    `<div class="card compliance" data-status="COMPLIANCE"><span class="num">${h(formatPercent(compliancePercent(run.summary)))}</span><span class="label" title="keys with rotation on, over the keys the control covers that are not exempt">COMPLIANCE</span></div>`,
    ...FINDING_STATUSES.map(
      (s) =>
        `<div class="card s-${s}" data-status="${s}" data-count="${totals[s]}"><span class="num">${totals[s]}</span><span class="label">${s}</span></div>`,
    ),
    `<div class="card total" data-status="TOTAL" data-count="${totalKeys(run.summary)}"><span class="num">${totalKeys(run.summary)}</span><span class="label">KEYS</span></div>`,
  ];
  const points = chartPoints(input.history ?? [], { runId: run.runId, startedAt: run.startedAt, summary: run.summary });
  return (
    `<section id="totals"><h2>Totals</h2><div class="cards">${cards.join('')}</div></section>\n` +
    `<section id="trend"><h2>Compliance across recent runs</h2>${complianceChartSvg(points)}</section>\n`
  );
}

function driftHtml(input: ReportInput): string {
  const d = input.drift;
  if (!d) return '';
  const rows = [
    ...d.newNonCompliant.map((f) => ['new', f] as const),
    ...d.regressed.map((f) => ['regressed', f] as const),
    ...d.resolved.map((f) => ['resolved', f] as const),
  ]
    .map(
      ([change, f]) =>
        `<tr class="drift-${change}" data-key-arn="${h(f.keyArn)}"><td>${h(change)}</td><td class="mono">${h(f.accountId)}</td><td>${h(f.region)}</td>${keyCell(f)}<td>${statusBadge(f.status)}</td></tr>\n`,
    )
    .join('');
  const counts =
    `<p class="drift-counts"><span>New non-compliant: <b>${d.newNonCompliant.length}</b></span><span>Regressed: <b>${d.regressed.length}</b></span>` +
    `<span>Resolved: <b>${d.resolved.length}</b></span><span>Exceptions expired since: <b>${d.expiredExceptions.length}</b></span></p>`;
  const since = d.previousRunId ? `run <code>${h(d.previousRunId)}</code>` : 'the first run';
  return `<section id="drift"><h2>Drift since ${since}</h2>${counts}${rows ? table(['Change', 'Account', 'Region', 'Key', 'Status now'], rows) : '<p class="empty">No key changed.</p>'}</section>\n`;
}

function wavesHtml(input: ReportInput): string {
  const { run } = input;
  const waves = waveRows(run, input.wavePlan);
  const title = run.mode === 'scan' ? 'Waves: what remediate would do' : 'Waves';
  if (waves.length === 0) return `<section id="waves"><h2>${title}</h2><p class="empty">No wave: no key needed remediation.</p></section>\n`;
  const rows = waves
    .map((w) => {
      const outcome = waveOutcome(w);
      const badge = w.result?.halted ? `<span class="badge halted">${h(outcome)}</span>` : h(outcome);
      return (
        `<tr class="wave" data-wave="${w.wave}"><td class="num">${w.wave}</td><td class="num">${h(w.plannedKeys)}</td><td class="num">${h(w.plannedAccounts)}</td>` +
        `<td class="num">${h(w.result?.remediated)}</td><td class="num">${h(w.result?.failed)}</td><td>${badge}</td></tr>\n`
      );
    })
    .join('');
  return `<section id="waves"><h2>${title}</h2>${table([['Wave', 'num'], ['Planned keys', 'num'], ['Accounts', 'num'], ['Remediated', 'num'], ['Failed', 'num'], 'Outcome'], rows, 'narrow')}</section>\n`;
}

function exceptionsHtml(input: ReportInput, now: Date): string {
  const exceptions = input.exceptions ?? [];
  const expiredSince = new Set(input.drift?.expiredExceptions.map((e) => e.target) ?? []);
  if (exceptions.length === 0) return `<section id="exceptions"><h2>Exceptions</h2><p class="empty">No exception on record.</p></section>\n`;
  const rows = exceptions
    .map((e) => {
      const state = exceptionStatus(e, now);
      const cls = state.state === 'expiring' ? 'expiring-soon' : state.state;
      const since = expiredSince.has(e.target) ? ' (since the previous run)' : '';
      return (
        `<tr class="exception ${cls}" data-target="${h(e.target)}"><td class="mono">${h(exceptionTargetLabel(e))}</td><td>${h(e.owner)}</td>` +
        `<td>${h(e.reason)}</td><td>${h(e.expiresAt)}</td><td><span class="badge ${cls}">${h(state.label + since)}</span></td></tr>\n`
      );
    })
    .join('');
  return `<section id="exceptions"><h2>Exceptions (${exceptions.length})</h2>${table(['Target', 'Owner', 'Reason', 'Expires', 'State'], rows)}</section>\n`;
}

function errorsHtml(input: ReportInput): string {
  if (input.errors.length === 0) return `<section id="errors"><h2>Errors</h2><p class="empty">None: every scope was scanned.</p></section>\n`;
  const rows = input.errors
    .map(
      (e) =>
        `<tr class="error-record"><td class="mono">${h(e.accountId)}</td><td>${h(e.region ?? 'all Regions')}</td><td>${h(e.phase)}</td><td>${h(e.error)}</td><td>${h(e.at)}</td></tr>\n`,
    )
    .join('');
  return `<section id="errors"><h2>Errors (${input.errors.length})</h2>${table(['Account', 'Region', 'Phase', 'Error', 'At'], rows)}</section>\n`;
}

const ACCOUNT_HEADERS: (string | [string, 'num'])[] = ['Region', 'Key', 'Status', 'Reason', 'Rotation', ['Period (days)', 'num'], ['Wave', 'num'], 'Exception'];

export async function writeHtmlReport(input: ReportInput, sink: ReportSink): Promise<void> {
  const now = reportTime(input);
  const out = new ChunkWriter(sink);
  await out.write(headerHtml(input, now));
  await out.write(totalsHtml(input));
  await out.write(driftHtml(input));

  // Pass one: the keys that need attention.
  const attentionSource = input.nonCompliantFindings ?? input.findings;
  await out.write(
    `<section id="attention"><h2>Non-compliant and failed keys</h2><table><thead><tr><th>Account</th><th>Region</th><th>Key</th><th>Status</th><th>Reason</th><th class="num">Wave</th></tr></thead><tbody>\n`,
  );
  let attention = 0;
  for await (const finding of iterate(attentionSource)) {
    if (!needsAttention(finding)) continue;
    attention += 1;
    await out.write(attentionRow(input, finding));
  }
  await out.write(`</tbody></table>`);
  await out.write(
    attention === 0
      ? `<p class="empty" id="attention-count" data-count="0">None: every covered key has rotation on or an exception.</p></section>\n`
      : `<p class="account-counts" id="attention-count" data-count="${attention}">${attention} key${attention === 1 ? '' : 's'} with rotation off.</p></section>\n`,
  );

  await out.write(wavesHtml(input));
  await out.write(exceptionsHtml(input, now));
  await out.write(errorsHtml(input));

  // Pass two: every key, a table per account.
  await out.write(`<section id="accounts"><h2>Keys by account</h2>\n`);
  let account: string | undefined;
  let counts = emptyCounts();
  const closeAccount = async () => {
    if (account === undefined) return;
    await out.write(`</tbody></table><p class="account-counts">${h(countsText(counts))}</p></section>\n`);
  };
  for await (const finding of iterate(input.findings)) {
    if (finding.accountId !== account) {
      await closeAccount();
      account = finding.accountId;
      counts = emptyCounts();
      const name = accountName(input, account);
      const ths = ACCOUNT_HEADERS.map((x) => (Array.isArray(x) ? `<th class="num">${h(x[0])}</th>` : `<th>${h(x)}</th>`)).join('');
      await out.write(
        `<section class="account" id="account-${h(account)}" data-account-id="${h(account)}"><h3>${h(name || account)}${name ? `<span class="acct-id">${h(account)}</span>` : ''}</h3>` +
          `<table><thead><tr>${ths}</tr></thead><tbody>\n`,
      );
    }
    counts[finding.status] += 1;
    await out.write(accountRow(finding));
  }
  await closeAccount();
  if (account === undefined) await out.write(`<p class="empty">No keys were listed.</p>`);
  await out.write(`</section>\n</main>\n<footer>kms-rotor · run ${h(input.run.runId)} · ${h(now.toISOString())}</footer>\n</body></html>\n`);
  await out.flush();
}
