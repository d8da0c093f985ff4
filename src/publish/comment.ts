/**
 * The sticky pull-request comment, found by its hidden marker on every page of comments, and
 * only among the comments the token's own account wrote: the marker is visible in the raw body,
 * so anyone can copy it into a comment of theirs.
 */
import { markerComment, withoutRunDetails } from '../report/markdown.js';
import { githubCall, type Octokit, type Repo } from './github.js';
import { type Author, authorName, splitByAuthor, whoAmI } from './identity.js';

/** What happens to the comment of an earlier run: edited, left, deleted or hidden. */
export type CommentBehavior = 'update' | 'new' | 'delete-and-new' | 'hide-and-new';
export const COMMENT_BEHAVIORS: readonly CommentBehavior[] = [
  'update',
  'new',
  'delete-and-new',
  'hide-and-new',
];

/** What a publish did: `unchanged` means the latest post already said the same and was left alone. */
export type PublishResult = 'created' | 'updated' | 'unchanged';

const PERMISSION = 'pull-requests: write';

interface MarkedComment {
  id: number;
  nodeId: string;
  body: string;
  url: string;
  author: Author;
}

async function markedComments(
  octokit: Octokit,
  repo: Repo,
  pull: number,
  marker: string,
): Promise<MarkedComment[]> {
  const found: MarkedComment[] = [];
  for await (const page of octokit.paginate.iterator(octokit.rest.issues.listComments, {
    ...repo,
    issue_number: pull,
    per_page: 100,
  })) {
    for (const c of page.data) {
      const body = c.body ?? '';
      if (body.includes(marker))
        found.push({ id: c.id, nodeId: c.node_id, body, url: c.html_url, author: c.user });
    }
  }
  return found;
}

const MINIMIZE = `mutation($id: ID!) {
  minimizeComment(input: { subjectId: $id, classifier: OUTDATED }) { minimizedComment { isMinimized } }
}`;

export interface CommentRequest {
  key: string;
  body: string;
  behavior: CommentBehavior;
  warn: (message: string) => void;
}

export async function publishComment(
  octokit: Octokit,
  repo: Repo,
  pull: number,
  request: CommentRequest,
): Promise<{ id: number; url: string; result: PublishResult }> {
  const marker = markerComment(request.key);
  return githubCall(`Publishing the report comment on pull request #${pull}`, PERMISSION, async () => {
    const previous =
      request.behavior === 'new' ? [] : await ownComments(octokit, repo, pull, marker, request.warn);
    const latest = previous.at(-1);
    if (latest && withoutRunDetails(latest.body) === withoutRunDetails(request.body)) {
      return { id: latest.id, url: latest.url, result: 'unchanged' };
    }
    if (request.behavior === 'update' && latest) {
      const { data } = await octokit.rest.issues.updateComment({
        ...repo,
        comment_id: latest.id,
        body: request.body,
      });
      return { id: data.id, url: data.html_url, result: 'updated' };
    }
    if (request.behavior === 'delete-and-new') {
      for (const c of previous) await octokit.rest.issues.deleteComment({ ...repo, comment_id: c.id });
    }
    // Earlier runs hid the ones before it, so only the latest is still showing.
    if (request.behavior === 'hide-and-new' && latest) await octokit.graphql(MINIMIZE, { id: latest.nodeId });
    const { data } = await octokit.rest.issues.createComment({
      ...repo,
      issue_number: pull,
      body: request.body,
    });
    return { id: data.id, url: data.html_url, result: 'created' };
  });
}

/** The marked comments the token's account wrote; the others are named in a warning and left alone. */
async function ownComments(
  octokit: Octokit,
  repo: Repo,
  pull: number,
  marker: string,
  warn: (message: string) => void,
): Promise<MarkedComment[]> {
  const marked = await markedComments(octokit, repo, pull, marker);
  if (marked.length === 0) return [];
  const me = await whoAmI(octokit);
  if ('unknown' in me) {
    warn(
      `Could not ask GitHub which account the token belongs to (${me.unknown}), so no earlier report ` +
        `comment on pull request #${pull} was edited, hidden or deleted; a new one is posted instead.`,
    );
    return [];
  }
  const { own, foreign } = splitByAuthor(marked, me.identity);
  for (const c of foreign) {
    warn(
      `Comment ${c.id} on pull request #${pull} carries this report's marker but was written by ` +
        `${authorName(c.author)}, not by ${me.identity.login} (the token's account); it was left untouched.`,
    );
  }
  return own;
}
