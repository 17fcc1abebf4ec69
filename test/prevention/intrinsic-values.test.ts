// The values an intrinsic expression can take: a set, so that nested Fn::If stays small however deep.
import { possibleValues, type Outcome } from '../../prevention/intrinsic-values';

const values = (outcomes: Outcome[]) => outcomes.map((outcome) => (outcome.kind === 'known' ? outcome.value : outcome.dependsOn));

/** Fn::If nested `depth` times, both branches the same expression: 2^depth paths, few values. */
function nestedIf(depth: number, leaf: (level: number) => unknown): unknown {
  let expression: unknown = leaf(0);
  for (let level = 1; level <= depth; level++) expression = { 'Fn::If': [`C${level}`, expression, leaf(level)] };
  return expression;
}

describe('possibleValues: nested Fn::If', () => {
  it('gives each value once, with the first path that reaches it', () => {
    const outcomes = possibleValues({ 'Fn::If': ['A', true, { 'Fn::If': ['B', true, false] }] });
    expect(outcomes).toEqual([
      { kind: 'known', value: true, conditions: [{ condition: 'A', holds: true }] },
      { kind: 'known', value: false, conditions: [{ condition: 'A', holds: false }, { condition: 'B', holds: false }] },
    ]);
  });

  it('keeps 2^16 paths through shared branches to the two values they reach', () => {
    let expression: unknown = { 'Fn::If': ['C0', true, false] };
    for (let level = 1; level <= 16; level++) expression = { 'Fn::If': [`C${level}`, expression, expression] };
    expect(values(possibleValues(expression))).toEqual([true, false]);
  });

  it('stays small for a deep chain of conditions', () => {
    const outcomes = possibleValues(nestedIf(200, (level) => (level % 2 === 0 ? 'true' : { Ref: 'AWS::NoValue' })));
    expect(values(outcomes)).toEqual(['true', undefined]);
  });

  it('reads each shared branch once, not once per path to it', () => {
    let reads = 0;
    const counted = (condition: string, whenTrue: unknown, whenFalse: unknown) =>
      Object.defineProperty({}, 'Fn::If', {
        enumerable: true,
        get: () => {
          reads++;
          return [condition, whenTrue, whenFalse];
        },
      });
    let expression: unknown = counted('C0', true, false);
    for (let level = 1; level <= 16; level++) expression = counted(`C${level}`, expression, expression);
    expect(values(possibleValues(expression))).toEqual([true, false]);
    expect(reads).toBe(17);
  });

  it('keeps values that differ by type or by where they come from', () => {
    const context = { parameters: { P: { Type: 'String', Default: 'true', AllowedValues: ['true', 'false'] } } };
    const outcomes = possibleValues({ 'Fn::If': ['A', true, { 'Fn::If': ['B', 'true', { Ref: 'P' }] }] }, context);
    expect(outcomes.map((outcome) => (outcome.kind === 'known' ? [outcome.value, outcome.source] : []))).toEqual([
      [true, undefined],
      ['true', undefined],
      ['true', 'parameter P defaults to "true"'],
      ['false', 'parameter P allows "false"'],
    ]);
  });
});
