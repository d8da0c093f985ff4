/** The bundled action (dist/index.js) started as the runner starts it: Node 24 with INPUT_* variables. */
import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { runNode } from '../helpers/bundle.js';

describe('dist/index.js', () => {
  it('is what action.yml runs, on node24', async () => {
    const meta = await readFile('action.yml', 'utf8');
    expect(meta).toMatch(/using: node24/);
    expect(meta).toMatch(/main: dist\/index\.js/);
  });

  it('loads under Node 24 and fails clearly without aws-region', async () => {
    const env = { PATH: process.env.PATH ?? '' };
    const r = await runNode(['dist/index.js'], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('::error::Input aws-region is required');
  });
});
