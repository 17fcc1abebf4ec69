// The compliance-over-time chart of the HTML report: an inline SVG line chart of compliance % per
// run, built as a string with every label escaped. No script, no external resource.
import { compliancePercent, formatPercent } from './common';
import { escapeHtml } from './escape';
import type { RunHistoryPoint } from './types';

/** At most this many recent runs are drawn. */
export const CHART_MAX_RUNS = 30;

const WIDTH = 760;
const HEIGHT = 240;
const PAD = { left: 48, right: 48, top: 24, bottom: 40 };

/** The runs to plot: the history plus the current run, oldest first, the most recent kept. */
export function chartPoints(history: readonly RunHistoryPoint[], current: RunHistoryPoint): RunHistoryPoint[] {
  const byId = new Map<string, RunHistoryPoint>();
  for (const point of history) byId.set(point.runId, point);
  byId.set(current.runId, current);
  return [...byId.values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt)).slice(-CHART_MAX_RUNS);
}

export function complianceChartSvg(points: readonly RunHistoryPoint[]): string {
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (points.length <= 1 ? plotW / 2 : (plotW * i) / (points.length - 1));
  const y = (percent: number) => PAD.top + plotH - (plotH * percent) / 100;
  const parts: string[] = [];
  parts.push(
    `<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg">`,
    `<title id="chart-title">Compliance % across the last ${points.length} run${points.length === 1 ? '' : 's'}</title>`,
  );
  for (const tick of [0, 25, 50, 75, 100]) {
    parts.push(
      `<line class="grid" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(tick)}" y2="${y(tick)}"/>`,
      `<text class="axis" x="${PAD.left - 8}" y="${y(tick) + 4}" text-anchor="end">${tick}%</text>`,
    );
  }
  const plotted = points.map((p, i) => ({ point: p, i, percent: compliancePercent(p.summary) }));
  // A run with no covered key has no percentage: the line breaks there rather than inventing one.
  let segment: string[] = [];
  const segments: string[][] = [];
  for (const { i, percent } of plotted) {
    if (percent === null) {
      if (segment.length) segments.push(segment);
      segment = [];
    } else segment.push(`${x(i).toFixed(1)},${y(percent).toFixed(1)}`);
  }
  if (segment.length) segments.push(segment);
  for (const s of segments) if (s.length > 1) parts.push(`<polyline class="line" points="${s.join(' ')}"/>`);
  // Label at most ~8 runs along the axis so dates do not overlap.
  const labelEvery = Math.max(1, Math.ceil(points.length / 8));
  for (const { point, i, percent } of plotted) {
    const label = `${point.runId} (${point.startedAt}): ${formatPercent(percent)}`;
    if (percent !== null) {
      parts.push(
        `<circle class="dot" cx="${x(i).toFixed(1)}" cy="${y(percent).toFixed(1)}" r="4"><title>${escapeHtml(label)}</title></circle>`,
      );
    }
    if (i % labelEvery === 0 || i === points.length - 1) {
      parts.push(
        `<text class="axis" x="${x(i).toFixed(1)}" y="${HEIGHT - PAD.bottom + 18}" text-anchor="middle">${escapeHtml(point.startedAt.slice(0, 10))}</text>`,
      );
    }
  }
  const last = plotted[plotted.length - 1];
  if (last && last.percent !== null) {
    parts.push(
      `<text class="value" x="${Math.min(x(last.i), WIDTH - PAD.right - 30).toFixed(1)}" y="${(y(last.percent) - 10).toFixed(1)}" text-anchor="middle">${escapeHtml(formatPercent(last.percent))}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}
