// The compliance-over-time chart of the HTML report: an inline SVG of compliance % per run on a
// true time axis (a run's x is its start time), every point labelled with its value and coloured
// by it, scans drawn as circles and remediations as squares. Built as a string with every label
// escaped; no script, no external resource.
import { compliancePercent, formatPercent } from './common';
import { escapeHtml } from './escape';
import type { RunHistoryPoint } from './types';

/** At most this many recent runs are drawn. */
export const CHART_MAX_RUNS = 30;

const WIDTH = 760;
const HEIGHT = 250;
const PAD = { left: 48, right: 56, top: 28, bottom: 44 };
const HOUR_MS = 3_600_000;
/** A value label's box ("100.0%" at 12 px), for keeping labels apart. */
const LABEL_W = 44;
const LABEL_H = 13;
const DAY_MS = 24 * HOUR_MS;

/** The colour band of a compliance value: a 29% point is never drawn green. */
export function complianceBand(percent: number): 'good' | 'fair' | 'poor' {
  return percent >= 95 ? 'good' : percent >= 80 ? 'fair' : 'poor';
}

/** The runs to plot: the history plus the current run, oldest first, the most recent kept. */
export function chartPoints(history: readonly RunHistoryPoint[], current: RunHistoryPoint): RunHistoryPoint[] {
  const byId = new Map<string, RunHistoryPoint>();
  for (const point of history) byId.set(point.runId, point);
  byId.set(current.runId, current);
  return [...byId.values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt)).slice(-CHART_MAX_RUNS);
}

/** "2026-12-02 14:05": a run's start to the minute (UTC), so two runs of one day read apart. */
export function runTime(startedAt: string): string {
  return `${startedAt.slice(0, 10)} ${startedAt.slice(11, 16)}`;
}

/** Axis ticks: about six instants across [from, to], on whole hours or days. */
function timeTicks(from: number, to: number): { at: number; label: string }[] {
  const span = to - from;
  const steps = [HOUR_MS, 3 * HOUR_MS, 6 * HOUR_MS, 12 * HOUR_MS, DAY_MS, 2 * DAY_MS, 3 * DAY_MS, 7 * DAY_MS, 14 * DAY_MS, 30 * DAY_MS];
  const step = steps.find((s) => span / s <= 6) ?? 30 * DAY_MS;
  const ticks: { at: number; label: string }[] = [];
  for (let at = Math.ceil(from / step) * step; at <= to; at += step) {
    const iso = new Date(at).toISOString();
    ticks.push({ at, label: step < DAY_MS ? runTime(iso) : iso.slice(0, 10) });
  }
  return ticks;
}

export function complianceChartSvg(points: readonly RunHistoryPoint[]): string {
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const times = points.map((p) => Date.parse(p.startedAt));
  // One run, or runs at one instant: an hour either side, so the point sits mid-axis.
  const from = Math.min(...times) - (Math.max(...times) === Math.min(...times) ? HOUR_MS : 0);
  const to = Math.max(...times) + (Math.max(...times) === Math.min(...times) ? HOUR_MS : 0);
  const x = (t: number) => PAD.left + (plotW * (t - from)) / (to - from);
  const y = (percent: number) => PAD.top + plotH - (plotH * percent) / 100;
  const parts: string[] = [];
  parts.push(
    `<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg">`,
    `<title id="chart-title">Compliance % across the last ${points.length} run${points.length === 1 ? '' : 's'}, by start time</title>`,
  );
  for (const tick of [0, 25, 50, 75, 100]) {
    parts.push(
      `<line class="grid" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(tick)}" y2="${y(tick)}"/>`,
      `<text class="axis" x="${PAD.left - 8}" y="${y(tick) + 4}" text-anchor="end">${tick}%</text>`,
    );
  }
  if (points.length > 0) {
    for (const tick of timeTicks(from, to)) {
      parts.push(`<text class="axis" x="${x(tick.at).toFixed(1)}" y="${HEIGHT - PAD.bottom + 18}" text-anchor="middle">${escapeHtml(tick.label)}</text>`);
    }
  }
  const plotted = points.map((p, i) => ({ point: p, x: x(times[i]), percent: compliancePercent(p.summary) }));
  // A run with no covered key has no percentage: the line breaks there rather than inventing one.
  const segments: string[][] = [[]];
  for (const { x: px, percent } of plotted) {
    if (percent === null) segments.push([]);
    else segments[segments.length - 1].push(`${px.toFixed(1)},${y(percent).toFixed(1)}`);
  }
  for (const s of segments) if (s.length > 1) parts.push(`<polyline class="line" points="${s.join(' ')}"/>`);
  // Each value label goes to the first place near its point that no earlier label takes, so the
  // values of runs close in time (several on one day) stay legible.
  const placed: { x: number; y: number }[] = [];
  const labelAt = (px: number, py: number): number => {
    const offsets = [-10, 18, -24, 32, -38, 46, -52, 60];
    const fits = (y: number) => y >= 12 && y <= HEIGHT - PAD.bottom + 4 && placed.every((l) => Math.abs(l.x - px) >= LABEL_W || Math.abs(l.y - y) >= LABEL_H);
    const y = offsets.map((o) => py + o).find(fits) ?? py - 10;
    placed.push({ x: px, y });
    return y;
  };
  plotted.forEach(({ point, x: px, percent }) => {
    if (percent === null) return;
    const py = y(percent);
    const mode = point.mode === 'remediate' ? 'remediate' : 'scan';
    const title = `<title>${escapeHtml(`${point.runId} (${mode}, ${runTime(point.startedAt)} UTC): ${formatPercent(percent)}`)}</title>`;
    const cls = `point ${mode} ${complianceBand(percent)}`;
    parts.push(
      mode === 'remediate'
        ? `<rect class="${cls}" x="${(px - 4.5).toFixed(1)}" y="${(py - 4.5).toFixed(1)}" width="9" height="9" data-run-id="${escapeHtml(point.runId)}">${title}</rect>`
        : `<circle class="${cls}" cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="5" data-run-id="${escapeHtml(point.runId)}">${title}</circle>`,
    );
    const labelY = labelAt(px, py);
    parts.push(`<text class="value ${complianceBand(percent)}" x="${px.toFixed(1)}" y="${labelY.toFixed(1)}" text-anchor="middle">${escapeHtml(formatPercent(percent))}</text>`);
  });
  const legendY = HEIGHT - 10;
  parts.push(
    `<circle class="point scan legend" cx="${PAD.left + 6}" cy="${legendY - 4}" r="5"/><text class="axis" x="${PAD.left + 16}" y="${legendY}">scan</text>`,
    `<rect class="point remediate legend" x="${PAD.left + 66}" y="${legendY - 8.5}" width="9" height="9"/><text class="axis" x="${PAD.left + 80}" y="${legendY}">remediate</text>`,
    `<text class="axis" x="${PAD.left + 160}" y="${legendY}">colour: ≥ 95% green, ≥ 80% amber, below red</text>`,
  );
  parts.push('</svg>');
  return parts.join('');
}
