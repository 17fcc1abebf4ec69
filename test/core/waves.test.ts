import { canarySize, fittedWaveSize, gateWave, MAX_WAVES, planWaves, type WaveCandidate } from '../../functions/core/waves';

const key = (accountId: string, n: number, region = 'us-east-1'): WaveCandidate => ({
  accountId,
  region,
  keyId: `k${String(n).padStart(3, '0')}`,
  keyArn: `arn:aws:kms:${region}:${accountId}:key/k${n}`,
});
const prod = '111111111111';
const dev = '222222222222';
const test = '333333333333';
const keys = [...[1, 2, 3].map((n) => key(dev, n)), ...[4, 5].map((n) => key(prod, n)), ...[6, 7, 8, 9].map((n) => key(test, n))];
const isPriority = (a: string) => a === prod;

describe('planWaves', () => {
  it('puts priority accounts first and cuts waves of the given size', () => {
    const waves = planWaves(keys, isPriority, { size: 4, order: 'priority' });
    expect(waves.map((w) => w.keys.length)).toEqual([4, 4, 1]);
    expect(waves[0].keys.slice(0, 2).map((k) => k.accountId)).toEqual([prod, prod]);
    expect(waves.map((w) => w.wave)).toEqual([1, 2, 3]);
    expect(waves[0].accounts).toEqual([prod, dev]);
    expect(waves.flatMap((w) => w.keys)).toHaveLength(keys.length);
  });

  it('keeps an account\'s keys together in account/Region/key order', () => {
    const shuffled = [key(dev, 2, 'eu-west-1'), key(dev, 1, 'us-east-1'), key(dev, 3, 'eu-west-1')];
    const [wave] = planWaves(shuffled, () => false, { size: 10, order: 'priority' });
    expect(wave.keys.map((k) => `${k.region}/${k.keyId}`)).toEqual(['eu-west-1/k002', 'eu-west-1/k003', 'us-east-1/k001']);
  });

  it('canary-first: one small wave from the least important accounts, then by priority', () => {
    const waves = planWaves(keys, isPriority, { size: 10, order: 'canary-first' });
    expect(canarySize(10)).toBe(1);
    expect(waves[0].keys).toHaveLength(1);
    expect(waves[0].keys[0].accountId).toBe(test);
    expect(waves[1].keys[0].accountId).toBe(prod);
    expect(waves.flatMap((w) => w.keys)).toHaveLength(keys.length);
    expect(new Set(waves.flatMap((w) => w.keys.map((k) => k.keyArn))).size).toBe(keys.length);
  });

  it('plans nothing for nothing, and rejects a size below 1', () => {
    expect(planWaves([], isPriority, { size: 5, order: 'canary-first' })).toEqual([]);
    expect(() => planWaves(keys, isPriority, { size: 0, order: 'priority' })).toThrow(/at least 1/);
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
