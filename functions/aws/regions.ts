// The Regions enabled in an account, discovered with ec2:DescribeRegions rather than guessed:
// opt-in Regions that are not enabled answer KMS calls with an invalid-token error.
import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import { ec2Client, homeRegion, type Credentials } from './clients';

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

/**
 * The Regions to scan: those asked for that are enabled, or every enabled one. Regions asked for
 * but not enabled are reported, not scanned.
 */
export function regionsToScan(enabled: readonly string[], requested: readonly string[] | undefined): { scan: string[]; notEnabled: string[] } {
  if (!requested) return { scan: [...enabled], notEnabled: [] };
  const on = new Set(enabled);
  return { scan: requested.filter((r) => on.has(r)), notEnabled: requested.filter((r) => !on.has(r)) };
}
