/**
 * Whose posts are ours: the account behind the token, asked of GitHub, never guessed.
 *
 * Documented (GitHub GraphQL reference, "Queries"): `viewer` is the currently authenticated user;
 * REST "Get the authenticated user" (`GET /user`) answers for user tokens. Observed in public
 * code, not documented: `viewer` also answers for installation tokens (GITHUB_TOKEN, app tokens)
 * with the app's bot (`github-actions[bot]`), while `GET /user` refuses them with 403.
 * Assumed: the bot's `databaseId` is the `user.id` REST puts on its comments and issues; where
 * an id is missing, logins are compared, allowing for GraphQL's `Bot.login` without `[bot]`.
 */
import { errorMessage } from '../errors.js';
import type { Octokit } from './github.js';

export interface Identity {
  login: string;
  id?: number;
}

/** Who wrote a post, as REST lists it (`user` on issues and comments). */
export type Author = { login?: string; id?: number; type?: string } | null | undefined;

export type WhoAmI = { identity: Identity } | { unknown: string };

const VIEWER = 'query { viewer { login databaseId } }';

export async function whoAmI(octokit: Octokit): Promise<WhoAmI> {
  let graphqlError: unknown;
  try {
    const { viewer } = await octokit.graphql<{ viewer: { login: string; databaseId?: number | null } }>(
      VIEWER,
    );
    if (viewer.login) {
      return {
        identity: {
          login: viewer.login,
          ...(typeof viewer.databaseId === 'number' ? { id: viewer.databaseId } : {}),
        },
      };
    }
  } catch (error) {
    graphqlError = error;
  }
  try {
    const { data } = await octokit.rest.users.getAuthenticated();
    return { identity: { login: data.login, id: data.id } };
  } catch (error) {
    const graphql = graphqlError === undefined ? 'an empty viewer' : errorMessage(graphqlError);
    return { unknown: `GraphQL viewer: ${graphql}; GET /user: ${errorMessage(error)}` };
  }
}

function isOurs(author: Author, me: Identity): boolean {
  if (!author) return false;
  if (me.id !== undefined && author.id !== undefined) return author.id === me.id;
  if (author.login === me.login) return true;
  return author.type === 'Bot' && author.login === `${me.login}[bot]`;
}

export function splitByAuthor<T extends { author: Author }>(
  posts: readonly T[],
  me: Identity,
): { own: T[]; foreign: T[] } {
  const own: T[] = [];
  const foreign: T[] = [];
  for (const post of posts) (isOurs(post.author, me) ? own : foreign).push(post);
  return { own, foreign };
}

/** A post's author for messages: untrusted text, printed only through terminalText. */
export function authorName(author: Author): string {
  return author?.login ?? 'an unknown account';
}
