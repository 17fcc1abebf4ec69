// The files and folders one check has read, by identity (device and inode): however many
// arguments, links or manifests lead to a file, it is read and reported once.
import type { Stats } from 'node:fs';

export function fileIdentity(info: Stats): string {
  return `${info.dev}:${info.ino}`;
}

export class ReadOnce {
  private readonly identities = new Set<string>();
  /** How many times something already read was met again. */
  repeats = 0;

  /** True the first time `identity` is met, and from then on false. */
  first(identity: string): boolean {
    if (this.identities.has(identity)) {
      this.repeats++;
      return false;
    }
    this.identities.add(identity);
    return true;
  }
}
