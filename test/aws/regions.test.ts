import { regionsToScan } from '../../functions/aws/regions';

const enabled = ['cn-north-1', 'eu-west-1', 'us-east-1', 'us-gov-west-1'];

test('every enabled Region of our partition when none is asked for; enabled ones of other partitions dropped, as no one asked for them', () => {
  expect(regionsToScan(enabled, undefined, 'aws')).toEqual({ scan: ['eu-west-1', 'us-east-1'], notEnabled: [], otherPartition: [] });
  expect(regionsToScan(enabled, undefined, 'aws-cn')).toEqual({ scan: ['cn-north-1'], notEnabled: [], otherPartition: [] });
});

test('Regions asked for: the enabled ones scanned, the others of our partition not enabled, another partition\'s (enabled or not) never scanned', () => {
  expect(regionsToScan(enabled, ['us-east-1', 'ap-south-2', 'cn-northwest-1', 'us-gov-west-1'], 'aws')).toEqual({
    scan: ['us-east-1'],
    notEnabled: ['ap-south-2'],
    otherPartition: ['cn-northwest-1', 'us-gov-west-1'],
  });
});
