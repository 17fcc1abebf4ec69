import { byKeyScope, canarySize, fittedWaveSize, gateWave, MAX_WAVES, planWaves, waveAtRank, type Wave, type WaveCandidate } from '../../functions/core/waves';

const prod = '111111111111';
const dev = '222222222222';
const test = '333333333333';
const candidates: WaveCandidate[] = [
  { accountId: dev, keys: 3, priority: false },
  { accountId: prod, keys: 2, priority: true },
  { accountId: test, keys: 4, priority: false },
];
const keysOf = (waves: Wave[]) => waves.flatMap((w) => w.slices.flatMap((s) => Array.from({ length: s.count }, (_, i) => `${s.accountId}:${s.start + i}`)));

/** The key-by-key planner this one replaces: the oracle the slices must agree with. */
function keyByKeyPlan(all: WaveCandidate[], size: number, order: 'priority' | 'canary-first'): string[][] {
  const sorted = [...all].sort((a, b) => a.accountId.localeCompare(b.accountId));
  const ordered = [...sorted.filter((c) => c.priority), ...sorted.filter((c) => !c.priority)].flatMap((c) => Array.from({ length: c.keys }, (_, i) => `${c.accountId}:${i}`));
  const chunk = (keys: string[]) => Array.from({ length: Math.ceil(keys.length / size) }, (_, i) => keys.slice(i * size, (i + 1) * size));
  if (order === 'priority' || ordered.length === 0) return chunk(ordered);
  const n = Math.min(canarySize(size), ordered.length);
  return [...chunk(ordered.slice(ordered.length - n)), ...chunk(ordered.slice(0, ordered.length - n))];
}

describe('planWaves', () => {
  it('puts priority accounts first and cuts waves of the given size', () => {
    const waves = planWaves(candidates, { size: 4, order: 'priority' });
    expect(waves.map((w) => w.keys)).toEqual([4, 4, 1]);
    expect(waves[0].slices).toEqual([
      { accountId: prod, start: 0, count: 2 },
      { accountId: dev, start: 0, count: 2 },
    ]);
    expect(waves.map((w) => w.wave)).toEqual([1, 2, 3]);
    expect(waves[0].accounts).toEqual([prod, dev]);
    expect(keysOf(waves)).toHaveLength(9);
  });

  it('canary-first: one small wave from the least important accounts, then by priority', () => {
    const waves = planWaves(candidates, { size: 10, order: 'canary-first' });
    expect(canarySize(10)).toBe(1);
    expect(waves[0].slices).toEqual([{ accountId: test, start: 3, count: 1 }]);
    expect(waves[1].slices[0].accountId).toBe(prod);
    expect(new Set(keysOf(waves)).size).toBe(9);
  });

  it('agrees key by key with planning every key, for many shapes of Organization', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rnd = (n: number) => (seed * 7919 + n * 104729) % 97;
      const all = Array.from({ length: 1 + (seed % 9) }, (_, i) => ({ accountId: String(100000000000 + rnd(i) * 13 + i), keys: rnd(i + 50) % 23, priority: rnd(i + 99) % 3 === 0 }));
      const size = 1 + (seed % 17);
      for (const order of ['priority', 'canary-first'] as const) {
        expect(planWaves(all, { size, order }).map((w) => keysOf([w]))).toEqual(keyByKeyPlan(all, size, order));
      }
    }
  });

  it('plans nothing for nothing, and rejects a size below 1', () => {
    expect(planWaves([], { size: 5, order: 'canary-first' })).toEqual([]);
    expect(planWaves([{ accountId: dev, keys: 0, priority: false }], { size: 5, order: 'priority' })).toEqual([]);
    expect(() => planWaves(candidates, { size: 0, order: 'priority' })).toThrow(/at least 1/);
  });
});

describe('waveAtRank and byKeyScope', () => {
  it('finds the wave of a key by its rank in Region/key order', () => {
    const slices = [
      { accountId: dev, start: 0, count: 2, wave: 1 },
      { accountId: dev, start: 2, count: 1, wave: 3 },
    ];
    expect([0, 1, 2, 3].map((r) => waveAtRank(slices, r))).toEqual([1, 1, 3, undefined]);
    const keys = [{ region: 'us-east-1', keyId: 'a' }, { region: 'eu-west-1', keyId: 'b' }, { region: 'eu-west-1', keyId: 'a' }];
    expect([...keys].sort(byKeyScope)).toEqual([{ region: 'eu-west-1', keyId: 'a' }, { region: 'eu-west-1', keyId: 'b' }, { region: 'us-east-1', keyId: 'a' }]);
  });
});

describe('fittedWaveSize', () => {
  it('keeps the size asked for unless the rollout would need more than the wave budget', () => {
    expect(fittedWaveSize(2000, 50, 1000)).toBe(50);
    expect(fittedWaveSize(50_000, 50, 1000)).toBe(50);
    expect(fittedWaveSize(50_001, 50, 1000)).toBe(51);
    expect(fittedWaveSize(200_000, 10, 1000)).toBe(200);
    expect(Math.ceil(200_000 / fittedWaveSize(200_000, 10))).toBeLessThanOrEqual(MAX_WAVES);
  });
});

describe('gateWave', () => {
  it('halts when the failure rate exceeds the tolerated rate', () => {
    expect(gateWave({ remediated: 9, failed: 1 }, 0.05)).toEqual({ failureRate: 0.1, halted: true });
    expect(gateWave({ remediated: 19, failed: 1 }, 0.05)).toEqual({ failureRate: 0.05, halted: false });
    expect(gateWave({ remediated: 0, failed: 0 }, 0)).toEqual({ failureRate: 0, halted: false });
  });
});
