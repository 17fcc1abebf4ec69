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
  /**
   * Of another partition than our credentials' (an emulator's DescribeRegions lists them; AWS
   * never does): they can never be scanned with these credentials, so they are dropped, and
   * reported when asked for.
   */
  otherPartition: string[];
}

/** The Regions to scan: those asked for that are enabled, or every enabled one, of our partition only. */
export function regionsToScan(enabled: readonly string[], requested: readonly string[] | undefined, partition: string): RegionChoice {
  const ours = (region: string) => partitionOf(region) === partition;
  const on = new Set(enabled.filter(ours));
  const asked = requested ?? [...on];
  return {
    scan: asked.filter((r) => on.has(r)),
    notEnabled: asked.filter((r) => ours(r) && !on.has(r)),
    otherPartition: [...new Set([...enabled, ...(requested ?? [])])].filter((r) => !ours(r)).sort(),
  };
}
