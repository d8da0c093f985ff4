// Before any end-to-end test: moto's server (first: it may end the run), the Node 24 runtime
// GitHub's runner uses for `runs.using: node24` (installed once per checkout), then, side by side,
// a fresh build of dist/ from src/ (the tests run the bundles, and a stale dist/ would let a broken
// src/ pass) and the demo's access logs, which every AWS world loads (test/helpers/aws-world.ts).
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import { NODE24_BINARY, NODE24_DIR, NODE24_PACKAGE } from './helpers/node24-path.mjs';
import { ensureMotoServer } from './global-setup-moto.mjs';

const run = promisify(execFile);
/** Where the demo goes for this run; global-teardown.mjs removes it. */
export const DEMO_ENV = 'LATTICE_TEST_DEMO_JSON';
const DEMO_PREFIX = 'e2e-demo-';
const TMP = join(process.cwd(), '.tmp');

function installNode24() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    console.warn(
      `\nNode 24 from ${NODE24_PACKAGE} is Linux x64 only; end-to-end tests use ${process.version}.`,
    );
    return;
  }
  if (existsSync(NODE24_BINARY)) return;
  console.log(`\nInstalling ${NODE24_PACKAGE} into ${NODE24_DIR} for the end-to-end tests…`);
  execFileSync(
    'npm',
    ['install', '--prefix', NODE24_DIR, '--no-save', '--no-audit', '--no-fund', NODE24_PACKAGE],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

/** `npm run build`, step by step; only errors are shown. */
async function build() {
  for (const script of ['scripts/generate.mjs', 'scripts/build.mjs']) {
    const child = run(process.execPath, [script]);
    child.child.stderr?.pipe(process.stderr);
    await child;
  }
}

/**
 * src/demo/generate.ts's demo, made once for the run instead of once per world (~5 s each): it is
 * deterministic, and the worlds only read it. Bundled on the fly, as the worlds import it from src/.
 */
async function makeDemo(dir) {
  const script = join(dir, 'make-demo.mjs');
  await esbuild.build({
    stdin: {
      contents:
        "import { generateDemo } from './src/demo/generate.ts';\n" +
        'process.stdout.write(JSON.stringify(await generateDemo({ outDir: process.argv[2] })));\n',
      resolveDir: process.cwd(),
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: script,
    logLevel: 'warning',
  });
  const { stdout } = await run(process.execPath, [script, join(dir, 'demo')], { maxBuffer: 1 << 20 });
  await writeFile(join(dir, 'demo.json'), stdout);
  return join(dir, 'demo.json');
}

/** Demo folders of runs that ended without their teardown (killed, interrupted). */
function removeStaleDemos() {
  if (!existsSync(TMP)) return;
  for (const name of readdirSync(TMP)) {
    if (!name.startsWith(DEMO_PREFIX)) continue;
    const pid = Number(name.slice(DEMO_PREFIX.length));
    try {
      process.kill(pid, 0);
      continue; // that run is still going
    } catch {
      rmSync(join(TMP, name), { recursive: true, force: true });
    }
  }
}

export default async function globalSetup() {
  ensureMotoServer();
  installNode24();
  removeStaleDemos();
  const started = Date.now();
  process.stdout.write(
    "\nBuilding dist/ from src/ (npm run build) and the demo's logs for the end-to-end tests… ",
  );
  const dir = join(TMP, `${DEMO_PREFIX}${process.pid}`);
  await mkdir(dir, { recursive: true });
  try {
    const [, demo] = await Promise.all([build(), makeDemo(dir)]);
    process.env[DEMO_ENV] = demo;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}
