// The one adapter between the deployed ASL and the local engine: aws-local-stepfunctions has no
// Distributed Map (ItemReader, ItemBatcher, ResultWriter, tolerated failures), so each
// DISTRIBUTED Map becomes an inline Map, and one that reads its items from S3 is preceded by a
// Task, under the Map's own name, that reads the same manifest from the local manifest store.
type Json = Record<string, unknown>;

export interface AdaptedDefinition {
  definition: Json;
  /** The reader Tasks that stand for ItemReaders (named as their Maps were). */
  itemReaders: string[];
}

/** The path the reader task leaves the items at, and the inline Map reads them from. */
export const LOCAL_ITEMS_PATH = '$.localItems';

/** Fills the ASL's ${Name} placeholders, as CloudFormation's DefinitionSubstitutions would. */
export function substitute(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}/g, (_match, name: string) => {
    if (!(name in values)) throw new Error(`the state machine definition uses \${${name}}, which has no substitution`);
    return values[name];
  });
}

const DISTRIBUTED_ONLY = ['ItemReader', 'ItemBatcher', 'ResultWriter', 'ToleratedFailurePercentage', 'ToleratedFailurePercentagePath', 'ToleratedFailureCount', 'ToleratedFailureCountPath', 'Label'];

function adaptStates(states: Record<string, Json>, itemReaders: string[]): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [name, state] of Object.entries(states)) {
    const processor = (state.ItemProcessor ?? state.Iterator) as Json | undefined;
    if (state.Type !== 'Map' || !processor) {
      out[name] = state;
      continue;
    }
    const innerStates = adaptStates(processor.States as Record<string, Json>, itemReaders);
    const config = (processor.ProcessorConfig ?? {}) as Json;
    const inlineProcessor: Json = { StartAt: processor.StartAt, States: innerStates };
    if (config.Mode !== 'DISTRIBUTED') {
      out[name] = { ...state, ItemProcessor: inlineProcessor };
      continue;
    }
    const inline: Json = { ...state, ItemProcessor: inlineProcessor };
    delete inline.Iterator;
    for (const field of DISTRIBUTED_ONLY) delete inline[field];
    const reader = state.ItemReader as Json | undefined;
    if (!reader) {
      out[name] = inline;
      continue;
    }
    // The reader keeps the Map's name, so every Next that pointed at the Map now reads first.
    const mapName = `${name}Items`;
    if (mapName in states) throw new Error(`cannot adapt Map ${name}: a state named ${mapName} exists`);
    itemReaders.push(name);
    out[name] = {
      Type: 'Task',
      Comment: `Local stand-in for ${name}'s ItemReader (${String(reader.Resource)})`,
      Resource: 'arn:aws:states:::s3:getObject',
      Parameters: reader.Parameters,
      ResultPath: LOCAL_ITEMS_PATH,
      ...(state.Catch ? { Catch: state.Catch } : {}),
      Next: mapName,
    };
    out[mapName] = { ...inline, ItemsPath: LOCAL_ITEMS_PATH };
  }
  return out;
}

/** Every state of a definition with its name, the states inside Map item processors included. */
export function allStates(definition: Json): [string, Json][] {
  const out: [string, Json][] = [];
  const walk = (states: Record<string, Json>) => {
    for (const [name, state] of Object.entries(states)) {
      out.push([name, state]);
      const processor = (state.ItemProcessor ?? state.Iterator) as { States: Record<string, Json> } | undefined;
      if (processor) walk(processor.States);
    }
  };
  walk(definition.States as Record<string, Json>);
  return out;
}

export function adaptForLocalEngine(definition: Json): AdaptedDefinition {
  const itemReaders: string[] = [];
  const States = adaptStates(definition.States as Record<string, Json>, itemReaders);
  return { definition: { ...definition, States }, itemReaders };
}
