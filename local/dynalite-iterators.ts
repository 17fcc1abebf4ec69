// Closes the LevelDB iterators dynalite opens for every Query. dynalite 4.0.0 ends its read streams
// with `iterator.return()`, which abstract-level 3 iterators do not have, so each Query left its
// iterator open: an open iterator pins every table file that existed when it opened, so the store's
// folder and the process's memory (the mapped table files and the iterators) grew with every run
// (422 MB on disk and 405 MiB of mapped files after a 100,000-key scan whose live data compacts to 40 MB).
import { AbstractIterator } from 'abstract-level';

type Closable = { close(): Promise<void>; return?: () => Promise<{ done: true; value: undefined }> };

/** abstract-level's common iterator prototype: keys, values and entries iterators all inherit it. */
const iteratorPrototype = Object.getPrototypeOf(AbstractIterator.prototype) as Closable;

/** Gives abstract-level iterators the `return()` dynalite calls when a stream ends or is cut short; idempotent. */
export function closeDynaliteIterators(): void {
  if (Object.prototype.hasOwnProperty.call(iteratorPrototype, 'return')) return;
  Object.defineProperty(iteratorPrototype, 'return', {
    configurable: true,
    writable: true,
    value: async function (this: Closable) {
      await this.close();
      return { done: true, value: undefined };
    },
  });
}
