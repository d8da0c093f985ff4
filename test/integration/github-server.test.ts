/**
 * The in-memory GitHub API (test/servers/github.ts), driven through the real `@actions/github`
 * Octokit, which is what the action uses. If Octokit can page, create, edit, delete, minimize and
 * see GitHub's error bodies here, the action's end-to-end tests can trust this server.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { getOctokit } from '@actions/github';
import { runNode } from '../helpers/bundle.js';
import { startGitHubServer, MAX_BODY_CHARS, PULL_FILES_LIMIT, type GitHubServer } from '../servers/github.js';

type Octokit = ReturnType<typeof getOctokit>;

/** The RequestError fields the tests look at, without depending on @octokit/request-error's types. */
interface HttpFailure {
  status: number;
  message: string;
  response?: { data: unknown; headers: Record<string, string | undefined> };
}

/** What `GraphqlResponseError` adds: the response's `data` and `errors`. */
interface GraphqlFailure {
  data?: unknown;
  errors?: Array<Record<string, unknown>>;
}

type JsonLike = Record<string, unknown>;

/** Runs `call`, which must fail, and returns Octokit's error. */
async function failure(call: () => Promise<unknown>): Promise<HttpFailure & GraphqlFailure> {
  try {
    await call();
  } catch (error) {
    return error as HttpFailure & GraphqlFailure;
  }
  throw new Error('expected the call to fail');
}

describe('GitHub test server', () => {
  let server: GitHubServer;
  let octokit: Octokit;
  let owner: string;
  let repo: string;

  beforeAll(async () => {
    // A low per_page ceiling makes a handful of items span several Link pages.
    server = await startGitHubServer({ owner: 'acme', repo: 'svc', token: 'ghs_valid', perPageMax: 5 });
    octokit = getOctokit(server.token, { baseUrl: server.url });
    owner = server.owner;
    repo = server.repo;
  });

  afterAll(async () => {
    await server.close();
  });

  beforeEach(() => {
    server.faults.clear();
  });

  describe('issues', () => {
    it('creates an issue as github-actions[bot], creating unknown labels as GitHub does', async () => {
      const created = await octokit.rest.issues.create({
        owner,
        repo,
        title: 'Lattice cost report',
        body: 'hello',
        labels: ['lattice-cost'],
      });
      expect(created.status).toBe(201);
      expect(created.headers.location).toBe(`${server.url}/repos/acme/svc/issues/${created.data.number}`);
      expect(created.data).toMatchObject({
        number: expect.any(Number),
        id: expect.any(Number),
        node_id: expect.stringMatching(/^I_/),
        title: 'Lattice cost report',
        body: 'hello',
        state: 'open',
        state_reason: null,
        locked: false,
        comments: 0,
        user: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' },
        html_url: `https://github.com/acme/svc/issues/${created.data.number}`,
        url: `${server.url}/repos/acme/svc/issues/${created.data.number}`,
        closed_by: null,
      });
      expect(created.data.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(created.data.labels).toEqual([
        expect.objectContaining({ name: 'lattice-cost', color: 'ededed', description: null, default: false }),
      ]);
      expect(created.data).not.toHaveProperty('pull_request');
      expect(server.state.labels.map((l) => l.name)).toContain('lattice-cost');
    });

    it('gets, updates, closes and reopens an issue', async () => {
      const { data: issue } = await octokit.rest.issues.create({ owner, repo, title: 'rolling' });
      expect(issue.body).toBeNull();

      const got = await octokit.rest.issues.get({ owner, repo, issue_number: issue.number });
      expect(got.data.title).toBe('rolling');

      const closed = await octokit.rest.issues.update({
        owner,
        repo,
        issue_number: issue.number,
        body: 'v2',
        state: 'closed',
        labels: ['Stale'],
      });
      expect(closed.data).toMatchObject({ body: 'v2', state: 'closed', state_reason: 'completed' });
      expect(closed.data.closed_at).toEqual(expect.any(String));
      expect(closed.data.closed_by?.login).toBe('github-actions[bot]');
      expect(closed.data.labels.map((l) => (typeof l === 'string' ? l : l.name))).toEqual(['Stale']);

      const reopened = await octokit.rest.issues.update({
        owner,
        repo,
        issue_number: issue.number,
        state: 'open',
      });
      expect(reopened.data).toMatchObject({ state: 'open', state_reason: 'reopened', closed_at: null });

      const missing = await failure(() => octokit.rest.issues.get({ owner, repo, issue_number: 999_999 }));
      expect(missing.status).toBe(404);
      expect(missing.response?.data).toEqual({
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest/issues/issues#get-an-issue',
        status: '404',
      });
    });

    it('lists by state, labels (all must match) and creator, and includes pull requests like GitHub', async () => {
      const a = server.seedIssue({ title: 'A', labels: ['report', 'weekly'] });
      const b = server.seedIssue({ title: 'B', labels: ['report'], author: 'octocat' });
      const c = server.seedIssue({ title: 'C', labels: ['report', 'weekly'], state: 'closed' });
      const pr = server.seedIssue({ title: 'PR', labels: ['report'], pullRequest: true });

      const open = await octokit.rest.issues.listForRepo({ owner, repo, labels: 'report,weekly' });
      expect(open.data.map((i) => i.number)).toEqual([a.number]);

      const all = await octokit.rest.issues.listForRepo({
        owner,
        repo,
        labels: 'report,weekly',
        state: 'all',
      });
      expect(all.data.map((i) => i.number)).toEqual([c.number, a.number]); // newest first by default

      const byCreator = await octokit.rest.issues.listForRepo({ owner, repo, creator: 'octocat' });
      expect(byCreator.data.map((i) => i.number)).toEqual([b.number]);
      expect(byCreator.data[0]?.user?.type).toBe('User');

      const withPr = await octokit.rest.issues.listForRepo({
        owner,
        repo,
        labels: 'REPORT', // label names match case-insensitively
        sort: 'created',
        direction: 'asc',
      });
      expect(withPr.data.map((i) => i.number)).toEqual([a.number, b.number, pr.number]);
      const listedPr = withPr.data.find((i) => i.number === pr.number);
      expect(listedPr?.pull_request).toMatchObject({
        html_url: `https://github.com/acme/svc/pull/${pr.number}`,
      });
      expect(listedPr?.html_url).toBe(`https://github.com/acme/svc/pull/${pr.number}`);
    });

    it('pages with a GitHub-formatted Link header that octokit.paginate follows', async () => {
      for (let k = 0; k < 12; k++) server.seedIssue({ title: `page-${k}`, labels: ['paging'] });
      const before = server.requests.length;

      const all = await octokit.paginate(octokit.rest.issues.listForRepo, {
        owner,
        repo,
        labels: 'paging',
        per_page: 100, // capped to the server's perPageMax (5), as GitHub caps at 100
      });
      expect(all).toHaveLength(12);
      expect(new Set(all.map((i) => i.number)).size).toBe(12);
      const pages = server.requests.slice(before);
      expect(pages.map((r) => r.path)).toEqual(Array(3).fill('/repos/acme/svc/issues'));
      // Like GitHub, Link URLs use /repositories/{id}, keep the query and put page last.
      const id = server.state.repository.id;
      expect(pages[1]?.url).toBe(`/repositories/${id}/issues?labels=paging&per_page=100&page=2`);

      const first = await octokit.request('GET /repos/{owner}/{repo}/issues', {
        owner,
        repo,
        labels: 'paging',
        per_page: 5,
      });
      const base = `${server.url}/repositories/${id}/issues?labels=paging&per_page=5`;
      expect(first.headers.link).toBe(`<${base}&page=2>; rel="next", <${base}&page=3>; rel="last"`);

      const middle = await octokit.request('GET /repos/{owner}/{repo}/issues', {
        owner,
        repo,
        labels: 'paging',
        per_page: 5,
        page: 2,
      });
      expect(middle.headers.link).toBe(
        `<${base}&page=1>; rel="prev", <${base}&page=3>; rel="next", <${base}&page=3>; rel="last", <${base}&page=1>; rel="first"`,
      );

      const last = await octokit.request('GET /repos/{owner}/{repo}/issues', {
        owner,
        repo,
        labels: 'paging',
        per_page: 5,
        page: 3,
      });
      expect(last.data).toHaveLength(2);
      expect(last.headers.link).toBe(`<${base}&page=2>; rel="prev", <${base}&page=1>; rel="first"`);

      const single = await octokit.request('GET /repos/{owner}/{repo}/issues', {
        owner,
        repo,
        labels: 'nothing',
      });
      expect(single.data).toEqual([]);
      expect(single.headers.link).toBeUndefined();
    });
  });

  describe('body limit', () => {
    const tooLong = 'x'.repeat(MAX_BODY_CHARS + 1);
    const validation = (resource: string, doc: string): unknown => ({
      message: 'Validation Failed',
      errors: [
        {
          resource,
          code: 'custom',
          field: 'body',
          message: 'body is too long (maximum is 65536 characters)',
        },
      ],
      documentation_url: doc,
      status: '422',
    });

    it('accepts exactly 65,536 characters, counting code points, not UTF-16 units', async () => {
      const exact = await octokit.rest.issues.create({
        owner,
        repo,
        title: 'max',
        body: 'y'.repeat(MAX_BODY_CHARS),
      });
      expect(exact.data.body).toHaveLength(MAX_BODY_CHARS);
      const emoji = '📈'.repeat(MAX_BODY_CHARS); // 131,072 UTF-16 units, 65,536 characters
      const wide = await octokit.rest.issues.createComment({
        owner,
        repo,
        issue_number: exact.data.number,
        body: emoji,
      });
      expect(wide.status).toBe(201);
    });

    it('rejects longer bodies with 422 on issue create/update and comment create/update', async () => {
      const { data: issue } = await octokit.rest.issues.create({ owner, repo, title: 'limits' });
      const { data: comment } = await octokit.rest.issues.createComment({
        owner,
        repo,
        issue_number: issue.number,
        body: 'short',
      });

      const create = await failure(() =>
        octokit.rest.issues.create({ owner, repo, title: 't', body: tooLong }),
      );
      expect(create.status).toBe(422);
      expect(create.response?.data).toEqual(
        validation('Issue', 'https://docs.github.com/rest/issues/issues#create-an-issue'),
      );
      expect(create.message).toContain('body is too long (maximum is 65536 characters)');

      const update = await failure(() =>
        octokit.rest.issues.update({ owner, repo, issue_number: issue.number, body: tooLong }),
      );
      expect(update.response?.data).toEqual(
        validation('Issue', 'https://docs.github.com/rest/issues/issues#update-an-issue'),
      );

      const newComment = await failure(() =>
        octokit.rest.issues.createComment({ owner, repo, issue_number: issue.number, body: tooLong }),
      );
      expect(newComment.response?.data).toEqual(
        validation('IssueComment', 'https://docs.github.com/rest/issues/comments#create-an-issue-comment'),
      );

      const edit = await failure(() =>
        octokit.rest.issues.updateComment({ owner, repo, comment_id: comment.id, body: tooLong }),
      );
      expect(edit.response?.data).toEqual(
        validation('IssueComment', 'https://docs.github.com/rest/issues/comments#update-an-issue-comment'),
      );

      // A rejected update changes nothing.
      expect(server.state.issues.find((i) => i.number === issue.number)?.body).toBeNull();
      expect(server.state.comments.find((c) => c.id === comment.id)?.body).toBe('short');
    });
  });

  describe('labels', () => {
    it('answers 404 for a missing label, creates it, and refuses a duplicate with already_exists', async () => {
      const missing = await failure(() =>
        octokit.rest.issues.getLabel({ owner, repo, name: 'lattice: cost' }),
      );
      expect(missing.status).toBe(404);
      expect(missing.response?.data).toEqual({
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest/issues/labels#get-a-label',
        status: '404',
      });

      const created = await octokit.rest.issues.createLabel({
        owner,
        repo,
        name: 'lattice: cost',
        color: '1D76DB',
        description: 'VPC Lattice cost report',
      });
      expect(created.status).toBe(201);
      expect(created.data).toMatchObject({
        name: 'lattice: cost',
        color: '1d76db',
        description: 'VPC Lattice cost report',
        default: false,
        url: `${server.url}/repos/acme/svc/labels/lattice%3A%20cost`,
      });

      const got = await octokit.rest.issues.getLabel({ owner, repo, name: 'LATTICE: COST' });
      expect(got.data.id).toBe(created.data.id);

      const duplicate = await failure(() =>
        octokit.rest.issues.createLabel({ owner, repo, name: 'Lattice: Cost', color: 'ffffff' }),
      );
      expect(duplicate.status).toBe(422);
      expect(duplicate.response?.data).toEqual({
        message: 'Validation Failed',
        errors: [{ resource: 'Label', code: 'already_exists', field: 'name' }],
        documentation_url: 'https://docs.github.com/rest/issues/labels#create-a-label',
        status: '422',
      });

      const badColor = await failure(() =>
        octokit.rest.issues.createLabel({ owner, repo, name: 'other', color: '#ff0000' }),
      );
      expect(badColor.status).toBe(422);

      const all = await octokit.paginate(octokit.rest.issues.listLabelsForRepo, { owner, repo });
      expect(all.map((l) => l.name)).toContain('lattice: cost');
    });
  });

  describe('comments', () => {
    it('creates, lists across pages, updates and deletes comments', async () => {
      const issue = server.seedIssue({ title: 'PR with report', pullRequest: true });
      server.seedComment({ issueNumber: issue.number, body: 'LGTM', author: 'octocat' });
      for (let k = 0; k < 6; k++) server.seedComment({ issueNumber: issue.number, body: `old ${k}` });

      const created = await octokit.rest.issues.createComment({
        owner,
        repo,
        issue_number: issue.number,
        body: '<!-- lattice-cost-report -->\nreport',
      });
      expect(created.status).toBe(201);
      expect(created.data).toMatchObject({
        id: expect.any(Number),
        node_id: expect.stringMatching(/^IC_/),
        body: '<!-- lattice-cost-report -->\nreport',
        user: { login: 'github-actions[bot]', type: 'Bot' },
        html_url: `https://github.com/acme/svc/pull/${issue.number}#issuecomment-${created.data.id}`,
        issue_url: `${server.url}/repos/acme/svc/issues/${issue.number}`,
        url: `${server.url}/repos/acme/svc/issues/comments/${created.data.id}`,
      });
      expect(created.data.id).toBeGreaterThan(2 ** 31); // as on GitHub today

      const before = server.requests.length;
      const all = await octokit.paginate(octokit.rest.issues.listComments, {
        owner,
        repo,
        issue_number: issue.number,
        per_page: 100,
      });
      expect(server.requests.length - before).toBe(2); // 8 comments, 5 per page
      expect(all.map((c) => c.body)).toEqual([
        'LGTM',
        'old 0',
        'old 1',
        'old 2',
        'old 3',
        'old 4',
        'old 5',
        created.data.body,
      ]);
      expect(all[0]?.user).toMatchObject({ login: 'octocat', type: 'User' });

      const issueNow = await octokit.rest.issues.get({ owner, repo, issue_number: issue.number });
      expect(issueNow.data.comments).toBe(8);

      const updated = await octokit.rest.issues.updateComment({
        owner,
        repo,
        comment_id: created.data.id,
        body: 'report v2',
      });
      expect(updated.data.body).toBe('report v2');
      expect(server.state.comments.find((c) => c.id === created.data.id)?.body).toBe('report v2');

      const deleted = await octokit.rest.issues.deleteComment({ owner, repo, comment_id: created.data.id });
      expect(deleted.status).toBe(204);
      const gone = await failure(() =>
        octokit.rest.issues.getComment({ owner, repo, comment_id: created.data.id }),
      );
      expect(gone.status).toBe(404);
      const again = await failure(() =>
        octokit.rest.issues.deleteComment({ owner, repo, comment_id: created.data.id }),
      );
      expect(again.status).toBe(404);

      const onMissingIssue = await failure(() =>
        octokit.rest.issues.createComment({ owner, repo, issue_number: 424242, body: 'x' }),
      );
      expect(onMissingIssue.status).toBe(404);
      const empty = await failure(() =>
        octokit.rest.issues.createComment({ owner, repo, issue_number: issue.number, body: '' }),
      );
      expect(empty.status).toBe(422);
    });
  });

  describe('GraphQL', () => {
    it('answers viewer { login } as the bot, with [bot] in the login', async () => {
      const data = await octokit.graphql<{ viewer: { login: string } }>('query { viewer { login } }');
      expect(data).toEqual({ viewer: { login: 'github-actions[bot]' } });
    });

    it('minimizes a comment with variables, reporting the reason as GitHub formats it', async () => {
      const issue = server.seedIssue({ title: 'minimize' });
      const comment = server.seedComment({ issueNumber: issue.number, body: 'old report' });
      const data = await octokit.graphql<{
        minimizeComment: { minimizedComment: { isMinimized: boolean; minimizedReason: string } };
      }>(
        `mutation($input: MinimizeCommentInput!) {
           minimizeComment(input: $input) { minimizedComment { isMinimized minimizedReason } }
         }`,
        { input: { subjectId: comment.nodeId, classifier: 'OUTDATED' } },
      );
      expect(data).toEqual({
        minimizeComment: { minimizedComment: { isMinimized: true, minimizedReason: 'outdated' } },
      });
      expect(server.state.comments.find((c) => c.id === comment.id)).toMatchObject({
        isMinimized: true,
        minimizedReason: 'outdated',
      });
      expect(server.requests.at(-1)).toMatchObject({
        method: 'POST',
        path: '/graphql',
        status: 200,
        graphql: ['minimizeComment'],
      });
    });

    it('accepts inline arguments, aliases, fragments and __typename', async () => {
      const issue = server.seedIssue({ title: 'inline' });
      const comment = server.seedComment({ issueNumber: issue.number, body: 'spam', author: 'spammer' });
      const data = await octokit.graphql<{ hide: { clientMutationId: string; minimizedComment: JsonLike } }>(`
        mutation {
          hide: minimizeComment(input: { subjectId: "${comment.nodeId}", classifier: OFF_TOPIC, clientMutationId: "m1" }) {
            clientMutationId
            minimizedComment { __typename ...on IssueComment { databaseId author { login } } minimizedReason }
          }
        }`);
      expect(data.hide).toEqual({
        clientMutationId: 'm1',
        minimizedComment: {
          __typename: 'IssueComment',
          databaseId: comment.id,
          author: { login: 'spammer' },
          minimizedReason: 'off-topic',
        },
      });
    });

    it('finds sticky comments the marocchino way: PR comments paged with cursors', async () => {
      const pr = server.seedIssue({ title: 'PR', pullRequest: true });
      server.seedComment({ issueNumber: pr.number, body: 'human', author: 'octocat' });
      const mine = server.seedComment({ issueNumber: pr.number, body: 'report <!-- sticky -->' });
      const query = `
        query($repo: String! $owner: String! $number: Int! $after: String) {
          viewer { login }
          repository(name: $repo owner: $owner) {
            pullRequest(number: $number) {
              comments(first: 1 after: $after) {
                nodes { id author { login } isMinimized body }
                pageInfo { endCursor hasNextPage }
              }
            }
          }
        }`;
      type Page = {
        viewer: { login: string };
        repository: {
          pullRequest: {
            comments: {
              nodes: Array<{ id: string; author: { login: string }; isMinimized: boolean; body: string }>;
              pageInfo: { endCursor: string | null; hasNextPage: boolean };
            };
          };
        };
      };
      const p1 = await octokit.graphql<Page>(query, { owner, repo, number: pr.number, after: null });
      expect(p1.repository.pullRequest.comments.nodes.map((n) => n.author.login)).toEqual(['octocat']);
      expect(p1.repository.pullRequest.comments.pageInfo.hasNextPage).toBe(true);
      const p2 = await octokit.graphql<Page>(query, {
        owner,
        repo,
        number: pr.number,
        after: p1.repository.pullRequest.comments.pageInfo.endCursor,
      });
      // GraphQL's Bot.login has no [bot] suffix, unlike viewer.login: marocchino strips it to compare.
      expect(p2.repository.pullRequest.comments.nodes).toEqual([
        {
          id: mine.nodeId,
          author: { login: 'github-actions' },
          isMinimized: false,
          body: 'report <!-- sticky -->',
        },
      ]);
      expect(p2.viewer.login.replace('[bot]', '')).toBe('github-actions');
      expect(p2.repository.pullRequest.comments.pageInfo.hasNextPage).toBe(false);
    });

    it('reports unknown fields, bad classifiers and unknown node ids as GraphQL errors', async () => {
      const unknown = await failure(() => octokit.graphql('query { viewer { login } search { id } }'));
      expect(unknown.message).toContain("Field 'search' doesn't exist on type 'Query'");
      expect(unknown.errors).toEqual([
        expect.objectContaining({
          message: "Field 'search' doesn't exist on type 'Query'",
          extensions: { code: 'undefinedField', typeName: 'Query', fieldName: 'search' },
        }),
      ]);

      const interfaceField = await failure(() =>
        octokit.graphql(
          'mutation { minimizeComment(input: {subjectId: "x", classifier: OUTDATED}) { minimizedComment { body } } }',
        ),
      );
      expect(interfaceField.message).toContain("Field 'body' doesn't exist on type 'Minimizable'");

      const issue = server.seedIssue({ title: 'errors' });
      const comment = server.seedComment({ issueNumber: issue.number, body: 'c' });
      const badClassifier = await failure(() =>
        octokit.graphql(
          'mutation($id: ID!) { minimizeComment(input: {subjectId: $id, classifier: STALE}) { clientMutationId } }',
          { id: comment.nodeId },
        ),
      );
      expect(badClassifier.message).toContain('has an invalid value (STALE)');
      expect(server.state.comments.find((c) => c.id === comment.id)?.isMinimized).toBe(false);

      const missingNode = await failure(() =>
        octokit.graphql(
          'mutation { minimizeComment(input: {subjectId: "IC_nope", classifier: OUTDATED}) { clientMutationId } }',
        ),
      );
      expect(missingNode.data).toEqual({
        minimizeComment: null,
      });
      expect(missingNode.errors).toEqual([
        expect.objectContaining({
          type: 'NOT_FOUND',
          path: ['minimizeComment'],
          message: "Could not resolve to a node with the global id of 'IC_nope'",
        }),
      ]);

      const syntax = await failure(() => octokit.graphql('query { viewer { login }'));
      expect(syntax.message).toMatch(/Unexpected end of document/);
    });
  });

  describe('authentication and headers', () => {
    it('rejects a wrong token with 401 Bad credentials on REST and GraphQL', async () => {
      const stranger = getOctokit('ghs_wrong', { baseUrl: server.url });
      const rest = await failure(() => stranger.rest.issues.listForRepo({ owner, repo }));
      expect(rest.status).toBe(401);
      expect(rest.response?.data).toEqual({
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
        status: '401',
      });
      const gql = await failure(() => stranger.graphql('query { viewer { login } }'));
      expect(gql.status).toBe(401);

      // `Bearer` works as well as `token`.
      const bearer = getOctokit('', { baseUrl: server.url, auth: `Bearer ${server.token}` });
      await expect(bearer.rest.issues.listLabelsForRepo({ owner, repo })).resolves.toMatchObject({
        status: 200,
      });

      const anonymous = await fetch(`${server.url}/repos/acme/svc/issues`, {
        headers: { 'user-agent': 'test' },
      });
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toMatchObject({ message: 'Requires authentication' });
    });

    it('sends rate-limit and request-id headers on every response, and counts down', async () => {
      const a = await octokit.rest.issues.listLabelsForRepo({ owner, repo });
      const b = await octokit.rest.issues.listLabelsForRepo({ owner, repo });
      for (const r of [a, b]) {
        expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(r.headers['x-ratelimit-limit']).toBe('1000');
        expect(r.headers['x-ratelimit-resource']).toBe('core');
        expect(r.headers['x-github-request-id']).toMatch(
          /^[0-9A-F]{4}:[0-9A-F]{4}:[0-9A-F]{6}:[0-9A-F]{6}:[0-9A-F]{8}$/,
        );
        expect(Number(r.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
      }
      expect(Number(b.headers['x-ratelimit-remaining'])).toBe(Number(a.headers['x-ratelimit-remaining']) - 1);
      const rateLimit = await fetch(`${server.url}/rate_limit`, {
        headers: { authorization: `token ${server.token}`, 'user-agent': 'test' },
      });
      expect(await rateLimit.json()).toMatchObject({
        resources: { core: { limit: 1000 }, graphql: { limit: 1000 } },
      });
    });

    it('refuses GET /user for an installation token, as GitHub does for GITHUB_TOKEN', async () => {
      const me = await failure(() => octokit.rest.users.getAuthenticated());
      expect(me.status).toBe(403);
      expect(me.message).toContain('Resource not accessible by integration');
    });

    it('is reached by a separate Node process through GITHUB_API_URL alone, as the bundled action reaches it', async () => {
      const issue = server.seedIssue({ title: 'from another process' });
      // getOctokit without baseUrl: @actions/github reads GITHUB_API_URL, and calls undici's fetch.
      const script = `
        import { getOctokit } from '@actions/github';
        const octokit = getOctokit(process.env.TOKEN);
        const { data } = await octokit.rest.issues.createComment({
          owner: 'acme', repo: 'svc', issue_number: ${issue.number}, body: 'hi from a child',
        });
        const { viewer } = await octokit.graphql('{ viewer { login } }');
        console.log(JSON.stringify({ id: data.id, login: viewer.login }));
      `;
      const result = await runNode(['--input-type=module', '-e', script], {
        cwd: process.cwd(),
        env: { PATH: process.env.PATH ?? '', GITHUB_API_URL: server.url, TOKEN: server.token },
      });
      expect(result.stderr).toBe('');
      const out = JSON.parse(result.stdout) as { id: number; login: string };
      expect(out.login).toBe('github-actions[bot]');
      expect(server.commentsOn(issue.number).map((c) => c.id)).toEqual([out.id]);
    });

    it('serves the same API under GHES paths (/api/v3 and /api/graphql)', async () => {
      const ghes = getOctokit(server.token, { baseUrl: server.ghesUrl });
      const labels = await ghes.rest.issues.listLabelsForRepo({ owner, repo });
      expect(labels.status).toBe(200);
      const viewer = await ghes.graphql<{ viewer: { login: string } }>('{ viewer { login } }');
      expect(viewer.viewer.login).toBe('github-actions[bot]');
      expect(server.requests.at(-1)?.url).toBe('/api/graphql');
    });
  });

  describe('faults', () => {
    it('secondaryRateLimit: the next writes get 403 with retry-after, reads pass', async () => {
      const { data: issue } = await octokit.rest.issues.create({ owner, repo, title: 'throttled' });
      server.faults.secondaryRateLimit(2);
      expect(server.faults.pending()).toBe(2);

      const read = await octokit.rest.issues.get({ owner, repo, issue_number: issue.number });
      expect(read.status).toBe(200);

      const first = await failure(() =>
        octokit.rest.issues.createComment({ owner, repo, issue_number: issue.number, body: 'x' }),
      );
      expect(first.status).toBe(403);
      expect(first.response?.headers['retry-after']).toBe('1');
      expect(first.response?.headers['x-ratelimit-remaining']).not.toBe('0');
      expect(first.response?.data).toEqual({
        message: expect.stringMatching(
          /^You have exceeded a secondary rate limit\. Please wait a few minutes before you try again\./,
        ),
        documentation_url:
          'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
        status: '403',
      });
      // plugin-throttling recognises it by this phrase in the error message.
      expect(first.message).toMatch(/\bsecondary rate\b/i);

      const second = await failure(() =>
        octokit.graphql('mutation { deleteIssueComment(input: {id: "x"}) { clientMutationId } }'),
      );
      expect(second.status).toBe(403);
      expect(server.faults.pending()).toBe(0);

      const ok = await octokit.rest.issues.createComment({
        owner,
        repo,
        issue_number: issue.number,
        body: 'x',
      });
      expect(ok.status).toBe(201);
      expect(server.requests.filter((r) => r.fault === 'secondary-rate-limit')).toHaveLength(2);
      expect(server.commentsOn(issue.number)).toHaveLength(1);
    });

    it('rateLimit: 403 with x-ratelimit-remaining 0 and a reset a second ahead', async () => {
      server.faults.rateLimit(1);
      const before = Math.floor(Date.now() / 1000);
      const limited = await failure(() => octokit.rest.issues.listForRepo({ owner, repo }));
      expect(limited.status).toBe(403);
      const headers = limited.response?.headers ?? {};
      expect(headers['x-ratelimit-remaining']).toBe('0');
      expect(headers['x-ratelimit-limit']).toBe('1000');
      const reset = Number(headers['x-ratelimit-reset']);
      expect(reset).toBeGreaterThanOrEqual(before + 1);
      expect(reset).toBeLessThanOrEqual(before + 3); // the request may cross a second boundary
      expect(limited.response?.data).toMatchObject({
        message: expect.stringMatching(/^API rate limit exceeded for installation ID \d+\./),
        documentation_url: expect.stringContaining('rate-limits-for-the-rest-api'),
      });
      await expect(octokit.rest.issues.listForRepo({ owner, repo })).resolves.toMatchObject({ status: 200 });

      // GraphQL reports its primary limit in the body, as RATE_LIMITED.
      server.faults.rateLimit(1, { path: '/graphql' });
      const gql = await failure(() => octokit.graphql('{ viewer { login } }'));
      expect(gql.errors).toEqual([expect.objectContaining({ type: 'RATE_LIMITED' })]);
    });

    it('serverError: 502 (or the given 5xx) for the next requests, then normal answers', async () => {
      server.faults.serverError(2);
      server.faults.serverError(1, { status: 500, method: 'GET', path: '/repos/*/*/labels' });
      const first = await failure(() => octokit.rest.issues.listLabelsForRepo({ owner, repo }));
      const second = await failure(() => octokit.rest.issues.listLabelsForRepo({ owner, repo }));
      const third = await failure(() => octokit.rest.issues.listLabelsForRepo({ owner, repo }));
      expect([first.status, second.status, third.status]).toEqual([502, 502, 500]);
      expect(first.response?.data).toEqual({ message: 'Server Error' });
      await expect(octokit.rest.issues.listLabelsForRepo({ owner, repo })).resolves.toMatchObject({
        status: 200,
      });
    });

    it('forbid: 403 "Resource not accessible by integration" for matching requests until cleared', async () => {
      const issue = server.seedIssue({ title: 'no permission' });
      const comment = server.seedComment({ issueNumber: issue.number, body: 'c' });
      server.faults.forbid('/repos/*/*/issues/*/comments', undefined, { method: 'POST' });

      const denied = await failure(() =>
        octokit.rest.issues.createComment({ owner, repo, issue_number: issue.number, body: 'x' }),
      );
      expect(denied.status).toBe(403);
      expect(denied.response?.data).toEqual({
        message: 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
        status: '403',
      });
      expect(denied.response?.headers['x-accepted-github-permissions']).toBe(
        'issues=write; pull_requests=write',
      );
      // Reads of the same path are still allowed.
      await expect(
        octokit.rest.issues.listComments({ owner, repo, issue_number: issue.number }),
      ).resolves.toMatchObject({ status: 200 });

      // On GraphQL the refusal is a FORBIDDEN error for the field, with a 200.
      server.faults.forbid('/graphql', undefined, { graphqlField: 'minimizeComment' });
      const hidden = await failure(() =>
        octokit.graphql(
          'mutation($id: ID!) { minimizeComment(input: {subjectId: $id, classifier: OUTDATED}) { clientMutationId } }',
          { id: comment.nodeId },
        ),
      );
      expect(hidden.errors).toEqual([
        expect.objectContaining({
          type: 'FORBIDDEN',
          path: ['minimizeComment'],
          message: 'Resource not accessible by integration',
        }),
      ]);
      expect(server.state.comments.find((c) => c.id === comment.id)?.isMinimized).toBe(false);
      await expect(octokit.graphql('{ viewer { login } }')).resolves.toEqual({
        viewer: { login: 'github-actions[bot]' },
      });

      server.faults.clear();
      await expect(
        octokit.rest.issues.createComment({ owner, repo, issue_number: issue.number, body: 'x' }),
      ).resolves.toMatchObject({ status: 201 });
    });

    it('notFound: 404 for matching paths', async () => {
      server.faults.notFound(/\/labels\//);
      server.seedLabel({ name: 'present', color: '00ff00' });
      const hidden = await failure(() => octokit.rest.issues.getLabel({ owner, repo, name: 'present' }));
      expect(hidden.status).toBe(404);
      expect(hidden.response?.data).toMatchObject({ message: 'Not Found' });
      expect(server.requests.at(-1)).toMatchObject({
        method: 'GET',
        path: '/repos/acme/svc/labels/present',
        status: 404,
        fault: 'not-found',
      });
    });
  });
  describe('pull requests and contents', () => {
    const template = (bucket: string): string =>
      `Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: ${bucket}\n`;

    it('gets a pull request with its base and head commits, from the same repository or a fork', async () => {
      const pull = server.seedPullRequest({
        title: 'Grow the mesh',
        author: 'octocat',
        base: { sha: 'a'.repeat(40), files: { 'infra/app.yaml': template('one') } },
        head: { sha: 'b'.repeat(40), ref: 'grow', files: { 'infra/app.yaml': template('two') } },
      });
      const { data } = await octokit.rest.pulls.get({ owner, repo, pull_number: pull.number });
      expect(data).toMatchObject({
        number: pull.number,
        state: 'open',
        title: 'Grow the mesh',
        user: { login: 'octocat' },
        url: `${server.url}/repos/acme/svc/pulls/${pull.number}`,
        html_url: `https://github.com/acme/svc/pull/${pull.number}`,
        base: { sha: 'a'.repeat(40), ref: 'main', label: 'acme:main', repo: { full_name: 'acme/svc' } },
        head: { sha: 'b'.repeat(40), ref: 'grow', label: 'acme:grow', repo: { full_name: 'acme/svc' } },
        merged: false,
        changed_files: 1,
        additions: 1,
        deletions: 1,
      });
      expect(data.node_id).toMatch(/^PR_/);
      // The pull request is an issue too: the comment APIs work on its number.
      const comment = await octokit.rest.issues.createComment({
        owner,
        repo,
        issue_number: pull.number,
        body: 'plan',
      });
      expect(comment.data.html_url).toContain(`/pull/${pull.number}#issuecomment-`);

      const fork = server.seedPullRequest({
        base: { files: {} },
        head: { owner: 'forker', files: { 'a.yaml': 'x: 1\n' } },
      });
      const forked = await octokit.rest.pulls.get({ owner, repo, pull_number: fork.number });
      expect(forked.data.head.repo).toMatchObject({ full_name: 'forker/svc', fork: true });
      expect(forked.data.head.label).toBe(`forker:feature-${fork.number}`);

      const issue = server.seedIssue({ title: 'not a pull request' });
      for (const call of [
        () => octokit.rest.pulls.get({ owner, repo, pull_number: issue.number }),
        () => octokit.rest.pulls.listFiles({ owner, repo, pull_number: issue.number }),
      ]) {
        expect((await failure(call)).status).toBe(404);
      }
    });

    it('lists changed files with every status, previous_filename for renames and copies, in path order', async () => {
      const pull = server.seedPullRequest({
        base: {
          files: {
            'keep.yaml': 'same\n',
            'old/name.yaml': template('moved'),
            'gone.json': '{}\n',
            'edit.yml': 'a: 1\nb: 2\nc: 3\n',
            'src.yaml': template('source'),
            'mode.sh': 'echo\n',
            'logo.png': '\u0089PNG\0\0binary',
          },
        },
        head: {
          files: {
            'keep.yaml': 'same\n',
            'new/name.yaml': template('moved'),
            'edit.yml': 'a: 1\nb: 20\nc: 3\n',
            'added.yaml': 'x: 1\ny: 2\n',
            'src.yaml': template('source'),
            'copy.yaml': template('source'),
            'mode.sh': 'echo\n',
            'logo.png': '\u0089PNG\0\0other',
          },
        },
        renames: { 'new/name.yaml': 'old/name.yaml' },
        copies: { 'copy.yaml': 'src.yaml' },
        modeChanges: ['mode.sh'],
      });
      const files = await octokit.paginate(octokit.rest.pulls.listFiles, {
        owner,
        repo,
        pull_number: pull.number,
        per_page: 100,
      });
      expect(files.map((f) => [f.filename, f.status, f.previous_filename])).toEqual([
        ['added.yaml', 'added', undefined],
        ['copy.yaml', 'copied', 'src.yaml'],
        ['edit.yml', 'modified', undefined],
        ['gone.json', 'removed', undefined],
        ['logo.png', 'modified', undefined],
        ['mode.sh', 'changed', undefined],
        ['new/name.yaml', 'renamed', 'old/name.yaml'],
      ]);
      const byName = Object.fromEntries(files.map((f) => [f.filename, f]));
      expect(byName['edit.yml']).toMatchObject({
        additions: 1,
        deletions: 1,
        changes: 2,
        patch: '@@ -1,3 +1,3 @@\n a: 1\n-b: 2\n+b: 20\n c: 3',
        blob_url: `https://github.com/acme/svc/blob/${pull.head.sha}/edit.yml`,
        raw_url: `https://github.com/acme/svc/raw/${pull.head.sha}/edit.yml`,
        contents_url: `${server.url}/repos/acme/svc/contents/edit.yml?ref=${pull.head.sha}`,
      });
      // Git's blob id of the head version.
      expect(byName['added.yaml']).toMatchObject({
        sha: 'a464ffd842534482ceeee03d04ded1223d31c6f4',
        additions: 2,
        deletions: 0,
        patch: '@@ -0,0 +1,2 @@\n+x: 1\n+y: 2',
      });
      expect(byName['gone.json']).toMatchObject({ additions: 0, deletions: 1, patch: '@@ -1 +0,0 @@\n-{}' });
      // An unchanged rename or copy, a mode change and a binary file carry no patch.
      for (const name of ['new/name.yaml', 'copy.yaml', 'mode.sh', 'logo.png']) {
        expect(byName[name]).toMatchObject({ changes: 0 });
        expect(byName[name]).not.toHaveProperty('patch');
      }
    });

    it('pages the files list 5 at a time (perPageMax) with Link headers octokit follows', async () => {
      const head: Record<string, string> = {};
      for (let i = 0; i < 12; i++) head[`stack-${String(i).padStart(2, '0')}.yaml`] = `n: ${i}\n`;
      const pull = server.seedPullRequest({ base: { files: {} }, head: { files: head } });
      const first = await octokit.rest.pulls.listFiles({
        owner,
        repo,
        pull_number: pull.number,
        per_page: 100,
      });
      expect(first.data).toHaveLength(5);
      expect(first.headers.link).toContain('rel="next"');
      const pages: number[] = [];
      for await (const p of octokit.paginate.iterator(octokit.rest.pulls.listFiles, {
        owner,
        repo,
        pull_number: pull.number,
        per_page: 100,
      })) {
        pages.push(p.data.length);
      }
      expect(pages).toEqual([5, 5, 2]);
    });

    it(`lists at most ${PULL_FILES_LIMIT} files, while changed_files tells the true count`, async () => {
      const big = await startGitHubServer();
      try {
        const client = getOctokit(big.token, { baseUrl: big.url });
        const head: Record<string, string> = {};
        for (let i = 0; i < PULL_FILES_LIMIT + 20; i++) head[`f/${String(i).padStart(5, '0')}.json`] = '{}';
        const pull = big.seedPullRequest({ base: { files: {} }, head: { files: head } });
        const files = await client.paginate(client.rest.pulls.listFiles, {
          owner: big.owner,
          repo: big.repo,
          pull_number: pull.number,
          per_page: 100,
        });
        expect(files).toHaveLength(PULL_FILES_LIMIT);
        expect(files.at(-1)?.filename).toBe('f/02999.json');
        const { data } = await client.rest.pulls.get({
          owner: big.owner,
          repo: big.repo,
          pull_number: pull.number,
        });
        expect(data.changed_files).toBe(PULL_FILES_LIMIT + 20);
      } finally {
        await big.close();
      }
    });

    it('reads a file at a ref as line-wrapped base64, and 404s a path or ref that is not there', async () => {
      const text = `# ünïcode\n${'long line of yaml, '.repeat(20)}\n`;
      const pull = server.seedPullRequest({
        base: { files: { 'infra/stack one.yaml': 'v: 1\n' } },
        head: { ref: 'contents-head', files: { 'infra/stack one.yaml': text } },
      });
      const { data } = await octokit.rest.repos.getContent({
        owner,
        repo,
        path: 'infra/stack one.yaml',
        ref: pull.head.sha,
      });
      if (Array.isArray(data) || data.type !== 'file') throw new Error('expected a file');
      expect(data).toMatchObject({
        type: 'file',
        encoding: 'base64',
        name: 'stack one.yaml',
        path: 'infra/stack one.yaml',
        size: Buffer.byteLength(text),
      });
      expect(data.sha).toMatch(/^[0-9a-f]{40}$/);
      // GitHub wraps base64 at 60 characters, each line ending in a newline.
      const wrapped = data.content.split('\n');
      expect(wrapped.at(-1)).toBe('');
      expect(wrapped.slice(0, -2).every((l) => l.length === 60)).toBe(true);
      expect(Buffer.from(data.content, 'base64').toString('utf8')).toBe(text);

      const base = await octokit.rest.repos.getContent({
        owner,
        repo,
        path: 'infra/stack one.yaml',
        ref: pull.base.sha,
      });
      expect(Buffer.from((base.data as { content: string }).content, 'base64').toString('utf8')).toBe(
        'v: 1\n',
      );
      // A branch name is a ref too.
      const byBranch = await octokit.rest.repos.getContent({
        owner,
        repo,
        path: 'infra/stack one.yaml',
        ref: 'contents-head',
      });
      expect((byBranch.data as { sha: string }).sha).toBe(data.sha);

      const missing = await failure(() =>
        octokit.rest.repos.getContent({ owner, repo, path: 'infra/absent.yaml', ref: pull.head.sha }),
      );
      expect(missing.status).toBe(404);
      expect(missing.response?.data).toMatchObject({ message: 'Not Found', status: '404' });
      const badRef = await failure(() =>
        octokit.rest.repos.getContent({ owner, repo, path: 'infra/stack one.yaml', ref: 'c'.repeat(40) }),
      );
      expect(badRef.status).toBe(404);
      expect(badRef.response?.data).toMatchObject({
        message: `No commit found for the ref ${'c'.repeat(40)}`,
      });

      const dir = await octokit.rest.repos.getContent({ owner, repo, path: 'infra', ref: pull.head.sha });
      expect(dir.data).toEqual([expect.objectContaining({ type: 'file', name: 'stack one.yaml' })]);
    });

    it('answers a file over 1 MB with content "" and encoding "none", and the raw media type with its bytes', async () => {
      const large = `# ${'x'.repeat(1024 * 1024)}\n`;
      const pull = server.seedPullRequest({ base: { files: {} }, head: { files: { 'big.json': large } } });
      const { data } = await octokit.rest.repos.getContent({
        owner,
        repo,
        path: 'big.json',
        ref: pull.head.sha,
      });
      expect(data).toMatchObject({ type: 'file', encoding: 'none', content: '', size: large.length });
      const raw = await octokit.rest.repos.getContent({
        owner,
        repo,
        path: 'big.json',
        ref: pull.head.sha,
        mediaType: { format: 'raw' },
      });
      expect(raw.data as unknown as string).toBe(large);
      // Nor does the files list carry a patch that large.
      const [entry] = (await octokit.rest.pulls.listFiles({ owner, repo, pull_number: pull.number })).data;
      expect(entry).toMatchObject({ filename: 'big.json', status: 'added', additions: 1 });
      expect(entry).not.toHaveProperty('patch');
    });

    it('forbid names the permission a token lacks for contents and pulls', async () => {
      const pull = server.seedPullRequest({ base: { files: {} }, head: { files: { 'a.yaml': 'a: 1\n' } } });
      server.faults.forbid('/repos/acme/svc/contents/**');
      const denied = await failure(() =>
        octokit.rest.repos.getContent({ owner, repo, path: 'a.yaml', ref: pull.head.sha }),
      );
      expect(denied.status).toBe(403);
      expect(denied.response?.headers['x-accepted-github-permissions']).toBe('contents=read');
      server.faults.forbid('/repos/acme/svc/pulls/*/files');
      const files = await failure(() =>
        octokit.rest.pulls.listFiles({ owner, repo, pull_number: pull.number }),
      );
      expect(files.response?.headers['x-accepted-github-permissions']).toBe('pull_requests=read');
    });
  });
});
