/**
 * The infrastructure files of a pull request, read in-process with the real Octokit against the
 * GitHub API test server: which files, which versions, the limits, and errors that name the
 * permission a token lacks.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { getOctokit } from '@actions/github';
import { globMatcher, pullRequestFiles } from '../../src/publish/pull-files.js';
import {
  type GitHubServerOptions,
  type SeedPullRequest,
  PULL_FILES_LIMIT,
  startGitHubServer,
  type GitHubServer,
} from '../servers/github.js';

const servers: GitHubServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function world(pull: SeedPullRequest, options: GitHubServerOptions = {}) {
  const github = await startGitHubServer(options);
  servers.push(github);
  const octokit = getOctokit(github.token, { baseUrl: github.url });
  const repo = { owner: github.owner, repo: github.repo };
  const seeded = github.seedPullRequest(pull);
  const contentReads = () => github.requests.filter((r) => r.path.includes('/contents/'));
  return { github, octokit, repo, number: seeded.number, seeded, contentReads };
}

const template = (name: string): string =>
  `Resources:\n  ${name}:\n    Type: AWS::VpcLattice::Service\n    Properties:\n      Name: ${name}\n`;
const yaml = globMatcher(['**/*.yaml']);

describe('pullRequestFiles', () => {
  it('reads base and head of modified, added, removed and renamed files, at the two shas', async () => {
    const w = await world({
      base: {
        files: {
          'infra/mod.yaml': template('Before'),
          'infra/gone.yaml': template('Gone'),
          'old/place.yaml': template('Moved'),
          'README.md': 'docs\n',
        },
      },
      head: {
        files: {
          'infra/mod.yaml': template('After'),
          'infra/new.yaml': template('New'),
          'new/place.yaml': `${template('Moved')}# edited\n`,
          'README.md': 'more docs\n',
        },
      },
      renames: { 'new/place.yaml': 'old/place.yaml' },
    });
    const result = await pullRequestFiles(w.octokit, w.repo, w.number, { include: yaml });
    expect(result.baseSha).toBe(w.seeded.base.sha);
    expect(result.headSha).toBe(w.seeded.head.sha);
    expect(result.skipped).toEqual([]);
    expect(result.files).toEqual([
      { path: 'infra/gone.yaml', base: template('Gone') },
      { path: 'infra/mod.yaml', base: template('Before'), head: template('After') },
      { path: 'infra/new.yaml', head: template('New') },
      { path: 'new/place.yaml', base: template('Moved'), head: `${template('Moved')}# edited\n` },
    ]);
    // The rename's base is read at its old path; README.md is never read.
    expect(w.contentReads().map((r) => decodeURIComponent(r.url))).toContain(
      `/repos/${w.github.owner}/${w.github.repo}/contents/old/place.yaml?ref=${w.seeded.base.sha}`,
    );
    expect(w.contentReads()).toHaveLength(6);
  });

  it('reads the before at the merge base when the base branch moved on', async () => {
    // main gained service B after the branch was cut; the branch renamed A to C. The pull request
    // does not remove B: its "before" is the merge base, as GitHub's files list is.
    const w = await world({
      mergeBase: { files: { 'stack.yaml': template('A') } },
      base: { files: { 'stack.yaml': template('A') + template('B').replace('Resources:\n', '') } },
      head: { files: { 'stack.yaml': template('C') } },
    });
    const result = await pullRequestFiles(w.octokit, w.repo, w.number, { include: yaml });
    expect(result.files).toEqual([{ path: 'stack.yaml', base: template('A'), head: template('C') }]);
    expect(result.baseSha).toBe(w.seeded.mergeBase);
    expect(result.baseSha).not.toBe(w.seeded.base.sha);
  });

  it('keeps a file renamed out of the included paths, by its old path', async () => {
    const w = await world({
      base: { files: { 'stack.yaml': template('A') } },
      head: { files: { 'stack.yaml.bak': template('A') } },
      renames: { 'stack.yaml.bak': 'stack.yaml' },
    });
    const result = await pullRequestFiles(w.octokit, w.repo, w.number, { include: yaml });
    expect(result.files).toEqual([{ path: 'stack.yaml.bak', base: template('A'), head: template('A') }]);
  });

  it('reads a copy as a new file, and decodes UTF-8 text that is not ASCII', async () => {
    const text = `${template('Ünïcödé')}# 東京 ✓\n`;
    const w = await world({
      base: { files: { 'src.yaml': text } },
      head: { files: { 'src.yaml': text, 'copy.yaml': text } },
      copies: { 'copy.yaml': 'src.yaml' },
    });
    const result = await pullRequestFiles(w.octokit, w.repo, w.number, { include: yaml });
    expect(result.files).toEqual([{ path: 'copy.yaml', head: text }]);
  });

  it('follows the files list past 100 entries', async () => {
    const head: Record<string, string> = {};
    for (let i = 0; i < 130; i++) head[`docs/${String(i).padStart(3, '0')}.md`] = `${i}\n`;
    head['zz/last.yaml'] = template('Last');
    const w = await world({ base: { files: {} }, head: { files: head } });
    const result = await pullRequestFiles(w.octokit, w.repo, w.number, { include: yaml });
    expect(result.files).toEqual([{ path: 'zz/last.yaml', head: template('Last') }]);
    const listings = w.github.requests.filter((r) => r.path.endsWith('/files'));
    expect(listings.map((r) => new URL(r.url, 'http://x').searchParams.get('per_page'))).toEqual([
      '100',
      '100',
    ]);
  });

  it('reads at most maxFiles files and says which it left', async () => {
    const head: Record<string, string> = {};
    for (let i = 0; i < 5; i++) head[`s${i}.yaml`] = template(`S${i}`);
    const w = await world({ base: { files: {} }, head: { files: head } });
    const result = await pullRequestFiles(w.octokit, w.repo, w.number, { include: yaml, maxFiles: 3 });
    expect(result.files.map((f) => f.path)).toEqual(['s0.yaml', 's1.yaml', 's2.yaml']);
    expect(result.skipped).toEqual([
      { path: 's3.yaml', reason: expect.stringContaining('more than 3 infrastructure files') },
      { path: 's4.yaml', reason: expect.stringContaining('only the first 3 were read') },
    ]);
    expect(w.contentReads()).toHaveLength(3);
  });

  it('skips a version over maxBytes, one GitHub sends without content, and one that is not UTF-8', async () => {
    const huge = `# ${'x'.repeat(1024 * 1024)}\n`;
    const w = await world({
      base: { files: { 'big.yaml': 'small: 1\n', 'bin.yaml': 'a: 1\n' } },
      head: {
        files: {
          'big.yaml': `${'y: 1\n'.repeat(100)}`,
          'huge.yaml': huge,
          'bin.yaml': new Uint8Array([0xff, 0xfe, 0x00, 0x41]),
          'ok.yaml': 'ok: 1\n',
        },
      },
    });
    const limited = await pullRequestFiles(w.octokit, w.repo, w.number, { include: yaml, maxBytes: 100 });
    expect(limited.files).toEqual([{ path: 'ok.yaml', head: 'ok: 1\n' }]);
    expect(limited.skipped).toEqual([
      { path: 'big.yaml', reason: 'head: 500 bytes, over the 100-byte limit' },
      { path: 'bin.yaml', reason: 'head: not UTF-8 text' },
      { path: 'huge.yaml', reason: `head: ${huge.length} bytes, over the 100-byte limit` },
    ]);
    // With room for it, the 1 MB+ file still comes without content: GitHub's `encoding: none`.
    const roomy = await pullRequestFiles(w.octokit, w.repo, w.number, {
      include: yaml,
      maxBytes: 10_000_000,
    });
    expect(roomy.skipped).toContainEqual({
      path: 'huge.yaml',
      reason: 'head: GitHub did not send its content (encoding "none")',
    });
  });

  it(`says the list is incomplete when the pull request changes more than ${PULL_FILES_LIMIT} files`, async () => {
    const head: Record<string, string> = {};
    for (let i = 0; i < PULL_FILES_LIMIT + 5; i++) head[`f${String(i).padStart(5, '0')}.txt`] = '';
    const w = await world({ base: { files: {} }, head: { files: head } });
    const result = await pullRequestFiles(w.octokit, w.repo, w.number, { include: yaml });
    expect(result.files).toEqual([]);
    expect(result.skipped).toEqual([
      {
        path: '(5 more changed files)',
        reason: expect.stringContaining(`at most ${PULL_FILES_LIMIT} files`),
      },
    ]);
  });

  it.each([
    ['/repos/*/*/pulls/*', 'pull-requests: read', 'Reading pull request #1'],
    ['/repos/*/*/pulls/*/files', 'pull-requests: read', 'Listing the files of pull request #1'],
    ['/repos/*/*/contents/**', 'contents: read', 'Reading a.yaml at '],
  ])('names the permission when %s answers 403', async (path, permission, what) => {
    const w = await world({ base: { files: {} }, head: { files: { 'a.yaml': 'a: 1\n' } } });
    w.github.faults.forbid(path);
    const failure = pullRequestFiles(w.octokit, w.repo, w.number, { include: yaml });
    await expect(failure).rejects.toThrow(what);
    await expect(failure).rejects.toThrow(`The token needs \`${permission}\``);
  });

  it('names the permission on a 404 too (a private repository the token cannot see)', async () => {
    const w = await world({ base: { files: {} }, head: { files: { 'a.yaml': 'a: 1\n' } } });
    await expect(pullRequestFiles(w.octokit, w.repo, 999, { include: yaml })).rejects.toThrow(
      /Reading pull request #999 failed \(HTTP 404.*`pull-requests: read`/,
    );
  });
});

describe('globMatcher', () => {
  it('matches minimatch globs, with ! patterns excluding, and dotfiles included', () => {
    const match = globMatcher(['infra/**/*.yaml', 'cdk.out/*.template.json', '!infra/legacy/**', ' ']);
    expect(match('infra/app.yaml')).toBe(true);
    expect(match('infra/a/b/app.yaml')).toBe(true);
    expect(match('infra/.hidden/app.yaml')).toBe(true);
    expect(match('infra/legacy/app.yaml')).toBe(false);
    expect(match('cdk.out/Stack.template.json')).toBe(true);
    expect(match('cdk.out/manifest.json')).toBe(false);
    expect(match('other/app.yaml')).toBe(false);
  });

  it('with only exclusions, takes everything else; blank patterns are no patterns', () => {
    expect(globMatcher(['!**/*.md'])('a/b.yaml')).toBe(true);
    expect(globMatcher(['!**/*.md'])('a/b.md')).toBe(false);
    expect(globMatcher(['', ' '])('README.md')).toBe(false);
    expect(globMatcher(['', ' '])('a.yaml')).toBe(true);
  });

  it('defaults to templates anywhere, not lock files, tool settings or dot-directories', () => {
    const match = globMatcher([]);
    for (const path of [
      'template.yaml',
      'infra/stack.yml',
      'cfn/network.json',
      'cdk.out/App.template.json',
      'legacy/vpc.template',
    ]) {
      expect([path, match(path)]).toEqual([path, true]);
    }
    for (const path of [
      'package.json',
      'web/package-lock.json',
      'tsconfig.build.json',
      'cdk.json',
      'app/cdk.context.json',
      '.github/workflows/ci.yml',
      '.eslintrc.json',
      'web/.vscode/settings.json',
      'node_modules/x/y.json',
      'README.md',
      'main.tf',
    ]) {
      expect([path, match(path)]).toEqual([path, false]);
    }
  });
});
