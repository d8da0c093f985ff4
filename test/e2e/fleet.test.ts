/**
 * One report across two accounts and two regions: the bundled action (and the CLI) against the
 * emulators, with the hub role from OIDC chaining into the team's member role. The platform's
 * network-level logs and the team's service-level logs both hold `team-orders`: it counts once.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateAccountCommand,
  CreateOrganizationCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
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
import { runCli } from '../helpers/bundle.js';
import { cents, expectAccountsAddUp } from '../helpers/account-totals.js';
import { Cleanup, allSettledOrThrow } from '../helpers/cleanup.js';
import {
  ACCOUNT_NAMES,
  HUB_ROLE_ARN,
  type MultiAccountWorld,
  PLATFORM,
  REGIONS,
  SHARED_NETWORK,
  TEAM,
  WINDOW,
  fleetCliArgs,
  startMultiAccountWorld,
} from '../helpers/multi-account-world.js';
import { type OidcServer, startOidcServer } from '../helpers/oidc.js';

const cleanup = new Cleanup();
let world: MultiAccountWorld;
let oidc: OidcServer;
let runner: ActionRunner;

const ACCOUNTS_INPUT = `${PLATFORM} ${ACCOUNT_NAMES[PLATFORM]}\n${TEAM} ${ACCOUNT_NAMES[TEAM]}`;
const INPUTS = {
  'aws-region': REGIONS[0],
  regions: REGIONS[1],
  accounts: ACCOUNTS_INPUT,
  'role-to-assume': HUB_ROLE_ARN,
  'service-network': SHARED_NETWORK,
  'lookback-days': String(WINDOW.days),
  'end-date': WINDOW.end,
  cache: 'false',
};

beforeAll(async () => {
  [world, oidc, runner] = await allSettledOrThrow([
    cleanup.track(startMultiAccountWorld(), (w) => w.close()),
    cleanup.track(startOidcServer(), (o) => o.close()),
    cleanup.track(createActionRunner(), (r) => r.close()),
  ]);
}, 120_000);

afterAll(() => cleanup.close());

function run(inputs: Record<string, string>): Promise<ActionRun> {
  const { AWS_ACCESS_KEY_ID: _a, AWS_SECRET_ACCESS_KEY: _s, AWS_SESSION_TOKEN: _t, ...env } = world.env;
  return runner.run({
    inputs: { ...INPUTS, ...inputs },
    event: scheduleEvent(),
    env: { ...env, ACTIONS_ID_TOKEN_REQUEST_URL: oidc.url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidc.token },
  });
}

async function reportOf(r: ActionRun): Promise<Report> {
  return JSON.parse(await readFile(join(r.workspace, r.outputs['report-json']!), 'utf8')) as Report;
}

/** Exact counts per service, each account's bill to the cent, subtotals that add up. */
function expectWholeFleet(report: Report): void {
  expect(reportSchemaErrors(report)).toEqual([]);
  const rows = report.services.map((s) => ({
    account: s.account,
    region: s.region,
    name: s.name,
    requests: s.requests,
    errors5xx: s.status['5xx'],
  }));
  const expected = world.expected.services.map((s) => ({
    account: s.account,
    region: s.region,
    name: s.name,
    requests: s.requests,
    errors5xx: s.errors5xx,
  }));
  const order = (a: { arn?: string; account?: string; region: string; name: string }, b: typeof a) =>
    `${a.account}/${a.region}/${a.name}`.localeCompare(`${b.account}/${b.region}/${b.name}`);
  expect(rows.sort(order)).toEqual(expected.sort(order));
  expect(report.accounts!.map((a) => [a.account, a.label, a.status])).toEqual([
    [PLATFORM, 'platform', 'read'],
    [TEAM, 'team', 'read'],
  ]);
  for (const account of report.accounts!) {
    // Credits are not Usage records: Cost Explorer's Lattice filter leaves them out.
    expect(cents(account.cost)).toBe(cents(world.expected.bills[account.account]!.total));
  }
  expectAccountsAddUp(report);
  expect(cents(report.totals.cost)).toBe(report.accounts!.reduce((sum, a) => sum + cents(a.cost), 0));
  // Findings say where they are: the service's account and region.
  const located = report.findings.filter((f) => f.service);
  expect(located.length).toBeGreaterThan(0);
  for (const f of located) {
    const [, , , region, account] = f.service!.split(':');
    expect([f.account, f.region]).toEqual([account, region]);
  }
  expect(report.coverage).toEqual({
    accounts: { expected: 2, read: 2 },
    regions: { expected: 4, read: 4 },
    complete: true,
    unreachable: [],
  });
}

describe('two accounts x two regions, one report', () => {
  const runs: Record<string, ActionRun> = {};

  beforeAll(async () => {
    runs['each-account'] = await run({ 'cost-source': 'each-account' });
    runs.payer = await run({ 'cost-source': 'payer' });
  }, 240_000);

  it.each(['each-account', 'payer'])(
    'cost-source %s: exact counts, each bill to the cent, subtotals add up',
    async (source) => {
      const r = runs[source]!;
      expect([r.code, r.stderr]).toEqual([0, '']);
      const report = await reportOf(r);
      expectWholeFleet(report);
      expect(report.warnings.join('\n')).toMatch(
        /service-day\(s\) appeared in the access logs of two accounts/,
      );
    },
  );

  it('names account and region in the Markdown, grouped with subtotals', () => {
    const summary = runs['each-account']!.summary;
    expect(summary).toContain('platform (111111111111)');
    expect(summary).toContain('team (222222222222)');
    expect(summary).toMatch(/across 2 accounts and 2 regions/);
  });
});

describe('an account that cannot be reached', () => {
  let r: ActionRun;

  beforeAll(async () => {
    await world.makeUnreachable(TEAM);
    try {
      r = await run({ 'fail-on': 'partial' });
    } finally {
      await world.makeReachable(TEAM);
    }
  }, 120_000);

  it('says 1 of 2 accounts, with the reason, and fails on fail-on: partial', async () => {
    const report = await reportOf(r);
    expect(reportSchemaErrors(report)).toEqual([]);
    expect(report.coverage).toMatchObject({
      accounts: { expected: 2, read: 1 },
      regions: { expected: 4, read: 2 },
      complete: false,
    });
    expect(report.coverage!.unreachable).toEqual([
      { account: TEAM, label: 'team', reason: expect.stringMatching(/AccessDenied/) },
    ]);
    expect(report.accounts!.find((a) => a.account === TEAM)!.status).toBe('unreachable');
    expect(r.summary).toMatch(/covers 1 of 2 accounts/);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/::error::fail-on: partial: the report covers 1 of 2 accounts/);
    // The platform's own numbers are still whole; only the team's bill is missing.
    const platform = report.accounts!.find((a) => a.account === PLATFORM)!;
    expect(cents(platform.cost)).toBe(cents(world.expected.bills[PLATFORM]!.total));
  });
});

describe('the CLI with --regions and --accounts', () => {
  const cli = (out: string, more: string[] = []) =>
    runCli([...fleetCliArgs(ACCOUNTS_INPUT.replace('\n', ','), [...REGIONS], out), ...more], {
      env: world.env,
    });
  const read = async (out: string): Promise<Report> =>
    JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as Report;

  it('gives the same report from the hub session in the environment, and a warm cache scans nothing', async () => {
    const cache = join(world.dir, 'cli-cache');
    const [cold, warm] = [join(world.dir, 'cli-cold'), join(world.dir, 'cli-warm')];
    const first = await cli(cold, ['--cache-dir', cache]);
    expect([first.code, first.stderr]).toEqual([0, '']);
    const coldReport = await read(cold);
    expectWholeFleet(coldReport);
    expect(coldReport.run.insights.queries).toBeGreaterThan(0);

    // Every day of the window has settled: each account and region comes from the cache.
    const second = await cli(warm, ['--cache-dir', cache]);
    expect([second.code, second.stderr]).toEqual([0, '']);
    const warmReport = await read(warm);
    expectWholeFleet(warmReport);
    expect(warmReport.run.insights).toEqual({ queries: 0, bytesScanned: 0 });
    expect(warmReport.accounts!.map((a) => a.run.queries)).toEqual([0, 0]);
    expect(warmReport.run.costExplorer.requests).toBeLessThan(coldReport.run.costExplorer.requests);
    expect(warmReport.services).toEqual(coldReport.services);
  }, 180_000);
});

describe('accounts: organization', () => {
  it("reads the organization's accounts and names those it could not reach", async () => {
    const organizations = new OrganizationsClient({
      region: REGIONS[0],
      endpoint: world.env.AWS_ENDPOINT_URL_ORGANIZATIONS!,
      credentials: world.hubCredentials,
    });
    let stranger: string;
    try {
      // The hub's account becomes the management account; the new one has no member role.
      await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
      const created = await organizations.send(
        new CreateAccountCommand({ AccountName: 'sandbox', Email: 'sandbox@example.com' }),
      );
      stranger = created.CreateAccountStatus!.AccountId!;
    } finally {
      organizations.destroy();
    }
    const r = await run({ accounts: 'organization', regions: '' });
    const report = await reportOf(r);
    expect(r.code).toBe(0);
    expect(reportSchemaErrors(report)).toEqual([]);
    expect(report.accounts!.map((a) => [a.account, a.label, a.status])).toEqual(
      expect.arrayContaining([
        [PLATFORM, expect.any(String), 'read'],
        [stranger, 'sandbox', 'unreachable'],
      ]),
    );
    expect(report.coverage!.complete).toBe(false);
    expect(report.coverage!.unreachable).toEqual(
      expect.arrayContaining([
        { account: stranger, label: 'sandbox', reason: expect.stringMatching(/lattice-cost-report-member/) },
      ]),
    );
    expect(r.summary).toMatch(/covers \d+ of \d+ accounts/);
  }, 120_000);
});
