// The process's peak resident set over a stretch of a benchmark: Linux's high-water mark (VmHWM in
// /proc/self/status), reset at the start by writing 5 to /proc/self/clear_refs, so an earlier
// benchmark's peak does not count; elsewhere, a sampler of process.memoryUsage.rss().
import { readFileSync, writeFileSync } from 'node:fs';

const STATUS = '/proc/self/status';

/** VmHWM of a /proc/<pid>/status text, in bytes; undefined where the text has none (a kernel thread's). */
export function parseHighWaterMark(status: string): number | undefined {
  const kib = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
  return kib === undefined ? undefined : Number(kib) * 1024;
}

/** This process's VmHWM in bytes, or undefined where /proc does not give it. */
function highWaterMark(): number | undefined {
  try {
    return parseHighWaterMark(readFileSync(STATUS, 'utf8'));
  } catch {
    return undefined;
  }
}

function resetHighWaterMark(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return highWaterMark() !== undefined;
  } catch {
    return false;
  }
}

export interface PeakRss {
  /** The peak since peakRss() was called, in MiB. */
  peakMiB(): number;
  stop(): void;
}

export function peakRss(): PeakRss {
  if (resetHighWaterMark()) return { peakMiB: () => highWaterMark()! / 2 ** 20, stop: () => undefined };
  let peak = process.memoryUsage.rss();
  // memoryUsage.rss() only: the full memoryUsage() walks the heap spaces, 1% of a run's CPU at this rate.
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  return {
    peakMiB: () => Math.max(peak, process.memoryUsage.rss()) / 2 ** 20,
    stop: () => clearInterval(sampler),
  };
}
