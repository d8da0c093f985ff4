/**
 * Access logs in S3 (issue 19): the bundled action with `log-source: s3://…` against moto (STS,
 * VPC Lattice, S3, Glue, Athena's API) with each Athena query's SQL run on DuckDB over the
 * objects its table points at (test/servers/athena-duck.ts). The same events are in the Logs
 * Insights server, so the CloudWatch path and the S3 path must give the same report.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Report } from '../../src/model/report.js';
import { reportSchemaErrors } from '../../src/report/validate.js';
import {
  type ActionRun,
  type ActionRunner,
  createActionRunner,
  scheduleEvent,
} from '../helpers/action-runner.js';
import { ACCOUNT, type AwsWorld, DEMO_END, NETWORK, REGION, startAwsWorld } from '../helpers/aws-world.js';
import { runCli } from '../helpers/bundle.js';
import { Cleanup, allSettledOrThrow } from '../helpers/cleanup.js';
import { type OidcServer, startOidcServer } from '../helpers/oidc.js';
import { seedCostAndUsage } from '../servers/moto.js';
import { addDays, dayRange } from '../../src/model/dates.js';

const cleanup = new Cleanup();
let world: AwsWorld;
let oidc: OidcServer;
let runner: ActionRunner;

const ROLE = 'arn:aws:iam::123456789012:role/lattice-report';
const BASE = {
  'aws-region': REGION,
  'role-to-assume': ROLE,
  'service-network': NETWORK,
  'end-date': DEMO_END,
  // Three days and the three before: every path of the day query, at half the emulator's time.
  'lookback-days': '3',
  cache: 'false',
};

beforeAll(async () => {
  [world, oidc, runner] = await allSettledOrThrow([
    cleanup.track(startAwsWorld({ logFile: false, s3: true }), (w) => w.close()),
    cleanup.track(startOidcServer(), (o) => o.close()),
    cleanup.track(createActionRunner(), (r) => r.close()),
  ]);
  // moto answers each new GetCostAndUsage request body with the next seeded response.
  const bill = JSON.parse(await readFile(world.costsFile, 'utf8')) as never;
  await seedCostAndUsage(world.moto.url, [bill, bill, bill, bill], ACCOUNT);
}, 240_000);

afterAll(() => cleanup.close());

function run(inputs: Record<string, string>): Promise<ActionRun> {
  return runner.run({
    inputs: { ...BASE, ...inputs },
    event: scheduleEvent(),
    env: {
      ...world.env,
      ACTIONS_ID_TOKEN_REQUEST_URL: oidc.url,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidc.token,
    },
  });
}

async function reportOf(result: ActionRun): Promise<Report> {
  expect(result.stderr).not.toMatch(/::error::/);
  expect(result.code).toBe(0);
  return JSON.parse(await readFile(join(result.workspace, result.outputs['report-json']!), 'utf8')) as Report;
}

/** What the data says, without how it was read: the source and the run differ by design. */
const comparable = (r: Report) => ({
  ...r,
  generatedAt: '',
  run: null,
  source: { ...r.source, logGroups: [], s3: null, queryIds: [] },
});

/** The action's report over S3 for the window ending DEMO_END, cold. */
let viaS3: Report;

describe('the action with log-source s3://…', () => {
  let viaS3Run: ActionRun;
  let viaInsights: Report;
  let queriesBefore: number;

  beforeAll(async () => {
    queriesBefore = world.s3!.athena.queries.length;
    viaS3Run = await run({ 'log-source': world.s3!.logSource, 'create-athena-table': 'true' });
    viaS3 = await reportOf(viaS3Run);
    viaInsights = await reportOf(await run({}));
  }, 240_000);

  it('gives the same report as the CloudWatch path on the same events', () => {
    expect(reportSchemaErrors(viaS3)).toEqual([]);
    expect(viaS3.services.length).toBeGreaterThan(3);
    expect(viaS3.totals.requests).toBeGreaterThan(0);
    expect(comparable(viaS3)).toEqual(comparable(viaInsights));
  });

  it('says where it read, and what Athena scanned and cost', () => {
    expect(viaS3.source.logGroups).toEqual([]);
    expect(viaS3.source.s3).toEqual([
      {
        location: world.s3!.logSource,
        table: 'lattice_cost_report.access_logs',
        workGroup: 'lattice-cost-report',
        roots: [world.s3!.root],
      },
    ]);
    // The window and the one before, and the delivery day after the window: one query each that has objects.
    const delivery = dayRange(addDays(DEMO_END, -6), addDays(DEMO_END, 1));
    const ran = world.s3!.athena.queries.slice(queriesBefore);
    const withObjects = delivery.filter((d) => world.s3!.objects.some((o) => o.day === d));
    expect(ran).toHaveLength(withObjects.length);
    expect(viaS3.run.athena).toMatchObject({ queries: withObjects.length });
    const bytes = ran.reduce((sum, q) => sum + q.bytesScanned, 0);
    expect(bytes).toBeGreaterThan(0);
    expect(viaS3.run.athena!.bytesScanned).toBe(bytes);
    expect(viaS3.run.insights).toEqual({ queries: 0, bytesScanned: 0 });
    expect(viaS3.run.athena!.estimatedCostUsd).toBeGreaterThan(0);
    expect(viaS3Run.outputs['bytes-scanned']).toBe(String(bytes));
    expect(viaS3Run.summary).toContain('with Athena in');
  });
});

describe('a warm run over S3 (--cache-dir)', () => {
  it('queries only the new delivery day and gives the same report as a cold run', async () => {
    const cacheDir = join(world.dir, 's3-cache');
    const args = [
      'analyze',
      '--aws',
      '--region',
      REGION,
      '--service-network',
      NETWORK,
      '--log-source',
      world.s3!.logSource,
      '--lookback-days',
      '3',
      '--format',
      'json',
    ];
    const first = await runCli([...args, '--cache-dir', cacheDir, '--end-date', addDays(DEMO_END, -1)], {
      env: world.env,
    });
    expect(first.code).toBe(0);
    const before = world.s3!.athena.queries.length;
    const warm = await runCli([...args, '--cache-dir', cacheDir, '--end-date', DEMO_END], { env: world.env });
    expect(warm.stderr).toBe('');
    expect(warm.code).toBe(0);
    const report = JSON.parse(warm.stdout) as Report;
    const newDays = world
      .s3!.athena.queries.slice(before)
      .map((q) => q.sql.match(/'(\d{4}\/\d{2}\/\d{2})'/)?.[1]);
    // Only the delivery day the shifted window adds.
    expect(newDays).toEqual(
      world.s3!.objects.some((o) => o.day === DEMO_END) ? [DEMO_END.replaceAll('-', '/')] : [],
    );
    expect(report.run.cache).toMatchObject({ logDaysScanned: 1, logDaysHit: 6 });
    expect(report.run.cache!.bytesAvoided).toBeGreaterThan(0);
    // The action's cold run of the same window (comparable leaves out how each was read).
    expect(comparable(report)).toEqual(comparable(viaS3));
  }, 240_000);
});
