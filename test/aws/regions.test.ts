import { regionsToScan } from '../../functions/aws/regions';

const enabled = ['cn-north-1', 'eu-west-1', 'us-east-1', 'us-gov-west-1'];

test('every enabled Region of our partition when none is asked for; other partitions dropped and named', () => {
  expect(regionsToScan(enabled, undefined, 'aws')).toEqual({ scan: ['eu-west-1', 'us-east-1'], notEnabled: [], otherPartition: ['cn-north-1', 'us-gov-west-1'] });
  expect(regionsToScan(enabled, undefined, 'aws-cn')).toEqual({ scan: ['cn-north-1'], notEnabled: [], otherPartition: ['eu-west-1', 'us-east-1', 'us-gov-west-1'] });
});

test('Regions asked for: the enabled ones scanned, the others of our partition not enabled, another partition\'s never scanned', () => {
  expect(regionsToScan(enabled, ['us-east-1', 'ap-south-2', 'cn-northwest-1'], 'aws')).toEqual({
    scan: ['us-east-1'],
    notEnabled: ['ap-south-2'],
    otherPartition: ['cn-north-1', 'cn-northwest-1', 'us-gov-west-1'],
  });
});
