// Property-based tests of `rotor run`'s flag parsing: any flag values give an input the schema
// accepts, or a UsageError that starts with a flag the user gave, never a throw of another kind.
import fc from 'fast-check';
import { UsageError } from '../../cli/errors';
import { decimalFlag, integerFlag, keyArnFlag } from '../../cli/flag-values';
import { externalIdFlag, inputFromFlags, type RunFlags } from '../../cli/run-input';
import { ExecutionInput, MAX_KEY_ARN_LENGTH } from '../../functions/core/schemas';

// A fixed seed: the same values on every run, so the suite never depends on the clock.
const RUNS = { numRuns: 300, seed: 13 };

// The flags of the input that take a value (--read-key-tags is a switch; --external-id is no part of the input).
const FLAG: Record<Exclude<keyof RunFlags, 'readKeyTags' | 'externalId'>, string> = {
  mode: '--mode',
  accounts: '--accounts',
  excludeAccounts: '--exclude-accounts',
  ous: '--ous',
  regions: '--regions',
  roleName: '--role-name',
  remediateRoleName: '--remediate-role-name',
  rotationPeriodDays: '--rotation-period-days',
  waveSize: '--wave-size',
  waveOrder: '--wave-order',
  maxFailureRate: '--max-failure-rate',
  priorityTag: '--priority-tag',
  priorityOus: '--priority-ous',
  runId: '--run-id',
};

/** Numbers as people (and fuzzers) type them: most look like numbers and are not decimal integers. */
const NUMBER_LIKE = ['0x10', '0b11', '0o7', '5.', '.5', '1e3', ' 5', '5 ', '+5', '-0', '05', 'Infinity', 'NaN', '', '1_000', '٣', '１', '9'.repeat(40)];
const TAG_LIKE = ['__proto__=x', 'constructor=a', 'toString=b,c', '=x', 'k=', 'k=,', 'a=b=c', `${'k'.repeat(129)}=v`, 'env=prod\nx'];

/** Mostly a value that is valid, then odd ones, then any string: enough of each outcome (about a fifth of the inputs valid). */
const text = (valid: string[], odd: string[] = []) =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...valid), weight: 12 },
    ...(odd.length > 0 ? [{ arbitrary: fc.constantFrom(...odd), weight: 2 }] : []),
    { arbitrary: fc.string({ maxLength: 20 }), weight: 1 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 8 }), weight: 1 },
  );
/** A flag left out more often than given. */
const given = (value: fc.Arbitrary<string>) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: value, weight: 2 });

const flags: fc.Arbitrary<RunFlags> = fc.record(
  {
    mode: given(text(['scan', 'remediate'], ['destroy'])),
    accounts: given(text(['111111111111', '111111111111,222222222222'], [',', '12345'])),
    excludeAccounts: given(text(['111111111111'], ['1234567890123'])),
    ous: given(text(['ou-ab12-cdef3456'], ['ou-bad'])),
    regions: given(text(['us-east-1', 'eu-west-1,us-west-2'], ['us-east-one'])),
    roleName: given(text(['KmsRotorScanRole'], ['has space'])),
    remediateRoleName: given(text(['KmsRotorRemediateRole'])),
    rotationPeriodDays: given(text(['90', '365', '2560', '05'], ['30', '3000', ...NUMBER_LIKE])),
    waveSize: given(text(['1', '50', '007'], ['0', '-1', ...NUMBER_LIKE])),
    waveOrder: given(text(['priority', 'canary-first'], ['random'])),
    maxFailureRate: given(text(['0', '0.05', '1', '.5'], ['1.5', '-0.1', ...NUMBER_LIKE])),
    priorityTag: fc.option(fc.array(text(['environment=production', 'team=b,c'], TAG_LIKE), { minLength: 1, maxLength: 3 }), { nil: undefined }),
    priorityOus: given(text(['ou-ab12-cdef3456'], ['ou-bad'])),
    runId: given(text(['run-1'], ['has space', 'x'.repeat(81)])),
  },
  { requiredKeys: [] },
);

/** The flags the user gave, as typed on the command line. */
const givenFlags = (f: RunFlags) => (Object.keys(f) as (keyof typeof FLAG)[]).filter((k) => f[k] !== undefined).map((k) => FLAG[k]);

describe('rotor run flags', () => {
  it('any values: an input the schema accepts, or a UsageError that starts with a flag given', () => {
    fc.assert(
      fc.property(flags, (f) => {
        try {
          const input = inputFromFlags(f);
          if (!ExecutionInput.safeParse(input).success) return false;
          // A number is taken only as decimal digits, and means what it says.
          if (f.waveSize !== undefined && input.waves?.size !== Number(f.waveSize)) return false;
          return f.waveSize === undefined || /^\d+$/.test(f.waveSize);
        } catch (error) {
          if (!(error instanceof UsageError)) throw error;
          return givenFlags(f).some((flag) => error.message.startsWith(`${flag}:`));
        }
      }),
      RUNS,
    );
  });

  it.each([
    ['0x10'],
    ['0b11'],
    ['5.'],
    ['1e3'],
    [' 5'],
    ['5 '],
    ['Infinity'],
  ])('--wave-size %j is refused as not a whole number', (waveSize) => {
    expect(() => inputFromFlags({ waveSize })).toThrow(new UsageError(`--wave-size: ${JSON.stringify(waveSize)} is not a whole number`));
  });

  it('--max-failure-rate takes plain decimals only', () => {
    expect(inputFromFlags({ maxFailureRate: '0.05' }).waves?.maxFailureRate).toBe(0.05);
    expect(inputFromFlags({ maxFailureRate: '.5' }).waves?.maxFailureRate).toBe(0.5);
    for (const odd of ['5e-2', '0x1', '1.', ' 0.1']) expect(() => inputFromFlags({ maxFailureRate: odd })).toThrow(/--max-failure-rate: .* is not a decimal number/);
  });

  it('--priority-tag keys named like Object properties are refused by name; values of one key are merged', () => {
    for (const tagKey of ['__proto__', 'constructor', 'toString']) expect(() => inputFromFlags({ priorityTag: [`${tagKey}=x`] })).toThrow(new RegExp(`^--priority-tag: cannot be "${tagKey}"`));
    expect(inputFromFlags({ priorityTag: ['env=a', 'team=b,c', 'env=d'] }).priority?.accountTags).toEqual({ env: ['a', 'd'], team: ['b', 'c'] });
    expect(() => inputFromFlags({ priorityTag: ['env=,'] })).toThrow(/--priority-tag: "env=," names no value/);
  });
});

describe('strict numbers and key ARNs', () => {
  it('a whole number is exactly its decimal digits', () => {
    fc.assert(
      fc.property(fc.integer(), (n) => integerFlag('--n', String(n)) === n),
      RUNS,
    );
  });

  it('any string: the integer it spells in decimal digits, or a UsageError naming the flag', () => {
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...NUMBER_LIKE), fc.string({ maxLength: 12 })), (value) => {
        const digits = /^-?\d+$/.test(value) && Number.isSafeInteger(Number(value));
        try {
          const n = integerFlag('--n', value);
          return digits && n === Number(value);
        } catch (error) {
          if (!(error instanceof UsageError)) throw error;
          return !digits && error.message.startsWith('--n: ');
        }
      }),
      RUNS,
    );
  });

  it('any string: a decimal number, or a UsageError naming the flag', () => {
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...NUMBER_LIKE), fc.string({ maxLength: 12 })), (value) => {
        try {
          return Number.isFinite(decimalFlag('--f', value));
        } catch (error) {
          if (!(error instanceof UsageError)) throw error;
          return error.message.startsWith('--f: ');
        }
      }),
      RUNS,
    );
  });

  it('a key ARN longer than a KMS key ARN can be is refused by its length, and not repeated', () => {
    const long = `arn:aws:kms:us-east-1:111111111111:key/${'a'.repeat(2000)}`;
    expect(() => keyArnFlag('--key-arn', long)).toThrow(new UsageError(`--key-arn: is longer than a KMS key ARN can be (${MAX_KEY_ARN_LENGTH} characters)`));
    expect(() => keyArnFlag('--key-arn', 'arn:aws:kms:us-east-1:1:key/x')).toThrow(/^--key-arn: "arn:aws:kms:us-east-1:1:key\/x" is not a KMS key ARN/);
    expect(keyArnFlag('--key-arn', 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab')).toMatch(/^arn:/);
  });

  it('--external-id is never in the input; a value the member roles could not take is refused by the flag, not quoted', () => {
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom('rotor-ext-1', 'ab', 'x', 'has space', 'semi;colon'), fc.string({ maxLength: 30 })), (value) => {
        expect(inputFromFlags({ mode: 'scan', externalId: value })).not.toHaveProperty('externalId');
        try {
          return externalIdFlag(value) === value && /^[\w+=,.@:/-]{2,1224}$/.test(value);
        } catch (error) {
          if (!(error instanceof UsageError)) throw error;
          return error.message === '--external-id: must be 2-1224 characters of [\\w+=,.@:/-]' && !/^[\w+=,.@:/-]{2,1224}$/.test(value);
        }
      }),
      RUNS,
    );
    expect(externalIdFlag(undefined)).toBeUndefined();
  });
});
