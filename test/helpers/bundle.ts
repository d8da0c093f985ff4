/** Runs a bundle from dist/ the way a user or the runner does: a separate Node 24 process. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { NODE24_BINARY } from './node24-path.mjs';

export const NODE = existsSync(NODE24_BINARY) ? NODE24_BINARY : process.execPath;

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Children still running: a test that timed out or failed must not leave them behind. */
const running = new Set<ChildProcess>();

export function runNode(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (error) => {
      running.delete(child);
      reject(error);
    });
    child.on('close', (code) => {
      running.delete(child);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Kills the children still running and waits until they are gone (test/helpers/jest-after-env.ts, after each file). */
export async function stopChildren(): Promise<number> {
  const children = [...running];
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('close', () => resolve());
          if (!child.kill('SIGKILL')) resolve();
        }),
    ),
  );
  return children.length;
}

/** Runs dist/cli.js with `args`. */
export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<RunResult> {
  return runNode([`${process.cwd()}/dist/cli.js`, ...args], options);
}
