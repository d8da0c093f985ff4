// After the end-to-end tests: removes the demo that test/global-setup.mjs made for this run.
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEMO_ENV } from './global-setup.mjs';

export default function globalTeardown() {
  const demo = process.env[DEMO_ENV];
  if (demo) rmSync(dirname(demo), { recursive: true, force: true });
}
