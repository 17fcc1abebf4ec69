// The AWS commercial Regions the simulated organization knows, and which of them are opt-in
// (disabled until an account enables them), as EC2 DescribeRegions reports them.

/** Regions enabled in every account by default ("opt-in-not-required"). */
export const DEFAULT_REGIONS: readonly string[] = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
  'ca-central-1', 'sa-east-1',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1',
  'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
  'ap-southeast-1', 'ap-southeast-2',
];

/** Regions an account must opt in to before it can use them. */
export const OPT_IN_REGIONS: readonly string[] = [
  'af-south-1', 'ap-east-1', 'ap-south-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5',
  'ap-southeast-7', 'ca-west-1', 'eu-south-1', 'eu-south-2', 'eu-central-2', 'il-central-1',
  'me-south-1', 'me-central-1', 'mx-central-1',
];

export const ALL_REGIONS: readonly string[] = [...DEFAULT_REGIONS, ...OPT_IN_REGIONS];

export function isKnownRegion(region: string): boolean {
  return ALL_REGIONS.includes(region);
}

export function isOptInRegion(region: string): boolean {
  return OPT_IN_REGIONS.includes(region);
}
