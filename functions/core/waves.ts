// Orders the keys to remediate into waves: priority accounts first, or a canary wave first. Pure.
import type { WaveOrder } from './schemas';

export interface WaveCandidate {
  accountId: string;
  region: string;
  keyId: string;
  keyArn: string;
}

export interface Wave<K extends WaveCandidate = WaveCandidate> {
  wave: number;
  keys: K[];
  /** The accounts with keys in this wave, in order: what RemediateWave fans out over. */
  accounts: string[];
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

function byScope(a: WaveCandidate, b: WaveCandidate): number {
  return a.accountId.localeCompare(b.accountId) || a.region.localeCompare(b.region) || a.keyId.localeCompare(b.keyId);
}

function chunk<K extends WaveCandidate>(keys: K[], size: number, firstWave: number): Wave<K>[] {
  const waves: Wave<K>[] = [];
  for (let i = 0; i < keys.length; i += size) {
    const slice = keys.slice(i, i + size);
    waves.push({ wave: firstWave + waves.length, keys: slice, accounts: [...new Set(slice.map((k) => k.accountId))] });
  }
  return waves;
}

/**
 * Plans the waves. `priority`: keys of priority accounts first, then the rest, each group in
 * account/Region/key order so that an account's keys stay together. `canary-first`: a small first
 * wave from the least important accounts (the end of that order), then the rest by priority.
 */
export function planWaves<K extends WaveCandidate>(
  candidates: readonly K[],
  isPriority: (accountId: string) => boolean,
  options: WavePlanOptions,
): Wave<K>[] {
  if (!Number.isInteger(options.size) || options.size < 1) throw new RangeError('waves.size must be an integer of at least 1');
  const sorted = [...candidates].sort(byScope);
  const ordered = [...sorted.filter((k) => isPriority(k.accountId)), ...sorted.filter((k) => !isPriority(k.accountId))];
  if (options.order === 'priority' || ordered.length === 0) return chunk(ordered, options.size, 1);

  const canaryCount = Math.min(canarySize(options.size), ordered.length);
  const canary = ordered.slice(ordered.length - canaryCount);
  const rest = ordered.slice(0, ordered.length - canaryCount);
  return [...chunk(canary, options.size, 1), ...chunk(rest, options.size, 2)];
}

/** The wave's failure rate and whether it exceeds the tolerated rate (which halts the rollout). */
export function gateWave(outcome: { remediated: number; failed: number }, maxFailureRate: number): { failureRate: number; halted: boolean } {
  const total = outcome.remediated + outcome.failed;
  const failureRate = total === 0 ? 0 : outcome.failed / total;
  return { failureRate, halted: failureRate > maxFailureRate };
}
