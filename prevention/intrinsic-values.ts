// Works out which values a resource property can take once deployed, through the intrinsic
// functions a key's settings may use (Ref to a parameter, Fn::If, Fn::FindInMap). What cannot be
// known from the template alone is an "unresolved" outcome that names what it depends on. The
// values are a set: each once, with the first path that reaches it, so nested Fn::If stays small.

/** A value the input itself says is unknown, e.g. a Terraform attribute "known after apply". */
export class UnknownValue {
  constructor(readonly dependsOn: string) {}
}

/** The parts of a template that intrinsic functions read. */
export interface TemplateContext {
  parameters?: Readonly<Record<string, unknown>>;
  mappings?: Readonly<Record<string, unknown>>;
}

/** One branch of Fn::If taken on the way to an outcome. */
export interface ConditionChoice {
  condition: string;
  holds: boolean;
}

export type Outcome =
  | {
      kind: 'known';
      value: unknown;
      conditions: readonly ConditionChoice[];
      /** Where the value came from when it is not written in place, e.g. a parameter's default. */
      source?: string;
      /** The parameter whose AllowedValues offer this value to whoever deploys: possible, not the default. */
      allowedBy?: string;
    }
  | {
      kind: 'unresolved';
      dependsOn: string;
      conditions: readonly ConditionChoice[];
      /** A parameter without AllowedValues: whoever deploys can give it any value, the default or not. */
      freeParameter?: { name: string; hasDefault: boolean };
    };

const PSEUDO_PARAMETER = /^AWS::/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The one function name of an intrinsic-function object (`{"Ref": ...}`, `{"Fn::If": ...}`), if it is one. */
export function intrinsicName(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const [name] = keys;
  return name === 'Ref' || name === 'Condition' || name.startsWith('Fn::') ? name : undefined;
}

function known(value: unknown, conditions: readonly ConditionChoice[] = [], source?: string): Outcome {
  return source === undefined ? { kind: 'known', value, conditions } : { kind: 'known', value, conditions, source };
}

function unresolved(dependsOn: string, conditions: readonly ConditionChoice[] = []): Outcome {
  return { kind: 'unresolved', dependsOn, conditions };
}

/** `outcomes` with `choices` taken first on the way to each. */
export function under(choices: readonly ConditionChoice[], outcomes: readonly Outcome[]): Outcome[] {
  if (choices.length === 0) return [...outcomes];
  return outcomes.map((outcome) => ({ ...outcome, conditions: [...choices, ...outcome.conditions] }));
}

/** Identity of object values for the set below: two objects are the same value only if one object. */
const objectIds = new WeakMap<object, number>();
let objectCount = 0;

function valueKey(value: unknown): string {
  if (typeof value !== 'object' || value === null) return `${typeof value}:${String(value)}`;
  let id = objectIds.get(value);
  if (id === undefined) objectIds.set(value, (id = ++objectCount));
  return `object:${id}`;
}

/** Each distinct outcome once, by what it says rather than by the conditions that led to it. */
function distinct(outcomes: readonly Outcome[]): Outcome[] {
  const seen = new Set<string>();
  return outcomes.filter((outcome) => {
    const key =
      outcome.kind === 'known'
        ? ['known', valueKey(outcome.value), outcome.source ?? '', outcome.allowedBy ?? ''].join('\u0000')
        : ['unresolved', outcome.dependsOn].join('\u0000');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function hasValue(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/**
 * A parameter is its default and whatever else whoever deploys may give it: each of its AllowedValues,
 * or, without AllowedValues, any value at all (an unresolved outcome naming the parameter).
 */
function resolveParameter(name: string, parameter: Record<string, unknown>): Outcome[] {
  const hasDefault = hasValue(parameter.Default);
  const outcomes: Outcome[] = hasDefault ? [known(parameter.Default, [], `parameter ${name} defaults to ${JSON.stringify(parameter.Default)}`)] : [];
  const allowed = Array.isArray(parameter.AllowedValues) ? parameter.AllowedValues.filter(hasValue) : [];
  if (allowed.length === 0) {
    const dependsOn = hasDefault ? `parameter ${name}, which can be given another value at deploy time` : `parameter ${name} with no default`;
    outcomes.push({ kind: 'unresolved', dependsOn, conditions: [], freeParameter: { name, hasDefault } });
    return outcomes;
  }
  // CloudFormation passes parameters as strings: an allowed true is the default "true".
  for (const value of allowed) {
    if (hasDefault && String(value) === String(parameter.Default)) continue;
    outcomes.push({ kind: 'known', value, conditions: [], source: `parameter ${name} allows ${JSON.stringify(value)}`, allowedBy: name });
  }
  return distinct(outcomes);
}

function resolveRef(name: unknown, context: TemplateContext): Outcome[] {
  if (typeof name !== 'string') return [unresolved('a Ref whose target is not a name')];
  if (name === 'AWS::NoValue') return [known(undefined)];
  if (PSEUDO_PARAMETER.test(name)) return [unresolved(`pseudo parameter ${name}`)];
  const parameter = context.parameters?.[name];
  if (!isRecord(parameter)) return [unresolved(`${name}, which is not a parameter of the template`)];
  if (typeof parameter.Type === 'string' && parameter.Type.startsWith('AWS::SSM::Parameter::Value')) {
    return [unresolved(`parameter ${name}, read from SSM parameter store at deploy time`)];
  }
  return resolveParameter(name, parameter);
}

function knownStrings(outcomes: Outcome[]): string[] | undefined {
  const values: string[] = [];
  for (const outcome of outcomes) {
    if (outcome.kind !== 'known' || (typeof outcome.value !== 'string' && typeof outcome.value !== 'number')) {
      return undefined;
    }
    values.push(String(outcome.value));
  }
  return values;
}

/** Fn::FindInMap with keys that are not literal can reach any entry of that level of the map. */
function resolveFindInMap(args: unknown, context: TemplateContext, memo: Memo): Outcome[] {
  if (!Array.isArray(args) || args.length < 3 || typeof args[0] !== 'string') {
    return [unresolved('a Fn::FindInMap the check cannot read')];
  }
  const [mapName, topKey, secondKey, options] = args as [string, unknown, unknown, unknown];
  const fallback = isRecord(options) && 'DefaultValue' in options ? options.DefaultValue : undefined;
  const mapping = context.mappings?.[mapName];
  if (!isRecord(mapping)) return [unresolved(`mapping ${mapName}, which the template does not define`)];
  const topKeys = knownStrings(evaluate(topKey, context, memo)) ?? Object.keys(mapping);
  const outcomes: Outcome[] = [];
  for (const top of topKeys) {
    const level = mapping[top];
    const secondKeys = knownStrings(evaluate(secondKey, context, memo)) ?? (isRecord(level) ? Object.keys(level) : []);
    for (const second of secondKeys) {
      if (isRecord(level) && second in level) {
        const entry = `mapping ${mapName} has ${top}/${second} = `;
        outcomes.push(
          ...evaluate(level[second], context, memo).map((outcome) =>
            outcome.kind === 'known' && outcome.source === undefined
              ? { ...outcome, source: `${entry}${JSON.stringify(outcome.value)}` }
              : outcome,
          ),
        );
      } else if (fallback !== undefined) {
        outcomes.push(...evaluate(fallback, context, memo));
      } else {
        outcomes.push(unresolved(`mapping ${mapName}, which has no entry ${top}/${second}`));
      }
    }
  }
  return outcomes.length > 0 ? distinct(outcomes) : [unresolved(`mapping ${mapName}, which has no entries`)];
}

/** What each intrinsic-function object evaluated to, so that a branch shared by many paths (YAML
 * aliases make such trees) is evaluated once. */
type Memo = WeakMap<object, Outcome[]>;

/**
 * Every value `expression` can take, each once: a literal is itself, `Ref` to a parameter is its
 * default and every value it allows (any value, unresolved, when it has no AllowedValues), `Fn::If`
 * is either branch (tagged with the condition taken), `Fn::FindInMap` is the entries it can reach.
 * Any other function is unresolved, named.
 */
export function possibleValues(expression: unknown, context: TemplateContext = {}): Outcome[] {
  return evaluate(expression, context, new WeakMap());
}

function evaluate(expression: unknown, context: TemplateContext, memo: Memo): Outcome[] {
  if (expression instanceof UnknownValue) return [unresolved(expression.dependsOn)];
  const name = intrinsicName(expression);
  if (name === undefined) return [known(expression)];
  const node = expression as Record<string, unknown>;
  const remembered = memo.get(node);
  if (remembered) return remembered;
  // Set first, so that an expression that contains itself ends here instead of recursing forever.
  memo.set(node, [unresolved(`a ${name} that contains itself`)]);
  const outcomes = distinct(evaluateFunction(name, node[name], context, memo));
  memo.set(node, outcomes);
  return outcomes;
}

function evaluateFunction(name: string, argument: unknown, context: TemplateContext, memo: Memo): Outcome[] {
  switch (name) {
    case 'Ref':
      return resolveRef(argument, context);
    case 'Fn::If': {
      if (!Array.isArray(argument) || argument.length !== 3) return [unresolved('a Fn::If without three arguments')];
      const condition = String(argument[0]);
      return [
        ...under([{ condition, holds: true }], evaluate(argument[1], context, memo)),
        ...under([{ condition, holds: false }], evaluate(argument[2], context, memo)),
      ];
    }
    case 'Fn::FindInMap':
      return resolveFindInMap(argument, context, memo);
    default:
      return [unresolved(`${name}, which the check does not evaluate`)];
  }
}

/** "when condition A is false and condition B is true", or "" when no branch was taken. */
export function describeConditions(conditions: readonly ConditionChoice[]): string {
  if (conditions.length === 0) return '';
  return ` when ${conditions.map((c) => `condition ${c.condition} is ${c.holds}`).join(' and ')}`;
}
