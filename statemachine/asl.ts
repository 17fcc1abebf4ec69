// The ASL toolkit: what every reader of statemachine/rollout.asl.json needs, once. The `${Name}`
// placeholders (listed, filled as CloudFormation's DefinitionSubstitutions would), every state with
// its name and the Map it sits in, and the function a Task invokes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The one definition, deployed and run locally. Named from the repository root so that it resolves
 * from here and from the bundled CLI (dist/, whose parent holds statemachine/ too).
 */
export const ASL_PATH = join(__dirname, '..', 'statemachine', 'rollout.asl.json');

export type AslState = Record<string, any>;
/** What every state machine of the ASL has: its states (a definition, a Map's processor, a branch). */
export interface AslStates {
  States: Record<string, AslState>;
}
export interface AslDefinition extends AslStates {
  StartAt: string;
}

/** A state with its name, and the Map (or Parallel) whose processor it belongs to; none at the top. */
export interface NamedState {
  name: string;
  state: AslState;
  parent?: string;
}

const PLACEHOLDER = /\$\{([A-Za-z0-9_]+)\}/g;

/** Every `${Name}` the ASL text refers to, in order of first use. */
export function substitutionNames(aslText: string): string[] {
  return [...new Set([...aslText.matchAll(PLACEHOLDER)].map((m) => m[1]))];
}

/** Fills the ASL's `${Name}` placeholders; one without a value is an error naming it. */
export function substitute(aslText: string, values: Record<string, string>): string {
  return aslText.replace(PLACEHOLDER, (_match, name: string) => {
    if (!(name in values)) throw new Error(`the state machine definition uses \${${name}}, which has no substitution`);
    return values[name];
  });
}

/** The definition file's text (the real ASL unless told otherwise). */
export function readAslText(aslPath: string = ASL_PATH): string {
  return readFileSync(aslPath, 'utf8');
}

/** The state machines inside a state: a Map's item processor, a Parallel's branches. */
export function innerMachines(state: AslState): AslDefinition[] {
  const processor = state.ItemProcessor ?? state.Iterator;
  return [...(processor ? [processor] : []), ...(state.Branches ?? [])];
}

/** Every state of a definition, depth first, the states inside Maps and Parallels included. */
export function allStates(definition: AslStates): NamedState[] {
  const out: NamedState[] = [];
  const walk = (states: Record<string, AslState>, parent?: string) => {
    for (const [name, state] of Object.entries(states)) {
      out.push(parent === undefined ? { name, state } : { name, state, parent });
      for (const inner of innerMachines(state)) walk(inner.States, name);
    }
  };
  walk(definition.States);
  return out;
}

/** The `${Name}` a Task's Resource is, when it is exactly one placeholder (a function ARN). */
export function taskSubstitution(state: AslState): string | undefined {
  if (state.Type !== 'Task' || typeof state.Resource !== 'string') return undefined;
  return /^\$\{([A-Za-z0-9_]+)\}$/.exec(state.Resource)?.[1];
}

/** The error names a state retries, over all its retriers. */
export function retriedErrors(state: AslState): Set<string> {
  return new Set(((state.Retry ?? []) as { ErrorEquals: string[] }[]).flatMap((retrier) => retrier.ErrorEquals));
}

/** The S3 prefix a Distributed Map's ResultWriter writes under, without its trailing slash. */
export function resultWriterPrefix(state: AslState): string | undefined {
  const prefix = state.ResultWriter?.Parameters?.Prefix;
  return typeof prefix === 'string' ? prefix.replace(/\/+$/, '') : undefined;
}
