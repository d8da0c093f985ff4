// Finds moto's server (the AWS emulator of the integration and end-to-end tests) or installs it
// once into .tmp/moto-venv, so `npm test` needs no preparation. Jest runs it as the globalSetup of
// the projects that start moto; `.ci/moto.sh` runs this file directly. The command it settles on
// goes to LATTICE_TEST_MOTO_SERVER, which test/servers/moto.ts starts (Jest's workers inherit it).
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

// 5.2.x: the quirks test/servers/moto.ts works around were read from moto 5.2.1's source.
export const MOTO_SPEC = 'moto[server]~=5.2.1';
export const MOTO_ENV = 'LATTICE_TEST_MOTO_SERVER';
const VENV = join(process.cwd(), '.tmp', 'moto-venv');
const VENV_SERVER = join(VENV, 'bin', 'moto_server');
/** Written last: a venv without it is a failed or interrupted install. */
const MARKER = join(VENV, 'installed-spec.txt');

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

function venvReady() {
  return existsSync(MARKER) && readFileSync(MARKER, 'utf8').trim() === MOTO_SPEC && executable(VENV_SERVER);
}

/** Runs a step of the install; its output is kept for the error message, not shown. */
function step(command, args, timeoutMs) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL' });
  if (result.status === 0) return undefined;
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n');
  const errors = output.filter((line) => /error/i.test(line));
  const why = result.error
    ? result.error.code === 'ENOENT'
      ? `${command} was not found`
      : result.error.code === 'ETIMEDOUT'
        ? `it took over ${timeoutMs / 1000} s`
        : result.error.message
    : `exit ${result.status ?? result.signal}${output.length ? `: ${(errors.length ? errors : output).slice(-2).join(' ')}` : ''}`;
  return `\`${[command, ...args].join(' ')}\` failed (${why})`;
}

function install() {
  const where = relative(process.cwd(), VENV);
  console.log(`\nmoto_server is not on PATH: installing ${MOTO_SPEC} into ${where} (once)…`);
  const started = Date.now();
  rmSync(VENV, { recursive: true, force: true });
  // No network or a missing index should fail in seconds, not after pip's default retries.
  const failure =
    step('python3', ['-m', 'venv', VENV], 120_000) ??
    step(
      join(VENV, 'bin', 'python'),
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        '--retries',
        '1',
        '--timeout',
        '15',
        MOTO_SPEC,
      ],
      600_000,
    ) ??
    (executable(VENV_SERVER) ? undefined : `pip installed ${MOTO_SPEC} but ${VENV_SERVER} is missing`);
  if (failure) {
    rmSync(VENV, { recursive: true, force: true });
    const error = new Error(
      `Could not install moto's server for the tests: ${failure}.\n` +
        `Install it yourself so that moto_server is on PATH, then run npm test again:\n` +
        `  pip install '${MOTO_SPEC}'`,
    );
    // Jest prints the stack of a failed globalSetup; the message is all that helps here.
    error.stack = error.message;
    throw error;
  }
  writeFileSync(MARKER, `${MOTO_SPEC}\n`);
  console.log(`Installed moto_server in ${((Date.now() - started) / 1000).toFixed(0)} s: ${VENV_SERVER}`);
  return VENV_SERVER;
}

/** The moto_server command to start: the one given, the one on PATH, or .tmp/moto-venv's. */
export function ensureMotoServer() {
  const chosen = process.env[MOTO_ENV] || onPath('moto_server') || (venvReady() ? VENV_SERVER : install());
  process.env[MOTO_ENV] = chosen;
  return chosen;
}

export default function globalSetup() {
  ensureMotoServer();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    console.log(`moto_server: ${ensureMotoServer()}`);
  } catch (error) {
    console.error(error.message);
    process.exitCode = 1;
  }
}
