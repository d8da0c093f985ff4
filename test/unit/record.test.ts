import { describe, expect, it } from '@jest/globals';
import { parseLine } from '../../src/logs/record.js';
import { toRecord } from '../../src/model/record.js';
import { nameFromHostHeader } from '../../src/model/aggregate.js';

const ARN = 'arn:aws:vpc-lattice:ap-southeast-2:123467890123:service/svc-0cfe1f49ff3266204';
const base = {
  serviceArn: ARN,
  startTime: '2024-08-04T11:28:40Z',
  responseCode: 404,
  bytesReceived: 135,
  bytesSent: 1247,
  duration: 23,
  authDeniedReason: '-',
  hostHeader: 'test2-0cfe1f49ff3266204.7d67968.vpc-lattice-svcs.ap-southeast-2.on.aws',
};

describe('toRecord', () => {
  it('reads the real sample record', () => {
    const r = parseLine(JSON.stringify(base));
    expect(r).toEqual({
      ok: true,
      record: {
        serviceArn: ARN,
        day: '2024-08-04',
        hour: 11,
        duration: 23,
        responseCode: 404,
        bytesReceived: 135,
        bytesSent: 1247,
        authDenied: false,
        hostHeader: base.hostHeader,
      },
    });
  });

  it('accepts numbers as strings and "-" for absent values', () => {
    const r = toRecord({
      ...base,
      duration: '7',
      responseCode: '-',
      bytesReceived: '-',
      bytesSent: ' 12 ',
      hostHeader: '-',
    });
    expect(r.ok && r.record).toMatchObject({
      duration: 7,
      responseCode: null,
      bytesReceived: 0,
      bytesSent: 12,
      hostHeader: null,
    });
  });

  it('marks auth-denied requests', () => {
    const r = toRecord({ ...base, authDeniedReason: 'no matching policy statement', responseCode: 403 });
    expect(r.ok && r.record.authDenied).toBe(true);
  });

  it('converts offsets to UTC days and hours', () => {
    const r = toRecord({ ...base, startTime: '2024-08-04T23:30:00-02:00' });
    expect(r.ok && [r.record.day, r.record.hour]).toEqual(['2024-08-05', 1]);
  });

  it.each([
    [{ ...base, serviceArn: '-' }, 'serviceArn is missing'],
    [{ ...base, serviceArn: 'arn:aws:s3:::bucket' }, 'serviceArn is not a VPC Lattice service ARN'],
    [{ ...base, startTime: undefined }, 'startTime is missing'],
    [{ ...base, startTime: 'yesterday' }, 'startTime is not an ISO-8601 time'],
    [{ ...base, startTime: '2024-02-31T00:00:00Z' }, 'startTime is not an ISO-8601 time'],
    [{ ...base, duration: '-' }, 'duration is missing'],
    [{ ...base, duration: 'fast' }, 'duration is not a non-negative number'],
    [{ ...base, duration: -1 }, 'duration is not a non-negative number'],
    [{ ...base, responseCode: 'OK' }, 'responseCode is not an HTTP status'],
    [{ ...base, bytesSent: true }, 'bytesSent is not a non-negative number'],
    [{ ...base, authDeniedReason: 5 }, 'authDeniedReason is not a string'],
    [[1, 2], 'not a JSON object'],
  ])('rejects a record: %#', (value, reason) => {
    const r = toRecord(value);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain(reason);
  });

  it('rejects bad JSON with a short reason', () => {
    const r = parseLine('{"serviceArn": ');
    expect(!r.ok && r.reason).toMatch(/^invalid JSON/);
  });
});

describe('nameFromHostHeader', () => {
  it('takes the name from the default DNS name when the id matches', () => {
    expect(nameFromHostHeader(base.hostHeader, 'svc-0cfe1f49ff3266204')).toBe('test2');
  });
  it('ignores a Host header that does not belong to the service', () => {
    expect(
      nameFromHostHeader(
        'evil-0cfe1f49ff3266205.7d67968.vpc-lattice-svcs.ap-southeast-2.on.aws',
        'svc-0cfe1f49ff3266204',
      ),
    ).toBeUndefined();
    expect(nameFromHostHeader('api.example.com', 'svc-0cfe1f49ff3266204')).toBeUndefined();
  });
});
