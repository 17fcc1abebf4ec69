// How far V8 lets the heap grow past what a collection leaves live, in a process that runs the
// workflow locally. A local run is one long process that keeps about 50 MiB live (mostly code) and
// allocates gigabytes of short-lived SDK and store objects; V8's default for a multi-GiB heap limit
// lets the heap reach up to 4× the live set between full collections: 250 MiB of heap, 390 MiB
// peak RSS on a 100,000-key scan. 1.6× keeps it at 125 MiB of heap and 272 MiB RSS, at no CPU cost
// the benchmark can tell from its noise. The heap's limit is unchanged: nothing that fits today fails.
import { setFlagsFromString } from 'node:v8';

/** How many percent past its live size the heap may grow before the next full collection (V8 uses up to 300). */
export const HEAP_GROWING_PERCENT = 60;

let applied = false;

/** Sets V8's heap growing factor for this process (a flag read at every collection); idempotent. */
export function limitHeapGrowth(): void {
  if (applied) return;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  applied = true;
}
