// The HTML report: one self-contained page (inline CSS, an inline SVG chart, no script, no font,
// no request; a Content-Security-Policy says so to the browser) that holds up at 10,000 keys.
// Attention first: the coverage and the totals, then the failed keys, the non-compliant keys and
// the errors, then a summary row per account (compliance and coverage), drift, the trend chart,
// the waves that ran, exceptions, and last every key, collapsed per account (<details>). The
// navigation stays on screen. Every value is escaped; every key links to its AWS console page.
//
// Streaming: two passes over findings. Pass one counts per account and keeps the attention rows
// (at most ATTENTION_ROWS, failed first); pass two writes the per-account key lists row by row,
// never collecting them. Memory: O(accounts + ATTENTION_ROWS).
import { FINDING_STATUSES } from '../functions/core/schemas';
import type { Finding, FindingStatus } from '../functions/core/schemas';
import { chartPoints, complianceBand, complianceChartSvg, runTime } from './chart';
import { controlsText } from '../functions/core/controls';
import { complianceHeadline, coverageGaps, fullyCovered } from '../functions/core/coverage';
import {
  ChunkWriter,
  accountName,
  compliancePercent,
  consoleUrl,
  countsText,
  DRIFT_COLUMNS,
  driftChanges,
  driftCounts,
  emptyCounts,
  exceptionStatus,
  exceptionTargetLabel,
  formatPercent,
  iterate,
  reportTime,
  rotationText,
  statusTotals,
  totalKeys,
  waveOutcome,
  waveRows,
} from './common';
import { escapeHtml as h } from './escape';
import { eventAction, keyEventsSummary } from '../functions/core/run-key-events';
import type { ReportInput, ReportSink } from './types';

/** The attention list shows at most this many keys (failed first); every key is in its account's list. */
export const ATTENTION_ROWS = 500;
/** The errors section shows at most this many records; the CSV and JSON formats carry all. */
export const ERROR_ROWS = 500;

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
.acct-id { color: var(--muted); font-weight: 400; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; margin-left: 6px; }
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
nav { position: sticky; top: 0; z-index: 10; box-shadow: 0 1px 3px rgba(16,42,67,.08); }
header { padding: 12px 32px; }
header h1 { font-size: 19px; margin: 0 0 4px; }
section { margin-top: 18px; }
.cards .card { padding: 6px 12px; min-width: 104px; }
.card .num { font-size: 21px; }
.coverage-panel { margin-top: 10px; display: flex; flex-wrap: wrap; gap: 6px 24px; font-size: 13px; }
.coverage-panel.gap { border-left: 5px solid var(--bad); }
.coverage-panel b { font-variant-numeric: tabular-nums; }
td.s-COMPLIANT { color: var(--ok); } td.s-NON_COMPLIANT { color: var(--bad); font-weight: 600; }
td.s-REMEDIATED { color: var(--fixed); } td.s-REMEDIATION_FAILED { color: var(--failed); font-weight: 700; }
td.s-EXEMPT { color: var(--exempt); } td.s-NOT_APPLICABLE { color: var(--na); }
tr.gap td { background: #fdeceb; }
td.pct.good { color: var(--ok); } td.pct.fair { color: var(--exempt); } td.pct.poor { color: var(--bad); font-weight: 600; }
details.account { background: var(--card); border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; }
details.account > summary { cursor: pointer; padding: 8px 12px; font-weight: 600; }
details.account > summary .account-counts { display: inline; margin-left: 10px; font-weight: 400; }
details.account table { border: 0; border-top: 1px solid var(--line); border-radius: 0; }
.chart .point.good { fill: var(--ok); } .chart .point.fair { fill: #d69e2e; } .chart .point.poor { fill: var(--bad); }
.chart .point { stroke: #fff; stroke-width: 1.5; } .chart .point.legend { fill: #7b8794; }
.chart .line { stroke: #9fb3c8; stroke-width: 2; }
.chart .value.good { fill: var(--ok); } .chart .value.fair { fill: #8d5b00; } .chart .value.poor { fill: var(--bad); }
.more { color: var(--muted); font-size: 13px; margin: 6px 0 0; }
#accounts td:nth-child(1), #accounts td:nth-child(3), #accounts td:nth-child(5) { white-space: nowrap; }
#accounts td:nth-child(2) a { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; color: var(--fixed); text-decoration: none; white-space: nowrap; }
#accounts td:nth-child(6), #accounts td:nth-child(7) { text-align: right; font-variant-numeric: tabular-nums; }
#accounts tr.s-COMPLIANT td:nth-child(3) { color: var(--ok); } #accounts tr.s-NON_COMPLIANT td:nth-child(3) { color: var(--bad); font-weight: 600; }
#accounts tr.s-REMEDIATED td:nth-child(3) { color: var(--fixed); } #accounts tr.s-REMEDIATION_FAILED td:nth-child(3) { color: var(--failed); font-weight: 700; }
#accounts tr.s-EXEMPT td:nth-child(3) { color: var(--exempt); } #accounts tr.s-NOT_APPLICABLE td:nth-child(3) { color: var(--na); }
`;

function keyCell(finding: Finding): string {
  const aliases = finding.aliases?.length ? `<span class="aliases">${h(finding.aliases.join(', '))}</span>` : '';
  return `<td class="key"><a href="${h(consoleUrl(finding))}">${h(finding.keyId)}</a>${aliases}</td>`;
}

function statusCell(status: FindingStatus): string {
  return `<td class="s-${status}">${h(status)}</td>`;
}

function attentionRow(input: ReportInput, finding: Finding): string {
  const name = accountName(input, finding.accountId);
  return (
    `<tr class="key" data-key-arn="${h(finding.keyArn)}" data-status="${h(finding.status)}">` +
    `<td class="acct"><a class="mono" href="#account-${h(finding.accountId)}">${h(finding.accountId)}</a>${name ? `<span class="aliases">${h(name)}</span>` : ''}</td>` +
    `<td class="region">${h(finding.region)}</td>${keyCell(finding)}${statusCell(finding.status)}` +
    `<td>${h(finding.reason)}</td><td class="num">${h(finding.wave)}</td></tr>\n`
  );
}

/**
 * A key of an account's list, kept short as 10,000 of them make the page: no classes (the
 * columns are styled by position), no ARN attribute (the link names the key), the optional end
 * tags left out, and so are the empty cells at the end of the row.
 */
function accountRow(finding: Finding): string {
  const aliases = finding.aliases?.length ? `<span class="aliases">${h(finding.aliases.join(', '))}</span>` : '';
  const e = finding.exception;
  const cells = [
    h(finding.region),
    `<a href="${h(consoleUrl(finding))}">${h(finding.keyId)}</a>${aliases}`,
    h(finding.status),
    h(finding.reason),
    h(rotationText(finding)),
    h(finding.rotationPeriodInDays),
    h(finding.wave),
    e ? `${h(e.owner)}<span class="aliases">until ${h(e.expiresAt)}: ${h(e.reason)}</span>` : '',
  ];
  while (cells[cells.length - 1] === '') cells.pop();
  return `<tr class="s-${finding.status}">${cells.map((c) => `<td>${c}`).join('')}\n`;
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
    `<nav><a href="#totals">Coverage</a><a href="#attention">Failed and non-compliant</a><a href="#errors">Errors</a><a href="#account-summary">Accounts</a>` +
    `${input.drift ? '<a href="#drift">Drift</a>' : ''}${input.keyEvents ? '<a href="#key-events">Key events</a>' : ''}<a href="#trend">Trend</a><a href="#waves">Waves</a><a href="#exceptions">Exceptions</a><a href="#accounts">All keys</a></nav>\n<main>\n`
  );
}

function coveragePanel(input: ReportInput): string {
  const c = input.coverage;
  const g = coverageGaps(c);
  const excluded = c.accounts.excluded.length ? ` (${c.accounts.excluded.map((e) => `${e.accountId}: ${e.why}`).join('; ')})` : '';
  return (
    `<div class="panel coverage-panel${fullyCovered(c) ? '' : ' gap'}" id="coverage-panel" data-covered="${fullyCovered(c)}">` +
    `<span>Accounts in scope <b data-field="inScope">${c.accounts.inScope}</b></span><span>scanned <b data-field="scanned">${c.accounts.scanned}</b></span>` +
    `<span>not scanned <b data-field="failed">${c.accounts.failed}</b></span><span>excluded <b data-field="excluded">${c.accounts.excluded.length}</b>${h(excluded)}</span>` +
    `<span>Regions scanned <b data-field="scannedRegions">${g.scannedRegions}</b> of <b data-field="enabledRegions">${g.enabledRegions}</b> enabled` +
    `${g.regionsNotScanned ? `, ${g.regionsNotScanned} not scanned` : ''}${g.regionsNotAsked ? `, ${g.regionsNotAsked} not asked for (--regions)` : ''}</span></div>`
  );
}

function totalsHtml(input: ReportInput): string {
  const { run } = input;
  const totals = statusTotals(run.summary);
  const cards = [
    `<div class="card compliance" data-status="COMPLIANCE"><span class="num">${h(formatPercent(compliancePercent(run.summary)))}</span><span class="label" title="keys with rotation on, over the covered keys the control judges that are not exempt">COMPLIANCE (covered keys)</span></div>`,
    ...FINDING_STATUSES.map(
      (s) => `<div class="card s-${s}" data-status="${s}" data-count="${totals[s]}"><span class="num">${totals[s]}</span><span class="label">${s}</span></div>`,
    ),
    `<div class="card total" data-status="TOTAL" data-count="${totalKeys(run.summary)}"><span class="num">${totalKeys(run.summary)}</span><span class="label">KEYS</span></div>`,
  ];
  return `<section id="totals"><div class="cards">${cards.join('')}</div>${coveragePanel(input)}</section>\n`;
}

function trendHtml(input: ReportInput): string {
  const { run } = input;
  const points = chartPoints(input.history ?? [], { runId: run.runId, startedAt: run.startedAt, mode: run.mode, summary: run.summary });
  const rows = points
    .map((p) => {
      const percent = compliancePercent(p.summary);
      return `<tr data-run-id="${h(p.runId)}"><td class="mono">${h(p.runId)}</td><td>${h(p.mode ?? '')}</td><td>${h(runTime(p.startedAt))}</td><td class="num pct ${percent === null ? '' : complianceBand(percent)}">${h(formatPercent(percent))}</td></tr>\n`;
    })
    .join('');
  return (
    `<section id="trend"><h2>Compliance across recent runs</h2>${complianceChartSvg(points)}` +
    `<details><summary>The runs in the chart (${points.length})</summary>${table(['Run', 'Mode', 'Started (UTC)', ['Compliance', 'num']], rows, 'narrow')}</details></section>\n`
  );
}

function keyEventsHtml(input: ReportInput): string {
  const k = input.keyEvents;
  if (!k) return '';
  const rows = k.events
    .slice(0, ATTENTION_ROWS)
    .map(
      (e) =>
        `<tr class="event-${h(e.outcome)}" data-key-arn="${h(e.keyArn)}" data-event-id="${h(e.eventId)}"><td>${h(e.handledAt)}${e.sinceRun ? ' <span class="aliases">since this run</span>' : ''}</td>` +
        `<td class="mono">${h(e.accountId)}</td><td>${h(e.region)}</td><td class="mono">${h(e.keyId)}</td><td>${h(e.eventName)}</td><td>${h(eventAction(e))}</td>` +
        `<td class="mono">${h(e.principal)}</td><td class="mono">${h(e.eventId)}</td><td>${h(e.reason ?? '')}</td></tr>\n`,
    )
    .join('');
  const more = k.events.length > ATTENTION_ROWS ? `<p class="more">The first ${ATTENTION_ROWS} of ${k.events.length} events; the JSON report lists all.</p>` : '';
  return (
    `<section id="key-events"><h2>Key events (continuous enforcement)</h2><p class="meta" id="key-events-count" data-count="${k.events.length}">${h(keyEventsSummary(k))}</p>` +
    `${rows ? table(['Handled (UTC)', 'Account', 'Region', 'Key', 'Event', 'Done', 'By', 'Event id', 'Reason'], rows) + more : '<p class="empty">No event was handled.</p>'}</section>\n`
  );
}

function driftHtml(input: ReportInput): string {
  const d = input.drift;
  if (!d) return '';
  const changes = driftChanges(d);
  const rows = changes
    .slice(0, ATTENTION_ROWS)
    .map(([change, f]) => `<tr class="drift-${change}" data-key-arn="${h(f.keyArn)}"><td>${h(change)}</td><td class="mono">${h(f.accountId)}</td><td>${h(f.region)}</td>${keyCell(f)}${statusCell(f.status)}</tr>\n`)
    .join('');
  const more = changes.length > ATTENTION_ROWS ? `<p class="more">The first ${ATTENTION_ROWS} of ${changes.length} changed keys; \`rotor drift\` lists all.</p>` : '';
  const counts = `<p class="drift-counts">${driftCounts(d).map(([label, n]) => `<span>${h(label)}: <b>${n}</b></span>`).join('')}</p>`;
  const since = d.previousRunId ? `run <code>${h(d.previousRunId)}</code>` : 'the first run';
  return `<section id="drift"><h2>Drift since ${since}</h2>${counts}${rows ? table(DRIFT_COLUMNS, rows) + more : '<p class="empty">No key changed.</p>'}</section>\n`;
}

/** The waves that ran, one row each; the planned waves that did not run are counted, not listed. */
function wavesHtml(input: ReportInput): string {
  const { run } = input;
  const waves = waveRows(run, input.wavePlan);
  const title = run.mode === 'scan' ? 'Waves: what remediate would do' : 'Waves';
  if (waves.length === 0) return `<section id="waves"><h2>${title}</h2><p class="empty">No wave: no key needed remediation.</p></section>\n`;
  const ran = waves.filter((w) => w.result);
  const notRun = waves.filter((w) => !w.result);
  const rows = ran
    .map((w) => {
      const outcome = waveOutcome(w);
      const badge = w.result?.halted ? `<span class="badge halted">${h(outcome)}</span>` : h(outcome);
      return (
        `<tr class="wave" data-wave="${w.wave}"><td class="num">${w.wave}</td><td class="num">${h(w.plannedKeys ?? w.result?.keys)}</td><td class="num">${h(w.plannedAccounts)}</td>` +
        `<td class="num">${h(w.result?.remediated)}</td><td class="num">${h(w.result?.failed)}</td><td>${badge}</td></tr>\n`
      );
    })
    .join('');
  const notRunKeys = notRun.reduce((sum, w) => sum + (w.plannedKeys ?? 0), 0);
  const rest = notRun.length
    ? `<p class="more" id="waves-not-run" data-count="${notRun.length}">${notRun.length} planned wave${notRun.length === 1 ? '' : 's'} (${notRunKeys} key${notRunKeys === 1 ? '' : 's'}) did not run${run.mode === 'scan' ? ': a scan remediates nothing' : ''}.</p>`
    : '';
  const ranTable = ran.length ? table([['Wave', 'num'], ['Keys', 'num'], ['Accounts', 'num'], ['Remediated', 'num'], ['Failed', 'num'], 'Outcome'], rows, 'narrow') : '';
  return `<section id="waves"><h2>${title}</h2>${ranTable}${rest}</section>\n`;
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
    .slice(0, ERROR_ROWS)
    .map((e) => `<tr class="error-record"><td class="mono">${h(e.accountId)}</td><td>${h(e.region ?? 'all Regions')}</td><td>${h(e.phase)}</td><td>${h(e.error)}</td><td>${h(e.at)}</td></tr>\n`)
    .join('');
  const more = input.errors.length > ERROR_ROWS ? `<p class="more">The first ${ERROR_ROWS} of ${input.errors.length} error records; the CSV and JSON formats list all.</p>` : '';
  return `<section id="errors"><h2>Errors (${input.errors.length})</h2>${table(['Account', 'Region', 'Phase', 'Error', 'At'], rows)}${more}</section>\n`;
}

interface AccountTally {
  counts: Record<FindingStatus, number>;
}

/** One row per account, those that need attention first: failed keys, non-compliant keys, scopes not scanned. */
function accountSummaryHtml(input: ReportInput, tallies: ReadonlyMap<string, AccountTally>): string {
  const regions = new Map(input.coverage.regions.map((r) => [r.accountId, r]));
  const errors = new Map<string, number>();
  for (const e of input.errors) errors.set(e.accountId, (errors.get(e.accountId) ?? 0) + 1);
  const notScanned = new Set(input.coverage.notScanned.map((n) => n.accountId));
  const ids = [...new Set([...tallies.keys(), ...regions.keys(), ...notScanned])];
  const rank = (id: string) => {
    const c = tallies.get(id)?.counts;
    return [-(c?.REMEDIATION_FAILED ?? 0), -(c?.NON_COMPLIANT ?? 0), notScanned.has(id) ? 0 : 1];
  };
  ids.sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    return ra[0] - rb[0] || ra[1] - rb[1] || ra[2] - rb[2] || a.localeCompare(b);
  });
  const rows = ids
    .map((id) => {
      const counts = tallies.get(id)?.counts ?? emptyCounts();
      const percent = compliancePercent(counts);
      const r = regions.get(id);
      const gap = notScanned.has(id);
      const name = accountName(input, id);
      const keys = FINDING_STATUSES.reduce((sum, s) => sum + counts[s], 0);
      return (
        `<tr class="account-row${gap ? ' gap' : ''}" data-account-id="${h(id)}"><td><a class="mono" href="#account-${h(id)}">${h(id)}</a>${name ? `<span class="aliases">${h(name)}</span>` : ''}</td>` +
        `<td class="num">${keys}</td><td class="num pct ${percent === null ? '' : complianceBand(percent)}">${h(formatPercent(percent))}</td>` +
        `<td class="num">${counts.REMEDIATION_FAILED}</td><td class="num">${counts.NON_COMPLIANT}</td><td class="num">${counts.REMEDIATED}</td>` +
        `<td class="num" data-field="regions">${r ? `${r.scanned.length} of ${r.enabled.length}` : '0'}</td><td class="num">${errors.get(id) ?? 0}</td>` +
        `<td>${gap ? 'NOT COVERED' : 'complete'}</td></tr>\n`
      );
    })
    .join('');
  return (
    `<section id="account-summary"><h2>Accounts (${ids.length})</h2>` +
    table(['Account', ['Keys', 'num'], ['Compliance', 'num'], ['Failed', 'num'], ['Non-compliant', 'num'], ['Remediated', 'num'], ['Regions scanned', 'num'], ['Errors', 'num'], 'Coverage'], rows) +
    `</section>\n`
  );
}

const ACCOUNT_HEADERS: (string | [string, 'num'])[] = ['Region', 'Key', 'Status', 'Reason', 'Rotation', ['Period (days)', 'num'], ['Wave', 'num'], 'Exception'];

export async function writeHtmlReport(input: ReportInput, sink: ReportSink): Promise<void> {
  const now = reportTime(input);
  const out = new ChunkWriter(sink);

  // Pass one: counts per account, and the attention rows (failed keys first, then non-compliant).
  const tallies = new Map<string, AccountTally>();
  const failed: string[] = [];
  const nonCompliant: string[] = [];
  let failedCount = 0;
  let nonCompliantCount = 0;
  for await (const finding of iterate(input.findings)) {
    let tally = tallies.get(finding.accountId);
    if (!tally) tallies.set(finding.accountId, (tally = { counts: emptyCounts() }));
    tally.counts[finding.status] += 1;
    if (finding.status === 'REMEDIATION_FAILED') {
      failedCount += 1;
      if (failed.length < ATTENTION_ROWS) failed.push(attentionRow(input, finding));
    } else if (finding.status === 'NON_COMPLIANT') {
      nonCompliantCount += 1;
      if (nonCompliant.length < ATTENTION_ROWS) nonCompliant.push(attentionRow(input, finding));
    }
  }
  const attentionRows = [...failed, ...nonCompliant].slice(0, ATTENTION_ROWS);
  const attention = failedCount + nonCompliantCount;

  await out.write(headerHtml(input, now));
  await out.write(totalsHtml(input));
  await out.write(
    `<section id="attention"><h2>Failed and non-compliant keys (${failedCount} failed, ${nonCompliantCount} non-compliant)</h2>` +
      (attention === 0
        ? `<p class="empty" id="attention-count" data-count="0">None: every covered key has rotation on or an exception.</p>`
        : table(['Account', 'Region', 'Key', 'Status', 'Reason', ['Wave', 'num']], attentionRows.join('')) +
          `<p class="account-counts" id="attention-count" data-count="${attention}">${attention} key${attention === 1 ? '' : 's'} with rotation off` +
          (attention > attentionRows.length ? `; the first ${attentionRows.length} are listed (failed first), every key is in its account's list below and in the CSV.` : '.') +
          `</p>`) +
      `</section>\n`,
  );
  await out.write(errorsHtml(input));
  await out.write(accountSummaryHtml(input, tallies));
  await out.write(driftHtml(input));
  await out.write(keyEventsHtml(input));
  await out.write(trendHtml(input));
  await out.write(wavesHtml(input));
  await out.write(exceptionsHtml(input, now));

  // Pass two: every key, collapsed per account.
  await out.write(`<section id="accounts"><h2>All keys, by account</h2>\n`);
  let account: string | undefined;
  const ths = ACCOUNT_HEADERS.map((x) => (Array.isArray(x) ? `<th class="num">${h(x[0])}</th>` : `<th>${h(x)}</th>`)).join('');
  for await (const finding of iterate(input.findings)) {
    if (finding.accountId !== account) {
      if (account !== undefined) await out.write(`</tbody></table></details>\n`);
      account = finding.accountId;
      const name = accountName(input, account);
      const counts = tallies.get(account)?.counts ?? emptyCounts();
      await out.write(
        `<details class="account" id="account-${h(account)}" data-account-id="${h(account)}"><summary>${h(name || account)}${name ? `<span class="acct-id">${h(account)}</span>` : ''}` +
          `<span class="account-counts">${h(countsText(counts))}</span></summary><table><thead><tr>${ths}</tr></thead><tbody>\n`,
      );
    }
    await out.write(accountRow(finding));
  }
  if (account !== undefined) await out.write(`</tbody></table></details>\n`);
  else await out.write(`<p class="empty">No keys were listed.</p>`);
  await out.write(`</section>\n</main>\n<footer>kms-rotor · run ${h(input.run.runId)} · ${h(now.toISOString())}</footer>\n</body></html>\n`);
  await out.flush();
}
