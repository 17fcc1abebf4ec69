// Works out which values a resource property can take once deployed, through the intrinsic
// functions a key's settings may use (Ref to a parameter, Fn::If, Fn::FindInMap). What cannot be
// known from the template alone is an "unresolved" outcome that names what it depends on.

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
    }
  | { kind: 'unresolved'; dependsOn: string; conditions: readonly ConditionChoice[] };

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

function under(choice: ConditionChoice, outcomes: Outcome[]): Outcome[] {
  return outcomes.map((outcome) => ({ ...outcome, conditions: [choice, ...outcome.conditions] }));
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
  if (!('Default' in parameter) || parameter.Default === undefined || parameter.Default === null) {
    return [unresolved(`parameter ${name} with no default`)];
  }
  return [known(parameter.Default, [], `parameter ${name} defaults to ${JSON.stringify(parameter.Default)}`)];
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
function resolveFindInMap(args: unknown, context: TemplateContext): Outcome[] {
  if (!Array.isArray(args) || args.length < 3 || typeof args[0] !== 'string') {
    return [unresolved('a Fn::FindInMap the check cannot read')];
  }
  const [mapName, topKey, secondKey, options] = args as [string, unknown, unknown, unknown];
  const fallback = isRecord(options) && 'DefaultValue' in options ? options.DefaultValue : undefined;
  const mapping = context.mappings?.[mapName];
  if (!isRecord(mapping)) return [unresolved(`mapping ${mapName}, which the template does not define`)];
  const topKeys = knownStrings(possibleValues(topKey, context)) ?? Object.keys(mapping);
  const outcomes: Outcome[] = [];
  for (const top of topKeys) {
    const level = mapping[top];
    const secondKeys = knownStrings(possibleValues(secondKey, context)) ?? (isRecord(level) ? Object.keys(level) : []);
    for (const second of secondKeys) {
      if (isRecord(level) && second in level) {
        const entry = `mapping ${mapName} has ${top}/${second} = `;
        outcomes.push(
          ...possibleValues(level[second], context).map((outcome) =>
            outcome.kind === 'known' && outcome.source === undefined
              ? { ...outcome, source: `${entry}${JSON.stringify(outcome.value)}` }
              : outcome,
          ),
        );
      } else if (fallback !== undefined) {
        outcomes.push(...possibleValues(fallback, context));
      } else {
        outcomes.push(unresolved(`mapping ${mapName}, which has no entry ${top}/${second}`));
      }
    }
  }
  return outcomes.length > 0 ? outcomes : [unresolved(`mapping ${mapName}, which has no entries`)];
}

/**
 * Every value `expression` can take: a literal is itself, `Ref` to a parameter is its default,
 * `Fn::If` is either branch (tagged with the condition taken), `Fn::FindInMap` is the entries it
 * can reach. Any other function is unresolved, named.
 */
export function possibleValues(expression: unknown, context: TemplateContext = {}): Outcome[] {
  if (expression instanceof UnknownValue) return [unresolved(expression.dependsOn)];
  const name = intrinsicName(expression);
  if (name === undefined) return [known(expression)];
  const argument = (expression as Record<string, unknown>)[name];
  switch (name) {
    case 'Ref':
      return resolveRef(argument, context);
    case 'Fn::If': {
      if (!Array.isArray(argument) || argument.length !== 3) return [unresolved('a Fn::If without three arguments')];
      const condition = String(argument[0]);
      return [
        ...under({ condition, holds: true }, possibleValues(argument[1], context)),
        ...under({ condition, holds: false }, possibleValues(argument[2], context)),
      ];
    }
    case 'Fn::FindInMap':
      return resolveFindInMap(argument, context);
    default:
      return [unresolved(`${name}, which the check does not evaluate`)];
  }
}

/** "when condition A is false and condition B is true", or "" when no branch was taken. */
export function describeConditions(conditions: readonly ConditionChoice[]): string {
  if (conditions.length === 0) return '';
  return ` when ${conditions.map((c) => `condition ${c.condition} is ${c.holds}`).join(' and ')}`;
}
