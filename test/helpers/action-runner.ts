/**
 * Starts dist/index.js the way the GitHub runner does for `runs.using: node24`: a Node 24 process
 * with every input as INPUT_<NAME> (defaults from action.yml), GITHUB_OUTPUT, GITHUB_STEP_SUMMARY
 * and GITHUB_EVENT_PATH files, and the context variables. Each run's workspace and the shared
 * RUNNER_TEMP live in one folder per runner, which close() removes.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runNode } from './bundle.js';

interface ActionYaml {
  inputs: Record<string, { default?: string }>;
}

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  workspace: string;
}

export interface ActionEvent {
  name: 'schedule' | 'pull_request' | 'workflow_dispatch' | 'push';
  payload: Record<string, unknown>;
}

/** GITHUB_OUTPUT's heredoc format: name<<DELIM, value lines, DELIM. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]!);
    outputs[m[1]!] = value.join('\n');
  }
  return outputs;
}

export interface ActionRunOptions {
  inputs: Record<string, string>;
  event: ActionEvent;
  env: NodeJS.ProcessEnv;
  token?: string;
}

export interface ActionRunner {
  run(options: ActionRunOptions): Promise<ActionRun>;
  /** Removes every workspace and RUNNER_TEMP. */
  close(): Promise<void>;
}

export async function createActionRunner(): Promise<ActionRunner> {
  const root = await mkdtemp(join(tmpdir(), 'lattice-action-'));
  let runs = 0;
  return {
    run: (options) => runAction(root, ++runs, options),
    close: () => rm(root, { recursive: true, force: true }),
  };
}

async function runAction(root: string, n: number, options: ActionRunOptions): Promise<ActionRun> {
  const meta = parse(await readFile('action.yml', 'utf8')) as ActionYaml;
  const workspace = join(root, `workspace-${n}`);
  await mkdir(workspace);
  const runnerTemp = join(root, 'runner-temp');
  const files = {
    output: join(workspace, 'github_output'),
    summary: join(workspace, 'step_summary.md'),
    event: join(workspace, 'event.json'),
  };
  await writeFile(files.output, '');
  await writeFile(files.summary, '');
  await writeFile(files.event, JSON.stringify(options.event.payload));
  // Like the runner's _temp: the same path in every job, emptied before each one.
  await rm(runnerTemp, { recursive: true, force: true });
  await mkdir(runnerTemp);
  const env: NodeJS.ProcessEnv = {
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'octo-org/lattice-app',
    GITHUB_SHA: 'ffac537e6cbbf934b08745a378932722df287a53',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_ACTOR: 'octocat',
    GITHUB_RUN_ID: '1658821493',
    GITHUB_ACTION: 'lattice-cost-report',
    GITHUB_WORKFLOW: 'Lattice cost report',
    // Not something the runner sets: V8's code cache only saves each run compiling the 5 MB bundle.
    NODE_COMPILE_CACHE: join(root, 'compile-cache'),
    // The caller's values win: run ids, endpoints, tokens.
    ...options.env,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: runnerTemp,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_EVENT_NAME: options.event.name,
  };
  for (const [name, spec] of Object.entries(meta.inputs)) {
    const given = options.inputs[name];
    const fallback = (spec.default ?? '').replace('${{ github.token }}', options.token ?? '');
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = given ?? fallback;
  }
  for (const name of Object.keys(options.inputs)) {
    if (!(name in meta.inputs)) throw new Error(`action.yml has no input ${name}`);
  }
  const result = await runNode([join(process.cwd(), 'dist', 'index.js')], { env, cwd: workspace });
  return {
    ...result,
    outputs: parseOutputFile(await readFile(files.output, 'utf8')),
    summary: await readFile(files.summary, 'utf8'),
    workspace,
  };
}

export function scheduleEvent(): ActionEvent {
  return { name: 'schedule', payload: { schedule: '17 6 * * *' } };
}

export function pullRequestEvent(number: number): ActionEvent {
  const repository = {
    id: 1296269,
    name: 'lattice-app',
    full_name: 'octo-org/lattice-app',
    owner: { login: 'octo-org', id: 1, type: 'Organization' },
    private: false,
  };
  return {
    name: 'pull_request',
    payload: {
      action: 'synchronize',
      number,
      pull_request: {
        number,
        state: 'open',
        title: 'Add a Lattice service',
        user: { login: 'octocat', id: 583231, type: 'User' },
        head: { ref: 'feature', sha: '6dcb09b5b57875f334f61aebed695e2e4193db5e', repo: repository },
        base: { ref: 'main', sha: 'ffac537e6cbbf934b08745a378932722df287a53', repo: repository },
      },
      repository,
      sender: { login: 'octocat', id: 583231, type: 'User' },
    },
  };
}
