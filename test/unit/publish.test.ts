/**
 * Each publish path in-process against an in-memory GitHub: the rolling issue and the sticky
 * comment's four behaviours. The bundled action does the same against a GitHub API server in e2e.
 */
import { describe, expect, it } from '@jest/globals';
import { publishComment } from '../../src/publish/comment.js';
import { publishIssue } from '../../src/publish/issue.js';
import { BODY_LIMIT_CHARS, SUMMARY_LIMIT_BYTES, renderWithinBytes } from '../../src/publish/limits.js';
import { reportKey } from '../../src/publish/marker.js';
import { markerComment } from '../../src/report/markdown.js';
import { fakeGitHub } from '../fakes/octokit.js';
import { fleetReport, hostileReport } from '../fixtures/report/reports.js';

const repo = { owner: 'octo-org', repo: 'lattice-app' };
const key = reportKey({ region: 'us-east-1', serviceNetwork: 'mesh', logGroups: [] });
const body = (text: string): string => `${text}\n${markerComment(key)}`;

describe('publishIssue', () => {
  const request = { key, title: 'Lattice report', labels: ['lattice-cost-report'], body: body('week 1') };

  it('creates the issue with its label, creating the label first', async () => {
    const github = fakeGitHub();
    const issue = await publishIssue(github.octokit, repo, request);
    expect(issue).toMatchObject({ number: 1, created: true });
    expect(github.issues[0]).toMatchObject({ title: 'Lattice report', labels: ['lattice-cost-report'] });
    expect([...github.labels]).toEqual(['lattice-cost-report']);
  });

  it('updates the marked issue in place, found past the first page', async () => {
    const github = fakeGitHub({ pageSize: 2 });
    for (let i = 0; i < 5; i++)
      github.issues.push({ number: i + 1, title: `other ${i}`, body: 'x', labels: [] });
    github.issues.push({ number: 6, title: 'old', body: body('week 0'), labels: [] });
    // Someone removed the label: the search falls back to every open issue.
    const issue = await publishIssue(github.octokit, repo, { ...request, body: body('week 2') });
    expect(issue).toMatchObject({ number: 6, created: false });
    expect(github.issues.find((i) => i.number === 6)!.body).toContain('week 2');
    expect(github.issues).toHaveLength(6);
  });

  it('never takes a pull request or another report key for its issue', async () => {
    const github = fakeGitHub();
    const other = reportKey({ region: 'eu-west-1', serviceNetwork: 'mesh', logGroups: [] });
    github.issues.push({ number: 1, title: 'pr', body: body('x'), labels: [], pull_request: {} });
    github.issues.push({ number: 2, title: 'other', body: markerComment(other), labels: [] });
    const issue = await publishIssue(github.octokit, repo, request);
    expect(issue).toMatchObject({ number: 3, created: true });
  });

  it('names the missing permission on 403', async () => {
    const github = fakeGitHub();
    github.failWith(403);
    await expect(publishIssue(github.octokit, repo, request)).rejects.toThrow(/`issues: write`/);
  });
});

describe('publishComment', () => {
  const seed = () => {
    const github = fakeGitHub({ pageSize: 1 });
    github.comments.push(
      { id: 1, node_id: 'IC_1', issue: 7, body: 'a human comment', minimized: false },
      { id: 2, node_id: 'IC_2', issue: 7, body: body('run 1'), minimized: true },
      { id: 3, node_id: 'IC_3', issue: 7, body: body('run 2'), minimized: false },
      { id: 4, node_id: 'IC_4', issue: 8, body: body('another PR'), minimized: false },
    );
    return github;
  };

  it('update: edits the latest marked comment on this pull request', async () => {
    const github = seed();
    const result = await publishComment(github.octokit, repo, 7, {
      key,
      body: body('run 3'),
      behavior: 'update',
    });
    expect(result.id).toBe(3);
    expect(github.comments.map((c) => c.body)).toEqual([
      'a human comment',
      body('run 1'),
      body('run 3'),
      body('another PR'),
    ]);
  });

  it('update: posts the first comment when there is none', async () => {
    const github = fakeGitHub();
    const result = await publishComment(github.octokit, repo, 7, {
      key,
      body: body('run 1'),
      behavior: 'update',
    });
    expect(github.comments).toEqual([expect.objectContaining({ id: result.id, issue: 7 })]);
  });

  it('new: always posts another', async () => {
    const github = seed();
    await publishComment(github.octokit, repo, 7, { key, body: body('run 3'), behavior: 'new' });
    expect(github.comments.filter((c) => c.issue === 7)).toHaveLength(4);
    expect(github.calls.some((c) => c.startsWith('GET'))).toBe(false);
  });

  it('delete-and-new: removes every marked comment of this pull request, posts one', async () => {
    const github = seed();
    await publishComment(github.octokit, repo, 7, { key, body: body('run 3'), behavior: 'delete-and-new' });
    expect(github.comments.map((c) => c.body)).toEqual([
      'a human comment',
      body('another PR'),
      body('run 3'),
    ]);
  });

  it('hide-and-new: minimizes the latest one, posts a new one', async () => {
    const github = seed();
    await publishComment(github.octokit, repo, 7, { key, body: body('run 3'), behavior: 'hide-and-new' });
    expect(github.comments.filter((c) => c.issue === 7).map((c) => [c.id, c.minimized])).toEqual([
      [1, false],
      [2, true],
      [3, true],
      [expect.any(Number), false],
    ]);
  });

  it('names the missing permission on 403', async () => {
    const github = seed();
    github.failWith(403);
    await expect(
      publishComment(github.octokit, repo, 7, { key, body: body('x'), behavior: 'update' }),
    ).rejects.toThrow(/`pull-requests: write`/);
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
