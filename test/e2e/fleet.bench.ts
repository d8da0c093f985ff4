/**
 * Benchmark, not a test (`npm run bench:fleet`): wall time of the CLI over two accounts x two
 * regions against each single (account, region) pair alone, on the emulators. Pairs run
 * concurrently, so the whole should take about as long as the slowest pair, not the sum.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { runCli } from '../helpers/bundle.js';
import {
  ACCOUNT_NAMES,
  type MultiAccountWorld,
  PLATFORM,
  REGIONS,
  TEAM,
  fleetCliArgs,
  startMultiAccountWorld,
} from '../helpers/multi-account-world.js';

let world: MultiAccountWorld;
beforeAll(async () => {
  world = await startMultiAccountWorld();
}, 120_000);
afterAll(() => world?.close());

const RUNS = Number(process.env.BENCH_RUNS ?? 3);

async function seconds(accounts: string, regions: string[]): Promise<number> {
  const started = performance.now();
  const result = await runCli(fleetCliArgs(accounts, regions, join(world.dir, 'bench')), { env: world.env });
  expect([result.code, result.stderr]).toEqual([0, '']);
  return (performance.now() - started) / 1000;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

it('2 accounts x 2 regions against the slowest single pair', async () => {
  const single: Record<string, number[]> = {};
  const whole: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    for (const account of [PLATFORM, TEAM]) {
      for (const region of REGIONS) {
        (single[`${ACCOUNT_NAMES[account]} ${region}`] ??= []).push(await seconds(`${account}`, [region]));
      }
    }
    whole.push(await seconds(`${PLATFORM} platform,${TEAM} team`, [...REGIONS]));
  }
  const pairs = Object.entries(single).map(([pair, xs]) => `${pair} ${median(xs).toFixed(2)} s`);
  const slowest = Math.max(...Object.values(single).map(median));
  process.stdout.write(
    `\nfleet benchmark (${RUNS} runs, medians): ${pairs.join(', ')}; 2x2 ${median(whole).toFixed(2)} s = ` +
      `${(median(whole) / slowest).toFixed(2)}x the slowest pair\n`,
  );
}, 600_000);
