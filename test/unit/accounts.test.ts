/** Member role ARNs and partitions (src/aws/accounts.ts); the AWS calls are tested against moto. */
import { describe, expect, it } from '@jest/globals';
import { memberRoleArn, partitionOf } from '../../src/aws/accounts.js';
import { UsageError } from '../../src/errors.js';

describe('partitionOf', () => {
  it.each([
    ['us-east-1', 'aws'],
    ['eu-west-1', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['arn:aws-cn:iam::111122223333:role/lattice-cost-report', 'aws-cn'],
    ['arn:aws-us-gov:iam::111122223333:role/lattice-cost-report', 'aws-us-gov'],
    ['arn:aws:iam::111122223333:role/lattice-cost-report', 'aws'],
  ])('%s is in %s', (source, partition) => {
    expect(partitionOf(source)).toBe(partition);
  });
});

describe('memberRoleArn', () => {
  it('names the role in the member account and partition, with a path if given', () => {
    expect(memberRoleArn('210987654321', 'lattice-cost-report-member', 'aws')).toBe(
      'arn:aws:iam::210987654321:role/lattice-cost-report-member',
    );
    expect(memberRoleArn('210987654321', 'platform/reader', 'aws-cn')).toBe(
      'arn:aws-cn:iam::210987654321:role/platform/reader',
    );
  });

  it.each([
    ['21098765432', 'reader'],
    ['2109876543210', 'reader'],
    ['acme', 'reader'],
    ['210987654321', ''],
    ['210987654321', 'has space'],
    ['210987654321', 'role/*'],
    ['210987654321', '/leading'],
  ])('refuses account %j with role %j', (account, role) => {
    expect(() => memberRoleArn(account, role, 'aws')).toThrow(UsageError);
  });
});
