/**
 * The bundled action (dist/index.js) started as the runner starts it, against moto, the Logs
 * Insights and Cost Explorer servers, an OIDC token endpoint and a GitHub API server.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { marked } from 'marked';
import type { Report } from '../../src/model/report.js';
import { reportSchemaErrors } from '../../src/report/validate.js';
import {
  type ActionRun,
  type ActionRunner,
  createActionRunner,
  pullRequestEvent,
  scheduleEvent,
} from '../helpers/action-runner.js';
import {
  ACCOUNT,
  type AwsWorld,
  DEMO_END,
  HOSTILE_NAMES,
  NETWORK,
  REGION,
  addLargeHostileMesh,
  startAwsWorld,
} from '../helpers/aws-world.js';
import { Cleanup, allSettledOrThrow } from '../helpers/cleanup.js';
import { type OidcServer, startOidcServer } from '../helpers/oidc.js';
import { type ActionsCacheServer, startActionsCacheServer } from '../servers/actions-cache.js';
import { type GitHubServer, startGitHubServer } from '../servers/github.js';
import { seedCostAndUsage } from '../servers/moto.js';

const cleanup = new Cleanup();
let world: AwsWorld;
let github: GitHubServer;
let oidc: OidcServer;
let runner: ActionRunner;
let pull: number;

const ROLE = 'arn:aws:iam::123456789012:role/lattice-report';
/** A one-day window keeps each run to two Logs Insights queries. */
const BASE = {
  'aws-region': REGION,
  'role-to-assume': ROLE,
  'service-network': NETWORK,
  'lookback-days': '1',
  'end-date': DEMO_END,
};

beforeAll(async () => {
  [world, github, oidc, runner] = await allSettledOrThrow([
    cleanup.track(startAwsWorld({ logFile: false }), (w) => w.close()),
    cleanup.track(startGitHubServer({ perPageMax: 5 }), (g) => g.close()),
    cleanup.track(startOidcServer(), (o) => o.close()),
    cleanup.track(createActionRunner(), (r) => r.close()),
  ]);
  // Pages of unrelated issues and comments, so finding the marker has to page.
  for (let i = 0; i < 12; i++)
    github.seedIssue({ title: `Unrelated ${i}`, body: 'nothing to see', author: 'octocat' });
  pull = github.seedIssue({ title: 'Add a Lattice service', pullRequest: true, author: 'octocat' }).number;
  for (let i = 0; i < 7; i++) github.seedComment({ issueNumber: pull, body: `LGTM ${i}`, author: 'octocat' });
}, 180_000);

afterAll(() => cleanup.close());

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...world.env,
    GITHUB_API_URL: github.url,
    GITHUB_GRAPHQL_URL: github.graphqlUrl,
    GITHUB_SERVER_URL: 'https://github.com',
    ACTIONS_ID_TOKEN_REQUEST_URL: oidc.url,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidc.token,
    ...extra,
  };
}

function run(
  inputs: Record<string, string>,
  event = scheduleEvent(),
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<ActionRun> {
  return runner.run({ inputs: { ...BASE, ...inputs }, event, env: env(extraEnv), token: github.token });
}

const markerIssues = (): number =>
  github.state.issues.filter(
    (i) => i.state === 'open' && (i.body ?? '').includes('<!-- lattice-cost-report:'),
  ).length;

/** The HTML GitHub would render, with code spans removed: what remains must be inert. */
function outsideCode(markdown: string): string {
  const html = marked.parse(markdown, { async: false, gfm: true });
  return html.replace(/<code>[\s\S]*?<\/code>/g, '');
}

/** Our marker, as the first run wrote it; someone else can copy it from the raw body. */
const markerOf = (body: string): string => /<!-- lattice-cost-report:[^ ]+ -->/.exec(body)![0];

describe('the action on a schedule, publishing to a rolling issue', () => {
  let first: ActionRun;
  let second: ActionRun;
  let third: ActionRun;
  let copy: { number: number; body: string | null; updatedAt: string };
  let ours: () => { number: number; body: string | null; updatedAt: string; title: string; labels: string[] };

  beforeAll(async () => {
    first = await run({ 'publish-to': 'summary,issue' });
    ours = () => github.state.issues.find((i) => String(i.number) === first.outputs['issue-number'])!;
    // A newer issue by someone else, with our marker copied into it.
    copy = {
      ...github.seedIssue({
        title: 'Copied report',
        body: `Please look at this\n${markerOf(ours().body!)}`,
        labels: ['lattice-cost-report'],
        author: 'mallory',
      }),
    };
    second = await run({ 'publish-to': 'summary,issue' });
    third = await run({ 'publish-to': 'summary,issue', 'latency-p99-ms': '1' });
  }, 240_000);

  it('creates the issue once, leaves it alone when nothing changed, edits it when the report did', () => {
    expect([first.code, second.code, third.code]).toEqual([0, 0, 0]);
    expect([first, second, third].map((r) => [r.outputs['issue-number'], r.outputs['issue-result']])).toEqual(
      [
        [first.outputs['issue-number'], 'created'],
        [first.outputs['issue-number'], 'unchanged'],
        [first.outputs['issue-number'], 'updated'],
      ],
    );
    expect(markerIssues()).toBe(2);
    expect(ours().labels).toEqual(['lattice-cost-report']);
    expect(ours().title).toBe('VPC Lattice cost & performance report');
    expect(ours().body).toContain('(threshold 1 ms)');
    expect(github.state.labels.map((l) => l.name)).toContain('lattice-cost-report');
    const edits = github.requests.filter((r) => r.method === 'PATCH' && r.path.includes('/issues/'));
    expect(edits.map((r) => r.path)).toEqual([
      `/repos/${github.owner}/${github.repo}/issues/${ours().number}`,
    ]);
  });

  it('leaves the issue someone else opened with our marker untouched, and says so', () => {
    expect(github.state.issues.find((i) => i.number === copy.number)).toMatchObject({
      body: copy.body,
      updatedAt: copy.updatedAt,
      title: 'Copied report',
    });
    for (const r of [second, third])
      expect(r.stdout).toContain(
        `::warning::Issue #${copy.number} carries this report's marker but was opened by mallory, not by github-actions[bot]`,
      );
  });

  it('sets every output and writes the report files', async () => {
    const o = second.outputs;
    expect(Object.keys(o).sort()).toEqual(
      [
        'bytes-scanned',
        'critical-count',
        'findings-count',
        'issue-number',
        'issue-result',
        'report-json',
        'report-markdown',
        'total-cost',
      ].sort(),
    );
    expect(Number(o['total-cost'])).toBeGreaterThan(0);
    expect(Number(o['bytes-scanned'])).toBeGreaterThan(0);
    expect(Number(o['findings-count'])).toBeGreaterThanOrEqual(Number(o['critical-count']));
    const report = JSON.parse(await readFile(join(second.workspace, o['report-json']!), 'utf8')) as Report;
    expect(reportSchemaErrors(report)).toEqual([]);
    expect(String(report.totals.cost.toFixed(2))).toBe(o['total-cost']);
    expect(existsSync(join(second.workspace, o['report-markdown']!))).toBe(true);
  });

  it('writes the job summary with the report', () => {
    expect(second.summary).toContain('VPC Lattice cost & performance');
    expect(second.summary).toContain(`<!-- lattice-cost-report:${NETWORK}.${REGION}.`);
  });

  it('masks the assumed-role credentials in the log', () => {
    expect(second.stdout).toMatch(/::add-mask::ASIA/);
    expect(oidc.audiences.at(-1)).toBe('sts.amazonaws.com');
  });
});

describe('the sticky pull-request comment', () => {
  const ours = () =>
    github
      .commentsOn(pull)
      .filter((c) => c.body.includes('<!-- lattice-cost-report:') && c.author.login !== 'mallory');
  let copy: { id: number; body: string; updatedAt: string };
  /** Each behaviour with another latency threshold (every service is slower), so the report differs from the comment it replaces. */
  const comment = (behavior: string, p99: string) =>
    run(
      { 'publish-to': 'pr-comment', 'comment-behavior': behavior, 'latency-p99-ms': p99 },
      pullRequestEvent(pull),
    );
  const copyUntouched = () => {
    const now = github.commentsOn(pull).find((c) => c.id === copy.id)!;
    expect(now).toMatchObject({ body: copy.body, updatedAt: copy.updatedAt, isMinimized: false });
  };

  it('update: posts once, leaves it when nothing changed, edits it in place, never the copy', async () => {
    const a = await comment('update', '2');
    copy = {
      ...github.seedComment({
        issueNumber: pull,
        body: `me too\n${markerOf(ours()[0]!.body)}`,
        author: 'mallory',
      }),
    };
    const b = await comment('update', '2');
    const c = await comment('update', '3');
    expect([a.code, b.code, c.code]).toEqual([0, 0, 0]);
    expect([a, b, c].map((r) => [r.outputs['comment-id'], r.outputs['comment-result']])).toEqual([
      [a.outputs['comment-id'], 'created'],
      [a.outputs['comment-id'], 'unchanged'],
      [a.outputs['comment-id'], 'updated'],
    ]);
    expect(ours()).toHaveLength(1);
    expect(ours()[0]!.body).toContain('(threshold 3 ms)');
    expect(b.stdout).toMatch(
      /::warning::Comment \d+ on pull request #\d+ carries this report's marker but was written by mallory/,
    );
    copyUntouched();
  }, 180_000);

  it('new: always posts another', async () => {
    const r = await comment('new', '3');
    expect(r.code).toBe(0);
    expect(r.outputs['comment-result']).toBe('created');
    expect(ours()).toHaveLength(2);
    copyUntouched();
  }, 60_000);

  it('delete-and-new: removes only its own, posts one', async () => {
    const r = await comment('delete-and-new', '4');
    expect(r.code).toBe(0);
    expect(ours()).toHaveLength(1);
    expect(String(ours()[0]!.id)).toBe(r.outputs['comment-id']);
    expect(github.commentsOn(pull).filter((c) => c.body.startsWith('LGTM'))).toHaveLength(7);
    copyUntouched();
  }, 60_000);

  it('hide-and-new: minimizes its own as outdated, posts a new one; a rerun changes nothing', async () => {
    const before = ours()[0]!;
    const r = await comment('hide-and-new', '5');
    expect(r.code).toBe(0);
    const after = ours();
    expect(after).toHaveLength(2);
    expect(after.find((c) => c.id === before.id)).toMatchObject({
      isMinimized: true,
      minimizedReason: 'outdated',
    });
    expect(after.at(-1)!.isMinimized).toBe(false);
    copyUntouched();

    const writes = github.requests.filter((q) => q.method !== 'GET').length;
    const again = await comment('hide-and-new', '5');
    expect(again.outputs['comment-result']).toBe('unchanged');
    expect(ours()).toEqual(after);
    // Only the viewer query: no edit, no minimize, no new comment.
    expect(
      github.requests
        .filter((q) => q.method !== 'GET')
        .slice(writes)
        .map((q) => q.graphql),
    ).toEqual([['viewer']]);
  }, 120_000);

  it('outside a pull request, pr-comment is a warning, not a failure', async () => {
    const r = await run({ 'publish-to': 'summary,pr-comment' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/::warning::publish-to includes pr-comment, but this run is a schedule event/);
  }, 60_000);
});

describe('scan once: the day cache kept with @actions/cache', () => {
  let cacheServer: ActionsCacheServer;
  let warm: ActionRun;
  const cacheEnv = (runId: string): NodeJS.ProcessEnv => ({
    ACTIONS_CACHE_URL: cacheServer.url,
    ACTIONS_RUNTIME_TOKEN: cacheServer.token,
    GITHUB_RUN_ID: runId,
  });
  const report = async (run: ActionRun): Promise<Report> =>
    JSON.parse(await readFile(join(run.workspace, run.outputs['report-json']!), 'utf8')) as Report;

  beforeAll(async () => {
    cacheServer = await cleanup.track(startActionsCacheServer(), (c) => c.close());
    // moto answers each new GetCostAndUsage request body with the next seeded response.
    const bill = JSON.parse(await readFile(world.costsFile, 'utf8')) as never;
    await seedCostAndUsage(world.moto.url, [bill, bill], ACCOUNT);
    const first = await run(
      { 'lookback-days': '7', 'end-date': '2026-11-22' },
      scheduleEvent(),
      cacheEnv('101'),
    );
    expect(first.code).toBe(0);
    expect(cacheServer.entries).toHaveLength(1);
    world.costExplorer.resetStats();
    warm = await run({ 'lookback-days': '7' }, scheduleEvent(), cacheEnv('102'));
    expect(warm.code).toBe(0);
  }, 240_000);

  it('scans one day of logs and makes at most 3 Cost Explorer requests on the second run', async () => {
    const oneDay = world.eventBytesByDay.get('2026-11-22')!;
    const scanned = Number(warm.outputs['bytes-scanned']);
    const r = await report(warm);
    console.log(
      `Action, warm run: bytes-scanned ${scanned} for ${oneDay} bytes of one day (ratio ${(scanned / oneDay).toFixed(3)}); ` +
        `${r.run.costExplorer.requests} Cost Explorer requests; cache ${JSON.stringify(r.run.cache)}`,
    );
    expect(scanned).toBeLessThanOrEqual(1.2 * oneDay);
    expect(r.run.costExplorer.requests).toBeLessThanOrEqual(3);
    expect(world.costExplorer.stats.total).toBe(r.run.costExplorer.requests);
    expect(cacheServer.entries).toHaveLength(2);
  });

  it('gives the same report as a cold run without the cache', async () => {
    const cold = await run({ 'lookback-days': '7', cache: 'false' }, scheduleEvent(), cacheEnv('103'));
    expect(cold.code).toBe(0);
    const comparable = (r: Report) => ({
      ...r,
      generatedAt: '',
      run: null,
      source: { ...r.source, queryIds: [] },
    });
    expect(comparable(await report(warm))).toEqual(comparable(await report(cold)));
    expect((await report(cold)).run.cache).toBeUndefined();
  }, 120_000);

  it('never writes the cache from a pull request from a fork', async () => {
    const event = pullRequestEvent(pull);
    const pr = event.payload.pull_request as { head: { repo: Record<string, unknown> } };
    pr.head.repo = { ...pr.head.repo, full_name: 'someone/lattice-app-fork', name: 'lattice-app-fork' };
    const before = cacheServer.entries.length;
    const r = await run(
      { 'lookback-days': '7', 'end-date': '2026-11-21', 'publish-to': 'summary' },
      event,
      cacheEnv('104'),
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Not saving the day cache: a pull request from a fork must not write it.');
    expect(cacheServer.entries).toHaveLength(before);
  }, 120_000);

  it('treats a broken cache service as a warning, with the same numbers', async () => {
    cacheServer.failNext(1, 500, 'lookup');
    const r = await run({ 'lookback-days': '7' }, scheduleEvent(), cacheEnv('105'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/::warning::.*(restore|cache)/i);
    const comparable = (x: Report) => ({
      ...x,
      generatedAt: '',
      run: null,
      source: { ...x.source, queryIds: [] },
    });
    expect(comparable(await report(r))).toEqual(comparable(await report(warm)));
  }, 120_000);
});

describe('limits, safety and failures', () => {
  it('a 300-service report with hostile names fits every limit and renders inert', async () => {
    const { network } = await addLargeHostileMesh(world, 300, '2026-11-22');
    const r = await run(
      { 'service-network': network, 'publish-to': 'summary,issue,pr-comment', 'issue-title': 'Big mesh' },
      pullRequestEvent(pull),
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const issue = github.state.issues.find((i) => String(i.number) === r.outputs['issue-number'])!;
    const comment = github.commentsOn(pull).find((c) => String(c.id) === r.outputs['comment-id'])!;
    const bodies = { summary: r.summary, issue: issue.body ?? '', comment: comment.body };
    console.log(
      `300 services: summary ${Buffer.byteLength(bodies.summary)} bytes, issue ${bodies.issue.length} chars, comment ${bodies.comment.length} chars`,
    );
    expect(Buffer.byteLength(bodies.summary)).toBeLessThanOrEqual(1024 * 1024);
    expect(bodies.issue.length).toBeLessThanOrEqual(65_536);
    expect(bodies.comment.length).toBeLessThanOrEqual(65_536);
    expect(bodies.issue).toMatch(/omitted to fit/);
    for (const [where, body] of Object.entries(bodies)) {
      const html = outsideCode(body);
      expect({
        where,
        img: /<img/i.test(html),
        js: /javascript:/i.test(html),
        mention: /@octocat/.test(html),
      }).toEqual({
        where,
        img: false,
        js: false,
        mention: false,
      });
      // Only the report's own marker, once; a service named like a marker must not count.
      expect(body.match(/<!-- lattice-cost-report:/g)).toHaveLength(1);
    }
    expect(HOSTILE_NAMES.length).toBeGreaterThan(0);
  }, 240_000);

  it('survives a GitHub secondary rate limit', async () => {
    github.faults.secondaryRateLimit(1, { method: 'PATCH' });
    // Another threshold, so the issue is edited rather than found unchanged.
    const r = await run({ 'publish-to': 'issue', 'latency-p99-ms': '7' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/secondary rate limit/);
    expect(github.faults.pending()).toBe(0);
    expect(markerIssues()).toBe(3); // this network's, mallory's copy and big-mesh's
  }, 60_000);

  it('says which permission is missing, and still writes the summary and files', async () => {
    github.faults.forbid('/repos/*/*/issues/**');
    github.faults.forbid('/repos/*/*/issues');
    try {
      const r = await run({ 'publish-to': 'summary,issue' });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/::error::.*issues: write/);
      expect(r.summary).toContain('VPC Lattice cost & performance');
      expect(existsSync(join(r.workspace, 'lattice-cost-report', 'report.json'))).toBe(true);
    } finally {
      github.faults.clear();
    }
  }, 60_000);

  it('fails without the id-token permission, and says how to fix it', async () => {
    const r = await run({}, scheduleEvent(), {
      ACTIONS_ID_TOKEN_REQUEST_URL: '',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: '',
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/::error::.*permissions: id-token: write/);
    expect(r.summary).toMatch(/failed/);
  }, 60_000);

  it('fails on a bad input before any AWS call, naming the input', async () => {
    const before = {
      insights: world.insights.stats.startQuery,
      ce: world.costExplorer.stats.total,
      oidc: oidc.audiences.length,
    };
    const r = await run({
      'lookback-days': 'seven',
      'comment-behavior': 'sometimes',
      'publish-to': 'summary,slack',
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Input lookback-days must be a whole number');
    expect(r.stdout).toContain(
      'Input comment-behavior must be one of update, new, delete-and-new, hide-and-new',
    );
    expect(r.stdout).toContain('Input publish-to has an unknown target "slack"');
    expect({
      insights: world.insights.stats.startQuery,
      ce: world.costExplorer.stats.total,
      oidc: oidc.audiences.length,
    }).toEqual(before);
  }, 60_000);

  it('fail-on critical fails the step after publishing', async () => {
    const r = await run({ 'fail-on': 'critical' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/::error::fail-on: critical: \d+ finding/);
    expect(r.summary).toContain('VPC Lattice cost & performance');
  }, 60_000);
});
