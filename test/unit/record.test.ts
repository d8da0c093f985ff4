import { describe, expect, it } from '@jest/globals';
import { parseLine } from '../../src/logs/record.js';
import { rowProblem, toRecord } from '../../src/model/record.js';
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
        kind: 'http',
        day: '2024-08-04',
        hour: 11,
        duration: 23,
        responseCode: 404,
        grpcStatus: null,
        bytesReceived: 135,
        bytesSent: 1247,
        authDenied: false,
        hostHeader: base.hostHeader,
        caller: '-|-',
      },
    });
  });

  it('accepts numbers as strings and "-", "", "null" or null for missing values', () => {
    for (const missing of ['-', '', 'null', null]) {
      const r = toRecord({
        ...base,
        duration: '7',
        bytesReceived: missing,
        bytesSent: ' 12 ',
        hostHeader: missing,
        authDeniedReason: missing,
      });
      expect(r.ok && r.record).toMatchObject({
        kind: 'http',
        duration: 7,
        responseCode: 404,
        bytesReceived: 0,
        bytesSent: 12,
        hostHeader: null,
        authDenied: false,
      });
    }
  });

  it('keeps a request whose duration is missing, with no duration', () => {
    const r = toRecord({ ...base, duration: '-' });
    expect(r.ok && r.record).toMatchObject({
      kind: 'http',
      duration: null,
      responseCode: 404,
      bytesSent: 1247,
    });
  });

  it.each([
    ['an HTTP request', { listenerType: '-' }, 'http'],
    ['an HTTPS request', { listenerType: 'HTTPS' }, 'http'],
    ['a gRPC call', { grpcStatus: 14, responseCode: 200 }, 'grpc'],
    ['a TLS-passthrough connection', { listenerType: 'TLS_PASSTHROUGH', responseCode: '-' }, 'tcp'],
    ['a TLS-passthrough connection with a code', { listenerType: 'tls_passthrough' }, 'tcp'],
    ['a connection with no listener type and no status', { responseCode: '-', listenerType: '-' }, 'tcp'],
    ['an HTTP request with no status', { responseCode: '-', listenerType: 'HTTP' }, 'http'],
    [
      'a resource-configuration connection',
      {
        serviceArn: '-',
        resourceConfigurationArn:
          'arn:aws:vpc-lattice:ap-southeast-2:123467890123:resourceconfiguration/rcfg-0123456789abcdef0',
        responseCode: '-',
        duration: '-',
      },
      'resource',
    ],
  ])('classifies %s', (_, fields, kind) => {
    const r = toRecord({ ...base, ...fields });
    expect(r.ok && r.record.kind).toBe(kind);
    if (r.ok && (kind === 'tcp' || kind === 'resource')) expect(r.record.responseCode).toBeNull();
  });

  it('marks auth-denied requests', () => {
    const r = toRecord({ ...base, authDeniedReason: 'no matching policy statement', responseCode: 403 });
    expect(r.ok && r.record.authDenied).toBe(true);
  });

  it.each([
    [{ ...base, serviceArn: '-' }, 'serviceArn and resourceConfigurationArn are missing'],
    [{ ...base, serviceArn: 'arn:aws:s3:::bucket' }, 'serviceArn is not a VPC Lattice service ARN'],
    [
      { ...base, serviceArn: '-', resourceConfigurationArn: ARN },
      'resourceConfigurationArn is not a resource configuration ARN',
    ],
    [{ ...base, startTime: undefined }, 'startTime is missing'],
    [{ ...base, startTime: 'yesterday' }, 'startTime is not an ISO-8601 time'],
    [{ ...base, startTime: '2024-02-31T00:00:00Z' }, 'startTime is not a real time'],
    [{ ...base, duration: 'fast' }, 'duration is not a whole number from 0 to 2^53: "fast"'],
    [{ ...base, duration: -1 }, 'duration is not a whole number from 0 to 2^53: -1'],
    [{ ...base, duration: 1e308 }, 'duration is not a whole number from 0 to 2^53: 1e+308'],
    [{ ...base, duration: 2 ** 53 }, 'duration is not a whole number'],
    [{ ...base, bytesSent: 0.5 }, 'bytesSent is not a whole number from 0 to 2^53: 0.5'],
    [{ ...base, bytesReceived: '1.5' }, 'bytesReceived is not a whole number from 0 to 2^53: "1.5"'],
    [{ ...base, responseCode: 'OK' }, 'responseCode is not a whole number from 0 to 999: "OK"'],
    [{ ...base, responseCode: 1000 }, 'responseCode is not a whole number from 0 to 999'],
    [{ ...base, grpcStatus: 17 }, 'grpcStatus is not a whole number from 0 to 16: 17'],
    [{ ...base, bytesSent: true }, 'bytesSent is not a whole number from 0 to 2^53: true'],
    [{ ...base, authDeniedReason: { x: 1 } }, 'authDeniedReason is not a string'],
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

describe('rowProblem', () => {
  it('counts a bad startTime as noDay only when every number is valid, as the queries do', () => {
    expect(rowProblem({ ...base, startTime: 'soon' })).toBe('noDay');
    expect(rowProblem({ ...base, startTime: '2024-02-30T10:00:00Z' })).toBe('noDay');
    expect(rowProblem({ ...base, startTime: '1970-01-01T00:00:00Z' })).toBe('noDay');
    expect(rowProblem({ ...base, startTime: null })).toBe('noDay');
    expect(rowProblem({ ...base, startTime: 'soon', duration: '-', responseCode: null })).toBe('noDay');
    // A number the row's shape says is invalid decides first.
    expect(rowProblem({ ...base, startTime: 'soon', bytesSent: 0.5 })).toBe('invalid');
    expect(rowProblem({ ...base, startTime: 'soon', grpcStatus: 17 })).toBe('invalid');
    expect(rowProblem({ ...base, startTime: 'soon', responseCode: 'x' })).toBe('invalid');
    // Checked before startTime, in the row as in toRecord.
    expect(rowProblem({ ...base, serviceArn: 'arn:aws:s3:::bucket', startTime: 'soon' })).toBe('invalid');
    expect(rowProblem({ ...base, serviceArn: '-', startTime: 'soon' })).toBe('invalid');
    // No JSON object: a row of nulls, without a service.
    expect(rowProblem(undefined)).toBe('invalid');
    expect(rowProblem([1, 2])).toBe('invalid');
    expect(rowProblem({ ...base, duration: -1 })).toBe('invalid');
  });
});
