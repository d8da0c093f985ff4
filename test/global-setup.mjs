// Installs the Node 24 runtime that GitHub's runner uses for `runs.using: node24`, once per
// checkout, so the end-to-end tests start the bundle exactly as the runner does.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { NODE24_BINARY, NODE24_DIR, NODE24_PACKAGE } from './helpers/node24-path.mjs';

export default function globalSetup() {
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
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}
