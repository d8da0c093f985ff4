/** The sticky pull-request comment, found by its hidden marker on every page of comments. */
import { markerComment } from '../report/markdown.js';
import { githubCall, type Octokit, type Repo } from './github.js';

/** What happens to the comment of an earlier run: edited, left, deleted or hidden. */
export type CommentBehavior = 'update' | 'new' | 'delete-and-new' | 'hide-and-new';
export const COMMENT_BEHAVIORS: readonly CommentBehavior[] = [
  'update',
  'new',
  'delete-and-new',
  'hide-and-new',
];

const PERMISSION = 'pull-requests: write';

interface MarkedComment {
  id: number;
  nodeId: string;
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
    for (const c of page.data)
      if ((c.body ?? '').includes(marker)) found.push({ id: c.id, nodeId: c.node_id });
  }
  return found;
}

const MINIMIZE = `mutation($id: ID!) {
  minimizeComment(input: { subjectId: $id, classifier: OUTDATED }) { minimizedComment { isMinimized } }
}`;

export async function publishComment(
  octokit: Octokit,
  repo: Repo,
  pull: number,
  request: { key: string; body: string; behavior: CommentBehavior },
): Promise<{ id: number; url: string }> {
  const marker = markerComment(request.key);
  return githubCall(`Publishing the report comment on pull request #${pull}`, PERMISSION, async () => {
    const previous = request.behavior === 'new' ? [] : await markedComments(octokit, repo, pull, marker);
    const latest = previous.at(-1);
    if (request.behavior === 'update' && latest) {
      const { data } = await octokit.rest.issues.updateComment({
        ...repo,
        comment_id: latest.id,
        body: request.body,
      });
      return { id: data.id, url: data.html_url };
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
    return { id: data.id, url: data.html_url };
  });
}
