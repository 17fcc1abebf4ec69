// Orders the keys to remediate into waves, from per-account counts: priority accounts first, or a
// canary wave first. A wave is a list of slices (an account's keys at ranks start..start+count-1
// in Region/key order), so planning touches one number per account, never a key. Pure.
import type { WaveOrder, WaveSlice } from './schemas';

/** An account with keys to remediate: how many, and whether it goes first. */
export interface WaveCandidate {
  accountId: string;
  keys: number;
  priority: boolean;
}

export interface Wave {
  wave: number;
  slices: WaveSlice[];
  /** The accounts with keys in this wave, in order: what RemediateWave fans out over. */
  accounts: string[];
  keys: number;
}

export interface WavePlanOptions {
  size: number;
  order: WaveOrder;
}

/**
 * Each wave costs the parent execution about 22 history events (GetWave, the RemediateWave map,
 * the gate, the loop); 1,000 waves keep a rollout well inside the 25,000-event limit.
 */
export const MAX_WAVES = 1000;

/** The wave size to use: the one asked for, raised when it would take more than `maxWaves` waves. */
export function fittedWaveSize(keys: number, size: number, maxWaves = MAX_WAVES): number {
  return Math.max(size, Math.ceil(keys / maxWaves));
}

/** The canary wave is small: a tenth of a wave, at least one key. */
export function canarySize(size: number): number {
  return Math.max(1, Math.ceil(size / 10));
}

/** The order of an account's keys that slices count in: Region, then key id. */
export function byKeyScope(a: { region: string; keyId: string }, b: { region: string; keyId: string }): number {
  return a.region.localeCompare(b.region) || a.keyId.localeCompare(b.keyId);
}

/** Cuts a sequence of slices into waves of `size` keys, numbered from `firstWave`. */
function chunk(sequence: readonly WaveSlice[], size: number, firstWave: number): Wave[] {
  const waves: Wave[] = [];
  let current: WaveSlice[] = [];
  let filled = 0;
  const close = () => {
    if (filled === 0) return;
    waves.push({ wave: firstWave + waves.length, slices: current, accounts: current.map((s) => s.accountId), keys: filled });
    current = [];
    filled = 0;
  };
  for (const slice of sequence) {
    let { start, count } = slice;
    while (count > 0) {
      const take = Math.min(count, size - filled);
      current.push({ accountId: slice.accountId, start, count: take });
      filled += take;
      start += take;
      count -= take;
      if (filled === size) close();
    }
  }
  close();
  return waves;
}

/** The last `n` keys of a sequence of slices, and the rest before them. */
function splitTail(sequence: readonly WaveSlice[], n: number): { head: WaveSlice[]; tail: WaveSlice[] } {
  const head: WaveSlice[] = [];
  const tail: WaveSlice[] = [];
  let left = n;
  for (let i = sequence.length - 1; i >= 0; i--) {
    const slice = sequence[i];
    const take = Math.min(left, slice.count);
    left -= take;
    if (take > 0) tail.unshift({ accountId: slice.accountId, start: slice.start + slice.count - take, count: take });
    if (take < slice.count) head.unshift({ accountId: slice.accountId, start: slice.start, count: slice.count - take });
  }
  return { head, tail };
}

/**
 * Plans the waves. `priority`: keys of priority accounts first, then the rest, each group in
 * account order (and an account's keys in Region/key order) so that an account's keys stay
 * together. `canary-first`: a small first wave from the least important accounts (the end of that
 * order), then the rest by priority.
 */
export function planWaves(candidates: readonly WaveCandidate[], options: WavePlanOptions): Wave[] {
  if (!Number.isInteger(options.size) || options.size < 1) throw new RangeError('waves.size must be an integer of at least 1');
  const sorted = candidates.filter((c) => c.keys > 0).sort((a, b) => a.accountId.localeCompare(b.accountId));
  const ordered = [...sorted.filter((c) => c.priority), ...sorted.filter((c) => !c.priority)].map((c) => ({ accountId: c.accountId, start: 0, count: c.keys }));
  const total = ordered.reduce((n, s) => n + s.count, 0);
  if (options.order === 'priority' || total === 0) return chunk(ordered, options.size, 1);

  const { head, tail } = splitTail(ordered, Math.min(canarySize(options.size), total));
  return [...chunk(tail, options.size, 1), ...chunk(head, options.size, 2)];
}

/** The wave that holds the key at `rank` of an account, from that account's slices. */
export function waveAtRank(slices: readonly (WaveSlice & { wave: number })[], rank: number): number | undefined {
  return slices.find((s) => rank >= s.start && rank < s.start + s.count)?.wave;
}

/** The wave's failure rate and whether it exceeds the tolerated rate (which halts the rollout). */
export function gateWave(outcome: { remediated: number; failed: number }, maxFailureRate: number): { failureRate: number; halted: boolean } {
  const total = outcome.remediated + outcome.failed;
  const failureRate = total === 0 ? 0 : outcome.failed / total;
  return { failureRate, halted: failureRate > maxFailureRate };
}
