// The generated sources (scripts/generate.mjs) must match what they are generated from.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
// @ts-expect-error: a plain .mjs script without types
import { GENERATED } from '../../scripts/generate.mjs';

describe('generated sources are up to date (run `npm run build` after changing their sources)', () => {
  for (const [file, source] of GENERATED as Array<[string, () => string | Promise<string>]>) {
    it(file, async () => {
      expect(readFileSync(file, 'utf8')).toBe(await source());
    });
  }
});
