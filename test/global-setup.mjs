// Before any end-to-end test: the Node 24 runtime GitHub's runner uses for `runs.using: node24`
// (installed once per checkout), a fresh build of dist/ from src/ (the tests run the bundles, and a
// stale dist/ would let a broken src/ pass), and moto's server (first: it may fail the run).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { NODE24_BINARY, NODE24_DIR, NODE24_PACKAGE } from './helpers/node24-path.mjs';
import { ensureMotoServer } from './global-setup-moto.mjs';

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

/** `npm run build`, step by step so only errors are shown. */
function build() {
  const started = Date.now();
  process.stdout.write('\nBuilding dist/ from src/ for the end-to-end tests (npm run build)… ');
  for (const script of ['scripts/generate.mjs', 'scripts/build.mjs']) {
    execFileSync(process.execPath, [script], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

export default function globalSetup() {
  ensureMotoServer();
  installNode24();
  build();
}
