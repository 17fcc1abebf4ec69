// The Regions enabled in an account, discovered with ec2:DescribeRegions rather than guessed:
// opt-in Regions that are not enabled answer KMS calls with an invalid-token error.
import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import { ec2Client } from './clients/ec2';
import { homeRegion, partitionOf } from './partition';
import { type Credentials } from './clients/config';

export async function enabledRegions(credentials: Credentials | undefined): Promise<string[]> {
  const client = ec2Client(homeRegion(), credentials);
  try {
    const out = await client.send(new DescribeRegionsCommand({ AllRegions: false }));
    return (out.Regions ?? [])
      .filter((r) => r.RegionName && r.OptInStatus !== 'not-opted-in')
      .map((r) => r.RegionName!)
      .sort();
  } finally {
    client.destroy();
  }
}

/** What a scan of an account covers of its Regions. */
export interface RegionChoice {
  /** Enabled, of our partition, and asked for (or every such one). */
  scan: string[];
  /** Asked for, of our partition, but not enabled in the account: reported, not scanned. */
  notEnabled: string[];
  /** Asked for, of another partition than our credentials': they can never be scanned with them, so they are reported. */
  otherPartition: string[];
}

/**
 * The Regions to scan: those asked for that are enabled, or every enabled one, of our partition
 * only. An enabled Region of another partition (an emulator's DescribeRegions lists them; AWS never
 * does) is dropped: these credentials could not scan it, and no one asked for it.
 */
export function regionsToScan(enabled: readonly string[], requested: readonly string[] | undefined, partition: string): RegionChoice {
  const ours = (region: string) => partitionOf(region) === partition;
  const on = new Set(enabled.filter(ours));
  const asked = requested ?? [...on];
  return {
    scan: asked.filter((r) => on.has(r)),
    notEnabled: asked.filter((r) => ours(r) && !on.has(r)),
    otherPartition: asked.filter((r) => !ours(r)),
  };
}
