// Property-based tests of the execution input schema: whatever a StartExecution caller sends, it
// parses into a valid input or fails with an InputError naming each bad field, never another throw.
import fc from 'fast-check';
import { ExceptionRecord, ExecutionInput, InputError, MAX_KEY_ARN_LENGTH, parseOrThrow } from '../../functions/core/schemas';

// A fixed seed: the same values on every run, so the suite never depends on the clock.
const RUNS = { numRuns: 300, seed: 13 };

const FIELDS = Object.keys(ExecutionInput.shape);
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'prototype'];

/** An object with these own entries; Object.fromEntries makes `__proto__` an own key, as JSON.parse does. */
const objectOf = <V>(key: fc.Arbitrary<string>, value: fc.Arbitrary<V>) =>
  fc.array(fc.tuple(key, value), { maxLength: 5 }).map((entries) => Object.fromEntries(entries));

const wild = fc.oneof(fc.anything(), fc.constant(undefined), fc.constant(null));
const key = fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.string({ maxLength: 12 }));
/** Mostly `usual`, now and then `odd`. */
const rarely = <V>(usual: fc.Arbitrary<V>, odd: fc.Arbitrary<V>) => fc.oneof({ arbitrary: usual, weight: 29 }, { arbitrary: odd, weight: 1 });
/** Mostly a plausible value, sometimes anything: enough valid inputs (about a quarter) to test what parsing gives. */
const maybe = <V>(plausible: fc.Arbitrary<V>) => rarely<unknown>(plausible, wild);

/** Mostly a value of the field's format, sometimes any string. */
const mostly = (format: RegExp) => rarely(fc.stringMatching(format), fc.string({ maxLength: 12 }));
const accountId = mostly(/^\d{12}$/);

/** Inputs close to valid, each field plausible or anything, plus stray and prototype-named keys. */
const nearlyValid = fc
  .record(
    {
      mode: maybe(rarely(fc.constantFrom('scan', 'remediate'), fc.constant('destroy'))),
      accounts: maybe(fc.array(accountId, { minLength: 1, maxLength: 3 })),
      excludeAccounts: maybe(fc.array(accountId, { maxLength: 2 })),
      regions: maybe(fc.array(rarely(fc.constantFrom('us-east-1', 'eu-west-1', 'us-gov-west-1'), fc.constant('us-east-one')), { minLength: 1, maxLength: 3 })),
      roleName: maybe(mostly(/^[\w+=,.@-]{1,64}$/)),
      rotationPeriodInDays: maybe(rarely(fc.integer({ min: 90, max: 2560 }), fc.oneof(fc.integer(), fc.double()))),
      waves: maybe(
        fc.record(
          { size: maybe(rarely(fc.integer({ min: 1, max: 500 }), fc.integer({ min: -2, max: 0 }))), order: maybe(fc.constantFrom('priority', 'canary-first')), maxFailureRate: maybe(rarely(fc.double({ min: 0, max: 1, noNaN: true }), fc.double())) },
          { requiredKeys: [] },
        ),
      ),
      priority: maybe(
        fc.record(
          {
            accountTags: maybe(objectOf(key, fc.oneof({ arbitrary: fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }), weight: 4 }, { arbitrary: wild, weight: 1 }))),
            organizationalUnits: maybe(fc.array(rarely(fc.constant('ou-ab12-cdef3456'), fc.constant('ou-bad')), { maxLength: 2 })),
          },
          { requiredKeys: [] },
        ),
      ),
      runId: maybe(mostly(/^[\w.-]{1,80}$/)),
      trigger: maybe(rarely(fc.constantFrom('cli', 'schedule'), fc.constant('x'.repeat(41)))),
    },
    { requiredKeys: [] },
  )
  .chain((input) =>
    fc.oneof({ arbitrary: fc.constant({}), weight: 3 }, { arbitrary: objectOf(key, wild), weight: 1 }).map((stray) => ({ ...stray, ...input })),
  );

/** The outcome of parsing: the parsed input, or the InputError's issues; any other throw fails the test. */
function parse(value: unknown): { ok: true; config: ExecutionInput } | { ok: false; issues: InputError['issues'] } {
  try {
    return { ok: true, config: parseOrThrow(ExecutionInput, value) };
  } catch (error) {
    if (error instanceof InputError) return { ok: false, issues: error.issues };
    throw error;
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every issue names a field: a known one or a key the caller sent, or "(input)" for a non-object. */
function namesFields(value: unknown, issues: InputError['issues']): boolean {
  const sent = isPlainObject(value) ? Object.keys(value).map((k) => (k === '' ? '""' : k)) : [];
  return (
    issues.length > 0 &&
    issues.every(({ field, message }) => {
      if (typeof message !== 'string' || message === '') return false;
      if (field === '(input)') return !isPlainObject(value);
      const top = field.split('.')[0];
      return FIELDS.includes(top) || sent.includes(field);
    })
  );
}

describe('ExecutionInput on any value', () => {
  it('anything at all: a valid input or an InputError naming the field', () => {
    fc.assert(
      fc.property(wild, (value) => {
        const result = parse(value);
        return result.ok || namesFields(value, result.issues);
      }),
      RUNS,
    );
  });

  it('inputs close to valid: a parsed input that parses again to itself, or an InputError naming each field', () => {
    fc.assert(
      fc.property(nearlyValid, (value) => {
        const result = parse(value);
        if (!result.ok) return namesFields(value, result.issues);
        // What ValidateInput passes on survives the state machine's JSON and is valid again.
        const again = parse(JSON.parse(JSON.stringify(result.config)));
        return again.ok && JSON.stringify(again.config) === JSON.stringify(result.config);
      }),
      RUNS,
    );
  });

  it('a priority tag named like an Object property is refused by name, never dropped', () => {
    fc.assert(
      fc.property(fc.constantFrom(...Object.getOwnPropertyNames(Object.prototype)), fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }), (tagKey, values) => {
        const result = parse(JSON.parse(JSON.stringify({ priority: { accountTags: Object.fromEntries([[tagKey, values]]) } })));
        return !result.ok && result.issues.some((i) => i.field === `priority.accountTags.${tagKey}` && i.message.startsWith(`cannot be "${tagKey}"`));
      }),
      RUNS,
    );
  });
});

describe('ExecutionInput and the ExternalId', () => {
  it('refuses externalId whatever its value, naming the field and saying it is the deployment\'s configuration', () => {
    fc.assert(
      fc.property(fc.oneof(fc.stringMatching(/^[\w+=,.@:/-]{2,40}$/), wild.filter((v) => v !== undefined)), (externalId) => {
        const result = parse({ mode: 'scan', externalId });
        return !result.ok && result.issues.length === 1 && result.issues[0].field === 'externalId' && /^is not part of the execution input: the ExternalId is the deployment's configuration/.test(result.issues[0].message);
      }),
      RUNS,
    );
  });
});

describe('ExceptionRecord target', () => {
  const record = (target: string) => ({ target, owner: 'o', reason: 'r', expiresAt: '2099-01-01', createdAt: '2026-01-01T00:00:00Z' });

  it('refuses any key ARN longer than a KMS key ARN can be, by its length', () => {
    fc.assert(
      fc.property(fc.integer({ min: MAX_KEY_ARN_LENGTH + 1, max: 5000 }), (length) => {
        const prefix = 'arn:aws:kms:us-east-1:111111111111:key/';
        const result = ExceptionRecord.safeParse(record(prefix + 'a'.repeat(length - prefix.length)));
        return !result.success && result.error.issues.every((i) => i.path.join('.') === 'target' && /longer than a KMS key ARN/.test(i.message));
      }),
      { ...RUNS, numRuns: 50 },
    );
  });

  it('takes a key ARN or an account id', () => {
    expect(ExceptionRecord.safeParse(record('arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab')).success).toBe(true);
    expect(ExceptionRecord.safeParse(record('111111111111')).success).toBe(true);
    expect(ExceptionRecord.safeParse(record('arn:aws:kms:us-east-1:1:key/x')).error?.issues[0].message).toBe('must be a KMS key ARN or a 12-digit account id');
  });
});
