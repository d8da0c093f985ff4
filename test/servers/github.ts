/**
 * An in-memory GitHub API for the action's end-to-end tests: the REST endpoints the action uses
 * (issues, issue comments, labels, a pull request with its changed files, repository contents) plus a slice of GraphQL (viewer, comment connections,
 * minimizeComment and friends), answering with GitHub's real JSON shapes, headers, paging and
 * error bodies, so an unmodified Octokit works against it.
 *
 * It is a real HTTP server, not a fetch interceptor, because `@actions/github` 9 calls undici's own
 * fetch, which msw and nock never see. Point the action at it with
 * `GITHUB_API_URL=server.url` (GraphQL is then `${url}/graphql`, as Octokit derives it).
 *
 * Faults make the next requests fail the way GitHub fails (secondary and primary rate limits, 5xx,
 * a token without `issues: write`), so the product's retry and throttling paths can be tested.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface Actor {
  /** REST login: bots carry the `[bot]` suffix here (GraphQL's `Bot.login` drops it). */
  login: string;
  id: number;
  nodeId: string;
  type: 'User' | 'Bot' | 'Organization';
}

export type StateReason = 'completed' | 'not_planned' | 'reopened' | 'duplicate';

export interface IssueRecord {
  number: number;
  id: number;
  nodeId: string;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: StateReason | null;
  /** Label names, spelt as the repository's label records spell them. */
  labels: string[];
  author: Actor;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  closedBy: Actor | null;
  locked: boolean;
  /** A pull request: the issues API lists and edits it too, with a `pull_request` key. */
  pullRequest: boolean;
}

export interface CommentRecord {
  id: number;
  nodeId: string;
  issueNumber: number;
  body: string;
  author: Actor;
  createdAt: string;
  updatedAt: string;
  isMinimized: boolean;
  /** As GraphQL reports it: lower-case kebab (`outdated`, `off-topic`), not the input enum. */
  minimizedReason: string | null;
}

export interface LabelRecord {
  id: number;
  nodeId: string;
  name: string;
  color: string;
  description: string | null;
  default: boolean;
}

/** A diff entry's status, as "List pull requests files" enumerates them. */
export type DiffStatus = 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged';

/** One changed file of a pull request, before it is rendered as GitHub's `diff-entry`. */
export interface DiffEntryRecord {
  filename: string;
  status: DiffStatus;
  /** Set for renamed and copied files: where the file came from. */
  previousFilename?: string;
  /** Blob sha of the head version (of the base version for a removed file). */
  sha: string;
  additions: number;
  deletions: number;
  /** One unified-diff hunk; absent for binary files, very large files and content-less changes. */
  patch?: string;
}

export interface PullRecord {
  number: number;
  /** The REST `id`, which differs from the issue's. */
  id: number;
  base: { sha: string; ref: string };
  /** `owner` differs from the repository's owner when the head is a fork. */
  head: { sha: string; ref: string; owner: string };
  /** The merge base of base and head: the base sha unless the base branch moved on. */
  mergeBase: string;
  /** Every changed file, in git's path order; the API lists at most the first 3000. */
  files: DiffEntryRecord[];
}

export interface GitHubState {
  repository: { id: number; nodeId: string; owner: string; name: string };
  issues: IssueRecord[];
  comments: CommentRecord[];
  labels: LabelRecord[];
  pulls: PullRecord[];
  /** Commit sha → path → file bytes: the trees the contents API reads. */
  commits: Map<string, Map<string, Buffer>>;
  /** Branch name → commit sha; `main` (the default branch) answers a contents read without `ref`. */
  refs: Map<string, string>;
  /** Who the token is: `github-actions[bot]`, the author of everything created through the API. */
  viewer: Actor;
}

export interface RequestRecord {
  method: string;
  /** Canonical path: GHES prefix removed, `/repositories/{id}` (Link URLs) rewritten to `/repos/o/r`. */
  path: string;
  /** The path and query exactly as received. */
  url: string;
  status: number;
  /** Parsed JSON body of a write, if any. */
  body?: Json;
  /** GraphQL root fields requested, e.g. `['minimizeComment']`. */
  graphql?: string[];
  /** Set when an injected fault produced the answer. */
  fault?: FaultKind;
}

export type FaultKind = 'secondary-rate-limit' | 'rate-limit' | 'server-error' | 'forbidden' | 'not-found';

/** Which requests a fault applies to. A string path is a glob on the canonical path (`*` = one segment's characters, `**` = anything). */
export interface FaultMatch {
  method?: string | readonly string[];
  path?: string | RegExp;
}

export interface GitHubFaults {
  /** The next `count` matching requests (default: every non-GET, GraphQL included) get GitHub's secondary-rate-limit 403 with `retry-after`. */
  secondaryRateLimit(count: number, options?: FaultMatch & { retryAfter?: number; status?: 403 | 429 }): void;
  /** The next `count` matching requests (default: all) hit the primary limit: 403, `x-ratelimit-remaining: 0`, reset a second ahead. */
  rateLimit(count: number, options?: FaultMatch & { status?: 403 | 429; resetInSeconds?: number }): void;
  /** The next `count` matching requests (default: all) get a 5xx (502 unless `status`). */
  serverError(count: number, options?: FaultMatch & { status?: 500 | 502 | 503 | 504 }): void;
  /**
   * Until cleared, matching requests get 403 "Resource not accessible by integration", as for a
   * GITHUB_TOKEN without `issues: write`. On `/graphql` the answer is GraphQL's FORBIDDEN error,
   * for every root field or only `graphqlField`.
   */
  forbid(
    pathPattern: string | RegExp,
    message?: string,
    options?: { method?: string | readonly string[]; graphqlField?: string },
  ): void;
  /** Until cleared, matching requests get 404 Not Found. */
  notFound(pathPattern: string | RegExp, options?: { method?: string | readonly string[] }): void;
  /** Counted faults not yet served. */
  pending(): number;
  clear(): void;
}

export interface SeedIssue {
  title: string;
  body?: string | null;
  labels?: string[];
  state?: 'open' | 'closed';
  stateReason?: StateReason | null;
  /** A login (`octocat`, `renovate[bot]`) or an actor; the bot viewer unless given. */
  author?: string | Actor;
  createdAt?: string;
  updatedAt?: string;
  pullRequest?: boolean;
  locked?: boolean;
}

export interface SeedComment {
  issueNumber: number;
  body: string;
  /** A login or an actor; the bot viewer unless given. */
  author?: string | Actor;
  createdAt?: string;
  updatedAt?: string;
  /** GraphQL classifier (`OUTDATED`) or reported form (`outdated`); unset means not minimized. */
  minimized?: string;
}

export interface SeedLabel {
  name: string;
  color?: string;
  description?: string | null;
  default?: boolean;
}

/** File text (UTF-8) or raw bytes, for binary or non-UTF-8 files. */
export type FileBytes = string | Uint8Array;

export interface SeedCommit {
  /** 40 hex digits; random unless given. */
  sha?: string;
  /** Branch name: `main` for the base, `feature-{number}` for the head unless given. */
  ref?: string;
  files: Record<string, FileBytes>;
}

export interface SeedPullRequest {
  /** The next issue number unless given; must not be taken. */
  number?: number;
  title?: string;
  body?: string | null;
  /** A login or an actor; the bot viewer unless given. */
  author?: string | Actor;
  state?: 'open' | 'closed';
  base: SeedCommit;
  /** `owner`: a fork's owner login, so `head.repo.full_name` names the fork. */
  head: SeedCommit & { owner?: string };
  /**
   * Where the head branch was cut from, when the base branch has moved on since: the pull
   * request's files are then the diff from here to head, as GitHub's three-dot diff.
   */
  mergeBase?: SeedCommit;
  /** New path → old path: the old path must be in base only, the new one in head only. */
  renames?: Record<string, string>;
  /** New path → source path: the new path is in head only, the source in base (and usually head). */
  copies?: Record<string, string>;
  /** Paths in both trees with the same bytes whose mode changed: status `changed`. */
  modeChanges?: string[];
}

export interface GitHubServerOptions {
  owner?: string;
  repo?: string;
  token?: string;
  /** Largest `per_page` honoured (GitHub: 100); lower it to force paging with few items. */
  perPageMax?: number;
  /** Primary rate limit per hour, per resource (GITHUB_TOKEN: 1000). */
  rateLimit?: number;
  /** Clock for timestamps; the wall clock unless given. */
  now?: () => Date;
  /**
   * Who the token is, as a login: `github-actions[bot]` (GITHUB_TOKEN) unless given; another
   * `slug[bot]` for an app's installation token, a plain login for a personal token.
   */
  viewer?: string;
}

export interface GitHubServer {
  url: string;
  graphqlUrl: string;
  /** The same API under GHES paths: REST at `/api/v3`, GraphQL at `/api/graphql`. */
  ghesUrl: string;
  owner: string;
  repo: string;
  token: string;
  state: GitHubState;
  requests: RequestRecord[];
  faults: GitHubFaults;
  seedIssue(input: SeedIssue): IssueRecord;
  seedComment(input: SeedComment): CommentRecord;
  seedLabel(input: SeedLabel): LabelRecord;
  /**
   * A pull request (also an issue with `pullRequest: true`, so the comment APIs work on it), its
   * two commits' trees (readable through the contents API) and the changed files computed from them.
   */
  seedPullRequest(input: SeedPullRequest): PullRecord;
  /** Comments on one issue, oldest first. */
  commentsOn(issueNumber: number): CommentRecord[];
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------

/** The GITHUB_TOKEN's identity, with its real ids so code that compares them behaves. */
const GITHUB_ACTIONS_BOT: Actor = {
  login: 'github-actions[bot]',
  id: 41898282,
  nodeId: 'MDM6Qm90NDE4OTgyODI=',
  type: 'Bot',
};

/** GitHub's limit on issue and comment bodies, in characters; only its 422 documents it. */
export const MAX_BODY_CHARS = 65_536;
const MAX_TITLE_CHARS = 256;
const MAX_LABEL_NAME_CHARS = 50;
const MAX_LABEL_DESCRIPTION_CHARS = 100;
const DEFAULT_PER_PAGE = 30;
const GITHUB_PER_PAGE_MAX = 100;
/** Colour GitHub gives labels it creates implicitly (issue create/update with an unknown label). */
const IMPLICIT_LABEL_COLOR = 'ededed';
const INSTALLATION_ID = 51234567;

const REST_DOCS = 'https://docs.github.com/rest';
const ISSUES_DOCS = `${REST_DOCS}/issues/issues`;
const COMMENTS_DOCS = `${REST_DOCS}/issues/comments`;
const LABELS_DOCS = `${REST_DOCS}/issues/labels`;
const PULLS_DOCS = `${REST_DOCS}/pulls/pulls`;
const CONTENTS_DOCS = `${REST_DOCS}/repos/contents`;
const COMMITS_DOCS = `${REST_DOCS}/commits/commits`;
/** "Responses include a maximum of 3000 files" (pulls/pulls#list-pull-requests-files). */
export const PULL_FILES_LIMIT = 3000;
/**
 * repos/contents#get-repository-content: up to 1 MB a file comes inline (base64); 1–100 MB it
 * comes as `content: ""`, `encoding: "none"` (raw media type still works); over 100 MB the
 * endpoint is "not supported". Whether "MB" means 10^6 or 2^20 bytes is not documented: 2^20 here.
 */
const CONTENT_INLINE_MAX = 1024 * 1024;
const CONTENT_MAX = 100 * 1024 * 1024;
const SECONDARY_DOCS = `${REST_DOCS}/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits`;
const PRIMARY_DOCS = `${REST_DOCS}/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit`;

/** GraphQL `ReportedContentClassifiers` → what `minimizedReason` reports (docs: case and format differ). */
const MINIMIZE_REASONS: Record<string, string> = {
  SPAM: 'spam',
  ABUSE: 'abuse',
  OFF_TOPIC: 'off-topic',
  OUTDATED: 'outdated',
  DUPLICATE: 'duplicate',
  RESOLVED: 'resolved',
  LOW_QUALITY: 'low-quality',
};

// ---------------------------------------------------------------------------------------------
// HTTP plumbing
// ---------------------------------------------------------------------------------------------

interface Reply {
  status: number;
  body?: Json;
  /** A non-JSON answer (the contents API's raw media type), sent as is. */
  raw?: { bytes: Buffer; contentType: string };
  headers?: Record<string, string>;
  fault?: FaultKind;
}

/** An error answer; GitHub's error bodies carry `status` as a string since 2024. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: JsonObject,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body.message === 'string' ? body.message : `HTTP ${status}`);
  }
}

function errorBody(
  status: number,
  message: string,
  documentationUrl: string,
  extra: JsonObject = {},
): JsonObject {
  return { message, ...extra, documentation_url: documentationUrl, status: String(status) };
}

const notFound = (doc: string): HttpError => new HttpError(404, errorBody(404, 'Not Found', doc));

const validationFailed = (doc: string, errors: JsonObject[]): HttpError =>
  new HttpError(422, errorBody(422, 'Validation Failed', doc, { errors }));

/** Schema-level rejection, which GitHub words differently from model validation. */
const invalidRequest = (doc: string, detail: string): HttpError =>
  new HttpError(422, errorBody(422, `Invalid request.\n\n${detail}`, doc));

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** ISO 8601 to the second, as GitHub writes timestamps. */
function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** GitHub counts characters (code points), not UTF-16 units. */
function charCount(text: string): number {
  return Array.from(text).length;
}

function requestId(): string {
  const hex = (bytes: number): string => randomBytes(bytes).toString('hex').toUpperCase();
  return `${hex(2)}:${hex(2)}:${hex(3)}:${hex(3)}:${hex(4)}`;
}

/** A stable, plausible id for a seeded login, so the same login is the same user everywhere. */
function idFor(login: string): number {
  let h = 2166136261;
  for (const ch of login) h = Math.imul(h ^ (ch.codePointAt(0) ?? 0), 16777619) >>> 0;
  return 1_000_000 + (h % 90_000_000);
}

function nodeId(prefix: string, id: number): string {
  return `${prefix}_kwDO${Buffer.from(`${prefix}:${id}`).toString('base64url')}`;
}

function toActor(author: string | Actor | undefined, viewer: Actor): Actor {
  if (author === undefined) return viewer;
  if (typeof author !== 'string') return author;
  if (author === viewer.login) return viewer;
  const bot = author.endsWith('[bot]');
  const id = idFor(author);
  return { login: author, id, nodeId: nodeId(bot ? 'BOT' : 'U', id), type: bot ? 'Bot' : 'User' };
}

/** Git's blob id: sha1 over `blob <length>\0<bytes>`, as a diff entry's and a content's `sha`. */
function gitBlobSha(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** Base64 as GitHub's contents API writes it (Ruby's `Base64.encode64`): 60 characters a line, each ending in `\n`. */
function lineWrappedBase64(bytes: Buffer): string {
  return (bytes.toString('base64').match(/.{1,60}/g) ?? []).map((line) => `${line}\n`).join('');
}

/** Git's heuristic: a NUL in the first 8000 bytes makes a file binary (no patch, no line counts). */
function isBinary(bytes: Buffer): boolean {
  return bytes.subarray(0, 8000).includes(0);
}

function lines(bytes: Buffer): string[] {
  const text = bytes.toString('utf8');
  if (text === '') return [];
  const all = text.split('\n');
  if (all.at(-1) === '') all.pop();
  return all;
}

/**
 * Line counts and one unified-diff hunk (3 lines of context) around the changed middle, found by
 * trimming the common head and tail. Exact for one contiguous change; for scattered changes the
 * counts are an upper bound, which is all a test of the consumer needs.
 */
function lineDiff(
  before: Buffer | undefined,
  after: Buffer | undefined,
): { additions: number; deletions: number; patch?: string } {
  const a = before ? lines(before) : [];
  const b = after ? lines(after) : [];
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  )
    tail++;
  const removed = a.slice(head, a.length - tail);
  const added = b.slice(head, b.length - tail);
  if (removed.length === 0 && added.length === 0) return { additions: 0, deletions: 0 };
  const context = 3;
  const from = Math.max(0, head - context);
  const lead = a.slice(from, head);
  const trail = a.slice(a.length - tail, Math.min(a.length, a.length - tail + context));
  const oldLength = lead.length + removed.length + trail.length;
  const newLength = lead.length + added.length + trail.length;
  // Git prints an empty range as the line before it, and drops ",1".
  const range = (start: number, length: number): string =>
    length === 1 ? `${start + 1}` : `${length === 0 ? start : start + 1},${length}`;
  const patch = [
    `@@ -${range(from, oldLength)} +${range(from, newLength)} @@`,
    ...lead.map((l) => ` ${l}`),
    ...removed.map((l) => `-${l}`),
    ...added.map((l) => `+${l}`),
    ...trail.map((l) => ` ${l}`),
  ].join('\n');
  return { additions: added.length, deletions: removed.length, patch };
}

function globToRegExp(glob: string): RegExp {
  const source = glob
    .split('**')
    .map((part) =>
      part
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*'),
    )
    .join('.*');
  return new RegExp(`^${source}$`);
}

function methodMatches(want: string | readonly string[] | undefined, method: string): boolean {
  if (want === undefined) return true;
  const list = typeof want === 'string' ? [want] : want;
  return list.some((m) => m.toUpperCase() === method);
}

function pathMatches(pattern: string | RegExp | undefined, path: string): boolean {
  if (pattern === undefined) return true;
  return (typeof pattern === 'string' ? globToRegExp(pattern) : pattern).test(path);
}

// ---------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------

interface CountedFault {
  kind: 'secondary-rate-limit' | 'rate-limit' | 'server-error';
  remaining: number;
  method: string | readonly string[] | undefined;
  path: string | RegExp | undefined;
  writesOnly: boolean;
  status: number;
  retryAfter: number;
  resetInSeconds: number;
}

interface StandingFault {
  kind: 'forbidden' | 'not-found';
  method: string | readonly string[] | undefined;
  path: string | RegExp;
  message: string;
  graphqlField: string | undefined;
}

interface RateBucket {
  limit: number;
  used: number;
  reset: number;
}

/** One parsed request as the route handlers see it. */
interface ApiRequest {
  method: string;
  /** Path below `/repos/{o}/{r}` (e.g. `/issues/3`), or the whole canonical path for other routes. */
  path: string;
  query: URLSearchParams;
  /** The Accept header: custom media types (`application/vnd.github.raw`) change some answers. */
  accept: string;
  /** Origin + GHES prefix + `/repositories/{id}`: where Link URLs point, as on GitHub. */
  linkBase: string;
  json(doc: string): JsonObject;
}

interface Route {
  method: string;
  pattern: RegExp;
  doc: string;
  /** What `x-accepted-github-permissions` names when a token lacks access. */
  permission: string;
  handle(request: ApiRequest, match: RegExpExecArray): Reply;
}

export async function startGitHubServer(options: GitHubServerOptions = {}): Promise<GitHubServer> {
  const owner = options.owner ?? 'octo-org';
  const repoName = options.repo ?? 'lattice-app';
  const token = options.token ?? 'ghs_testtoken0000000000000000000000000000';
  const perPageMax = Math.min(options.perPageMax ?? GITHUB_PER_PAGE_MAX, GITHUB_PER_PAGE_MAX);
  const now = options.now ?? (() => new Date());
  const hourlyLimit = options.rateLimit ?? 1000;

  const repoId = 700_000_000 + (idFor(`${owner}/${repoName}`) % 100_000_000);
  const state: GitHubState = {
    repository: {
      id: repoId,
      nodeId: `R_kgDO${Buffer.from(String(repoId)).toString('base64url')}`,
      owner,
      name: repoName,
    },
    issues: [],
    comments: [],
    labels: [],
    pulls: [],
    commits: new Map(),
    refs: new Map(),
    viewer: options.viewer === undefined ? GITHUB_ACTIONS_BOT : toActor(options.viewer, GITHUB_ACTIONS_BOT),
  };
  const requests: RequestRecord[] = [];
  const counted: CountedFault[] = [];
  const standing: StandingFault[] = [];
  const buckets: Record<'core' | 'graphql', RateBucket> = {
    core: { limit: hourlyLimit, used: 0, reset: 0 },
    graphql: { limit: hourlyLimit, used: 0, reset: 0 },
  };
  // Ids in GitHub's current ranges: comment ids exceed 2^31, which catches int32 assumptions.
  let nextIssueNumber = 1;
  let nextIssueId = 3_000_000_001;
  let nextCommentId = 2_400_000_001;
  let nextLabelId = 8_000_000_001;
  let nextPullId = 1_900_000_001;
  let baseUrl = '';

  const timestamp = (): string => iso(now());
  const apiRepo = (): string => `${baseUrl}/repos/${owner}/${repoName}`;
  const htmlRepo = `https://github.com/${owner}/${repoName}`;

  // -- records ---------------------------------------------------------------------------------

  const findLabel = (name: string): LabelRecord | undefined =>
    state.labels.find((l) => l.name.toLowerCase() === name.toLowerCase());

  const addLabel = (input: SeedLabel): LabelRecord => {
    const id = nextLabelId++;
    const label: LabelRecord = {
      id,
      nodeId: nodeId('LA', id),
      name: input.name,
      color: input.color ?? IMPLICIT_LABEL_COLOR,
      description: input.description ?? null,
      default: input.default ?? false,
    };
    state.labels.push(label);
    return label;
  };

  /** Label names for an issue: existing labels by their own spelling, unknown ones created as GitHub does. */
  const resolveLabels = (names: readonly string[]): string[] => {
    const out: string[] = [];
    for (const name of names) {
      const label = findLabel(name) ?? addLabel({ name });
      if (!out.includes(label.name)) out.push(label.name);
    }
    return out;
  };

  const findIssue = (n: number): IssueRecord | undefined => state.issues.find((i) => i.number === n);

  const commentsOn = (n: number): CommentRecord[] =>
    state.comments.filter((c) => c.issueNumber === n).sort((a, b) => a.id - b.id);

  const addIssue = (input: SeedIssue, number?: number): IssueRecord => {
    const id = nextIssueId++;
    const created = input.createdAt ?? timestamp();
    const closed = input.state === 'closed';
    if (number !== undefined && findIssue(number)) throw new Error(`seedPullRequest: #${number} is taken`);
    const issue: IssueRecord = {
      number: number ?? nextIssueNumber++,
      id,
      nodeId: nodeId(input.pullRequest ? 'PR' : 'I', id),
      title: input.title,
      body: input.body ?? null,
      state: closed ? 'closed' : 'open',
      stateReason: input.stateReason ?? (closed ? 'completed' : null),
      labels: resolveLabels(input.labels ?? []),
      author: toActor(input.author, state.viewer),
      createdAt: created,
      updatedAt: input.updatedAt ?? created,
      closedAt: closed ? (input.updatedAt ?? created) : null,
      closedBy: closed ? state.viewer : null,
      locked: input.locked ?? false,
      pullRequest: input.pullRequest ?? false,
    };
    if (number !== undefined) nextIssueNumber = Math.max(nextIssueNumber, number + 1);
    state.issues.push(issue);
    return issue;
  };

  const randomSha = (): string => randomBytes(20).toString('hex');

  const addCommit = (sha: string, files: Record<string, FileBytes>): Map<string, Buffer> => {
    if (!/^[0-9a-f]{40}$/.test(sha)) throw new Error(`seedPullRequest: "${sha}" is not a 40-digit hex sha`);
    const tree = new Map(Object.entries(files).map(([path, data]) => [path, Buffer.from(data)]));
    state.commits.set(sha, tree);
    return tree;
  };

  /** The changed files git would report between two trees, given which paths moved. */
  const diffTrees = (
    base: Map<string, Buffer>,
    head: Map<string, Buffer>,
    input: SeedPullRequest,
  ): DiffEntryRecord[] => {
    const entries: DiffEntryRecord[] = [];
    const moved = new Map<string, { from: string; status: 'renamed' | 'copied' }>();
    for (const [to, from] of Object.entries(input.renames ?? {})) {
      if (!base.has(from) || head.has(from) || !head.has(to) || base.has(to))
        throw new Error(
          `seedPullRequest: rename ${from} → ${to} needs ${from} only in base, ${to} only in head`,
        );
      moved.set(to, { from, status: 'renamed' });
    }
    for (const [to, from] of Object.entries(input.copies ?? {})) {
      if (!base.has(from) || !head.has(to) || base.has(to))
        throw new Error(`seedPullRequest: copy ${from} → ${to} needs ${from} in base, ${to} only in head`);
      moved.set(to, { from, status: 'copied' });
    }
    const renamedFrom = new Set([...moved.values()].filter((m) => m.status === 'renamed').map((m) => m.from));
    const modeChanges = new Set(input.modeChanges ?? []);
    const diff = (
      filename: string,
      status: DiffStatus,
      before: Buffer | undefined,
      after: Buffer | undefined,
      previousFilename?: string,
    ): DiffEntryRecord => {
      const blob = (after ?? before)!;
      const big = (before?.length ?? 0) > CONTENT_INLINE_MAX || (after?.length ?? 0) > CONTENT_INLINE_MAX;
      const binary = (before !== undefined && isBinary(before)) || (after !== undefined && isBinary(after));
      // GitHub shows no patch for binary files (0/0) and none for very large ones (threshold assumed).
      const counted = binary ? { additions: 0, deletions: 0 } : lineDiff(before, after);
      const entry: DiffEntryRecord = {
        filename,
        status,
        sha: gitBlobSha(blob),
        additions: counted.additions,
        deletions: counted.deletions,
      };
      if (counted.patch !== undefined && !big) entry.patch = counted.patch;
      if (previousFilename !== undefined) entry.previousFilename = previousFilename;
      return entry;
    };
    for (const path of new Set([...base.keys(), ...head.keys()])) {
      const before = base.get(path);
      const after = head.get(path);
      const move = moved.get(path);
      if (move) entries.push(diff(path, move.status, base.get(move.from), after, move.from));
      else if (renamedFrom.has(path)) continue;
      else if (before === undefined) entries.push(diff(path, 'added', undefined, after));
      else if (after === undefined) entries.push(diff(path, 'removed', before, undefined));
      else if (!before.equals(after)) entries.push(diff(path, 'modified', before, after));
      else if (modeChanges.has(path)) entries.push(diff(path, 'changed', before, after));
    }
    // Git orders a diff by path, byte by byte.
    return entries.sort((x, y) => Buffer.compare(Buffer.from(x.filename), Buffer.from(y.filename)));
  };

  const addPull = (input: SeedPullRequest): PullRecord => {
    const baseSha = input.base.sha ?? randomSha();
    const headSha = input.head.sha ?? randomSha();
    const baseTree = addCommit(baseSha, input.base.files);
    const headTree = addCommit(headSha, input.head.files);
    const mergeBaseSha = input.mergeBase ? (input.mergeBase.sha ?? randomSha()) : baseSha;
    const forkPoint = input.mergeBase ? addCommit(mergeBaseSha, input.mergeBase.files) : baseTree;
    const files = diffTrees(forkPoint, headTree, input);
    const issue = addIssue(
      {
        title: input.title ?? 'Change infrastructure',
        body: input.body ?? null,
        author: input.author,
        state: input.state,
        pullRequest: true,
      },
      input.number,
    );
    const pull: PullRecord = {
      number: issue.number,
      id: nextPullId++,
      base: { sha: baseSha, ref: input.base.ref ?? 'main' },
      head: {
        sha: headSha,
        ref: input.head.ref ?? `feature-${issue.number}`,
        owner: input.head.owner ?? owner,
      },
      mergeBase: mergeBaseSha,
      files,
    };
    state.refs.set(pull.base.ref, baseSha);
    // A fork's branch lives in the fork, not here.
    if (pull.head.owner === owner) state.refs.set(pull.head.ref, headSha);
    state.pulls.push(pull);
    return pull;
  };

  const addComment = (input: SeedComment): CommentRecord => {
    const issue = findIssue(input.issueNumber);
    if (!issue) throw new Error(`seedComment: no issue #${input.issueNumber}`);
    const id = nextCommentId++;
    const created = input.createdAt ?? timestamp();
    const minimized = input.minimized;
    const comment: CommentRecord = {
      id,
      nodeId: nodeId('IC', id),
      issueNumber: issue.number,
      body: input.body,
      author: toActor(input.author, state.viewer),
      createdAt: created,
      updatedAt: input.updatedAt ?? created,
      isMinimized: minimized !== undefined,
      minimizedReason: minimized === undefined ? null : (MINIMIZE_REASONS[minimized] ?? minimized),
    };
    state.comments.push(comment);
    // A new comment bumps the issue's updated_at, which `sort=updated` and `since` observe.
    if (comment.createdAt > issue.updatedAt) issue.updatedAt = comment.createdAt;
    return comment;
  };

  // -- REST JSON shapes --------------------------------------------------------------------------

  const userJson = (a: Actor): JsonObject => {
    const appSlug = a.login.replace(/\[bot\]$/, '');
    return {
      login: a.login,
      id: a.id,
      node_id: a.nodeId,
      avatar_url:
        a === GITHUB_ACTIONS_BOT
          ? 'https://avatars.githubusercontent.com/in/15368?v=4'
          : `https://avatars.githubusercontent.com/u/${a.id}?v=4`,
      gravatar_id: '',
      url: `${baseUrl}/users/${encodeURIComponent(a.login)}`,
      html_url: a.type === 'Bot' ? `https://github.com/apps/${appSlug}` : `https://github.com/${a.login}`,
      type: a.type,
      user_view_type: 'public',
      site_admin: false,
    };
  };

  const association = (a: Actor): string =>
    a.login.toLowerCase() === owner.toLowerCase() ? 'OWNER' : 'NONE';

  const reactions = (url: string): JsonObject => ({
    url: `${url}/reactions`,
    total_count: 0,
    '+1': 0,
    '-1': 0,
    laugh: 0,
    hooray: 0,
    confused: 0,
    heart: 0,
    rocket: 0,
    eyes: 0,
  });

  const labelJson = (l: LabelRecord): JsonObject => ({
    id: l.id,
    node_id: l.nodeId,
    url: `${apiRepo()}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    color: l.color,
    default: l.default,
    description: l.description,
  });

  const issueJson = (i: IssueRecord, detail = false): JsonObject => {
    const url = `${apiRepo()}/issues/${i.number}`;
    const json: JsonObject = {
      url,
      repository_url: apiRepo(),
      labels_url: `${url}/labels{/name}`,
      comments_url: `${url}/comments`,
      events_url: `${url}/events`,
      html_url: `${htmlRepo}/${i.pullRequest ? 'pull' : 'issues'}/${i.number}`,
      id: i.id,
      node_id: i.nodeId,
      number: i.number,
      title: i.title,
      user: userJson(i.author),
      labels: i.labels.flatMap((name) => {
        const l = findLabel(name);
        return l ? [labelJson(l)] : [];
      }),
      state: i.state,
      locked: i.locked,
      assignee: null,
      assignees: [],
      milestone: null,
      comments: state.comments.filter((c) => c.issueNumber === i.number).length,
      created_at: i.createdAt,
      updated_at: i.updatedAt,
      closed_at: i.closedAt,
      author_association: association(i.author),
      type: null,
      active_lock_reason: null,
      sub_issues_summary: { total: 0, completed: 0, percent_completed: 0 },
      body: i.body,
      reactions: reactions(url),
      timeline_url: `${url}/timeline`,
      performed_via_github_app: null,
      state_reason: i.stateReason,
    };
    if (i.pullRequest) {
      json.draft = false;
      json.pull_request = {
        url: `${apiRepo()}/pulls/${i.number}`,
        html_url: `${htmlRepo}/pull/${i.number}`,
        diff_url: `${htmlRepo}/pull/${i.number}.diff`,
        patch_url: `${htmlRepo}/pull/${i.number}.patch`,
        merged_at: null,
      };
    }
    // Only the single-issue endpoint reports who closed it.
    if (detail) json.closed_by = i.closedBy ? userJson(i.closedBy) : null;
    return json;
  };

  const commentJson = (c: CommentRecord): JsonObject => {
    const issue = findIssue(c.issueNumber);
    const url = `${apiRepo()}/issues/comments/${c.id}`;
    return {
      url,
      html_url: `${htmlRepo}/${issue?.pullRequest ? 'pull' : 'issues'}/${c.issueNumber}#issuecomment-${c.id}`,
      issue_url: `${apiRepo()}/issues/${c.issueNumber}`,
      id: c.id,
      node_id: c.nodeId,
      user: userJson(c.author),
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      author_association: association(c.author),
      body: c.body,
      reactions: reactions(url),
      performed_via_github_app: null,
    };
  };

  const repoJson = (): JsonObject => ({
    id: repoId,
    node_id: state.repository.nodeId,
    name: repoName,
    full_name: `${owner}/${repoName}`,
    private: true,
    owner: userJson(toActor(owner, state.viewer)),
    html_url: htmlRepo,
    url: apiRepo(),
    issues_url: `${apiRepo()}/issues{/number}`,
    labels_url: `${apiRepo()}/labels{/name}`,
    default_branch: 'main',
    has_issues: true,
    open_issues_count: state.issues.filter((i) => i.state === 'open').length,
    visibility: 'private',
    permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
  });

  const forkJson = (forkOwner: string): JsonObject => {
    if (forkOwner === owner) return repoJson();
    const id = 700_000_000 + (idFor(`${forkOwner}/${repoName}`) % 100_000_000);
    const url = `${baseUrl}/repos/${forkOwner}/${repoName}`;
    return {
      ...repoJson(),
      id,
      node_id: `R_kgDO${Buffer.from(String(id)).toString('base64url')}`,
      full_name: `${forkOwner}/${repoName}`,
      owner: userJson(toActor(forkOwner, state.viewer)),
      html_url: `https://github.com/${forkOwner}/${repoName}`,
      url,
      issues_url: `${url}/issues{/number}`,
      labels_url: `${url}/labels{/name}`,
      fork: true,
      private: false,
      visibility: 'public',
      permissions: { admin: false, maintain: false, push: false, triage: false, pull: true },
    };
  };

  /** pulls/pulls#get-a-pull-request: the `pull-request` schema. */
  /** A commit as the compare API lists it; the seeded commits have no message or author of their own. */
  const commitJson = (sha: string): JsonObject => ({
    sha,
    node_id: nodeId('C', Number.parseInt(sha.slice(0, 8), 16)),
    url: `${apiRepo()}/commits/${sha}`,
    html_url: `${htmlRepo}/commit/${sha}`,
    comments_url: `${apiRepo()}/commits/${sha}/comments`,
    commit: {
      url: `${apiRepo()}/git/commits/${sha}`,
      message: 'Seeded commit',
      author: { name: 'octocat', email: 'octocat@example.com', date: timestamp() },
      committer: { name: 'octocat', email: 'octocat@example.com', date: timestamp() },
      tree: { sha: sha.split('').reverse().join(''), url: `${apiRepo()}/git/trees/${sha}` },
      comment_count: 0,
    },
    author: null,
    committer: null,
    parents: [],
  });

  const pullJson = (p: PullRecord, i: IssueRecord): JsonObject => {
    const url = `${apiRepo()}/pulls/${p.number}`;
    const html = `${htmlRepo}/pull/${p.number}`;
    const issueUrl = `${apiRepo()}/issues/${p.number}`;
    const href = (h: string): JsonObject => ({ href: h });
    const side = (s: { sha: string; ref: string }, login: string): JsonObject => ({
      label: `${login}:${s.ref}`,
      ref: s.ref,
      sha: s.sha,
      user: userJson(toActor(login, state.viewer)),
      repo: forkJson(login),
    });
    const sum = (k: 'additions' | 'deletions'): number => p.files.reduce((n, f) => n + f[k], 0);
    return {
      url,
      id: p.id,
      node_id: i.nodeId,
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      issue_url: issueUrl,
      commits_url: `${url}/commits`,
      review_comments_url: `${url}/comments`,
      review_comment_url: `${apiRepo()}/pulls/comments{/number}`,
      comments_url: `${issueUrl}/comments`,
      statuses_url: `${apiRepo()}/statuses/${p.head.sha}`,
      number: p.number,
      state: i.state,
      locked: i.locked,
      title: i.title,
      user: userJson(i.author),
      body: i.body,
      labels: i.labels.flatMap((name) => {
        const l = findLabel(name);
        return l ? [labelJson(l)] : [];
      }),
      milestone: null,
      active_lock_reason: null,
      created_at: i.createdAt,
      updated_at: i.updatedAt,
      closed_at: i.closedAt,
      merged_at: null,
      merge_commit_sha: null,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      head: side(p.head, p.head.owner),
      base: side(p.base, owner),
      _links: {
        self: href(url),
        html: href(html),
        issue: href(issueUrl),
        comments: href(`${issueUrl}/comments`),
        review_comments: href(`${url}/comments`),
        review_comment: href(`${apiRepo()}/pulls/comments{/number}`),
        commits: href(`${url}/commits`),
        statuses: href(`${apiRepo()}/statuses/${p.head.sha}`),
      },
      author_association: association(i.author),
      auto_merge: null,
      draft: false,
      merged: false,
      mergeable: true,
      rebaseable: true,
      mergeable_state: 'clean',
      merged_by: null,
      comments: state.comments.filter((c) => c.issueNumber === p.number).length,
      review_comments: 0,
      maintainer_can_modify: false,
      commits: 1,
      additions: sum('additions'),
      deletions: sum('deletions'),
      // The true count, though the files list stops at PULL_FILES_LIMIT.
      changed_files: p.files.length,
    };
  };

  const encodePath = (path: string): string => path.split('/').map(encodeURIComponent).join('/');

  /** pulls/pulls#list-pull-requests-files: the `diff-entry` schema. */
  const diffEntryJson = (p: PullRecord, f: DiffEntryRecord): JsonObject => {
    // A removed file's links point at the base commit, where it still exists.
    const at = f.status === 'removed' ? p.base.sha : p.head.sha;
    const json: JsonObject = {
      sha: f.sha,
      filename: f.filename,
      status: f.status,
      additions: f.additions,
      deletions: f.deletions,
      changes: f.additions + f.deletions,
      blob_url: `${htmlRepo}/blob/${at}/${encodePath(f.filename)}`,
      raw_url: `${htmlRepo}/raw/${at}/${encodePath(f.filename)}`,
      contents_url: `${apiRepo()}/contents/${encodePath(f.filename)}?ref=${at}`,
    };
    if (f.patch !== undefined) json.patch = f.patch;
    if (f.previousFilename !== undefined) json.previous_filename = f.previousFilename;
    return json;
  };

  /** The links every contents entry carries (repos/contents#get-repository-content). */
  const contentLinks = (path: string, ref: string, sha: string, kind: 'blob' | 'tree'): JsonObject => {
    const self = `${apiRepo()}/contents/${encodePath(path)}?ref=${encodeURIComponent(ref)}`;
    const git = `${apiRepo()}/git/${kind}s/${sha}`;
    const html = `${htmlRepo}/${kind}/${ref}/${encodePath(path)}`;
    return { url: self, git_url: git, html_url: html, _links: { self, git, html } };
  };

  const fileJson = (path: string, bytes: Buffer, ref: string, withContent: boolean): JsonObject => {
    const sha = gitBlobSha(bytes);
    const inline = bytes.length <= CONTENT_INLINE_MAX;
    return {
      name: path.split('/').at(-1) ?? path,
      path,
      sha,
      size: bytes.length,
      ...contentLinks(path, ref, sha, 'blob'),
      download_url: `https://raw.githubusercontent.com/${owner}/${repoName}/${ref}/${encodePath(path)}`,
      type: 'file',
      ...(withContent
        ? { content: inline ? lineWrappedBase64(bytes) : '', encoding: inline ? 'base64' : 'none' }
        : {}),
    };
  };

  // -- validation helpers -----------------------------------------------------------------------

  const typeError = (doc: string, field: string, value: Json, type: string): HttpError =>
    invalidRequest(doc, `For 'properties/${field}', ${JSON.stringify(value)} is not ${type}.`);

  const checkBody = (doc: string, resource: string, body: string): void => {
    if (charCount(body) > MAX_BODY_CHARS) {
      throw validationFailed(doc, [
        {
          resource,
          code: 'custom',
          field: 'body',
          message: `body is too long (maximum is ${MAX_BODY_CHARS} characters)`,
        },
      ]);
    }
  };

  const readTitle = (doc: string, value: Json | undefined): string => {
    if (typeof value === 'number') return String(value); // GitHub accepts an integer title
    if (typeof value !== 'string') throw typeError(doc, 'title', value ?? null, 'a string');
    if (value.trim() === '')
      throw validationFailed(doc, [{ resource: 'Issue', code: 'missing_field', field: 'title' }]);
    if (charCount(value) > MAX_TITLE_CHARS) {
      throw validationFailed(doc, [
        {
          resource: 'Issue',
          code: 'custom',
          field: 'title',
          message: `title is too long (maximum is ${MAX_TITLE_CHARS} characters)`,
        },
      ]);
    }
    return value;
  };

  const readIssueBody = (doc: string, value: Json | undefined): string | null => {
    if (value === null || value === undefined) return null;
    if (typeof value !== 'string') throw typeError(doc, 'body', value, 'a string or null');
    checkBody(doc, 'Issue', value);
    return value;
  };

  const readLabelNames = (doc: string, value: Json | undefined): string[] => {
    if (!Array.isArray(value)) throw typeError(doc, 'labels', value ?? null, 'an array');
    return value.map((item, index) => {
      if (typeof item === 'string') return item;
      if (isObject(item) && typeof item.name === 'string') return item.name;
      throw typeError(doc, `labels/items/${index}`, item, 'a string or an object with a name');
    });
  };

  const readCommentBody = (doc: string, body: JsonObject): string => {
    const value = body.body;
    if (value === undefined) throw invalidRequest(doc, '"body" wasn\'t supplied.');
    if (typeof value !== 'string') throw typeError(doc, 'body', value, 'a string');
    if (value.trim() === '') {
      throw validationFailed(doc, [{ resource: 'IssueComment', code: 'missing_field', field: 'body' }]);
    }
    checkBody(doc, 'IssueComment', value);
    return value;
  };

  const readLabelFields = (
    doc: string,
    body: JsonObject,
    nameKey: 'name' | 'new_name',
  ): { name?: string; color?: string; description?: string | null } => {
    const out: { name?: string; color?: string; description?: string | null } = {};
    const name = body[nameKey];
    if (name !== undefined) {
      if (typeof name !== 'string') throw typeError(doc, nameKey, name, 'a string');
      if (name.trim() === '')
        throw validationFailed(doc, [{ resource: 'Label', code: 'missing_field', field: 'name' }]);
      if (charCount(name) > MAX_LABEL_NAME_CHARS) {
        throw validationFailed(doc, [
          {
            resource: 'Label',
            code: 'custom',
            field: 'name',
            message: `name is too long (maximum is ${MAX_LABEL_NAME_CHARS} characters)`,
          },
        ]);
      }
      out.name = name;
    }
    const color = body.color;
    if (color !== undefined) {
      // The docs say "without the leading #": a '#' is invalid, not stripped.
      if (typeof color !== 'string' || !/^[0-9a-fA-F]{6}$/.test(color)) {
        throw validationFailed(doc, [{ resource: 'Label', code: 'invalid', field: 'color', value: color }]);
      }
      out.color = color.toLowerCase();
    }
    const description = body.description;
    if (description !== undefined) {
      if (description !== null && typeof description !== 'string') {
        throw typeError(doc, 'description', description, 'a string');
      }
      if (typeof description === 'string' && charCount(description) > MAX_LABEL_DESCRIPTION_CHARS) {
        throw validationFailed(doc, [
          {
            resource: 'Label',
            code: 'custom',
            field: 'description',
            message: `description is too long (maximum is ${MAX_LABEL_DESCRIPTION_CHARS} characters)`,
          },
        ]);
      }
      out.description = description;
    }
    return out;
  };

  // -- paging ------------------------------------------------------------------------------------

  /** One page of `items` and GitHub's Link header: prev, next, last, first, in that order. */
  const page = <T>(
    items: readonly T[],
    request: ApiRequest,
    suffix: string,
  ): { items: T[]; link?: string } => {
    const rawPerPage = Number.parseInt(request.query.get('per_page') ?? '', 10);
    const perPage = Math.min(rawPerPage > 0 ? rawPerPage : DEFAULT_PER_PAGE, perPageMax);
    const rawPage = Number.parseInt(request.query.get('page') ?? '', 10);
    const current = rawPage > 0 ? rawPage : 1;
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const slice = items.slice((current - 1) * perPage, current * perPage);
    const href = (n: number): string => {
      const q = new URLSearchParams(request.query);
      q.delete('page');
      q.append('page', String(n));
      return `<${request.linkBase}${suffix}?${q.toString()}>`;
    };
    const parts: string[] = [];
    if (current > 1) parts.push(`${href(Math.min(current - 1, last))}; rel="prev"`);
    if (current < last) parts.push(`${href(current + 1)}; rel="next"`, `${href(last)}; rel="last"`);
    if (current > 1) parts.push(`${href(1)}; rel="first"`);
    return parts.length > 0 ? { items: slice, link: parts.join(', ') } : { items: slice };
  };

  const listReply = (result: { items: Json[]; link?: string }): Reply =>
    result.link === undefined
      ? { status: 200, body: result.items }
      : { status: 200, body: result.items, headers: { link: result.link } };

  const sortDirection = (request: ApiRequest, doc: string, fallback: 'asc' | 'desc'): 1 | -1 => {
    const direction = request.query.get('direction') ?? fallback;
    if (direction !== 'asc' && direction !== 'desc') {
      throw validationFailed(doc, [
        { value: direction, resource: 'Issue', field: 'direction', code: 'invalid' },
      ]);
    }
    return direction === 'asc' ? 1 : -1;
  };

  /** `since` as a comparable timestamp; GitHub rejects a malformed one with 422. */
  const sinceParam = (request: ApiRequest, doc: string): string | null => {
    const since = request.query.get('since');
    if (since === null) return null;
    const date = new Date(since);
    if (Number.isNaN(date.getTime())) {
      throw validationFailed(doc, [{ value: since, resource: 'Issue', field: 'since', code: 'invalid' }]);
    }
    return iso(date);
  };

  // -- REST routes -------------------------------------------------------------------------------

  const issueNumber = (m: RegExpExecArray): number => Number(m[1]);

  const requireIssue = (n: number, doc: string): IssueRecord => {
    const issue = findIssue(n);
    if (!issue) throw notFound(doc);
    return issue;
  };

  const requireComment = (id: number, doc: string): CommentRecord => {
    const comment = state.comments.find((c) => c.id === id);
    if (!comment) throw notFound(doc);
    return comment;
  };

  const requireLabel = (name: string, doc: string): LabelRecord => {
    const label = findLabel(name);
    if (!label) throw notFound(doc);
    return label;
  };

  const touch = (issue: IssueRecord): void => {
    issue.updatedAt = timestamp();
  };

  const repoRoutes: Route[] = [
    {
      method: 'GET',
      pattern: /^$/,
      doc: `${REST_DOCS}/repos/repos#get-a-repository`,
      permission: 'metadata=read',
      handle: () => ({ status: 200, body: repoJson() }),
    },
    {
      method: 'GET',
      pattern: /^\/issues$/,
      doc: `${ISSUES_DOCS}#list-repository-issues`,
      permission: 'issues=read',
      handle: (request) => {
        const doc = `${ISSUES_DOCS}#list-repository-issues`;
        const q = request.query;
        const wantState = q.get('state') ?? 'open';
        if (!['open', 'closed', 'all'].includes(wantState)) {
          throw validationFailed(doc, [
            { value: wantState, resource: 'Issue', field: 'state', code: 'invalid' },
          ]);
        }
        const wantLabels = (q.get('labels') ?? '')
          .split(',')
          .map((s) => s.trim().toLowerCase())
          .filter((s) => s !== '');
        const creator = q.get('creator')?.toLowerCase();
        const since = sinceParam(request, doc);
        const sort = q.get('sort') ?? 'created';
        if (!['created', 'updated', 'comments'].includes(sort)) {
          throw validationFailed(doc, [{ value: sort, resource: 'Issue', field: 'sort', code: 'invalid' }]);
        }
        const dir = sortDirection(request, doc, 'desc');
        const commentCount = (i: IssueRecord): number =>
          state.comments.filter((c) => c.issueNumber === i.number).length;
        const key = (i: IssueRecord): string | number =>
          sort === 'updated' ? i.updatedAt : sort === 'comments' ? commentCount(i) : i.createdAt;
        // Like GitHub, the list includes pull requests (each with a `pull_request` key).
        const matching = state.issues
          .filter((i) => wantState === 'all' || i.state === wantState)
          .filter((i) => wantLabels.every((w) => i.labels.some((l) => l.toLowerCase() === w)))
          .filter((i) => creator === undefined || i.author.login.toLowerCase() === creator)
          .filter((i) => since === null || i.updatedAt >= since)
          .sort((a, b) => {
            const ka = key(a);
            const kb = key(b);
            return (ka < kb ? -1 : ka > kb ? 1 : a.number - b.number) * dir;
          });
        return listReply(
          page(
            matching.map((i) => issueJson(i)),
            request,
            '/issues',
          ),
        );
      },
    },
    {
      method: 'POST',
      pattern: /^\/issues$/,
      doc: `${ISSUES_DOCS}#create-an-issue`,
      permission: 'issues=write',
      handle: (request) => {
        const doc = `${ISSUES_DOCS}#create-an-issue`;
        const body = request.json(doc);
        if (body.title === undefined) throw invalidRequest(doc, '"title" wasn\'t supplied.');
        const title = readTitle(doc, body.title);
        const text = readIssueBody(doc, body.body);
        const labels = body.labels === undefined ? [] : readLabelNames(doc, body.labels);
        const issue = addIssue({ title, body: text, labels });
        return {
          status: 201,
          body: issueJson(issue, true),
          headers: { location: `${apiRepo()}/issues/${issue.number}` },
        };
      },
    },
    {
      method: 'GET',
      pattern: /^\/issues\/(\d+)$/,
      doc: `${ISSUES_DOCS}#get-an-issue`,
      permission: 'issues=read',
      handle: (_request, m) => ({
        status: 200,
        body: issueJson(requireIssue(issueNumber(m), `${ISSUES_DOCS}#get-an-issue`), true),
      }),
    },
    {
      method: 'PATCH',
      pattern: /^\/issues\/(\d+)$/,
      doc: `${ISSUES_DOCS}#update-an-issue`,
      permission: 'issues=write',
      handle: (request, m) => {
        const doc = `${ISSUES_DOCS}#update-an-issue`;
        const issue = requireIssue(issueNumber(m), doc);
        const body = request.json(doc);
        // Validate everything before changing anything, as one database transaction would.
        const title = body.title === undefined ? undefined : readTitle(doc, body.title);
        const text = body.body === undefined ? undefined : readIssueBody(doc, body.body);
        const labels = body.labels === undefined ? undefined : readLabelNames(doc, body.labels);
        const newState = body.state;
        if (newState !== undefined && newState !== 'open' && newState !== 'closed') {
          throw validationFailed(doc, [
            { value: newState, resource: 'Issue', field: 'state', code: 'invalid' },
          ]);
        }
        const reason = body.state_reason;
        if (
          reason !== undefined &&
          reason !== null &&
          !['completed', 'not_planned', 'reopened', 'duplicate'].includes(String(reason))
        ) {
          throw validationFailed(doc, [
            { value: reason, resource: 'Issue', field: 'state_reason', code: 'invalid' },
          ]);
        }
        if (title !== undefined) issue.title = title;
        if (text !== undefined) issue.body = text;
        if (labels !== undefined) issue.labels = resolveLabels(labels);
        if (newState === 'closed' && issue.state === 'open') {
          issue.state = 'closed';
          issue.closedAt = timestamp();
          issue.closedBy = state.viewer;
          issue.stateReason = typeof reason === 'string' ? (reason as StateReason) : 'completed';
        } else if (newState === 'open' && issue.state === 'closed') {
          issue.state = 'open';
          issue.closedAt = null;
          issue.closedBy = null;
          issue.stateReason = 'reopened';
        } else if (typeof reason === 'string' && issue.state === 'closed') {
          issue.stateReason = reason as StateReason;
        }
        touch(issue);
        return { status: 200, body: issueJson(issue, true) };
      },
    },
    {
      method: 'GET',
      pattern: /^\/issues\/comments$/,
      doc: `${COMMENTS_DOCS}#list-issue-comments-for-a-repository`,
      permission: 'issues=read',
      handle: (request) => {
        const doc = `${COMMENTS_DOCS}#list-issue-comments-for-a-repository`;
        const sort = request.query.get('sort') ?? 'created';
        const dir = sortDirection(request, doc, 'asc');
        const since = sinceParam(request, doc);
        const items = state.comments
          .filter((c) => since === null || c.updatedAt >= since)
          .sort((a, b) => {
            const ka = sort === 'updated' ? a.updatedAt : a.createdAt;
            const kb = sort === 'updated' ? b.updatedAt : b.createdAt;
            return (ka < kb ? -1 : ka > kb ? 1 : a.id - b.id) * dir;
          });
        return listReply(page(items.map(commentJson), request, '/issues/comments'));
      },
    },
    {
      method: 'GET',
      pattern: /^\/issues\/comments\/(\d+)$/,
      doc: `${COMMENTS_DOCS}#get-an-issue-comment`,
      permission: 'issues=read',
      handle: (_request, m) => ({
        status: 200,
        body: commentJson(requireComment(Number(m[1]), `${COMMENTS_DOCS}#get-an-issue-comment`)),
      }),
    },
    {
      method: 'PATCH',
      pattern: /^\/issues\/comments\/(\d+)$/,
      doc: `${COMMENTS_DOCS}#update-an-issue-comment`,
      permission: 'issues=write; pull_requests=write',
      handle: (request, m) => {
        const doc = `${COMMENTS_DOCS}#update-an-issue-comment`;
        const comment = requireComment(Number(m[1]), doc);
        comment.body = readCommentBody(doc, request.json(doc));
        comment.updatedAt = timestamp();
        return { status: 200, body: commentJson(comment) };
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/issues\/comments\/(\d+)$/,
      doc: `${COMMENTS_DOCS}#delete-an-issue-comment`,
      permission: 'issues=write; pull_requests=write',
      handle: (_request, m) => {
        const comment = requireComment(Number(m[1]), `${COMMENTS_DOCS}#delete-an-issue-comment`);
        state.comments.splice(state.comments.indexOf(comment), 1);
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      pattern: /^\/issues\/(\d+)\/comments$/,
      doc: `${COMMENTS_DOCS}#list-issue-comments`,
      permission: 'issues=read',
      handle: (request, m) => {
        const doc = `${COMMENTS_DOCS}#list-issue-comments`;
        const issue = requireIssue(issueNumber(m), doc);
        const since = sinceParam(request, doc);
        const items = commentsOn(issue.number).filter((c) => since === null || c.updatedAt >= since);
        return listReply(page(items.map(commentJson), request, `/issues/${issue.number}/comments`));
      },
    },
    {
      method: 'POST',
      pattern: /^\/issues\/(\d+)\/comments$/,
      doc: `${COMMENTS_DOCS}#create-an-issue-comment`,
      permission: 'issues=write; pull_requests=write',
      handle: (request, m) => {
        const doc = `${COMMENTS_DOCS}#create-an-issue-comment`;
        const issue = requireIssue(issueNumber(m), doc);
        const text = readCommentBody(doc, request.json(doc));
        const comment = addComment({ issueNumber: issue.number, body: text });
        return {
          status: 201,
          body: commentJson(comment),
          headers: { location: `${apiRepo()}/issues/comments/${comment.id}` },
        };
      },
    },
    {
      method: 'GET',
      pattern: /^\/issues\/(\d+)\/labels$/,
      doc: `${LABELS_DOCS}#list-labels-for-an-issue`,
      permission: 'issues=read',
      handle: (request, m) => {
        const issue = requireIssue(issueNumber(m), `${LABELS_DOCS}#list-labels-for-an-issue`);
        const labels = issue.labels.flatMap((name) => {
          const l = findLabel(name);
          return l ? [labelJson(l)] : [];
        });
        return listReply(page(labels, request, `/issues/${issue.number}/labels`));
      },
    },
    ...(['POST', 'PUT'] as const).map((method): Route => ({
      method,
      pattern: /^\/issues\/(\d+)\/labels$/,
      doc: `${LABELS_DOCS}#${method === 'POST' ? 'add-labels-to-an-issue' : 'set-labels-for-an-issue'}`,
      permission: 'issues=write; pull_requests=write',
      handle: (request, m) => {
        const doc = `${LABELS_DOCS}#${method === 'POST' ? 'add-labels-to-an-issue' : 'set-labels-for-an-issue'}`;
        const issue = requireIssue(issueNumber(m), doc);
        const body = request.json(doc);
        const names = readLabelNames(doc, body.labels ?? []);
        issue.labels = resolveLabels(method === 'POST' ? [...issue.labels, ...names] : names);
        touch(issue);
        return {
          status: 200,
          body: issue.labels.flatMap((n) => (findLabel(n) ? [labelJson(findLabel(n)!)] : [])),
        };
      },
    })),
    {
      method: 'DELETE',
      pattern: /^\/issues\/(\d+)\/labels\/([^/]+)$/,
      doc: `${LABELS_DOCS}#remove-a-label-from-an-issue`,
      permission: 'issues=write; pull_requests=write',
      handle: (_request, m) => {
        const doc = `${LABELS_DOCS}#remove-a-label-from-an-issue`;
        const issue = requireIssue(issueNumber(m), doc);
        const name = decodeURIComponent(m[2] ?? '');
        const index = issue.labels.findIndex((l) => l.toLowerCase() === name.toLowerCase());
        if (index < 0) throw new HttpError(404, errorBody(404, 'Label does not exist', doc));
        issue.labels.splice(index, 1);
        touch(issue);
        return {
          status: 200,
          body: issue.labels.flatMap((n) => (findLabel(n) ? [labelJson(findLabel(n)!)] : [])),
        };
      },
    },
    {
      method: 'GET',
      pattern: /^\/labels$/,
      doc: `${LABELS_DOCS}#list-labels-for-a-repository`,
      permission: 'issues=read',
      handle: (request) => listReply(page(state.labels.map(labelJson), request, '/labels')),
    },
    {
      method: 'POST',
      pattern: /^\/labels$/,
      doc: `${LABELS_DOCS}#create-a-label`,
      permission: 'issues=write; pull_requests=write',
      handle: (request) => {
        const doc = `${LABELS_DOCS}#create-a-label`;
        const body = request.json(doc);
        if (body.name === undefined) throw invalidRequest(doc, '"name" wasn\'t supplied.');
        const fields = readLabelFields(doc, body, 'name');
        const name = fields.name ?? '';
        // Names are unique case-insensitively: "Cost" collides with "cost".
        if (findLabel(name)) {
          throw validationFailed(doc, [{ resource: 'Label', code: 'already_exists', field: 'name' }]);
        }
        const label = addLabel({ name, color: fields.color, description: fields.description ?? null });
        return {
          status: 201,
          body: labelJson(label),
          headers: { location: `${apiRepo()}/labels/${encodeURIComponent(label.name)}` },
        };
      },
    },
    {
      method: 'GET',
      pattern: /^\/labels\/([^/]+)$/,
      doc: `${LABELS_DOCS}#get-a-label`,
      permission: 'issues=read',
      handle: (_request, m) => ({
        status: 200,
        body: labelJson(requireLabel(decodeURIComponent(m[1] ?? ''), `${LABELS_DOCS}#get-a-label`)),
      }),
    },
    {
      method: 'PATCH',
      pattern: /^\/labels\/([^/]+)$/,
      doc: `${LABELS_DOCS}#update-a-label`,
      permission: 'issues=write; pull_requests=write',
      handle: (request, m) => {
        const doc = `${LABELS_DOCS}#update-a-label`;
        const label = requireLabel(decodeURIComponent(m[1] ?? ''), doc);
        const fields = readLabelFields(doc, request.json(doc), 'new_name');
        if (
          fields.name !== undefined &&
          fields.name.toLowerCase() !== label.name.toLowerCase() &&
          findLabel(fields.name)
        ) {
          throw validationFailed(doc, [{ resource: 'Label', code: 'already_exists', field: 'name' }]);
        }
        if (fields.name !== undefined) {
          const old = label.name;
          for (const issue of state.issues)
            issue.labels = issue.labels.map((l) => (l === old ? fields.name! : l));
          label.name = fields.name;
        }
        if (fields.color !== undefined) label.color = fields.color;
        if (fields.description !== undefined) label.description = fields.description;
        return { status: 200, body: labelJson(label) };
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/labels\/([^/]+)$/,
      doc: `${LABELS_DOCS}#delete-a-label`,
      permission: 'issues=write; pull_requests=write',
      handle: (_request, m) => {
        const label = requireLabel(decodeURIComponent(m[1] ?? ''), `${LABELS_DOCS}#delete-a-label`);
        state.labels.splice(state.labels.indexOf(label), 1);
        for (const issue of state.issues) issue.labels = issue.labels.filter((l) => l !== label.name);
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      pattern: /^\/pulls\/(\d+)$/,
      doc: `${PULLS_DOCS}#get-a-pull-request`,
      permission: 'pull_requests=read',
      handle: (_request, m) => {
        const doc = `${PULLS_DOCS}#get-a-pull-request`;
        const pull = requirePull(Number(m[1]), doc);
        return { status: 200, body: pullJson(pull, requireIssue(pull.number, doc)) };
      },
    },
    {
      method: 'GET',
      pattern: /^\/pulls\/(\d+)\/files$/,
      doc: `${PULLS_DOCS}#list-pull-requests-files`,
      permission: 'pull_requests=read',
      handle: (request, m) => {
        const pull = requirePull(Number(m[1]), `${PULLS_DOCS}#list-pull-requests-files`);
        const listed = pull.files.slice(0, PULL_FILES_LIMIT).map((f) => diffEntryJson(pull, f));
        return listReply(page(listed, request, `/pulls/${pull.number}/files`));
      },
    },
    {
      // Only the comparisons of a pull request's base and head: what the product asks.
      method: 'GET',
      pattern: /^\/compare\/([0-9a-f]{40})\.\.\.([0-9a-f]{40})$/,
      doc: `${COMMITS_DOCS}#compare-two-commits`,
      permission: 'contents=read',
      handle: (_request, m) => {
        const pull = state.pulls.find((p) => p.base.sha === m[1] && p.head.sha === m[2]);
        if (!pull) throw notFound(`${COMMITS_DOCS}#compare-two-commits`);
        const moved = pull.mergeBase !== pull.base.sha;
        return {
          status: 200,
          body: {
            url: `${apiRepo()}/compare/${m[1]}...${m[2]}`,
            html_url: `${htmlRepo}/compare/${m[1]}...${m[2]}`,
            permalink_url: `${htmlRepo}/compare/${owner}:${m[1]}...${owner}:${m[2]}`,
            diff_url: `${htmlRepo}/compare/${m[1]}...${m[2]}.diff`,
            patch_url: `${htmlRepo}/compare/${m[1]}...${m[2]}.patch`,
            base_commit: commitJson(pull.base.sha),
            merge_base_commit: commitJson(pull.mergeBase),
            status: moved ? 'diverged' : 'ahead',
            ahead_by: 1,
            behind_by: moved ? 1 : 0,
            total_commits: 1,
            commits: [commitJson(pull.head.sha)],
            files: pull.files.slice(0, 300).map((f) => diffEntryJson(pull, f)),
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: /^\/contents(?:\/(.*))?$/,
      doc: `${CONTENTS_DOCS}#get-repository-content`,
      permission: 'contents=read',
      handle: (request, m) => getContent(request, m[1] ?? ''),
    },
  ];

  const requirePull = (n: number, doc: string): PullRecord => {
    const pull = state.pulls.find((p) => p.number === n);
    if (!pull) throw notFound(doc);
    return pull;
  };

  /** repos/contents#get-repository-content for a file or a directory at a commit, branch or the default branch. */
  const getContent = (request: ApiRequest, encodedPath: string): Reply => {
    const doc = `${CONTENTS_DOCS}#get-repository-content`;
    let path: string;
    try {
      path = decodeURIComponent(encodedPath).replace(/^\/+|\/+$/g, '');
    } catch {
      throw notFound(doc);
    }
    const ref = request.query.get('ref') ?? 'main';
    const sha = state.commits.has(ref) ? ref : state.refs.get(ref.replace(/^refs\/heads\//, ''));
    const tree = sha === undefined ? undefined : state.commits.get(sha);
    if (!tree) throw new HttpError(404, errorBody(404, `No commit found for the ref ${ref}`, doc));
    const bytes = tree.get(path);
    const accept = request.accept.toLowerCase();
    if (bytes) {
      if (bytes.length > CONTENT_MAX) {
        // "Greater than 100 MB: This endpoint is not supported"; the error's shape is assumed.
        throw new HttpError(
          403,
          errorBody(
            403,
            'This API returns blobs up to 100 MB in size. The requested blob is too large to fetch via the API.',
            doc,
            {
              errors: [{ resource: 'Blob', field: 'data', code: 'too_large' }],
            },
          ),
        );
      }
      if (/application\/vnd\.github(\.v3)?\.raw/.test(accept)) {
        return { status: 200, raw: { bytes, contentType: 'text/plain; charset=utf-8' } };
      }
      return { status: 200, body: fileJson(path, bytes, ref, true) };
    }
    // A directory: every path below it; its entries are its immediate children.
    const prefix = path === '' ? '' : `${path}/`;
    const children = new Map<string, JsonObject>();
    for (const [p, b] of tree) {
      if (!p.startsWith(prefix)) continue;
      const [name = '', ...rest] = p.slice(prefix.length).split('/');
      if (children.has(name)) continue;
      if (rest.length === 0) {
        children.set(name, fileJson(p, b, ref, false));
      } else {
        const dir = `${prefix}${name}`;
        const treeSha = createHash('sha1').update(`tree ${sha}:${dir}`).digest('hex');
        children.set(name, {
          name,
          path: dir,
          sha: treeSha,
          size: 0,
          ...contentLinks(dir, ref, treeSha, 'tree'),
          download_url: null,
          type: 'dir',
        });
      }
    }
    if (children.size === 0) throw notFound(doc);
    const entries = [...children.entries()]
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
      .map(([, e]) => e);
    if (/application\/vnd\.github(\.v3)?\.object/.test(accept)) {
      const treeSha = createHash('sha1').update(`tree ${sha}:${path}`).digest('hex');
      return {
        status: 200,
        body: {
          type: 'dir',
          size: 0,
          name: path.split('/').at(-1) ?? '',
          path,
          sha: treeSha,
          ...contentLinks(path, ref, treeSha, 'tree'),
          download_url: null,
          entries,
        },
      };
    }
    return { status: 200, body: entries };
  };

  const rateLimitJson = (): JsonObject => {
    const entry = (b: RateBucket): JsonObject => ({
      limit: b.limit,
      used: b.used,
      remaining: b.limit - b.used,
      reset: b.reset,
    });
    return {
      resources: { core: entry(buckets.core), graphql: entry(buckets.graphql) },
      rate: entry(buckets.core),
    };
  };

  const topRoutes: Route[] = [
    {
      method: 'GET',
      pattern: /^\/$/,
      doc: REST_DOCS,
      permission: '',
      handle: () => ({
        status: 200,
        body: {
          current_user_url: `${baseUrl}/user`,
          issues_url: `${baseUrl}/issues`,
          rate_limit_url: `${baseUrl}/rate_limit`,
          repository_url: `${baseUrl}/repos/{owner}/{repo}`,
        },
      }),
    },
    {
      method: 'GET',
      pattern: /^\/rate_limit$/,
      doc: `${REST_DOCS}/rate-limit/rate-limit#get-rate-limit-status-for-the-authenticated-user`,
      permission: '',
      handle: () => ({ status: 200, body: rateLimitJson() }),
    },
    {
      // An installation token is not a user: GitHub refuses /user for GITHUB_TOKEN and app tokens.
      method: 'GET',
      pattern: /^\/user$/,
      doc: `${REST_DOCS}/users/users#get-the-authenticated-user`,
      permission: '',
      handle: () => {
        if (state.viewer.type === 'User') return { status: 200, body: userJson(state.viewer) };
        throw new HttpError(
          403,
          errorBody(
            403,
            'Resource not accessible by integration',
            `${REST_DOCS}/users/users#get-the-authenticated-user`,
          ),
        );
      },
    },
  ];

  // -- GraphQL -----------------------------------------------------------------------------------

  const graphql = createGraphqlExecutor({
    state,
    owner,
    repoName,
    htmlRepo,
    findIssue,
    commentsOn,
    findLabel,
    addComment,
    rateLimit: () => buckets.graphql,
    timestamp,
  });

  // -- faults ------------------------------------------------------------------------------------

  const faults: GitHubFaults = {
    secondaryRateLimit: (count, o = {}) =>
      counted.push({
        kind: 'secondary-rate-limit',
        remaining: count,
        method: o.method,
        path: o.path,
        writesOnly: o.method === undefined,
        status: o.status ?? 403,
        retryAfter: o.retryAfter ?? 1,
        resetInSeconds: 0,
      }),
    rateLimit: (count, o = {}) =>
      counted.push({
        kind: 'rate-limit',
        remaining: count,
        method: o.method,
        path: o.path,
        writesOnly: false,
        status: o.status ?? 403,
        retryAfter: 0,
        resetInSeconds: o.resetInSeconds ?? 1,
      }),
    serverError: (count, o = {}) =>
      counted.push({
        kind: 'server-error',
        remaining: count,
        method: o.method,
        path: o.path,
        writesOnly: false,
        status: o.status ?? 502,
        retryAfter: 0,
        resetInSeconds: 0,
      }),
    forbid: (path, message, o = {}) =>
      standing.push({
        kind: 'forbidden',
        path,
        method: o.method,
        message: message ?? 'Resource not accessible by integration',
        graphqlField: o.graphqlField,
      }),
    notFound: (path, o = {}) =>
      standing.push({
        kind: 'not-found',
        path,
        method: o.method,
        message: 'Not Found',
        graphqlField: undefined,
      }),
    pending: () => counted.reduce((n, f) => n + f.remaining, 0),
    clear: () => {
      counted.length = 0;
      standing.length = 0;
    },
  };

  const takeCountedFault = (method: string, path: string): CountedFault | undefined => {
    const fault = counted.find(
      (f) =>
        f.remaining > 0 &&
        (f.writesOnly ? method !== 'GET' && method !== 'HEAD' : methodMatches(f.method, method)) &&
        pathMatches(f.path, path),
    );
    if (fault) {
      fault.remaining--;
      if (fault.remaining === 0) counted.splice(counted.indexOf(fault), 1);
    }
    return fault;
  };

  // -- dispatch ----------------------------------------------------------------------------------

  const anonymous: RateBucket = { limit: 60, used: 0, reset: 0 };
  const anonymousBucket = (): RateBucket => {
    const seconds = Math.floor(now().getTime() / 1000);
    if (anonymous.reset <= seconds) anonymous.reset = seconds + 3600;
    anonymous.used = Math.min(anonymous.limit, anonymous.used + 1);
    return anonymous;
  };

  const bucketFor = (path: string): RateBucket | undefined =>
    path === '/rate_limit' ? undefined : path === '/graphql' ? buckets.graphql : buckets.core;

  const rateHeaders = (bucket: RateBucket, resource: string): Record<string, string> => ({
    'x-ratelimit-limit': String(bucket.limit),
    'x-ratelimit-remaining': String(Math.max(0, bucket.limit - bucket.used)),
    'x-ratelimit-reset': String(bucket.reset),
    'x-ratelimit-used': String(bucket.used),
    'x-ratelimit-resource': resource,
  });

  const primaryLimitReply = (
    id: string,
    status: number,
    reset: number,
    resource: string,
    isGraphql: boolean,
  ): Reply => {
    const message = `API rate limit exceeded for installation ID ${INSTALLATION_ID}. If you reach out to GitHub Support for help, please include the request ID ${id} and timestamp ${iso(now()).replace('T', ' ').replace('Z', '')} UTC.`;
    const headers = {
      'x-ratelimit-limit': String(hourlyLimit),
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String(reset),
      'x-ratelimit-used': String(hourlyLimit),
      'x-ratelimit-resource': resource,
    };
    // GraphQL reports its primary limit in-band, with a 200 and a RATE_LIMITED error.
    if (isGraphql)
      return {
        status: 200,
        body: { errors: [{ type: 'RATE_LIMITED', message }] },
        headers,
        fault: 'rate-limit',
      };
    return { status, body: errorBody(status, message, PRIMARY_DOCS), headers, fault: 'rate-limit' };
  };

  interface Dispatched {
    reply: Reply;
    canonicalPath: string;
    graphqlFields?: string[];
  }

  const dispatch = (req: IncomingMessage, raw: string, id: string): Dispatched => {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://localhost');
    let pathname = url.pathname;
    let prefix = '';
    // GHES layout: REST under /api/v3, GraphQL at /api/graphql.
    if (pathname === '/api/graphql') pathname = '/graphql';
    else if (pathname === '/api/v3' || pathname.startsWith('/api/v3/')) {
      prefix = '/api/v3';
      pathname = pathname.slice(prefix.length) || '/';
    }
    const repoMatch = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(pathname);
    const idMatch = /^\/repositories\/(\d+)(\/.*)?$/.exec(pathname);
    let repoSuffix: string | undefined;
    let canonicalPath = pathname;
    if (repoMatch) {
      const [, o = '', r = '', rest = ''] = repoMatch;
      // Owner and repository names are case-insensitive on GitHub.
      if (
        decodeURIComponent(o).toLowerCase() === owner.toLowerCase() &&
        decodeURIComponent(r).toLowerCase() === repoName.toLowerCase()
      ) {
        repoSuffix = rest;
        canonicalPath = `/repos/${owner}/${repoName}${rest}`;
      }
    } else if (idMatch && Number(idMatch[1]) === repoId) {
      repoSuffix = idMatch[2] ?? '';
      canonicalPath = `/repos/${owner}/${repoName}${repoSuffix}`;
    }

    if (!req.headers['user-agent']) {
      return {
        canonicalPath,
        reply: {
          status: 403,
          body: errorBody(
            403,
            'Request forbidden by administrative rules. Please make sure your request has a User-Agent header.',
            `${REST_DOCS}/overview/resources-in-the-rest-api#user-agent-required`,
          ),
        },
      };
    }

    const auth = req.headers.authorization ?? '';
    const credentials = /^(?:token|bearer)\s+(\S+)$/i.exec(auth.trim());
    if (!credentials || credentials[1] !== token) {
      const message = auth === '' ? 'Requires authentication' : 'Bad credentials';
      return {
        canonicalPath,
        reply: {
          status: 401,
          body: errorBody(
            401,
            message,
            pathname === '/graphql' ? 'https://docs.github.com/graphql' : REST_DOCS,
          ),
        },
      };
    }

    const isGraphql = pathname === '/graphql' && method === 'POST';
    const resource = pathname === '/graphql' ? 'graphql' : 'core';
    const bucket = bucketFor(pathname);
    const nowSeconds = Math.floor(now().getTime() / 1000);
    if (bucket) {
      if (bucket.reset <= nowSeconds) {
        bucket.used = 0;
        bucket.reset = nowSeconds + 3600;
      }
      if (bucket.used >= bucket.limit) {
        return { canonicalPath, reply: primaryLimitReply(id, 403, bucket.reset, resource, isGraphql) };
      }
      bucket.used++;
    }

    const parsed = isGraphql ? parseGraphqlRequest(raw) : undefined;
    const graphqlFields = parsed?.rootFields;

    const fault = takeCountedFault(method, canonicalPath);
    if (fault?.kind === 'rate-limit') {
      const reset = Math.ceil(now().getTime() / 1000) + fault.resetInSeconds;
      return {
        canonicalPath,
        graphqlFields,
        reply: primaryLimitReply(id, fault.status, reset, resource, isGraphql),
      };
    }
    if (fault?.kind === 'secondary-rate-limit') {
      const message = `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${id}.`;
      return {
        canonicalPath,
        graphqlFields,
        reply: {
          status: fault.status,
          body: errorBody(fault.status, message, SECONDARY_DOCS),
          headers: { 'retry-after': String(fault.retryAfter) },
          fault: 'secondary-rate-limit',
        },
      };
    }
    if (fault?.kind === 'server-error') {
      const messages: Record<number, string> = {
        500: 'Server Error',
        502: 'Server Error',
        503: 'Service Unavailable',
        504: "We couldn't respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists.",
      };
      return {
        canonicalPath,
        graphqlFields,
        reply: {
          status: fault.status,
          body: { message: messages[fault.status] ?? 'Server Error' },
          fault: 'server-error',
        },
      };
    }

    const standingFault = standing.find(
      (f) =>
        methodMatches(f.method, method) &&
        pathMatches(f.path, canonicalPath) &&
        (f.graphqlField === undefined || (graphqlFields ?? []).includes(f.graphqlField)),
    );

    if (isGraphql && parsed) {
      const forbidden =
        standingFault?.kind === 'forbidden'
          ? { message: standingFault.message, field: standingFault.graphqlField }
          : undefined;
      if (standingFault?.kind === 'not-found') {
        return {
          canonicalPath,
          graphqlFields,
          reply: {
            status: 404,
            body: errorBody(404, 'Not Found', 'https://docs.github.com/graphql'),
            fault: 'not-found',
          },
        };
      }
      const result = graphql(parsed, forbidden);
      return {
        canonicalPath,
        graphqlFields,
        reply: { status: 200, body: result, ...(forbidden ? { fault: 'forbidden' as const } : {}) },
      };
    }

    const routes = repoSuffix !== undefined ? repoRoutes : topRoutes;
    const routePath = repoSuffix !== undefined ? repoSuffix : pathname;
    let route: Route | undefined;
    let match: RegExpExecArray | null = null;
    for (const candidate of routes) {
      if (candidate.method !== method) continue;
      match = candidate.pattern.exec(routePath);
      if (match) {
        route = candidate;
        break;
      }
    }

    if (standingFault?.kind === 'forbidden') {
      const headers: Record<string, string> = route?.permission
        ? { 'x-accepted-github-permissions': route.permission }
        : {};
      return {
        canonicalPath,
        reply: {
          status: 403,
          body: errorBody(403, standingFault.message, route?.doc ?? REST_DOCS),
          headers,
          fault: 'forbidden',
        },
      };
    }
    if (standingFault?.kind === 'not-found') {
      return {
        canonicalPath,
        reply: { ...replyFrom(notFound(route?.doc ?? REST_DOCS)), fault: 'not-found' },
      };
    }
    if (!route || !match) return { canonicalPath, reply: replyFrom(notFound(REST_DOCS)) };

    const origin = `http://${req.headers.host ?? new URL(baseUrl).host}`;
    const request: ApiRequest = {
      method,
      path: routePath,
      query: url.searchParams,
      accept: String(req.headers.accept ?? ''),
      linkBase: `${origin}${prefix}/repositories/${repoId}`,
      json: (doc) => {
        if (raw.trim() === '') return {};
        let value: Json;
        try {
          value = JSON.parse(raw) as Json;
        } catch {
          throw new HttpError(400, errorBody(400, 'Problems parsing JSON', doc));
        }
        if (!isObject(value)) throw new HttpError(400, errorBody(400, 'Body should be a JSON object', doc));
        return value;
      },
    };
    try {
      return { canonicalPath, reply: route.handle(request, match) };
    } catch (error) {
      if (error instanceof HttpError) return { canonicalPath, reply: replyFrom(error) };
      throw error;
    }
  };

  const send = (
    res: ServerResponse,
    reply: Reply,
    id: string,
    bucket: RateBucket | undefined,
    resource: string,
  ): void => {
    const headers: Record<string, string> = {
      server: 'github.com',
      'x-github-request-id': id,
      'x-github-api-version-selected': '2022-11-28',
      'x-github-media-type': 'github.v3; format=json',
      ...(bucket ? rateHeaders(bucket, resource) : {}),
      ...reply.headers,
    };
    if (reply.raw) {
      res
        .writeHead(reply.status, {
          ...headers,
          'x-github-media-type': 'github.v3; param=raw',
          'content-type': reply.raw.contentType,
          'content-length': String(reply.raw.bytes.length),
        })
        .end(reply.raw.bytes);
      return;
    }
    if (reply.status === 204 || reply.body === undefined) {
      res.writeHead(reply.status, headers).end();
      return;
    }
    const text = JSON.stringify(reply.body);
    res
      .writeHead(reply.status, {
        ...headers,
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(Buffer.byteLength(text)),
      })
      .end(text);
  };

  const server = createServer((req, res) => {
    void (async () => {
      const id = requestId();
      const method = (req.method ?? 'GET').toUpperCase();
      let raw = '';
      let dispatched: Dispatched;
      try {
        raw = await readBody(req);
        dispatched = dispatch(req, raw, id);
      } catch (error) {
        // A bug in this server, not an API answer: say so loudly rather than mimic GitHub.
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        dispatched = {
          canonicalPath: req.url ?? '/',
          reply: { status: 500, body: { message: `test server bug: ${message}` } },
        };
      }
      const { reply, canonicalPath } = dispatched;
      const resourcePath = canonicalPath.startsWith('/graphql') ? '/graphql' : canonicalPath;
      // Unauthenticated callers see the anonymous limit (60/hour), as on GitHub.
      const bucket = reply.status === 401 ? anonymousBucket() : bucketFor(resourcePath);
      send(res, reply, id, bucket, resourcePath === '/graphql' ? 'graphql' : 'core');
      const record: RequestRecord = {
        method,
        path: canonicalPath,
        url: req.url ?? '/',
        status: reply.status,
      };
      if (method !== 'GET' && raw.trim() !== '') {
        try {
          record.body = JSON.parse(raw) as Json;
        } catch {
          // Unparseable bodies were already answered with 400; nothing to record.
        }
      }
      if (dispatched.graphqlFields) record.graphql = dispatched.graphqlFields;
      if (reply.fault) record.fault = reply.fault;
      requests.push(record);
    })();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: baseUrl,
    graphqlUrl: `${baseUrl}/graphql`,
    ghesUrl: `${baseUrl}/api/v3`,
    owner,
    repo: repoName,
    token,
    state,
    requests,
    faults,
    seedIssue: addIssue,
    seedComment: addComment,
    seedLabel: (input) => {
      if (findLabel(input.name)) throw new Error(`seedLabel: "${input.name}" exists`);
      return addLabel(input);
    },
    seedPullRequest: addPull,
    commentsOn,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Octokit's undici keeps connections alive; drop them so close() does not wait on them.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function replyFrom(error: HttpError): Reply {
  return { status: error.status, body: error.body, headers: error.headers };
}

// ---------------------------------------------------------------------------------------------
// GraphQL: a small parser and executor over a fixed slice of GitHub's schema
// ---------------------------------------------------------------------------------------------

interface Location {
  line: number;
  column: number;
}

type ValueNode =
  | { kind: 'variable'; name: string }
  | { kind: 'literal'; value: Json }
  | { kind: 'enum'; value: string }
  | { kind: 'list'; items: ValueNode[] }
  | { kind: 'object'; fields: Record<string, ValueNode> };

interface Directive {
  name: string;
  args: Record<string, ValueNode>;
}

interface FieldNode {
  kind: 'field';
  alias: string | undefined;
  name: string;
  args: Record<string, ValueNode>;
  directives: Directive[];
  selections: Selection[] | undefined;
  loc: Location;
}

interface InlineFragmentNode {
  kind: 'inline';
  typeCondition: string | undefined;
  directives: Directive[];
  selections: Selection[];
  loc: Location;
}

interface SpreadNode {
  kind: 'spread';
  name: string;
  directives: Directive[];
  loc: Location;
}

type Selection = FieldNode | InlineFragmentNode | SpreadNode;

interface TypeRef {
  name: string;
  list: boolean;
  nonNull: boolean;
}

interface OperationNode {
  operation: 'query' | 'mutation' | 'subscription';
  name: string | undefined;
  variables: Array<{ name: string; type: TypeRef; defaultValue: ValueNode | undefined }>;
  selections: Selection[];
  loc: Location;
}

interface DocumentNode {
  operations: OperationNode[];
  fragments: Map<string, { typeCondition: string; selections: Selection[] }>;
}

interface GqlErrorJson extends JsonObject {
  message: string;
}

class GqlSyntaxError extends Error {
  constructor(
    message: string,
    readonly loc: Location,
  ) {
    super(message);
  }
}

interface Token {
  kind: 'name' | 'punct' | 'number' | 'string' | 'eof';
  value: string;
  loc: Location;
}

function lex(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const at = (): Location => ({ line, column: i - lineStart + 1 });
  while (i < source.length) {
    const c = source[i] ?? '';
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === ',' || c === '\uFEFF') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    const loc = at();
    if (source.startsWith('...', i)) {
      tokens.push({ kind: 'punct', value: '...', loc });
      i += 3;
      continue;
    }
    if ('!$&()[]{}:=@|'.includes(c)) {
      tokens.push({ kind: 'punct', value: c, loc });
      i++;
      continue;
    }
    const name = /[_A-Za-z][_0-9A-Za-z]*/y;
    name.lastIndex = i;
    const nameMatch = name.exec(source);
    if (nameMatch) {
      tokens.push({ kind: 'name', value: nameMatch[0], loc });
      i += nameMatch[0].length;
      continue;
    }
    const number = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    number.lastIndex = i;
    const numberMatch = number.exec(source);
    if (numberMatch) {
      tokens.push({ kind: 'number', value: numberMatch[0], loc });
      i += numberMatch[0].length;
      continue;
    }
    if (source.startsWith('"""', i)) {
      let j = i + 3;
      let text = '';
      while (j < source.length && !source.startsWith('"""', j)) {
        if (source.startsWith('\\"""', j)) {
          text += '"""';
          j += 4;
          continue;
        }
        const ch = source[j] ?? '';
        if (ch === '\n') {
          line++;
          lineStart = j + 1;
        }
        text += ch;
        j++;
      }
      if (j >= source.length) throw new GqlSyntaxError('Unterminated string', loc);
      tokens.push({ kind: 'string', value: dedentBlockString(text), loc });
      i = j + 3;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let text = '';
      const escapes: Record<string, string> = {
        '"': '"',
        '\\': '\\',
        '/': '/',
        b: '\b',
        f: '\f',
        n: '\n',
        r: '\r',
        t: '\t',
      };
      for (;;) {
        const ch = source[j];
        if (ch === undefined || ch === '\n') throw new GqlSyntaxError('Unterminated string', loc);
        if (ch === '"') break;
        if (ch === '\\') {
          const next = source[j + 1] ?? '';
          if (next === 'u') {
            text += String.fromCharCode(Number.parseInt(source.slice(j + 2, j + 6), 16));
            j += 6;
            continue;
          }
          const escaped = escapes[next];
          if (escaped === undefined) throw new GqlSyntaxError(`Bad escape \\${next}`, loc);
          text += escaped;
          j += 2;
          continue;
        }
        text += ch;
        j++;
      }
      tokens.push({ kind: 'string', value: text, loc });
      i = j + 1;
      continue;
    }
    throw new GqlSyntaxError(`Parse error on "${c}" at [${loc.line}, ${loc.column}]`, loc);
  }
  tokens.push({ kind: 'eof', value: '', loc: at() });
  return tokens;
}

function dedentBlockString(raw: string): string {
  const lines = raw.split(/\r\n|\n|\r/);
  const indents = lines
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => l.length - l.trimStart().length);
  const common = indents.length > 0 ? Math.min(...indents) : 0;
  const out = lines.map((l, n) => (n === 0 ? l : l.slice(common)));
  while (out.length > 0 && (out[0] ?? '').trim() === '') out.shift();
  while (out.length > 0 && (out[out.length - 1] ?? '').trim() === '') out.pop();
  return out.join('\n');
}

function parseDocument(source: string): DocumentNode {
  const tokens = lex(source);
  let pos = 0;
  const peek = (): Token => tokens[pos] ?? tokens[tokens.length - 1]!;
  const next = (): Token => {
    const t = peek();
    if (t.kind !== 'eof') pos++;
    return t;
  };
  const fail = (t: Token): never => {
    if (t.kind === 'eof') throw new GqlSyntaxError('Unexpected end of document', t.loc);
    throw new GqlSyntaxError(`Parse error on "${t.value}" at [${t.loc.line}, ${t.loc.column}]`, t.loc);
  };
  const isPunct = (value: string): boolean => peek().kind === 'punct' && peek().value === value;
  const expectPunct = (value: string): Token => (isPunct(value) ? next() : fail(peek()));
  const expectName = (): string => (peek().kind === 'name' ? next().value : fail(peek()));

  const parseValue = (constant: boolean): ValueNode => {
    const t = peek();
    if (t.kind === 'punct' && t.value === '$' && !constant) {
      next();
      return { kind: 'variable', name: expectName() };
    }
    if (t.kind === 'punct' && t.value === '[') {
      next();
      const items: ValueNode[] = [];
      while (!isPunct(']')) items.push(parseValue(constant));
      next();
      return { kind: 'list', items };
    }
    if (t.kind === 'punct' && t.value === '{') {
      next();
      const fields: Record<string, ValueNode> = {};
      while (!isPunct('}')) {
        const key = expectName();
        expectPunct(':');
        fields[key] = parseValue(constant);
      }
      next();
      return { kind: 'object', fields };
    }
    if (t.kind === 'number') {
      next();
      return { kind: 'literal', value: Number(t.value) };
    }
    if (t.kind === 'string') {
      next();
      return { kind: 'literal', value: t.value };
    }
    if (t.kind === 'name') {
      next();
      if (t.value === 'true' || t.value === 'false') return { kind: 'literal', value: t.value === 'true' };
      if (t.value === 'null') return { kind: 'literal', value: null };
      return { kind: 'enum', value: t.value };
    }
    return fail(t);
  };

  const parseArgs = (): Record<string, ValueNode> => {
    const args: Record<string, ValueNode> = {};
    if (!isPunct('(')) return args;
    next();
    while (!isPunct(')')) {
      const key = expectName();
      expectPunct(':');
      args[key] = parseValue(false);
    }
    next();
    return args;
  };

  const parseDirectives = (): Directive[] => {
    const directives: Directive[] = [];
    while (isPunct('@')) {
      next();
      directives.push({ name: expectName(), args: parseArgs() });
    }
    return directives;
  };

  const parseSelections = (): Selection[] => {
    expectPunct('{');
    const selections: Selection[] = [];
    while (!isPunct('}')) {
      const loc = peek().loc;
      if (isPunct('...')) {
        next();
        if (peek().kind === 'name' && peek().value !== 'on') {
          selections.push({ kind: 'spread', name: next().value, directives: parseDirectives(), loc });
          continue;
        }
        let typeCondition: string | undefined;
        if (peek().kind === 'name' && peek().value === 'on') {
          next();
          typeCondition = expectName();
        }
        const directives = parseDirectives();
        selections.push({ kind: 'inline', typeCondition, directives, selections: parseSelections(), loc });
        continue;
      }
      let name = expectName();
      let alias: string | undefined;
      if (isPunct(':')) {
        next();
        alias = name;
        name = expectName();
      }
      const args = parseArgs();
      const directives = parseDirectives();
      const selectionsOf = isPunct('{') ? parseSelections() : undefined;
      selections.push({ kind: 'field', alias, name, args, directives, selections: selectionsOf, loc });
    }
    next();
    if (selections.length === 0) fail(tokens[pos - 1] ?? peek());
    return selections;
  };

  const parseType = (): TypeRef => {
    let ref: TypeRef;
    if (isPunct('[')) {
      next();
      const inner = parseType();
      expectPunct(']');
      ref = { name: inner.name, list: true, nonNull: false };
    } else {
      ref = { name: expectName(), list: false, nonNull: false };
    }
    if (isPunct('!')) {
      next();
      ref.nonNull = true;
    }
    return ref;
  };

  const document: DocumentNode = { operations: [], fragments: new Map() };
  while (peek().kind !== 'eof') {
    const t = peek();
    if (t.kind === 'punct' && t.value === '{') {
      document.operations.push({
        operation: 'query',
        name: undefined,
        variables: [],
        selections: parseSelections(),
        loc: t.loc,
      });
      continue;
    }
    if (t.kind === 'name' && (t.value === 'query' || t.value === 'mutation' || t.value === 'subscription')) {
      next();
      const name = peek().kind === 'name' ? next().value : undefined;
      const variables: OperationNode['variables'] = [];
      if (isPunct('(')) {
        next();
        while (!isPunct(')')) {
          expectPunct('$');
          const varName = expectName();
          expectPunct(':');
          const type = parseType();
          let defaultValue: ValueNode | undefined;
          if (isPunct('=')) {
            next();
            defaultValue = parseValue(true);
          }
          parseDirectives();
          variables.push({ name: varName, type, defaultValue });
        }
        next();
      }
      parseDirectives();
      document.operations.push({
        operation: t.value,
        name,
        variables,
        selections: parseSelections(),
        loc: t.loc,
      });
      continue;
    }
    if (t.kind === 'name' && t.value === 'fragment') {
      next();
      const name = expectName();
      if (expectName() !== 'on') fail(tokens[pos - 1] ?? t);
      const typeCondition = expectName();
      parseDirectives();
      document.fragments.set(name, { typeCondition, selections: parseSelections() });
      continue;
    }
    fail(t);
  }
  return document;
}

/** The request body after the GraphQL document has been parsed (or failed to). */
interface ParsedGraphqlRequest {
  document?: DocumentNode;
  variables: JsonObject;
  operationName: string | undefined;
  /** A request-level error (bad JSON, syntax error): answered as is. */
  error?: GqlErrorJson;
  rootFields: string[];
}

function parseGraphqlRequest(raw: string): ParsedGraphqlRequest {
  let body: Json;
  try {
    body = JSON.parse(raw) as Json;
  } catch {
    return {
      variables: {},
      operationName: undefined,
      rootFields: [],
      error: { message: 'Problems parsing JSON' },
    };
  }
  if (!isObject(body) || typeof body.query !== 'string') {
    return {
      variables: {},
      operationName: undefined,
      rootFields: [],
      error: { message: 'A query attribute must be specified and must be a string.' },
    };
  }
  const variables = isObject(body.variables) ? body.variables : {};
  const operationName = typeof body.operationName === 'string' ? body.operationName : undefined;
  try {
    const document = parseDocument(body.query);
    const rootFields = document.operations.flatMap((op) =>
      op.selections.flatMap((s) => (s.kind === 'field' ? [s.name] : [])),
    );
    return { document, variables, operationName, rootFields };
  } catch (error) {
    if (!(error instanceof GqlSyntaxError)) throw error;
    return {
      variables,
      operationName,
      rootFields: [],
      error: { message: error.message, locations: [{ line: error.loc.line, column: error.loc.column }] },
    };
  }
}

// -- schema ------------------------------------------------------------------------------------

interface TypeDef {
  kind: 'OBJECT' | 'INTERFACE' | 'UNION';
  /** Field name → type in SDL form (`String!`, `[IssueComment]`). */
  fields: Record<string, string>;
  possibleTypes?: string[];
}

const LEAF_TYPES = new Set([
  'String',
  'Int',
  'Float',
  'Boolean',
  'ID',
  'DateTime',
  'URI',
  'HTML',
  'IssueState',
  'IssueStateReason',
  'PullRequestState',
]);

const ACTOR_FIELDS = { login: 'String!', avatarUrl: 'URI!', url: 'URI!' };
const CONNECTION_FIELDS = (node: string): Record<string, string> => ({
  nodes: `[${node}]`,
  edges: `[${node}Edge]`,
  pageInfo: 'PageInfo!',
  totalCount: 'Int!',
});
const COMMENT_CONNECTION_ARGS_TYPE = 'IssueCommentConnection!';
const ISSUEISH_FIELDS = {
  id: 'ID!',
  databaseId: 'Int',
  number: 'Int!',
  title: 'String!',
  body: 'String!',
  url: 'URI!',
  closed: 'Boolean!',
  closedAt: 'DateTime',
  createdAt: 'DateTime!',
  updatedAt: 'DateTime!',
  author: 'Actor',
  comments: COMMENT_CONNECTION_ARGS_TYPE,
  labels: 'LabelConnection',
  repository: 'Repository!',
  viewerDidAuthor: 'Boolean!',
  locked: 'Boolean!',
};

const SCHEMA: Record<string, TypeDef> = {
  Query: {
    kind: 'OBJECT',
    fields: { viewer: 'User!', repository: 'Repository', node: 'Node', rateLimit: 'RateLimit' },
  },
  Mutation: {
    kind: 'OBJECT',
    fields: {
      minimizeComment: 'MinimizeCommentPayload',
      unminimizeComment: 'UnminimizeCommentPayload',
      updateIssueComment: 'UpdateIssueCommentPayload',
      deleteIssueComment: 'DeleteIssueCommentPayload',
      addComment: 'AddCommentPayload',
    },
  },
  Node: {
    kind: 'INTERFACE',
    fields: { id: 'ID!' },
    possibleTypes: [
      'Issue',
      'PullRequest',
      'IssueComment',
      'Label',
      'Repository',
      'User',
      'Bot',
      'Organization',
    ],
  },
  Actor: { kind: 'INTERFACE', fields: ACTOR_FIELDS, possibleTypes: ['User', 'Bot', 'Organization'] },
  RepositoryOwner: {
    kind: 'INTERFACE',
    fields: { id: 'ID!', login: 'String!', url: 'URI!' },
    possibleTypes: ['User', 'Organization'],
  },
  Minimizable: {
    kind: 'INTERFACE',
    fields: { isMinimized: 'Boolean!', minimizedReason: 'String', viewerCanMinimize: 'Boolean!' },
    possibleTypes: ['IssueComment'],
  },
  IssueOrPullRequest: { kind: 'UNION', fields: {}, possibleTypes: ['Issue', 'PullRequest'] },
  User: { kind: 'OBJECT', fields: { ...ACTOR_FIELDS, id: 'ID!', databaseId: 'Int', name: 'String' } },
  Bot: { kind: 'OBJECT', fields: { ...ACTOR_FIELDS, id: 'ID!', databaseId: 'Int' } },
  Organization: { kind: 'OBJECT', fields: { ...ACTOR_FIELDS, id: 'ID!', databaseId: 'Int', name: 'String' } },
  Repository: {
    kind: 'OBJECT',
    fields: {
      id: 'ID!',
      databaseId: 'Int',
      name: 'String!',
      nameWithOwner: 'String!',
      url: 'URI!',
      owner: 'RepositoryOwner!',
      issue: 'Issue',
      pullRequest: 'PullRequest',
      issueOrPullRequest: 'IssueOrPullRequest',
      label: 'Label',
      labels: 'LabelConnection',
    },
  },
  Issue: {
    kind: 'OBJECT',
    fields: { ...ISSUEISH_FIELDS, state: 'IssueState!', stateReason: 'IssueStateReason' },
  },
  PullRequest: {
    kind: 'OBJECT',
    fields: { ...ISSUEISH_FIELDS, state: 'PullRequestState!', isDraft: 'Boolean!' },
  },
  IssueComment: {
    kind: 'OBJECT',
    fields: {
      id: 'ID!',
      databaseId: 'Int',
      body: 'String!',
      author: 'Actor',
      isMinimized: 'Boolean!',
      minimizedReason: 'String',
      viewerCanMinimize: 'Boolean!',
      viewerCanUpdate: 'Boolean!',
      viewerCanDelete: 'Boolean!',
      viewerDidAuthor: 'Boolean!',
      createdAt: 'DateTime!',
      updatedAt: 'DateTime!',
      url: 'URI!',
      issue: 'Issue!',
      pullRequest: 'PullRequest',
    },
  },
  IssueCommentConnection: { kind: 'OBJECT', fields: CONNECTION_FIELDS('IssueComment') },
  IssueCommentEdge: { kind: 'OBJECT', fields: { node: 'IssueComment', cursor: 'String!' } },
  Label: {
    kind: 'OBJECT',
    fields: {
      id: 'ID!',
      name: 'String!',
      color: 'String!',
      description: 'String',
      isDefault: 'Boolean!',
      url: 'URI!',
    },
  },
  LabelConnection: { kind: 'OBJECT', fields: CONNECTION_FIELDS('Label') },
  LabelEdge: { kind: 'OBJECT', fields: { node: 'Label', cursor: 'String!' } },
  PageInfo: {
    kind: 'OBJECT',
    fields: {
      hasNextPage: 'Boolean!',
      hasPreviousPage: 'Boolean!',
      startCursor: 'String',
      endCursor: 'String',
    },
  },
  RateLimit: {
    kind: 'OBJECT',
    fields: {
      limit: 'Int!',
      cost: 'Int!',
      remaining: 'Int!',
      resetAt: 'DateTime!',
      used: 'Int!',
      nodeCount: 'Int!',
    },
  },
  MinimizeCommentPayload: {
    kind: 'OBJECT',
    fields: { clientMutationId: 'String', minimizedComment: 'Minimizable' },
  },
  UnminimizeCommentPayload: {
    kind: 'OBJECT',
    fields: { clientMutationId: 'String', unminimizedComment: 'Minimizable' },
  },
  UpdateIssueCommentPayload: {
    kind: 'OBJECT',
    fields: { clientMutationId: 'String', issueComment: 'IssueComment' },
  },
  DeleteIssueCommentPayload: { kind: 'OBJECT', fields: { clientMutationId: 'String' } },
  AddCommentPayload: {
    kind: 'OBJECT',
    fields: { clientMutationId: 'String', commentEdge: 'IssueCommentEdge', subject: 'Node' },
  },
};

const namedType = (sdl: string): string => sdl.replace(/[[\]!]/g, '');

function typeApplies(condition: string, runtimeType: string): boolean {
  return condition === runtimeType || (SCHEMA[condition]?.possibleTypes ?? []).includes(runtimeType);
}

// -- executor ----------------------------------------------------------------------------------

/** A resolved object: its GraphQL type and the record behind it. */
type Src =
  | { t: 'Query' | 'Mutation' | 'Repository' | 'RateLimit' }
  | { t: 'User' | 'Bot' | 'Organization'; actor: Actor; login: string }
  | { t: 'Issue' | 'PullRequest'; issue: IssueRecord }
  | { t: 'IssueComment'; comment: CommentRecord }
  | { t: 'Label'; label: LabelRecord }
  | { t: 'IssueCommentConnection'; page: Page<CommentRecord> }
  | { t: 'IssueCommentEdge'; comment: CommentRecord; cursor: string }
  | { t: 'LabelConnection'; page: Page<LabelRecord> }
  | { t: 'LabelEdge'; label: LabelRecord; cursor: string }
  | { t: 'PageInfo'; page: Page<unknown> }
  | {
      t: 'MinimizeCommentPayload' | 'UnminimizeCommentPayload';
      clientMutationId: string | null;
      comment: CommentRecord;
    }
  | { t: 'UpdateIssueCommentPayload'; clientMutationId: string | null; comment: CommentRecord }
  | { t: 'DeleteIssueCommentPayload'; clientMutationId: string | null }
  | {
      t: 'AddCommentPayload';
      clientMutationId: string | null;
      comment: CommentRecord;
      cursor: string;
      issue: IssueRecord;
    };

type Resolved = Src | string | number | boolean | null | Resolved[];

interface Page<T> {
  items: T[];
  cursors: string[];
  total: number;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

/** A field-level failure: that field becomes null and an error with its path is reported. */
class FieldError extends Error {
  constructor(
    message: string,
    readonly type?: string,
  ) {
    super(message);
  }
}

interface ExecutorContext {
  state: GitHubState;
  owner: string;
  repoName: string;
  htmlRepo: string;
  findIssue(n: number): IssueRecord | undefined;
  commentsOn(n: number): CommentRecord[];
  findLabel(name: string): LabelRecord | undefined;
  addComment(input: SeedComment): CommentRecord;
  rateLimit(): RateBucket;
  timestamp(): string;
}

const encodeCursor = (index: number): string => Buffer.from(`cursor:v2:${index}`).toString('base64');
const decodeCursor = (cursor: string): number => {
  const m = /^cursor:v2:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  if (!m)
    throw new FieldError(`\`${cursor}\` does not appear to be a valid cursor.`, 'INVALID_CURSOR_ARGUMENTS');
  return Number(m[1]);
};

/** Relay paging as GitHub applies it: `first`/`last` required, at most 100. */
function connection<T>(items: readonly T[], args: JsonObject, field: string): Page<T> {
  const first = args.first;
  const last = args.last;
  if (typeof first !== 'number' && typeof last !== 'number') {
    throw new FieldError(
      `You must provide a \`first\` or \`last\` value to properly paginate the \`${field}\` connection.`,
      'MISSING_PAGINATION_BOUNDARIES',
    );
  }
  for (const [name, value] of [
    ['first', first],
    ['last', last],
  ] as const) {
    if (typeof value === 'number' && (value < 0 || value > 100)) {
      throw new FieldError(
        value < 0
          ? `\`${name}\` on the \`${field}\` connection cannot be less than zero.`
          : `Requesting ${value} records on the \`${field}\` connection exceeds the \`${name}\` limit of 100 records.`,
        'EXCESSIVE_PAGINATION',
      );
    }
  }
  let start = 0;
  let end = items.length;
  if (typeof args.after === 'string') start = Math.max(start, decodeCursor(args.after) + 1);
  if (typeof args.before === 'string') end = Math.min(end, decodeCursor(args.before));
  if (typeof first === 'number') end = Math.min(end, start + first);
  if (typeof last === 'number') start = Math.max(start, end - last);
  const indexes = Array.from({ length: Math.max(0, end - start) }, (_, k) => start + k);
  return {
    items: indexes.map((k) => items[k] as T),
    cursors: indexes.map(encodeCursor),
    total: items.length,
    hasNextPage: end < items.length,
    hasPreviousPage: start > 0,
  };
}

function createGraphqlExecutor(
  ctx: ExecutorContext,
): (request: ParsedGraphqlRequest, forbidden?: { message: string; field: string | undefined }) => JsonObject {
  const { state } = ctx;
  const graphqlActor = (actor: Actor): Src =>
    actor.type === 'Bot'
      ? { t: 'Bot', actor, login: actor.login.replace(/\[bot\]$/, '') }
      : { t: actor.type, actor, login: actor.login };
  const issueSrc = (issue: IssueRecord): Src => ({ t: issue.pullRequest ? 'PullRequest' : 'Issue', issue });
  const htmlUrl = (issue: IssueRecord): string =>
    `${ctx.htmlRepo}/${issue.pullRequest ? 'pull' : 'issues'}/${issue.number}`;

  const findNode = (id: string): Src | undefined => {
    const comment = state.comments.find((c) => c.nodeId === id);
    if (comment) return { t: 'IssueComment', comment };
    const issue = state.issues.find((i) => i.nodeId === id);
    if (issue) return issueSrc(issue);
    const label = state.labels.find((l) => l.nodeId === id);
    if (label) return { t: 'Label', label };
    if (id === state.repository.nodeId) return { t: 'Repository' };
    if (id === state.viewer.nodeId) return graphqlActor(state.viewer);
    return undefined;
  };

  const notResolvable = (id: Json | undefined): FieldError =>
    new FieldError(`Could not resolve to a node with the global id of '${String(id)}'`, 'NOT_FOUND');

  const inputOf = (args: JsonObject, field: string, typeName: string, required: string[]): JsonObject => {
    const input = args.input;
    if (!isObject(input))
      throw new FieldError(
        `Argument 'input' on Field '${field}' has an invalid value. Expected type '${typeName}!'.`,
      );
    for (const key of required) {
      if (input[key] === undefined || input[key] === null) {
        throw new FieldError(
          `Argument '${key}' on InputObject '${typeName}' is required. Expected type String!`,
        );
      }
    }
    return input;
  };

  const mutationId = (input: JsonObject): string | null =>
    typeof input.clientMutationId === 'string' ? input.clientMutationId : null;

  const commentByNodeId = (id: Json | undefined): CommentRecord => {
    const comment = state.comments.find((c) => c.nodeId === id);
    if (!comment) throw notResolvable(id);
    return comment;
  };

  const checkGraphqlBody = (body: Json | undefined): string => {
    if (typeof body !== 'string')
      throw new FieldError("Argument 'body' on InputObject is required. Expected type String!");
    if (charCount(body) > MAX_BODY_CHARS) {
      throw new FieldError(`Body is too long (maximum is ${MAX_BODY_CHARS} characters)`, 'UNPROCESSABLE');
    }
    return body;
  };

  const resolve = (src: Src, field: string, args: JsonObject): Resolved => {
    switch (src.t) {
      case 'Query':
        if (field === 'viewer') return { t: 'User', actor: state.viewer, login: state.viewer.login };
        if (field === 'rateLimit') return { t: 'RateLimit' };
        if (field === 'node') return findNode(String(args.id)) ?? fail(notResolvable(args.id));
        if (field === 'repository') {
          const o = String(args.owner ?? '');
          const n = String(args.name ?? '');
          if (o.toLowerCase() !== ctx.owner.toLowerCase() || n.toLowerCase() !== ctx.repoName.toLowerCase()) {
            throw new FieldError(`Could not resolve to a Repository with the name '${o}/${n}'.`, 'NOT_FOUND');
          }
          return { t: 'Repository' };
        }
        break;
      case 'Mutation':
        return mutate(field, args);
      case 'Repository': {
        const number = Number(args.number);
        if (field === 'id') return state.repository.nodeId;
        if (field === 'databaseId') return state.repository.id;
        if (field === 'name') return ctx.repoName;
        if (field === 'nameWithOwner') return `${ctx.owner}/${ctx.repoName}`;
        if (field === 'url') return ctx.htmlRepo;
        if (field === 'owner') return graphqlActor(toActor(ctx.owner, state.viewer));
        if (field === 'issue' || field === 'pullRequest' || field === 'issueOrPullRequest') {
          const issue = ctx.findIssue(number);
          const wanted = field === 'issue' ? false : field === 'pullRequest' ? true : undefined;
          if (!issue || (wanted !== undefined && issue.pullRequest !== wanted)) {
            const what =
              field === 'issue'
                ? 'an Issue'
                : field === 'pullRequest'
                  ? 'a PullRequest'
                  : 'an issue or pull request';
            throw new FieldError(`Could not resolve to ${what} with the number of ${number}.`, 'NOT_FOUND');
          }
          return issueSrc(issue);
        }
        if (field === 'label') {
          const label = ctx.findLabel(String(args.name ?? ''));
          return label ? { t: 'Label', label } : null;
        }
        if (field === 'labels')
          return { t: 'LabelConnection', page: connection(state.labels, args, 'labels') };
        break;
      }
      case 'User':
      case 'Bot':
      case 'Organization':
        if (field === 'login') return src.login;
        if (field === 'id') return src.actor.nodeId;
        if (field === 'databaseId') return src.actor.id;
        if (field === 'name') return null;
        if (field === 'url')
          return src.t === 'Bot' ? `https://github.com/apps/${src.login}` : `https://github.com/${src.login}`;
        if (field === 'avatarUrl') return `https://avatars.githubusercontent.com/u/${src.actor.id}?v=4`;
        break;
      case 'Issue':
      case 'PullRequest': {
        const i = src.issue;
        switch (field) {
          case 'id':
            return i.nodeId;
          case 'databaseId':
            return i.id;
          case 'number':
            return i.number;
          case 'title':
            return i.title;
          case 'body':
            return i.body ?? '';
          case 'url':
            return htmlUrl(i);
          case 'closed':
            return i.state === 'closed';
          case 'closedAt':
            return i.closedAt;
          case 'createdAt':
            return i.createdAt;
          case 'updatedAt':
            return i.updatedAt;
          case 'author':
            return graphqlActor(i.author);
          case 'state':
            return i.state.toUpperCase();
          case 'stateReason':
            return i.stateReason === null ? null : i.stateReason.toUpperCase();
          case 'isDraft':
            return false;
          case 'locked':
            return i.locked;
          case 'viewerDidAuthor':
            return i.author.id === state.viewer.id;
          case 'repository':
            return { t: 'Repository' };
          case 'comments':
            return {
              t: 'IssueCommentConnection',
              page: connection(ctx.commentsOn(i.number), args, 'comments'),
            };
          case 'labels': {
            const labels = i.labels.flatMap((n) => {
              const l = ctx.findLabel(n);
              return l ? [l] : [];
            });
            return { t: 'LabelConnection', page: connection(labels, args, 'labels') };
          }
        }
        break;
      }
      case 'IssueComment': {
        const c = src.comment;
        const issue = ctx.findIssue(c.issueNumber);
        switch (field) {
          case 'id':
            return c.nodeId;
          case 'databaseId':
            return c.id;
          case 'body':
            return c.body;
          case 'author':
            return graphqlActor(c.author);
          case 'isMinimized':
            return c.isMinimized;
          case 'minimizedReason':
            return c.minimizedReason;
          case 'viewerCanMinimize':
          case 'viewerCanUpdate':
          case 'viewerCanDelete':
            return true;
          case 'viewerDidAuthor':
            return c.author.id === state.viewer.id;
          case 'createdAt':
            return c.createdAt;
          case 'updatedAt':
            return c.updatedAt;
          case 'url':
            return issue ? `${htmlUrl(issue)}#issuecomment-${c.id}` : null;
          case 'issue':
            return issue ? { t: 'Issue', issue } : null;
          case 'pullRequest':
            return issue?.pullRequest ? { t: 'PullRequest', issue } : null;
        }
        break;
      }
      case 'Label': {
        const l = src.label;
        if (field === 'id') return l.nodeId;
        if (field === 'name') return l.name;
        if (field === 'color') return l.color;
        if (field === 'description') return l.description;
        if (field === 'isDefault') return l.default;
        if (field === 'url') return `${ctx.htmlRepo}/labels/${encodeURIComponent(l.name)}`;
        break;
      }
      case 'IssueCommentConnection':
      case 'LabelConnection': {
        const p: Page<CommentRecord | LabelRecord> = src.page;
        if (field === 'totalCount') return p.total;
        if (field === 'pageInfo') return { t: 'PageInfo', page: p };
        const toNode = (item: CommentRecord | LabelRecord): Src =>
          src.t === 'IssueCommentConnection'
            ? { t: 'IssueComment', comment: item as CommentRecord }
            : { t: 'Label', label: item as LabelRecord };
        if (field === 'nodes') return p.items.map(toNode);
        if (field === 'edges') {
          return p.items.map((item, k): Src => {
            const cursor = p.cursors[k] ?? '';
            return src.t === 'IssueCommentConnection'
              ? { t: 'IssueCommentEdge', comment: item as CommentRecord, cursor }
              : { t: 'LabelEdge', label: item as LabelRecord, cursor };
          });
        }
        break;
      }
      case 'IssueCommentEdge':
        return field === 'cursor' ? src.cursor : { t: 'IssueComment', comment: src.comment };
      case 'LabelEdge':
        return field === 'cursor' ? src.cursor : { t: 'Label', label: src.label };
      case 'PageInfo': {
        const p = src.page;
        if (field === 'hasNextPage') return p.hasNextPage;
        if (field === 'hasPreviousPage') return p.hasPreviousPage;
        if (field === 'startCursor') return p.cursors[0] ?? null;
        if (field === 'endCursor') return p.cursors[p.cursors.length - 1] ?? null;
        break;
      }
      case 'RateLimit': {
        const b = ctx.rateLimit();
        if (field === 'limit') return b.limit;
        if (field === 'cost') return 1;
        if (field === 'remaining') return Math.max(0, b.limit - b.used);
        if (field === 'used') return b.used;
        if (field === 'resetAt') return iso(new Date(b.reset * 1000));
        if (field === 'nodeCount') return 0;
        break;
      }
      case 'MinimizeCommentPayload':
      case 'UnminimizeCommentPayload':
      case 'UpdateIssueCommentPayload':
        if (field === 'clientMutationId') return src.clientMutationId;
        return { t: 'IssueComment', comment: src.comment };
      case 'DeleteIssueCommentPayload':
        return src.clientMutationId;
      case 'AddCommentPayload':
        if (field === 'clientMutationId') return src.clientMutationId;
        if (field === 'subject') return issueSrc(src.issue);
        return { t: 'IssueCommentEdge', comment: src.comment, cursor: src.cursor };
    }
    // Validation rejected unknown fields already; reaching here means the schema table and
    // resolvers disagree, which is a bug in this file.
    throw new Error(`no resolver for ${src.t}.${field}`);
  };

  const mutate = (field: string, args: JsonObject): Resolved => {
    switch (field) {
      case 'minimizeComment': {
        const input = inputOf(args, field, 'MinimizeCommentInput', ['subjectId', 'classifier']);
        const classifier = String(input.classifier);
        const reason = MINIMIZE_REASONS[classifier];
        if (reason === undefined) {
          throw new FieldError(
            `Argument 'classifier' on InputObject 'MinimizeCommentInput' has an invalid value (${classifier}). Expected type 'ReportedContentClassifiers!'.`,
          );
        }
        const comment = commentByNodeId(input.subjectId);
        comment.isMinimized = true;
        comment.minimizedReason = reason;
        return { t: 'MinimizeCommentPayload', clientMutationId: mutationId(input), comment };
      }
      case 'unminimizeComment': {
        const input = inputOf(args, field, 'UnminimizeCommentInput', ['subjectId']);
        const comment = commentByNodeId(input.subjectId);
        comment.isMinimized = false;
        comment.minimizedReason = null;
        return { t: 'UnminimizeCommentPayload', clientMutationId: mutationId(input), comment };
      }
      case 'updateIssueComment': {
        const input = inputOf(args, field, 'UpdateIssueCommentInput', ['id', 'body']);
        const comment = commentByNodeId(input.id);
        comment.body = checkGraphqlBody(input.body);
        comment.updatedAt = ctx.timestamp();
        return { t: 'UpdateIssueCommentPayload', clientMutationId: mutationId(input), comment };
      }
      case 'deleteIssueComment': {
        const input = inputOf(args, field, 'DeleteIssueCommentInput', ['id']);
        const comment = commentByNodeId(input.id);
        state.comments.splice(state.comments.indexOf(comment), 1);
        return { t: 'DeleteIssueCommentPayload', clientMutationId: mutationId(input) };
      }
      case 'addComment': {
        const input = inputOf(args, field, 'AddCommentInput', ['subjectId', 'body']);
        const issue = state.issues.find((i) => i.nodeId === input.subjectId);
        if (!issue) throw notResolvable(input.subjectId);
        const comment = ctx.addComment({ issueNumber: issue.number, body: checkGraphqlBody(input.body) });
        const cursor = encodeCursor(ctx.commentsOn(issue.number).indexOf(comment));
        return {
          t: 'AddCommentPayload',
          clientMutationId: mutationId(input),
          comment,
          cursor,
          issue,
        };
      }
    }
    throw new Error(`no mutation ${field}`);
  };

  const fail = (error: FieldError): never => {
    throw error;
  };

  // Static validation, so an unknown field fails the whole request before any mutation runs.
  const validate = (
    document: DocumentNode,
    selections: Selection[],
    typeName: string,
    path: string[],
    errors: GqlErrorJson[],
  ): void => {
    const type = SCHEMA[typeName];
    for (const s of selections) {
      if (s.kind === 'spread') {
        const fragment = document.fragments.get(s.name);
        if (!fragment) {
          errors.push({
            message: `Fragment ${s.name} was used, but not defined`,
            locations: [{ ...s.loc }],
            path: [...path],
          });
          continue;
        }
        if (!SCHEMA[fragment.typeCondition]) {
          errors.push({
            message: `No such type ${fragment.typeCondition}, so it can't be a fragment condition`,
            locations: [{ ...s.loc }],
          });
          continue;
        }
        validate(document, fragment.selections, fragment.typeCondition, path, errors);
        continue;
      }
      if (s.kind === 'inline') {
        const condition = s.typeCondition ?? typeName;
        if (!SCHEMA[condition]) {
          errors.push({
            message: `No such type ${condition}, so it can't be a fragment condition`,
            locations: [{ ...s.loc }],
          });
          continue;
        }
        validate(document, s.selections, condition, path, errors);
        continue;
      }
      const fieldPath = [...path, s.alias ?? s.name];
      if (s.name === '__typename') continue;
      const sdl = type?.fields[s.name];
      if (sdl === undefined) {
        errors.push({
          message: `Field '${s.name}' doesn't exist on type '${typeName}'`,
          locations: [{ ...s.loc }],
          path: fieldPath,
          extensions: { code: 'undefinedField', typeName, fieldName: s.name },
        });
        continue;
      }
      const returnType = namedType(sdl);
      if (LEAF_TYPES.has(returnType)) {
        if (s.selections) {
          errors.push({
            message: `Selections can't be made on scalars (field '${s.name}' returns ${returnType} but has selections [${s.selections
              .map((x) => (x.kind === 'field' ? x.name : '...'))
              .join(', ')}])`,
            locations: [{ ...s.loc }],
            path: fieldPath,
          });
        }
      } else if (!s.selections) {
        errors.push({
          message: `Field must have selections (field '${s.name}' returns ${returnType} but has no selections. Did you mean '${s.name} { ... }'?)`,
          locations: [{ ...s.loc }],
          path: fieldPath,
        });
      } else {
        validate(document, s.selections, returnType, fieldPath, errors);
      }
    }
  };

  const evaluate = (node: ValueNode, variables: JsonObject): Json => {
    switch (node.kind) {
      case 'variable':
        return variables[node.name] ?? null;
      case 'literal':
        return node.value;
      case 'enum':
        return node.value;
      case 'list':
        return node.items.map((item) => evaluate(item, variables));
      case 'object': {
        const out: JsonObject = {};
        for (const [key, value] of Object.entries(node.fields)) out[key] = evaluate(value, variables);
        return out;
      }
    }
  };

  const included = (directives: Directive[], variables: JsonObject): boolean =>
    directives.every((d) => {
      const condition = d.args.if ? evaluate(d.args.if, variables) : undefined;
      if (d.name === 'include') return condition === true;
      if (d.name === 'skip') return condition !== true;
      return true;
    });

  /** Fields to resolve on an object of `runtimeType`, fragments expanded, grouped by response key. */
  const collect = (
    document: DocumentNode,
    selections: Selection[],
    runtimeType: string,
    variables: JsonObject,
    out: Map<string, FieldNode[]>,
  ): Map<string, FieldNode[]> => {
    for (const s of selections) {
      if (!included(s.directives, variables)) continue;
      if (s.kind === 'field') {
        const key = s.alias ?? s.name;
        out.set(key, [...(out.get(key) ?? []), s]);
      } else if (s.kind === 'inline') {
        if (s.typeCondition === undefined || typeApplies(s.typeCondition, runtimeType)) {
          collect(document, s.selections, runtimeType, variables, out);
        }
      } else {
        const fragment = document.fragments.get(s.name);
        if (fragment && typeApplies(fragment.typeCondition, runtimeType)) {
          collect(document, fragment.selections, runtimeType, variables, out);
        }
      }
    }
    return out;
  };

  return (request, forbidden): JsonObject => {
    if (request.error || !request.document) return { errors: [request.error ?? { message: 'No query' }] };
    const document = request.document;
    const operations = document.operations;
    const operation =
      request.operationName !== undefined
        ? operations.find((op) => op.name === request.operationName)
        : operations.length === 1
          ? operations[0]
          : undefined;
    if (!operation) {
      const message =
        request.operationName !== undefined
          ? `No operation named "${request.operationName}"`
          : operations.length === 0
            ? 'No operations in query document'
            : 'An operation name is required';
      return { errors: [{ message }] };
    }
    if (operation.operation === 'subscription') {
      return { errors: [{ message: 'Subscriptions are not supported' }] };
    }

    const rootType = operation.operation === 'mutation' ? 'Mutation' : 'Query';
    const validationErrors: GqlErrorJson[] = [];
    validate(document, operation.selections, rootType, [operation.operation], validationErrors);
    if (validationErrors.length > 0) return { errors: validationErrors };

    const variables: JsonObject = { ...request.variables };
    for (const v of operation.variables) {
      if (variables[v.name] === undefined && v.defaultValue) variables[v.name] = evaluate(v.defaultValue, {});
      if (v.type.nonNull && (variables[v.name] === undefined || variables[v.name] === null)) {
        return {
          errors: [
            {
              message: `Variable $${v.name} of type ${v.type.list ? `[${v.type.name}]` : v.type.name}! was provided invalid value`,
              locations: [{ ...operation.loc }],
              extensions: {
                value: null,
                problems: [{ path: [], explanation: 'Expected value to not be null' }],
              },
            },
          ],
        };
      }
    }

    const errors: GqlErrorJson[] = [];
    const complete = (value: Resolved, fields: FieldNode[], path: Array<string | number>): Json => {
      if (value === null) return null;
      if (Array.isArray(value)) return value.map((item, k) => complete(item, fields, [...path, k]));
      if (typeof value !== 'object') return value;
      const subSelections = fields.flatMap((f) => f.selections ?? []);
      return executeSelections(value, subSelections, path);
    };
    const executeSelections = (
      src: Src,
      selections: Selection[],
      path: Array<string | number>,
    ): JsonObject => {
      const out: JsonObject = {};
      for (const [key, fields] of collect(document, selections, src.t, variables, new Map())) {
        const field = fields[0]!;
        const fieldPath = [...path, key];
        if (field.name === '__typename') {
          out[key] = src.t;
          continue;
        }
        if (
          path.length === 0 &&
          forbidden &&
          (forbidden.field === undefined || forbidden.field === field.name)
        ) {
          out[key] = null;
          errors.push({
            type: 'FORBIDDEN',
            path: fieldPath,
            extensions: { saml_failure: false },
            locations: [{ ...field.loc }],
            message: forbidden.message,
          });
          continue;
        }
        const args: JsonObject = {};
        for (const [name, node] of Object.entries(field.args)) args[name] = evaluate(node, variables);
        try {
          out[key] = complete(resolve(src, field.name, args), fields, fieldPath);
        } catch (error) {
          if (!(error instanceof FieldError)) throw error;
          out[key] = null;
          const json: GqlErrorJson = {
            path: fieldPath,
            locations: [{ ...field.loc }],
            message: error.message,
          };
          if (error.type) json.type = error.type;
          errors.push(json);
        }
      }
      return out;
    };

    const data = executeSelections({ t: rootType }, operation.selections, []);
    return errors.length > 0 ? { data, errors } : { data };
  };
}
