/**
 * Benchmark, not a test (`npm run bench:estate`): the bundled CLI's `analyze --aws` over an
 * organization's estate on the emulators, cold and then warm with one new day. ESTATE_SERVICES
 * services (default 2,000) in one service network in moto, ESTATE_DAYS days (default 30) of
 * `sample` logs (ESTATE_RECORDS records) in the Logs Insights server, costs modelled (Cost
 * Explorer lists no Lattice usage). It prints wall time, queries, bytes scanned against the
 * window's log bytes and the cache's hits. ESTATE_NODE_OPTIONS is passed to the CLI (e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it). ESTATE_BASELINE_CLI=PATH (the dist/cli.js
 * of an earlier commit) runs that one first on the same world, with a cache of its own.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSampleLog } from '../../src/demo/generate.js';
import { demoMesh } from '../../src/demo/mesh.js';
import { addDays } from '../../src/model/dates.js';
import type { Report } from '../../src/model/report.js';
import { runNode } from '../helpers/bundle.js';
import { Cleanup } from '../helpers/cleanup.js';
import { emulatorEnv, startEmulators } from '../helpers/aws-world.js';
import { createLatticeMesh, seedCostAndUsage, startMoto } from '../servers/moto.js';
import type { Emulators } from '../helpers/aws-world.js';

const SERVICES = Number(process.env.ESTATE_SERVICES ?? 2000);
const DAYS = Number(process.env.ESTATE_DAYS ?? 30);
const RECORDS = Number(process.env.ESTATE_RECORDS ?? 5 * SERVICES * (DAYS + 1));
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const START = '2026-10-01';
const NETWORK = 'org-mesh';
const GROUP = '/aws/vendedlogs/lattice/org-mesh';

const cleanup = new Cleanup();
let dir: string;
let emulators: Emulators;
/** Log bytes by UTC day of the event. */
const bytesByDay = new Map<string, number>();

beforeAll(async () => {
  dir = cleanup.add(await mkdtemp(join(tmpdir(), 'lattice-estate-')), (path) =>
    rm(path, { recursive: true, force: true }),
  );
  const moto = await cleanup.track(startMoto({ accountId: ACCOUNT }), (m) => m.stop());
  emulators = await startEmulators(cleanup, moto, {
    defaults: { account: ACCOUNT, region: REGION },
    accountsFromMoto: false,
    costExplorer: { dimensionValues: { USAGE_TYPE: [] } },
    prices: [],
  });
  await seedCostAndUsage(moto.url, [{ ResultsByTime: [] } as never], ACCOUNT);
  const sample = demoMesh(SERVICES).services;
  const mesh = await createLatticeMesh(moto.url, {
    networkName: NETWORK,
    services: sample.map((s) => s.name),
    logGroupArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${GROUP}:*`,
    region: REGION,
  });
  const arns = new Map(sample.map((s, i) => [s.arn, mesh.services[i]!.arn]));
  for (const s of mesh.services) emulators.latticeClock.createdAt.set(s.arn, '2026-09-01T00:00:00Z');
  const file = join(dir, 'access.jsonl');
  await writeSampleLog(file, {
    records: RECORDS,
    days: DAYS + 1,
    services: SERVICES,
    startDay: START,
    gzip: false,
  });
  const events: Array<{ timestamp: number; message: string }> = [];
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    if (!line) continue;
    const { serviceArn, startTime } = JSON.parse(line) as { serviceArn: string; startTime: string };
    const message = line.replace(`"serviceArn":"${serviceArn}"`, `"serviceArn":"${arns.get(serviceArn)!}"`);
    const day = startTime.slice(0, 10);
    bytesByDay.set(day, (bytesByDay.get(day) ?? 0) + Buffer.byteLength(message));
    events.push({ timestamp: Date.parse(startTime), message });
  }
  emulators.insights.putEvents(GROUP, events);
}, 1_800_000);

afterAll(() => cleanup.close());

const BASELINE = process.env.ESTATE_BASELINE_CLI;

async function run(
  cli: string,
  end: string,
  label: string,
  windowBytes: number,
  cache: string,
): Promise<Report> {
  const started = performance.now();
  const r = await runNode(
    [
      cli,
      ...['analyze', '--aws', '--region', REGION, '--service-network', NETWORK],
      ...['--lookback-days', String(DAYS), '--end-date', end, '--cache-dir', join(dir, cache)],
      ...['--format', 'json', '--verbose'],
    ],
    {
      env: emulatorEnv(
        emulators,
        dir,
        REGION,
        process.env.ESTATE_NODE_OPTIONS ? { NODE_OPTIONS: process.env.ESTATE_NODE_OPTIONS } : {},
      ),
    },
  );
  const seconds = (performance.now() - started) / 1000;
  expect([r.code, r.stderr.match(/error:.*/)?.[0]]).toEqual([0, undefined]);
  const report = JSON.parse(r.stdout) as Report;
  const { queries, bytesScanned } = report.run.insights;
  process.stdout.write(
    `\n${label}: ${SERVICES} services x ${DAYS} days (${(windowBytes / 1e6).toFixed(0)} MB of logs in the window), ` +
      `${seconds.toFixed(1)} s wall, ${queries} queries, bytes scanned ${(bytesScanned / windowBytes).toFixed(3)}x the window's log bytes, ` +
      `cache ${JSON.stringify(report.run.cache ?? {})}\n${r.stderr.trim()}\n`,
  );
  return report;
}

async function coldThenWarm(cli: string, label: string): Promise<void> {
  const end = addDays(START, DAYS);
  const windowBytes = [...bytesByDay].filter(([d]) => d < end).reduce((t, [, b]) => t + b, 0);
  const cold = await run(cli, end, `${label}, cold`, windowBytes, `cache-${label}`);
  expect(cold.services.length).toBeGreaterThanOrEqual(SERVICES * 0.9);
  const newDay = bytesByDay.get(end) ?? 0;
  const warm = await run(cli, addDays(end, 1), `${label}, warm (one new day)`, windowBytes, `cache-${label}`);
  expect(warm.run.cache).toMatchObject({ logDaysScanned: 1 });
  process.stdout.write(
    `${label} warm run scanned ${(warm.run.insights.bytesScanned / newDay).toFixed(3)}x the new day's ${(newDay / 1e6).toFixed(1)} MB\n`,
  );
}

it(`analyze --aws over ${SERVICES} services x ${DAYS} days, cold then warm`, async () => {
  if (BASELINE) await coldThenWarm(BASELINE, 'before');
  await coldThenWarm(`${process.cwd()}/dist/cli.js`, 'after');
}, 3_600_000);
