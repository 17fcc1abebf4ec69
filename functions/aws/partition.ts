// Where a call goes when the caller names no Region: the home Region of this process, its
// partition (ARNs and global endpoints differ per partition), and Organizations' one Region there.

/** The Region used for global APIs (Organizations, STS, DescribeRegions) when none is configured. */
export function homeRegion(): string {
  return process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
}

/** The partition of the Region we run in: ARNs and global endpoints differ per partition. */
export function partitionOf(region: string): 'aws' | 'aws-cn' | 'aws-us-gov' {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** Organizations is a global service, served from one Region per partition. */
const ORGANIZATIONS_REGION = { aws: 'us-east-1', 'aws-cn': 'cn-northwest-1', 'aws-us-gov': 'us-gov-west-1' } as const;

/** The Region Organizations answers from in the partition of `region`. */
export const organizationsRegion = (region: string = homeRegion()): string => ORGANIZATIONS_REGION[partitionOf(region)];
