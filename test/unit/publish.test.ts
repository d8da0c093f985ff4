/**
 * Each publish path in-process, with Octokit against the GitHub API test server: the rolling
 * issue and the sticky comment's four behaviours, only ever on posts the token's account wrote,
 * and no edit when the report says what the post already says.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { getOctokit } from '@actions/github';
import type { Report } from '../../src/model/report.js';
import { type CommentBehavior, publishComment } from '../../src/publish/comment.js';
import { publishIssue } from '../../src/publish/issue.js';
import { BODY_LIMIT_CHARS, SUMMARY_LIMIT_BYTES, renderWithinBytes } from '../../src/publish/limits.js';
import { reportKey } from '../../src/publish/marker.js';
import { markerComment, renderMarkdown } from '../../src/report/markdown.js';
import { fleetReport, hostileReport, sampleReport } from '../fixtures/report/reports.js';
import { type GitHubServer, type GitHubServerOptions, startGitHubServer } from '../servers/github.js';

const key = reportKey({ region: 'us-east-1', serviceNetwork: 'mesh', logGroups: [] });
const body = (text: string): string => `${text}\n${markerComment(key)}`;

/** The same data rendered by two runs: another time, another scan, a warm cache. */
function rerun(report: Report): Report {
  const again = structuredClone(report);
  again.generatedAt = '2030-01-01T00:00:00.000Z';
  again.run.insights.queries += 3;
  again.run.insights.bytesScanned += 1_000_000;
  again.run.estimatedRunCostUsd += 0.01;
  return again;
}

const servers: GitHubServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function world(options: GitHubServerOptions = {}) {
  const github = await startGitHubServer({ perPageMax: 2, ...options });
  servers.push(github);
  const octokit = getOctokit(github.token, { baseUrl: github.url });
  const repo = { owner: github.owner, repo: github.repo };
  const warnings: string[] = [];
  const writes = () => github.requests.filter((r) => r.method !== 'GET' && !r.graphql?.includes('viewer'));
  return { github, octokit, repo, warnings, warn: (m: string) => warnings.push(m), writes };
}

describe('publishIssue', () => {
  const request = { key, title: 'Lattice report', labels: ['lattice-cost-report'], body: body('week 1') };

  it('creates the issue with its label, creating the label first', async () => {
    const w = await world();
    const issue = await publishIssue(w.octokit, w.repo, { ...request, warn: w.warn });
    expect(issue).toMatchObject({ number: 1, result: 'created' });
    expect(w.github.state.issues[0]).toMatchObject({
      title: 'Lattice report',
      labels: ['lattice-cost-report'],
    });
    expect(w.github.state.labels.map((l) => l.name)).toEqual(['lattice-cost-report']);
    expect(w.warnings).toEqual([]);
  });

  it('updates its own marked issue in place, found past the first page without its label', async () => {
    const w = await world();
    for (let i = 0; i < 5; i++) w.github.seedIssue({ title: `other ${i}`, body: 'x', author: 'octocat' });
    w.github.seedIssue({ title: 'old', body: body('week 0') });
    const issue = await publishIssue(w.octokit, w.repo, { ...request, body: body('week 2'), warn: w.warn });
    expect(issue).toMatchObject({ number: 6, result: 'updated' });
    expect(w.github.state.issues.find((i) => i.number === 6)!.body).toContain('week 2');
    expect(w.github.state.issues).toHaveLength(6);
  });

  it('never takes a pull request or another report key for its issue', async () => {
    const w = await world();
    const other = reportKey({ region: 'eu-west-1', serviceNetwork: 'mesh', logGroups: [] });
    w.github.seedIssue({ title: 'pr', body: body('x'), pullRequest: true });
    w.github.seedIssue({ title: 'other', body: markerComment(other) });
    const issue = await publishIssue(w.octokit, w.repo, { ...request, warn: w.warn });
    expect(issue).toMatchObject({ number: 3, result: 'created' });
  });

  it('leaves a newer issue someone else opened with our marker alone, and says so', async () => {
    const w = await world();
    const ours = w.github.seedIssue({ title: 'ours', body: body('week 0'), labels: ['lattice-cost-report'] });
    const theirs = w.github.seedIssue({
      title: 'copied',
      body: body('not a report'),
      labels: ['lattice-cost-report'],
      author: 'mallory',
    });
    const issue = await publishIssue(w.octokit, w.repo, { ...request, body: body('week 2'), warn: w.warn });
    expect(issue).toMatchObject({ number: ours.number, result: 'updated' });
    expect(w.github.state.issues.find((i) => i.number === theirs.number)).toMatchObject({
      title: 'copied',
      body: body('not a report'),
    });
    expect(w.warnings).toEqual([
      `Issue #${theirs.number} carries this report's marker but was opened by mallory, not by github-actions[bot] (the token's account); it was left untouched.`,
    ]);
  });

  it("opens its own issue when only someone else's carries the marker, even without our label", async () => {
    const w = await world();
    const theirs = w.github.seedIssue({
      title: 'copied',
      body: body('bait'),
      labels: ['lattice-cost-report'],
      author: 'mallory',
    });
    const issue = await publishIssue(w.octokit, w.repo, { ...request, warn: w.warn });
    expect(issue.result).toBe('created');
    expect(issue.number).not.toBe(theirs.number);
    expect(w.github.state.issues.find((i) => i.number === theirs.number)!.body).toBe(body('bait'));
    expect(w.warnings).toHaveLength(1);
  });

  it('finds the issue a personal token opened, by asking GitHub who the token is', async () => {
    const w = await world({ viewer: 'release-robot' });
    const ours = w.github.seedIssue({ title: 'ours', body: body('week 0') });
    w.github.seedIssue({ title: 'bot copy', body: body('week 0'), author: 'github-actions[bot]' });
    const issue = await publishIssue(w.octokit, w.repo, { ...request, body: body('week 1'), warn: w.warn });
    expect(issue).toMatchObject({ number: ours.number, result: 'updated' });
    expect(w.warnings.join()).toMatch(/opened by github-actions\[bot\], not by release-robot/);
  });

  it('edits nothing when the report says what the issue already says', async () => {
    const w = await world();
    const report = sampleReport();
    const first = renderMarkdown(report, { marker: key });
    const second = renderMarkdown(rerun(report), { marker: key });
    expect(second).not.toBe(first);
    const ours = w.github.seedIssue({ title: request.title, body: first });
    const issue = await publishIssue(w.octokit, w.repo, { ...request, body: second, warn: w.warn });
    expect(issue).toMatchObject({ number: ours.number, result: 'unchanged' });
    expect(w.writes()).toEqual([]);
    expect(w.github.state.issues[0]!.body).toBe(first);

    // Another title, or another number in the data, is an edit.
    const retitled = await publishIssue(w.octokit, w.repo, {
      ...request,
      title: 'New title',
      body: second,
      warn: w.warn,
    });
    expect(retitled.result).toBe('updated');
    const changed = rerun(report);
    changed.totals.cost += 1;
    const edited = await publishIssue(w.octokit, w.repo, {
      ...request,
      title: 'New title',
      body: renderMarkdown(changed, { marker: key }),
      warn: w.warn,
    });
    expect(edited.result).toBe('updated');
  });

  it('edits no issue when GitHub cannot say who the token is, and says why', async () => {
    const w = await world();
    w.github.faults.forbid('/graphql', 'Resource not accessible by integration', { graphqlField: 'viewer' });
    const old = w.github.seedIssue({ title: 'ours', body: body('week 0') });
    const issue = await publishIssue(w.octokit, w.repo, { ...request, warn: w.warn });
    expect(issue.result).toBe('created');
    expect(w.github.state.issues.find((i) => i.number === old.number)!.body).toBe(body('week 0'));
    expect(w.warnings).toEqual([
      expect.stringMatching(/Could not ask GitHub which account the token belongs to/),
    ]);
  });

  it('names the missing permission on 403', async () => {
    const w = await world();
    w.github.faults.forbid('/repos/**');
    await expect(publishIssue(w.octokit, w.repo, { ...request, warn: w.warn })).rejects.toThrow(
      /`issues: write`/,
    );
  });
});

describe('publishComment', () => {
  const PULL = 7;
  /** A human's comment, two runs of ours, then someone's copy of our marker, newest last. */
  async function seeded(options: GitHubServerOptions = {}) {
    const w = await world(options);
    for (let n = 1; n <= PULL; n++) w.github.seedIssue({ title: `pr ${n}`, pullRequest: true });
    w.github.seedComment({ issueNumber: PULL, body: 'a human comment', author: 'octocat' });
    const run1 = w.github.seedComment({ issueNumber: PULL, body: body('run 1'), minimized: 'OUTDATED' });
    const run2 = w.github.seedComment({ issueNumber: PULL, body: body('run 2') });
    const copy = w.github.seedComment({ issueNumber: PULL, body: body('a copy'), author: 'mallory' });
    w.github.seedComment({ issueNumber: 6, body: body('another PR') });
    const publish = (text: string, behavior: CommentBehavior) =>
      publishComment(w.octokit, w.repo, PULL, { key, body: text, behavior, warn: w.warn });
    const bodies = () => w.github.commentsOn(PULL).map((c) => c.body);
    return { ...w, run1, run2, copy, publish, bodies };
  }
  const FOREIGN =
    /^Comment \d+ on pull request #7 carries this report's marker but was written by mallory, not by github-actions\[bot\]/;

  it('update: edits its own latest comment, never the newer copy', async () => {
    const w = await seeded();
    const result = await w.publish(body('run 3'), 'update');
    expect(result).toMatchObject({ id: w.run2.id, result: 'updated' });
    expect(w.bodies()).toEqual(['a human comment', body('run 1'), body('run 3'), body('a copy')]);
    expect(w.warnings).toEqual([expect.stringMatching(FOREIGN)]);
  });

  it('update: posts the first comment when there is none of its own', async () => {
    const w = await world();
    w.github.seedIssue({ title: 'pr', pullRequest: true });
    w.github.seedComment({ issueNumber: 1, body: body('bait'), author: 'mallory' });
    const result = await publishComment(w.octokit, w.repo, 1, {
      key,
      body: body('run 1'),
      behavior: 'update',
      warn: w.warn,
    });
    expect(result.result).toBe('created');
    expect(w.github.commentsOn(1).map((c) => c.body)).toEqual([body('bait'), body('run 1')]);
  });

  it('new: always posts another, reading nothing', async () => {
    const w = await seeded();
    const result = await w.publish(body('run 3'), 'new');
    expect(result.result).toBe('created');
    expect(w.bodies()).toHaveLength(5);
    expect(w.github.requests.filter((r) => r.method === 'GET')).toEqual([]);
  });

  it('delete-and-new: deletes only its own marked comments, posts one', async () => {
    const w = await seeded();
    await w.publish(body('run 3'), 'delete-and-new');
    expect(w.bodies()).toEqual(['a human comment', body('a copy'), body('run 3')]);
    expect(w.warnings).toEqual([expect.stringMatching(FOREIGN)]);
  });

  it('hide-and-new: minimizes its own latest comment, not the copy, and posts a new one', async () => {
    const w = await seeded();
    await w.publish(body('run 3'), 'hide-and-new');
    expect(w.github.commentsOn(PULL).map((c) => [c.body, c.isMinimized])).toEqual([
      ['a human comment', false],
      [body('run 1'), true],
      [body('run 2'), true],
      [body('a copy'), false],
      [body('run 3'), false],
    ]);
  });

  it.each(['update', 'delete-and-new', 'hide-and-new'] as const)(
    '%s: changes nothing when the report says what its latest comment says',
    async (behavior) => {
      const w = await seeded();
      const report = sampleReport();
      await w.publish(renderMarkdown(report, { marker: key }), 'update');
      const before = w.github.commentsOn(PULL).map((c) => ({ ...c }));
      const requests = w.github.requests.length;
      const result = await w.publish(renderMarkdown(rerun(report), { marker: key }), behavior);
      expect(result).toMatchObject({ id: w.run2.id, result: 'unchanged' });
      expect(w.github.commentsOn(PULL)).toEqual(before);
      expect(
        w.github.requests.slice(requests).filter((r) => r.method !== 'GET' && !r.graphql?.includes('viewer')),
      ).toEqual([]);
    },
  );

  it("an app's token owns its bot's comments, not github-actions[bot]'s", async () => {
    const w = await world({ viewer: 'lattice-reporter[bot]' });
    w.github.seedIssue({ title: 'pr', pullRequest: true });
    const own = w.github.seedComment({ issueNumber: 1, body: body('app run') });
    w.github.seedComment({ issueNumber: 1, body: body('workflow run'), author: 'github-actions[bot]' });
    const result = await publishComment(w.octokit, w.repo, 1, {
      key,
      body: body('app run 2'),
      behavior: 'update',
      warn: w.warn,
    });
    expect(result).toMatchObject({ id: own.id, result: 'updated' });
    expect(w.github.commentsOn(1).map((c) => c.body)).toEqual([body('app run 2'), body('workflow run')]);
    expect(w.warnings.join()).toMatch(/written by github-actions\[bot\], not by lattice-reporter\[bot\]/);
  });

  it('touches no comment when GitHub cannot say who the token is', async () => {
    const w = await seeded();
    w.github.faults.forbid('/graphql', 'Resource not accessible by integration', { graphqlField: 'viewer' });
    await w.publish(body('run 3'), 'delete-and-new');
    expect(w.bodies()).toEqual([
      'a human comment',
      body('run 1'),
      body('run 2'),
      body('a copy'),
      body('run 3'),
    ]);
    expect(w.warnings).toEqual([
      expect.stringMatching(/no earlier report comment on pull request #7 was edited/),
    ]);
  });

  it('names the missing permission on 403', async () => {
    const w = await seeded();
    w.github.faults.forbid('/repos/**');
    await expect(w.publish(body('x'), 'update')).rejects.toThrow(/`pull-requests: write`/);
  });
});

describe('GitHub size limits', () => {
  it('fits a 300-service hostile report into a comment and a job summary', () => {
    const report = hostileReport();
    const big = fleetReport(300);
    for (const r of [report, big]) {
      const comment = renderWithinBytes(r, BODY_LIMIT_CHARS, { marker: key });
      expect(comment.length).toBeLessThanOrEqual(BODY_LIMIT_CHARS);
      expect(comment.endsWith(markerComment(key))).toBe(true);
      const summary = renderWithinBytes(r, SUMMARY_LIMIT_BYTES, { marker: key });
      expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES);
    }
  });
});
