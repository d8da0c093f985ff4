/**
 * The action's run() in-process, as the actions/typescript-action template tests it: the toolkit,
 * the AWS pipeline and the GitHub client are mocked; the config, the publish code and the report
 * files are real. The bundled action is tested against real protocols in test/e2e/action.test.ts.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { getOctokit } from '@actions/github';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '../../src/model/report.js';
import { mockAwsPipeline } from '../fakes/aws-pipeline.js';
import { sampleReport } from '../fixtures/report/reports.js';
import { expectInert } from '../helpers/terminal.js';
import { type GitHubServer, startGitHubServer } from '../servers/github.js';

const work = mkdtempSync(join(tmpdir(), 'lattice-main-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const inputs = new Map<string, string>();
const outputs = new Map<string, string>();
const log: Array<[string, string]> = [];
let summary = '';

jest.unstable_mockModule('@actions/core', () => ({
  getInput: (name: string) => inputs.get(name) ?? '',
  setOutput: (name: string, value: string) => outputs.set(name, value),
  info: (message: string) => log.push(['info', message]),
  warning: (message: string) => log.push(['warning', message]),
  setFailed: (message: string) => log.push(['failed', message]),
  setSecret: () => undefined,
  debug: () => undefined,
  isDebug: () => false,
  getIDToken: async () => 'oidc-token',
  summary: {
    addRaw(text: string) {
      summary += text;
      return this;
    },
    write: async () => undefined,
  },
}));

let github: GitHubServer;
const context = {
  repo: { owner: 'octo-org', repo: 'lattice-app' },
  eventName: 'schedule',
  payload: {} as Record<string, unknown>,
};
jest.unstable_mockModule('@actions/github', () => ({
  context,
  // The real client and plugins, pointed at the GitHub API test server. The throttling plugin's
  // pacing (a write a second) is for GitHub, not for this server; the e2e tests keep it.
  getOctokit: (token: string, options: { throttle?: object }, ...plugins: never[]) =>
    getOctokit(
      token,
      { ...options, baseUrl: github.url, throttle: { ...options.throttle, enabled: false } },
      ...plugins,
    ),
}));

const actionsCache = {
  isFeatureAvailable: jest.fn(() => false),
  restoreCache: jest.fn(async (..._args: unknown[]) => 'lattice-cost-report-v1-hit' as string | undefined),
  saveCache: jest.fn(async (..._args: unknown[]) => 1),
};
jest.unstable_mockModule('@actions/cache', () => actionsCache);

const { analyzeAws, publishMetrics } = mockAwsPipeline();

const assumeRoleWithOidc = jest.fn(async (..._args: unknown[]) => ({
  accessKeyId: 'AKIA',
  secretAccessKey: 'secret',
}));
jest.unstable_mockModule('../../src/aws/credentials.js', () => ({ assumeRoleWithOidc }));

const { run } = await import('../../src/main.js');

function given(values: Record<string, string>): void {
  inputs.clear();
  const defaults = { 'aws-region': 'us-east-1', 'service-network': 'analytics-mesh', 'report-dir': work };
  for (const [name, value] of Object.entries({ ...defaults, ...values })) inputs.set(name, value);
}

const failures = (): string[] => log.filter(([level]) => level === 'failed').map(([, m]) => m);
const warnings = (): string[] => log.filter(([level]) => level === 'warning').map(([, m]) => m);

afterEach(() => github.close());

beforeEach(async () => {
  outputs.clear();
  log.length = 0;
  summary = '';
  github = await startGitHubServer();
  context.eventName = 'schedule';
  context.payload = {};
  analyzeAws.mockClear();
  publishMetrics.mockClear();
  assumeRoleWithOidc.mockClear();
  actionsCache.isFeatureAvailable.mockReturnValue(false);
  actionsCache.restoreCache.mockClear();
  actionsCache.saveCache.mockClear();
  process.env.GITHUB_STEP_SUMMARY = join(work, 'summary.md');
});

describe('run()', () => {
  it('fails on bad inputs before any AWS call, naming each input', async () => {
    given({ 'aws-region': 'Europe', 'lookback-days': '0', 'fail-on': 'sometimes' });
    await run();
    expect(analyzeAws).not.toHaveBeenCalled();
    expect(failures()).toHaveLength(1);
    expect(failures()[0]).toMatch(/Input aws-region[\s\S]*Input lookback-days[\s\S]*Input fail-on/);
    expect(summary).toContain('VPC Lattice cost report failed');
  });

  it('passes the settings to the pipeline, writes the files and sets every output', async () => {
    given({ 'lookback-days': '14', 'latency-p99-ms': '250', 'log-group-names': '/a,/b' });
    await run();
    expect(failures()).toEqual([]);
    expect(analyzeAws).toHaveBeenCalledTimes(1);
    expect(analyzeAws.mock.calls[0]![0]).toMatchObject({
      region: 'us-east-1',
      serviceNetwork: 'analytics-mesh',
      logGroupNames: ['/a', '/b'],
      lookbackDays: 14,
      costMetric: 'UnblendedCost',
      thresholds: { latencyP99Ms: 250, errorRatePercent: 1, idleRequestsPerDay: 100 },
    });
    const report = sampleReport();
    expect(Object.fromEntries(outputs)).toEqual({
      'report-json': join(work, 'report.json'),
      'report-markdown': join(work, 'report.md'),
      'total-cost': report.totals.cost.toFixed(2),
      'findings-count': String(report.findings.length),
      'critical-count': String(report.findings.filter((f) => f.severity === 'critical').length),
      'bytes-scanned': String(report.run.insights.bytesScanned),
    });
    expect(JSON.parse(readFileSync(join(work, 'report.json'), 'utf8'))).toEqual(report);
    expect(summary).toContain('<!-- lattice-cost-report:analytics-mesh.us-east-1.');
    expect(github.requests).toEqual([]);
  });

  it('assumes the role through OIDC and hands the credentials to the pipeline', async () => {
    given({ 'role-to-assume': 'arn:aws:iam::123456789012:role/lattice-report' });
    await run();
    expect(assumeRoleWithOidc.mock.calls[0]![0]).toMatchObject({
      roleArn: 'arn:aws:iam::123456789012:role/lattice-report',
      audience: 'sts.amazonaws.com',
    });
    expect(analyzeAws.mock.calls[0]![0]).toMatchObject({ credentials: { accessKeyId: 'AKIA' } });
  });

  it('creates the rolling issue, leaves it when nothing changed, then updates the same one', async () => {
    given({ 'publish-to': 'summary,issue', 'github-token': github.token });
    await run();
    expect([outputs.get('issue-number'), outputs.get('issue-result')]).toEqual(['1', 'created']);
    await run();
    expect([outputs.get('issue-number'), outputs.get('issue-result')]).toEqual(['1', 'unchanged']);
    const changed = sampleReport();
    changed.totals.cost += 10;
    analyzeAws.mockResolvedValueOnce({ report: changed, stats: { seconds: 1, cacheWritten: 0 } });
    await run();
    expect([outputs.get('issue-number'), outputs.get('issue-result')]).toEqual(['1', 'updated']);
    expect(failures()).toEqual([]);
    expect(github.state.issues).toHaveLength(1);
    expect(github.requests.filter((r) => r.method === 'PATCH').map((r) => r.path)).toEqual([
      '/repos/octo-org/lattice-app/issues/1',
    ]);
  });

  it('says which permission is missing, after writing the summary and the files', async () => {
    given({ 'publish-to': 'summary,issue', 'github-token': github.token });
    github.faults.forbid('/repos/**');
    await run();
    expect(failures()).toHaveLength(1);
    expect(failures()[0]).toContain('issues: write');
    expect(summary).toContain('VPC Lattice cost & performance');
    expect(outputs.get('report-json')).toBe(join(work, 'report.json'));
  });

  it('warns that pr-comment needs a pull request, and posts on one', async () => {
    given({ 'publish-to': 'pr-comment', 'github-token': github.token });
    for (let n = 1; n <= 7; n++) github.seedIssue({ title: `pr ${n}`, pullRequest: true });
    await run();
    expect(warnings().join('\n')).toContain('this run is a schedule event, not a pull request');
    expect(github.state.comments).toHaveLength(0);

    context.eventName = 'pull_request';
    context.payload = { pull_request: { number: 7, head: { repo: { full_name: 'octo-org/lattice-app' } } } };
    await run();
    expect(github.state.comments.map((c) => c.issueNumber)).toEqual([7]);
    expect(outputs.get('comment-id')).toBe(String(github.state.comments[0]!.id));
    expect(outputs.get('comment-result')).toBe('created');
  });

  it('fails the step on findings at fail-on or worse, after publishing', async () => {
    given({ 'fail-on': 'critical' });
    await run();
    const critical = sampleReport().findings.filter((f) => f.severity === 'critical').length;
    expect(critical).toBeGreaterThan(0);
    expect(failures()).toEqual([
      `fail-on: critical: ${critical} finding(s) of that severity or worse; see the report.`,
    ]);
    expect(summary).not.toBe('');
  });

  it('does not fail on warnings when fail-on is critical and there are none critical', async () => {
    const report: Report = sampleReport();
    report.findings = report.findings.filter((f) => f.severity !== 'critical');
    analyzeAws.mockResolvedValueOnce({ report, stats: { seconds: 1, cacheWritten: 0 } });
    given({ 'fail-on': 'critical' });
    await run();
    expect(failures()).toEqual([]);
  });

  it('publishes metrics when asked; a failure there is a warning', async () => {
    given({ 'publish-metrics': 'true' });
    publishMetrics.mockRejectedValueOnce(new Error('AccessDenied'));
    await run();
    expect(publishMetrics).toHaveBeenCalledTimes(1);
    expect(warnings()).toContain('Metrics were not published: AccessDenied');
    expect(failures()).toEqual([]);
  });

  it('restores the day cache, and saves it when the run added days, except from a fork', async () => {
    actionsCache.isFeatureAvailable.mockReturnValue(true);
    analyzeAws.mockResolvedValue({ report: sampleReport(), stats: { seconds: 1, cacheWritten: 3 } });
    given({});
    await run();
    expect(actionsCache.restoreCache).toHaveBeenCalledTimes(1);
    expect(analyzeAws.mock.calls[0]![0]).toMatchObject({ cache: { settlingDays: 1 } });
    expect(actionsCache.saveCache).toHaveBeenCalledTimes(1);

    context.eventName = 'pull_request';
    context.payload = { pull_request: { number: 7, head: { repo: { full_name: 'someone/fork' } } } };
    await run();
    expect(actionsCache.saveCache).toHaveBeenCalledTimes(1);
    expect(log).toContainEqual([
      'info',
      'Not saving the day cache: a pull request from a fork must not write it.',
    ]);
    analyzeAws.mockReset();
    analyzeAws.mockImplementation(async () => ({
      report: sampleReport(),
      stats: { seconds: 1, cacheWritten: 0 },
    }));
  });

  it("does not use the cache without the runner's cache service, or when cache is false", async () => {
    given({ cache: 'false' });
    actionsCache.isFeatureAvailable.mockReturnValue(true);
    await run();
    expect(actionsCache.restoreCache).not.toHaveBeenCalled();
    expect(analyzeAws.mock.calls[0]![0]).toMatchObject({ cache: undefined });
  });

  it('logs text from logs and AWS as text: no control sequence, no workflow command', async () => {
    // core.info() writes its text as it is; a log value must not start a line the runner obeys.
    const evil = '\u001b[31m\u009b2J\u202e\n::set-output name=pwned::1\n  ::add-mask::x ##[stop-commands]t';
    analyzeAws.mockImplementationOnce(async (options) => {
      (options.log as (message: string) => void)(`Queried /group${evil}`);
      const report = sampleReport();
      report.services.find((s) => s.arn === report.findings[0]!.service)!.name = `svc${evil}`;
      report.warnings = [`Warning about ${evil}`];
      return { report, stats: { seconds: 1, cacheWritten: 0 } };
    });
    publishMetrics.mockRejectedValueOnce(new Error(`AccessDenied${evil}`));
    given({ 'publish-metrics': 'true' });
    await run();
    expect(log.length).toBeGreaterThan(3);
    for (const [, message] of log) expectInert(message);
    expect(log).toContainEqual([
      'info',
      expect.stringContaining('Queried /group\\x1b[31m\\x9b2J\\u202e\n\\x3a:set-output'),
    ]);
    expect(warnings()).toContainEqual(expect.stringContaining('\\x23#[stop-commands]'));

    analyzeAws.mockRejectedValueOnce(new Error(`Reading ${evil} failed`));
    log.length = 0;
    await run();
    expect(failures()).toHaveLength(1);
    expectInert(failures()[0]!);
  });

  it('turns a pipeline failure into one message in the log and the summary, no stack', async () => {
    analyzeAws.mockRejectedValueOnce(new Error('Reading the inventory failed: AccessDeniedException'));
    given({});
    await run();
    expect(failures()).toEqual(['Reading the inventory failed: AccessDeniedException']);
    expect(summary).toContain('> Reading the inventory failed: AccessDeniedException');
    expect(summary).not.toMatch(/\n\s+at /);
  });
});
