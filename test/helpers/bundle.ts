/** Runs a bundle from dist/ the way a user or the runner does: a separate Node 24 process. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { NODE24_BINARY } from './node24-path.mjs';

export const NODE = existsSync(NODE24_BINARY) ? NODE24_BINARY : process.execPath;

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

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
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Runs dist/cli.js with `args`. */
export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<RunResult> {
  return runNode([`${process.cwd()}/dist/cli.js`, ...args], options);
}
