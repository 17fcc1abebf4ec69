// ValidateInput bounds the rotation period: 90-2560 always, and the deployment's allowed range
// when it has one, whatever a StartExecution caller sends.
import type { HandlerDeps } from '../../functions/handlers/deps';
import { step as validateInput } from '../../functions/handlers/validate-input';
import { InputError } from '../../functions/core/schemas';

/** Only what ValidateInput touches: it records the run. */
const deps = {
  store: { createRun: async () => 'created', getRun: async () => undefined, runs: async function* () {} },
  now: () => new Date('2026-11-13T00:00:00Z'),
} as unknown as HandlerDeps;

const ENV = ['ALLOWED_ROTATION_RANGE', 'DEFAULT_ROTATION_PERIOD_DAYS'] as const;
const saved = Object.fromEntries(ENV.map((name) => [name, process.env[name]]));
afterEach(() => {
  for (const name of ENV) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

const validate = (input: Record<string, unknown>) => validateInput(deps)({ input: { mode: 'remediate', ...input }, executionId: 'exec-1' });

describe('the rotation period', () => {
  it('without a configured range: 90-2560, as KMS accepts', async () => {
    await expect(validate({ rotationPeriodInDays: 2560 })).resolves.toMatchObject({ config: { rotationPeriodInDays: 2560 } });
    await expect(validate({ rotationPeriodInDays: 2561 })).rejects.toThrow(/rotationPeriodInDays: must be between 90 and 2560/);
    await expect(validate({ rotationPeriodInDays: 89 })).rejects.toThrow(InputError);
  });

  it('under a configured range 90-365: 2560 days is refused, naming the field and the range', async () => {
    process.env.ALLOWED_ROTATION_RANGE = '90-365';
    process.env.DEFAULT_ROTATION_PERIOD_DAYS = '365';
    const refused = validate({ rotationPeriodInDays: 2560 });
    await expect(refused).rejects.toThrow(InputError);
    await expect(refused).rejects.toThrow('rotationPeriodInDays: must be between 90 and 365, the rotation periods this deployment allows');
    await expect(validate({ rotationPeriodInDays: 180 })).resolves.toMatchObject({ config: { rotationPeriodInDays: 180 } });
    // An input that names no period gets the deployment's, which lies inside the range.
    await expect(validate({})).resolves.toMatchObject({ config: { rotationPeriodInDays: 365 } });
  });

  it('under a range 400-2560: a period below it is refused too', async () => {
    process.env.ALLOWED_ROTATION_RANGE = '400-2560';
    await expect(validate({ rotationPeriodInDays: 365 })).rejects.toThrow(/must be between 400 and 2560/);
  });

  it('a range the stack could not have written fails as a broken deployment, not as bad input', async () => {
    process.env.ALLOWED_ROTATION_RANGE = 'ninety';
    const failed = validate({ rotationPeriodInDays: 365 });
    await expect(failed).rejects.toThrow('ALLOWED_ROTATION_RANGE "ninety" is not MIN-MAX');
    await expect(failed).rejects.not.toBeInstanceOf(InputError);
  });
});
