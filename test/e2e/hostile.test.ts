/**
 * No input of at most 1 MB can make `analyze` use more than 300 MB or run for more than 10 s: a
 * property over hostile lines (stray years, broken times, out-of-range numbers, broken JSON, many
 * services, one huge line), each file analysed by the bundled CLI in its own process with V8's heap
 * capped at 300 MB, so running past the bound is a crash, not a slow pass.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/bundle.js';

const work = mkdtempSync(join(tmpdir(), 'lattice-hostile-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const MAX_INPUT_BYTES = 1 << 20;
const MAX_MB = 300;
const MAX_MS = 10_000;

const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
const startTime = fc
  .tuple(
    fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(0, 1970, 2026, 2100, 2101, 9999)),
    two(13),
    two(32),
    two(25),
    two(61),
    fc.constantFrom('Z', '', '+01:00', '-23:59', '.123Z', 'z'),
  )
  .map(([y, mo, d, h, mi, zone]) => `${String(y).padStart(4, '0')}-${mo}-${d}T${h}:${mi}:00${zone}`);
const number = fc.oneof(
  fc.integer({ min: 0, max: 5000 }),
  fc.double(),
  fc.constantFrom(0.5, -1, 1e308, 2 ** 53, -0, '1.5', '-', 'null', '', null, '12', true),
);
const text = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('-', 'null', '\u001b[31m', '\u202e'));
const service = fc
  .integer({ min: 0, max: 600 })
  .map((n) => `arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-${String(n).padStart(17, '0')}`);
/** Mostly a valid value, sometimes a hostile one: so the analysis runs on what survives. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<U>) =>
  fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: hostile });
const validTime = fc
  .tuple(fc.integer({ min: 0, max: 400 * 86_400 }))
  .map(([s]) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString().replace(/\.\d+Z$/, 'Z'));
const record = fc.record(
  {
    serviceArn: mostly(service, text),
    resourceConfigurationArn: fc.constantFrom(
      'arn:aws:vpc-lattice:us-east-1:111122223333:resourceconfiguration/rcfg-00000000000000001',
      '-',
    ),
    startTime: mostly(validTime, fc.oneof(startTime, text)),
    listenerType: fc.constantFrom('-', 'HTTP', 'HTTPS', 'TLS_PASSTHROUGH', 'gopher'),
    responseCode: mostly(fc.constantFrom(200, 201, 404, 500, 503, '-'), number),
    grpcStatus: mostly(fc.constant('-'), number),
    duration: mostly(fc.integer({ min: 0, max: 600_000 }), number),
    bytesReceived: mostly(fc.integer({ min: 0, max: 1e9 }), number),
    bytesSent: mostly(fc.integer({ min: 0, max: 1e9 }), number),
    authDeniedReason: mostly(fc.constant('-'), text),
    hostHeader: text,
  },
  { requiredKeys: ['serviceArn', 'startTime'] },
);
const line = fc.oneof(
  { weight: 8, arbitrary: record.map((r) => JSON.stringify(r)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constantFrom('{', '[]', 'null', '{"serviceArn":', '\u0000\u0000') },
);
const file = fc
  .tuple(
    fc.array(line, { minLength: 200, maxLength: 4000, size: 'max' }),
    fc.option(fc.integer({ min: 1, max: 900_000 })),
  )
  .map(([lines, huge]) => {
    const all = huge ? [...lines, `{"requestPath":"${'x'.repeat(huge)}"}`] : lines;
    let text = all.join('\n');
    if (Buffer.byteLength(text) > MAX_INPUT_BYTES) text = text.slice(0, MAX_INPUT_BYTES / 4);
    return text;
  });

/** Analyses `path` with the bundle under the heap cap; the run's time in ms and its outcome. */
async function analyzeBounded(
  path: string,
): Promise<{ elapsed: number; r: Awaited<ReturnType<typeof runCli>> }> {
  const started = performance.now();
  const r = await runCli(['analyze', '--logs', path, '--format', 'json', '--verbose'], {
    env: { ...process.env, NODE_OPTIONS: `--max-old-space-size=${MAX_MB}`, LATTICE_COST_REPORT_THREADS: '1' },
  });
  return { elapsed: performance.now() - started, r };
}

describe('analyze on hostile input of at most 1 MB', () => {
  it('keeps 1 MB of one-record services (the most a megabyte can name) within the bounds', async () => {
    const lines: string[] = [];
    let bytes = 0;
    for (let i = 0; ; i++) {
      const day = 14 + (i % 14);
      const line = JSON.stringify({
        serviceArn: `arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-${String(i).padStart(17, '0')}`,
        startTime: `2026-11-${String(day).padStart(2, '0')}T12:00:00Z`,
      });
      if (bytes + line.length + 1 > MAX_INPUT_BYTES) break;
      lines.push(line);
      bytes += line.length + 1;
    }
    const path = join(work, 'services.log');
    writeFileSync(path, lines.join('\n'));
    const { elapsed, r } = await analyzeBounded(path);
    expect(elapsed).toBeLessThan(MAX_MS);
    expect(r.code).toBe(0);
    expect(Number(/peak RSS (\d+) MB/.exec(r.stderr)?.[1])).toBeLessThan(MAX_MB);
    const report = JSON.parse(r.stdout) as { window: { days: number }; warnings: string[] };
    expect(report.window.days).toBeLessThanOrEqual(Math.ceil(30_000 / lines.length));
    expect(report.warnings.join('\n')).toContain(`The logs name ${lines.length} services`);
  }, 60_000);

  it('stays within 300 MB and 10 s, and ends with a report or a clear error', async () => {
    let n = 0;
    const outcomes: Array<number | null> = [];
    await fc.assert(
      fc.asyncProperty(file, async (content) => {
        const path = join(work, `hostile-${n++}.log`);
        writeFileSync(path, content);
        const { elapsed, r } = await analyzeBounded(path);
        outcomes.push(r.code);
        expect(elapsed).toBeLessThan(MAX_MS);
        // 0: a report; 1: no valid record (a data error, named). Never a crash or an internal error.
        expect([0, 1]).toContain(r.code);
        expect(r.stderr).not.toMatch(/internal error|heap out of memory|at .*\.js:\d+/);
        if (r.code === 0) {
          const report = JSON.parse(r.stdout) as { window: { days: number } };
          expect(report.window.days).toBeLessThanOrEqual(366);
          const rss = Number(/peak RSS (\d+) MB/.exec(r.stderr)?.[1]);
          expect(rss).toBeLessThan(MAX_MB);
        } else {
          expect(r.stderr).toMatch(/^error: /m);
        }
      }),
      { numRuns: 12, seed: 20261203 },
    );
    // The property must reach the analysis, not only the "no valid record" error.
    expect(outcomes.filter((code) => code === 0).length).toBeGreaterThanOrEqual(outcomes.length / 2);
  }, 240_000);
});
