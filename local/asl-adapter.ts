// The one adapter between the deployed ASL and the local engine: aws-local-stepfunctions has no
// Distributed Map (ItemReader, ItemBatcher, ResultWriter, tolerated failures), so each
// DISTRIBUTED Map becomes an inline Map, and one that reads its items from S3 is preceded by a
// Task, under the Map's own name, that reads the same manifest from the local manifest store.
// With an ItemBatcher, that Task cuts the items into the same batches (States.ArrayPartition) and
// the inline Map gives each iteration what a child execution gets: `{ Items, BatchInput }`; it
// runs one batch at a time (see LOCAL_ITEMS_AT_ONCE).
import type { AslStates } from '../statemachine/asl';

type Json = Record<string, unknown>;

export interface AdaptedDefinition<D extends AslStates = AslStates> {
  definition: D;
  /** The reader Tasks that stand for ItemReaders (named as their Maps were). */
  itemReaders: string[];
}

/** The path the reader task leaves the items at, and the inline Map reads them from. */
export const LOCAL_ITEMS_PATH = '$.localItems';

/**
 * Items of a batched Map worked on at once locally: one batch at a time, and at most this many of
 * its items. Deployed, each account has a Lambda of its own (40 at once); here all share one
 * process and its one thread, and an account being scanned holds its findings until it writes
 * them, so the deployed concurrency would hold 40 accounts' keys at once for no gain in speed.
 */
export const LOCAL_ITEMS_AT_ONCE = 5;

/** The Maps of a batch's processor, at most LOCAL_ITEMS_AT_ONCE iterations at once. */
function capItemsAtOnce(states: Record<string, Json>): Record<string, Json> {
  const capped = (state: Json) => Math.min(Number(state.MaxConcurrency) || LOCAL_ITEMS_AT_ONCE, LOCAL_ITEMS_AT_ONCE);
  return Object.fromEntries(Object.entries(states).map(([name, state]) => [name, state.Type === 'Map' ? { ...state, MaxConcurrency: capped(state) } : state]));
}

const DISTRIBUTED_ONLY = ['ItemReader', 'ItemBatcher', 'ResultWriter', 'ToleratedFailurePercentage', 'ToleratedFailurePercentagePath', 'ToleratedFailureCount', 'ToleratedFailureCountPath', 'Label'];

/** A batcher's fixed batch size; the byte and path forms have no local stand-in. */
function batchSize(mapName: string, batcher: Json): number {
  const unsupported = ['MaxItemsPerBatchPath', 'MaxInputBytesPerBatch', 'MaxInputBytesPerBatchPath'].filter((field) => field in batcher);
  const size = batcher.MaxItemsPerBatch;
  if (unsupported.length > 0 || !(typeof size === 'number' && Number.isInteger(size) && size > 0)) {
    throw new Error(`cannot adapt Map ${mapName}: its ItemBatcher needs a whole MaxItemsPerBatch${unsupported.length > 0 ? `, not ${unsupported.join(', ')}` : ''}`);
  }
  return size;
}

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
      if (state.ItemBatcher) throw new Error(`cannot adapt Map ${name}: an ItemBatcher is adapted only with an ItemReader`);
      out[name] = inline;
      continue;
    }
    // The reader keeps the Map's name, so every Next that pointed at the Map now reads first.
    const mapName = `${name}Items`;
    if (mapName in states) throw new Error(`cannot adapt Map ${name}: a state named ${mapName} exists`);
    itemReaders.push(name);
    const batcher = state.ItemBatcher as Json | undefined;
    out[name] = {
      Type: 'Task',
      Comment: `Local stand-in for ${name}'s ItemReader (${String(reader.Resource)})`,
      Resource: 'arn:aws:states:::s3:getObject',
      Parameters: reader.Parameters,
      ...(batcher ? { ResultSelector: { 'batches.$': `States.ArrayPartition($, ${batchSize(name, batcher)})` } } : {}),
      ResultPath: LOCAL_ITEMS_PATH,
      ...(state.Catch ? { Catch: state.Catch } : {}),
      Next: mapName,
    };
    out[mapName] = batcher
      ? {
          ...inline,
          ItemsPath: `${LOCAL_ITEMS_PATH}.batches`,
          ItemSelector: { 'Items.$': '$$.Map.Item.Value', ...(batcher.BatchInput ? { BatchInput: batcher.BatchInput } : {}) },
          ItemProcessor: { ...inlineProcessor, States: capItemsAtOnce(innerStates) },
          MaxConcurrency: 1,
        }
      : { ...inline, ItemsPath: LOCAL_ITEMS_PATH };
  }
  return out;
}

export function adaptForLocalEngine<D extends AslStates>(definition: D): AdaptedDefinition<D> {
  const itemReaders: string[] = [];
  const States = adaptStates(definition.States, itemReaders);
  return { definition: { ...definition, States }, itemReaders };
}
