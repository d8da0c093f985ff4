import { describe, expect, it } from '@jest/globals';
import { AggregateSet, identityFromArn } from '../../src/model/aggregate.js';
import { parseCostAndUsage } from '../../src/aws/cost-and-usage.js';
import { addDays, dayRange, makeWindow } from '../../src/model/dates.js';
import { DEFAULT_THRESHOLDS } from '../../src/analysis/thresholds.js';
import { buildAnalysis, type BuildInput } from '../../src/analysis/build.js';
import { describeReport } from '../../src/report/findings.js';
import type { Report } from '../../src/model/report.js';
import { reportSchemaErrors } from '../../src/report/validate.js';
import { expectAccountsAddUp } from '../helpers/account-totals.js';

const arn = (id: string): string => `arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-${id}`;
const BUSY = arn('0000000000000000a');
const SLOW = arn('0000000000000000b');
const FAILING = arn('0000000000000000c');
const IDLE = arn('0000000000000000d');
const FIRST = '2026-11-09';
const DAYS = dayRange(FIRST, '2026-11-23');

/** Two weeks of traffic with one problem per service, built record by record. */
function traffic(): AggregateSet {
  const set = new AggregateSet();
  const add = (
    serviceArn: string,
    day: string,
    n: number,
    duration: (i: number) => number,
    code: (i: number) => number,
    bytes = 1000,
  ) => {
    for (let i = 0; i < n; i++) {
      set.add({
        serviceArn,
        kind: 'http',
        caller: '-|-',
        grpcStatus: null,
        day,
        hour: i % 24,
        duration: duration(i),
        responseCode: code(i),
        bytesReceived: bytes,
        bytesSent: bytes,
        authDenied: false,
        hostHeader: null,
      });
    }
  };
  for (const day of DAYS) {
    add(
      BUSY,
      day,
      2000,
      (i) => 20 + (i % 30),
      () => 200,
    );
    add(
      SLOW,
      day,
      500,
      (i) => (i % 50 === 0 ? 2500 : 100 + (i % 100)),
      () => 200,
    );
    add(
      FAILING,
      day,
      400,
      () => 30,
      (i) => (i % 25 === 0 ? 503 : 200),
    );
    add(
      IDLE,
      day,
      3,
      () => 10,
      () => 200,
    );
  }
  return set;
}

function input(overrides: Partial<BuildInput> = {}): BuildInput {
  return {
    aggregates: traffic(),
    window: makeWindow('2026-11-16', '2026-11-23'),
    coveredDays: new Set(DAYS),
    thresholds: DEFAULT_THRESHOLDS,
    source: {
      kind: 'files',
      logGroups: [],
      queryIds: [],
      files: ['x.log'],
      records: 0,
      malformed: 0,
      malformedSamples: [],
    },
    generatedAt: '2026-11-23T06:00:00.000Z',
    tool: { name: 'lattice-cost-report', version: 'test' },
    ...overrides,
  };
}

function bill(): ReturnType<typeof parseCostAndUsage> {
  return parseCostAndUsage(
    {
      GroupDefinitions: [{ Type: 'DIMENSION', Key: 'USAGE_TYPE' }],
      ResultsByTime: DAYS.map((day) => ({
        TimePeriod: { Start: day, End: addDays(day, 1) },
        Total: {},
        Groups: [
          {
            Keys: ['USE1-VpcLattice-ServiceHours'],
            Metrics: { UnblendedCost: { Amount: '2.4', Unit: 'USD' } },
          },
          {
            Keys: ['USE1-VpcLattice-DataProcessing-Bytes'],
            Metrics: { UnblendedCost: { Amount: '0.0123456789', Unit: 'USD' } },
          },
          {
            Keys: ['USE1-VpcLattice-Misc'],
            Metrics: { UnblendedCost: { Amount: '0.0333333', Unit: 'USD' } },
          },
        ],
        Estimated: day >= '2026-11-21',
      })),
    },
    'costs.json',
  );
}

/** The pipelines' two steps: every number, then the findings in words. */
const buildReport = (i: BuildInput): Report => describeReport(buildAnalysis(i));

const kinds = (report: Report, service: string): string[] =>
  report.findings
    .filter((f) => f.service === service)
    .map((f) => f.kind)
    .sort();

describe('buildAnalysis releasing the days', () => {
  it("gives the same analysis with each service's days dropped once it is reported", () => {
    let calls = 0;
    const kept = input();
    const released = input({ releaseDays: true, afterService: () => calls++ });
    const services = released.aggregates.services.size;
    expect(buildAnalysis(released)).toEqual(buildAnalysis(kept));
    expect(calls).toBe(services);
    expect(released.aggregates.days.size).toBe(0);
    expect(kept.aggregates.days.size).toBeGreaterThan(0);
  });
});

describe('buildAnalysis, in words', () => {
  it('writes a schema-valid report with one problem per service found', () => {
    const report = buildReport(input());
    expect(reportSchemaErrors(report)).toEqual([]);
    expect(report.costBasis.method).toBe('modelled');
    expect(kinds(report, SLOW)).toEqual(['high-latency']);
    expect(kinds(report, FAILING)).toEqual(['high-error-rate']);
    expect(kinds(report, IDLE)).toEqual(['idle-service']);
    expect(kinds(report, BUSY)).toEqual([]);
    const idle = report.findings.find((f) => f.kind === 'idle-service')!;
    // 24 h × $0.025 a day, over a 730-hour month.
    expect(idle.estimatedMonthlySavings).toBeCloseTo(730 * 0.025, 2);
    expect(report.services.find((s) => s.arn === FAILING)!.errorRate).toBeCloseTo(0.04, 6);
    expect(report.services[0]!.cost.total).toBeGreaterThanOrEqual(report.services[1]!.cost.total);
  });

  it('the schema check names what is wrong: a missing field, a wrong value, an extra field, a bad date-time', () => {
    const good = buildReport(input());
    const { warnings: _warnings, ...missing } = good;
    expect(reportSchemaErrors(missing)).toEqual(["/ must have required property 'warnings'"]);
    expect(reportSchemaErrors({ ...good, schemaVersion: 2 })).toEqual([
      '/schemaVersion must be equal to constant',
    ]);
    expect(reportSchemaErrors({ ...good, extra: 1 })).toEqual(['/ must NOT have additional properties']);
    expect(reportSchemaErrors({ ...good, generatedAt: 'yesterday' })).toEqual([
      '/generatedAt must match format "date-time"',
    ]);
    const badService = { ...good, services: [{ ...good.services[0]!, requests: -1 }] };
    expect(reportSchemaErrors(badService)).toEqual(['/services/0/requests must be >= 0']);
  });

  it('compares with the previous window when the data covers it', () => {
    const report = buildReport(input());
    expect(report.totals.previous).not.toBeNull();
    expect(report.totals.previous!.requests).toBe(report.totals.requests);
    const onlyWindow = buildReport(input({ coveredDays: new Set(dayRange('2026-11-16', '2026-11-23')) }));
    expect(onlyWindow.totals.previous).toBeNull();
    expect(onlyWindow.services.every((s) => s.previous === null)).toBe(true);
  });

  it('reconciles to the bill to the cent, with shared cost on its own line', () => {
    const report = buildReport(input({ billed: bill() }));
    expect(reportSchemaErrors(report)).toEqual([]);
    const billedCents = Math.round(7 * (2.4 + 0.0123456789 + 0.0333333) * 100);
    expect(Math.round(report.totals.cost * 100)).toBe(billedCents);
    const parts =
      report.services.reduce((s, x) => s + Math.round(x.cost.total * 100), 0) +
      Math.round(report.shared.total * 100);
    expect(parts).toBe(billedCents);
    for (const s of report.services) {
      expect(Math.round(s.cost.total * 100)).toBe(
        Math.round((s.cost.hours + s.cost.data + s.cost.requests) * 100),
      );
    }
    expect(report.shared.other).toBeCloseTo(7 * 0.0333333, 2);
    expect(report.costBasis).toMatchObject({
      method: 'reconciled',
      metric: 'UnblendedCost',
      estimatedDays: ['2026-11-21', '2026-11-22'],
    });
  });

  it('flags a cost spike with the robust detector', () => {
    const set = traffic();
    // Ten times the usual bytes on one day of the window.
    set.day(BUSY, '2026-11-20').bytesIn += 200 * 1024 ** 3;
    const report = buildReport(input({ aggregates: set }));
    const spike = report.anomalies.find((a) => a.metric === 'cost' && a.service === BUSY);
    expect(spike).toMatchObject({ date: '2026-11-20', source: 'detector' });
    expect(spike!.impactUsd!).toBeCloseTo(5, 1);
    expect(report.findings.some((f) => f.kind === 'cost-anomaly' && f.service === BUSY)).toBe(true);
  });

  it('keeps services that are known but silent, billed for their hours', () => {
    const silent = {
      arn: arn('0000000000000000e'),
      id: 'svc-0000000000000000e',
      region: 'us-east-1',
      account: '111122223333',
      name: 'quiet',
    };
    const report = buildReport(input({ inventory: [silent] }));
    const s = report.services.find((x) => x.arn === silent.arn)!;
    expect(s).toMatchObject({ name: 'quiet', requests: 0, latencyMs: null, costPerMillionRequests: null });
    expect(s.cost.hours).toBeCloseTo(7 * 0.6, 2);
    expect(report.findings.find((f) => f.service === silent.arn)).toMatchObject({
      kind: 'idle-service',
      severity: 'critical',
    });
  });

  describe('service-hours from the creation time', () => {
    const identity = (a: string, createdAt?: string) => ({
      ...identityFromArn(a),
      ...(createdAt ? { createdAt } : {}),
    });
    const NEW = arn('0000000000000000e');
    const OLD = '2026-10-01T00:00:00Z';

    it('bills a service created mid-window from the hour it was created', () => {
      const inventory = [
        ...[BUSY, SLOW, FAILING, IDLE].map((a) => identity(a, OLD)),
        identity(NEW, '2026-11-19T10:30:00Z'),
      ];
      const report = buildReport(input({ inventory }));
      const s = report.services.find((x) => x.arn === NEW)!;
      // 14 hours on 2026-11-19, 24 on each of the 3 days after.
      expect(s.cost.hours).toBeCloseTo((14 + 3 * 24) * 0.025, 2);
      expect(s.daily.map((d) => d.cost)).toEqual([0, 0, 0, 0.35, 0.6, 0.6, 0.6]);
      const idle = report.findings.find((f) => f.service === NEW)!;
      expect(idle.kind).toBe('idle-service');
      expect(idle.message).toContain('billed 86 service-hours');
      // A month of the hours it runs, not the window's average.
      expect(idle.estimatedMonthlySavings).toBeCloseTo(730 * 0.025, 2);
      expect(report.services.find((x) => x.arn === IDLE)!.cost.hours).toBeCloseTo(7 * 0.6, 2);
      expect(report.warnings.filter((w) => /service-hours|createdAt/.test(w))).toEqual([]);
    });

    it('bills a service not created yet in the window nothing, and does not call it idle', () => {
      const report = buildReport(input({ inventory: [identity(NEW, '2026-11-25T00:00:00Z')] }));
      const s = report.services.find((x) => x.arn === NEW)!;
      expect(s.cost.total).toBe(0);
      expect(kinds(report, NEW)).toEqual([]);
    });

    it('says which services are billed all day for want of a creation time', () => {
      const report = buildReport(input({ inventory: [identity(BUSY, OLD), identity(NEW)] }));
      expect(report.warnings).toContain(
        '4 service(s) are billed 24 service-hours a day: their creation time is unknown (seen only in the logs, and not readable from the Lattice API).',
      );
      // Local files never know creation times: no warning there.
      expect(buildReport(input()).warnings.join('\n')).not.toContain('service-hours');
    });

    it('trusts log records over a later createdAt, and says so', () => {
      const inventory = [BUSY, SLOW, FAILING].map((a) => identity(a, OLD));
      inventory.push(identity(IDLE, '2026-11-20T05:00:00Z'));
      const report = buildReport(input({ inventory }));
      expect(report.services.find((x) => x.arn === IDLE)!.cost.hours).toBeCloseTo(7 * 0.6, 2);
      expect(report.warnings).toContain(
        '1 service(s) have log records before their createdAt; billed from their first record.',
      );
    });

    it('bills a resource configuration from its creation time when known', () => {
      const rcfg = 'arn:aws:vpc-lattice:us-east-1:111122223333:resourceconfiguration/rcfg-0123456789abcdef0';
      const report = buildReport(
        input({ inventory: [identity(rcfg, '2026-11-22T12:00:00Z'), identity(BUSY, OLD)] }),
      );
      expect(report.resourceConfigurations[0]!.cost).toEqual({ total: 1.2, hours: 1.2, data: 0 });
    });
  });

  it('warns about window days without data', () => {
    const report = buildReport(input({ window: makeWindow('2026-11-20', '2026-11-27') }));
    expect(report.warnings.join('\n')).toContain('No access-log data for 4 day(s)');
  });
});

describe('buildAnalysis across accounts', () => {
  const TEAM = '444455556666';
  const teamArn = (id: string): string => `arn:aws:vpc-lattice:eu-west-1:${TEAM}:service/svc-${id}`;
  const STRANGER = 'arn:aws:vpc-lattice:us-east-1:777788889999:service/svc-0000000000000000f';

  function world(): BuildInput {
    const aggregates = traffic();
    for (const day of DAYS) {
      for (const [service, n] of [
        [teamArn('0000000000000000e'), 900],
        [STRANGER, 10],
      ] as const) {
        for (let i = 0; i < n; i++) {
          aggregates.add({
            serviceArn: service,
            kind: 'http',
            caller: '-|-',
            grpcStatus: null,
            day,
            hour: i % 24,
            duration: 40,
            responseCode: i % 100 === 0 ? 500 : 200,
            bytesReceived: 500,
            bytesSent: 500,
            authDenied: false,
            hostHeader: null,
          });
        }
      }
    }
    const platformBill = bill();
    const teamBill = bill()!;
    // A credit on the team's bill stays its own line, never a service's.
    teamBill.credits.set('2026-11-18', -0.5);
    const run = { bytesScanned: 1, queries: 1, costExplorerRequests: 2 };
    return input({
      aggregates,
      accounts: [
        { account: '111122223333', label: 'platform', status: 'read', billed: platformBill, run },
        { account: TEAM, status: 'read', billed: teamBill, run },
      ],
      coverage: {
        accounts: { expected: 2, read: 2 },
        regions: { expected: 2, read: 2 },
        complete: true,
        unreachable: [],
      },
    });
  }

  it("bills each service from its owner's bill, each account to the cent, and adds up", () => {
    const report = buildReport(world());
    const billedCents = Math.round(7 * (2.4 + 0.0123456789 + 0.0333333) * 100);
    const [platform, team] = report.accounts!;
    expect(platform).toMatchObject({ account: '111122223333', label: 'platform', status: 'read' });
    expect(Math.round(platform!.cost * 100)).toBe(billedCents);
    expect(Math.round(team!.cost * 100)).toBe(billedCents - 50);
    expect(team!.shared.credits).toBe(-0.5);
    expectAccountsAddUp(report);
    expect(team!.regions.map((r) => r.region)).toEqual(['eu-west-1']);
    expect(report.services.find((s) => s.arn === teamArn('0000000000000000e'))).toMatchObject({
      account: TEAM,
      region: 'eu-west-1',
    });
    expect(report.services.find((s) => s.arn === BUSY)).toMatchObject({ accountLabel: 'platform' });
    // The stranger's service is on no bill here: modelled, named in a warning, in the total.
    const stranger = report.services.find((s) => s.arn === STRANGER)!;
    expect(stranger.account).toBe('777788889999');
    expect(report.warnings.join('\n')).toMatch(
      /1 service\(s\) seen in the logs belong to an account this run does not cover \(777788889999\)/,
    );
    expect(Math.round(report.totals.cost * 100)).toBe(
      Math.round(platform!.cost * 100) + Math.round(team!.cost * 100) + Math.round(stranger.cost.total * 100),
    );
    expect(report.coverage).toMatchObject({ complete: true });
    expect(report.costBasis.method).toBe('reconciled');
  });

  it('a single-account report names no account on its rows', () => {
    const report = buildReport(input({ billed: bill() }));
    expect(report.accounts).toBeUndefined();
    expect(report.services.every((s) => s.account === undefined)).toBe(true);
  });
});
