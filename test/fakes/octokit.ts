/**
 * An in-memory stand-in for the Octokit methods publish/ calls: issues, labels, comments, the
 * paginator and the minimize mutation. It keeps state like GitHub would, records each call as
 * "METHOD /path", and can fail every call with an HTTP status, as Octokit's RequestError does.
 */
export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  pull_request?: unknown;
}

export interface FakeComment {
  id: number;
  node_id: string;
  issue: number;
  body: string;
  minimized: boolean;
}

export interface FakeGitHub {
  octokit: never;
  issues: FakeIssue[];
  comments: FakeComment[];
  labels: Set<string>;
  calls: string[];
  /** Every later call fails with this HTTP status. */
  failWith(status: number): void;
}

export function fakeGitHub(options: { pageSize?: number } = {}): FakeGitHub {
  const pageSize = options.pageSize ?? 100;
  const state = {
    issues: [] as FakeIssue[],
    comments: [] as FakeComment[],
    labels: new Set<string>(),
    calls: [] as string[],
    status: 0,
  };
  let nextId = 1000;
  const call = async <T>(name: string, body: () => T): Promise<{ data: T }> => {
    state.calls.push(name);
    if (state.status) throw Object.assign(new Error(`HTTP ${state.status}`), { status: state.status });
    return { data: body() };
  };
  const url = (kind: string, n: number): string => `https://github.com/octo-org/lattice-app/${kind}/${n}`;
  const issueFor = (n: number): FakeIssue => {
    const issue = state.issues.find((i) => i.number === n);
    if (!issue) throw Object.assign(new Error('Not Found'), { status: 404 });
    return issue;
  };
  const commentFor = (id: number): FakeComment => {
    const comment = state.comments.find((c) => c.id === id);
    if (!comment) throw Object.assign(new Error('Not Found'), { status: 404 });
    return comment;
  };
  type Params = Record<string, unknown>;
  const issues = {
    listForRepo: (p: Params) =>
      call('GET /issues', () =>
        state.issues.filter((i) => p.labels === undefined || i.labels.includes(String(p.labels))),
      ),
    listComments: (p: Params) =>
      call(`GET /issues/${p.issue_number}/comments`, () =>
        state.comments.filter((c) => c.issue === p.issue_number),
      ),
    get: (p: Params) => call(`GET /issues/${p.issue_number}`, () => issueFor(Number(p.issue_number))),
    create: (p: Params) =>
      call('POST /issues', () => {
        const issue: FakeIssue = {
          number: state.issues.length + 1,
          title: String(p.title),
          body: String(p.body),
          labels: (p.labels as string[]) ?? [],
        };
        state.issues.push(issue);
        return { ...issue, html_url: url('issues', issue.number) };
      }),
    update: (p: Params) =>
      call(`PATCH /issues/${p.issue_number}`, () => {
        const issue = issueFor(Number(p.issue_number));
        if (p.title !== undefined) issue.title = String(p.title);
        if (p.body !== undefined) issue.body = String(p.body);
        return { ...issue, html_url: url('issues', issue.number) };
      }),
    getLabel: (p: Params) =>
      call(`GET /labels/${p.name}`, () => {
        if (!state.labels.has(String(p.name))) throw Object.assign(new Error('Not Found'), { status: 404 });
        return { name: p.name };
      }),
    createLabel: (p: Params) =>
      call('POST /labels', () => {
        state.labels.add(String(p.name));
        return { name: p.name };
      }),
    createComment: (p: Params) =>
      call(`POST /issues/${p.issue_number}/comments`, () => {
        const comment: FakeComment = {
          id: nextId++,
          node_id: `IC_${nextId}`,
          issue: Number(p.issue_number),
          body: String(p.body),
          minimized: false,
        };
        state.comments.push(comment);
        return { ...comment, html_url: url('pull', comment.issue) };
      }),
    updateComment: (p: Params) =>
      call(`PATCH /comments/${p.comment_id}`, () => {
        const comment = commentFor(Number(p.comment_id));
        comment.body = String(p.body);
        return { ...comment, html_url: url('pull', comment.issue) };
      }),
    deleteComment: (p: Params) =>
      call(`DELETE /comments/${p.comment_id}`, () => {
        commentFor(Number(p.comment_id));
        state.comments = state.comments.filter((c) => c.id !== p.comment_id);
      }),
  };
  const octokit = {
    rest: { issues },
    paginate: {
      // Like Octokit's: one request per page, in order, until a short page.
      iterator: (method: (p: Params) => Promise<{ data: unknown[] }>, params: Params) => ({
        async *[Symbol.asyncIterator]() {
          const { data } = await method(params);
          for (let i = 0; i < data.length || i === 0; i += pageSize)
            yield { data: data.slice(i, i + pageSize) };
        },
      }),
    },
    graphql: async (query: string, variables: { id: string }) => {
      state.calls.push('POST /graphql');
      if (state.status) throw Object.assign(new Error(`HTTP ${state.status}`), { status: state.status });
      if (!query.includes('minimizeComment')) throw new Error(`unexpected GraphQL: ${query}`);
      const comment = state.comments.find((c) => c.node_id === variables.id);
      if (!comment) throw new Error('Could not resolve to a node');
      comment.minimized = true;
      return { minimizeComment: { minimizedComment: { isMinimized: true } } };
    },
  };
  return {
    octokit: octokit as never,
    get issues() {
      return state.issues;
    },
    get comments() {
      return state.comments;
    },
    labels: state.labels,
    calls: state.calls,
    failWith: (status) => {
      state.status = status;
    },
  };
}
