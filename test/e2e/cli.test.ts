/**
 * The bundled CLI (dist/cli.js) run as a user runs it: a separate Node 24 process, real files.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, createReadStream, createWriteStream, openSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, open, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { aggregateLogs } from '../../src/logs/reader.js';
import type { Report } from '../../src/model/report.js';
import type { DemoResult } from '../../src/demo/generate.js';
import { reportSchemaErrors } from '../../src/report/validate.js';
import { NODE, runCli, runNode } from '../helpers/bundle.js';
import { extractMermaidBlocks, parseMermaid } from '../helpers/mermaid.js';
import { cells } from '../helpers/markdown-table.js';
import { markdownText } from '../../src/report/escape.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'lattice-cli-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const GOOD_LINE = JSON.stringify({
  serviceArn: 'arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-0123456789abcdef0',
  startTime: '2026-11-20T10:00:00Z',
  responseCode: 200,
  bytesReceived: 100,
  bytesSent: 200,
  duration: 12,
});

/**
 * A file's lines in blocks of whole lines, each block with the number of its first line and where
 * each line starts: reading 500,000 lines one by one through readline took seconds a pass. The
 * files here end every line with "\n" (no CR); a last line without one gets one.
 */
async function* lineBlocks(file: string): AsyncGenerator<{ block: Buffer; first: number; starts: number[] }> {
  let first = 0;
  let rest: Buffer = Buffer.alloc(0);
  const blockOf = (data: Buffer): { block: Buffer; first: number; starts: number[] } => {
    const starts: number[] = [];
    for (let at = 0; at < data.length; at = data.indexOf(10, at) + 1) starts.push(at);
    const result = { block: data, first, starts };
    first += starts.length;
    return result;
  };
  for await (const chunk of createReadStream(file, { highWaterMark: 16 << 20 }) as AsyncIterable<Buffer>) {
    const data = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
    const end = data.lastIndexOf(10) + 1;
    rest = data.subarray(end);
    if (end > 0) yield blockOf(data.subarray(0, end));
  }
  if (rest.length > 0) yield blockOf(Buffer.concat([rest, Buffer.from('\n')]));
}

describe('usage errors exit 2 and name the problem', () => {
  it('prints help', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('analyze --logs PATH');
  });

  it('rejects an unknown flag by name', async () => {
    const r = await runCli(['analyze', '--logs', 'x', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("'--bogus'");
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('names a missing path', async () => {
    const r = await runCli(['analyze', '--logs', join(work, 'nope.log')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope.log');
  });

  it('names a bad date flag', async () => {
    const file = join(work, 'one.log');
    await writeFile(file, `${GOOD_LINE}\n`);
    const r = await runCli(['analyze', '--logs', file, '--start', '2026-13-01']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--start');
  });

  it('rejects an unknown command', async () => {
    const r = await runCli(['analyse']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "analyse"');
  });
});

describe('data errors exit 1 and name the file', () => {
  it('an empty file', async () => {
    const file = join(work, 'empty.log');
    await writeFile(file, '');
    const r = await runCli(['analyze', '--logs', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('empty.log');
    expect(r.stderr).toContain('empty');
  });

  it('a file with no valid line', async () => {
    const file = join(work, 'bad.log');
    await writeFile(file, 'not json\n{"serviceArn": "-"}\n');
    const r = await runCli(['analyze', '--logs', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('bad.log');
  });

  it('a truncated .gz', async () => {
    const file = join(work, 'cut.log.gz');
    const gz = gzipSync(Buffer.from(`${GOOD_LINE}\n`.repeat(2000)));
    await writeFile(file, gz.subarray(0, gz.length - 40));
    const r = await runCli(['analyze', '--logs', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cut.log.gz');
    expect(r.stderr).toMatch(/truncated|corrupt/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('analyze', () => {
  it('reads the committed fixtures and prints schema-valid JSON', async () => {
    const r = await runCli(['analyze', '--logs', 'test/fixtures/logs', '--format', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(reportSchemaErrors(report)).toEqual([]);
    expect(report.source.records).toBe(18);
    expect(report.costBasis.method).toBe('modelled');
  });

  it('skips a malformed line, counts it and says where it was', async () => {
    const file = join(work, 'mixed.log');
    await writeFile(file, `${GOOD_LINE}\n{oops\n${GOOD_LINE}\n`);
    const r = await runCli(['analyze', '--logs', file, '--format', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.source).toMatchObject({ records: 2, malformed: 1 });
    expect(report.source.malformedSamples[0]).toMatchObject({ file, line: 2 });
    expect(r.stderr).toContain(`${file}:2`);
  });
});

describe('pipes', () => {
  it('reads /dev/stdin once however often it is named, a broken first line counted as malformed', () => {
    // Through a shell pipe: Node gives a child a socket, not a pipe, as its stdin, and Linux
    // does not open a socket by its /dev/fd name (ENXIO).
    const logs = ['/dev/stdin', '/dev/fd/0', '/dev/stdin'].map((name) => `--logs ${name}`).join(' ');
    const stdout = execFileSync(
      'sh',
      [
        '-c',
        `printf '{\\n%s\\n%s\\n' '${GOOD_LINE}' '${GOOD_LINE}' | "${NODE}" dist/cli.js analyze ${logs} --format json`,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 },
    );
    const report = JSON.parse(stdout) as Report;
    expect(report.source).toMatchObject({ files: ['/dev/fd/0'], records: 2, malformed: 1 });
    expect(report.warnings).toContain(
      '/dev/stdin is the same file as /dev/fd/0 (a link or a second path to it); it is read once.',
    );
  });

  it('reads a FIFO named twice, directly and through a link, once', async () => {
    const fifo = join(work, 'pipe');
    execFileSync('mkfifo', [fifo]);
    await symlink(fifo, join(work, 'pipe-link'));
    // Opening the write end waits for the CLI to open the read end; if the CLI never does, a
    // reader of our own lets the open finish, so no thread is left waiting.
    const writer = createWriteStream(fifo).on('error', () => {});
    writer.end(`${GOOD_LINE}\n${GOOD_LINE}\n`);
    let r: Awaited<ReturnType<typeof runCli>>;
    try {
      r = await runCli(['analyze', '--logs', join(work, 'pipe-link'), '--logs', fifo, '--format', 'json']);
    } finally {
      if (writer.pending) closeSync(openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK));
    }
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.source).toMatchObject({ files: [fifo], records: 2 });
    expect(report.warnings).toContain(
      `${join(work, 'pipe-link')} is the same file as ${fifo} (a link or a second path to it); it is read once.`,
    );
  });
});

describe('demo', () => {
  let report: Report;
  let markdown: string;
  let out: string;
  let stdout: string;

  beforeAll(async () => {
    out = join(work, 'demo');
    const r = await runCli(['demo', '--out', out]);
    stdout = r.stdout;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('report.md');
    report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as Report;
    markdown = await readFile(join(out, 'report.md'), 'utf8');
  });

  it("diff on the demo's templates prints the change table, priced from the demo's report", async () => {
    const templates = join(out, 'templates');
    const r = await runCli([
      'diff',
      '--base',
      join(templates, 'base.yaml'),
      '--head',
      join(templates, 'head.yaml'),
      '--report',
      join(out, 'report.json'),
    ]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const legacy = report.services.find((s) => s.name === 'legacy-reports')!;
    const idle = report.findings.find((f) => f.kind === 'idle-service' && f.service === legacy.arn)!;
    const rows = r.stdout.split('\n').filter((line) => /^\| (➕|➖|✏️) \|/.test(line));
    expect(rows.find((row) => row.includes('Removed service |'))).toContain(
      `**-$${idle.estimatedMonthlySavings!.toFixed(2)}/mo**`,
    );
    expect(rows.find((row) => row.includes('Added service |'))).toContain('`orders-v2`');
    expect(rows.some((row) => row.includes('TLS passthrough'))).toBe(true);
    expect(r.stdout).toMatch(/^### VPC Lattice changes in this pull request/);
  });

  it('writes the same bytes as the demo another process made from the sources (test/global-setup.mjs)', async () => {
    // The generator is deterministic across processes and builds: the bundled CLI and the source.
    const shared = process.env.LATTICE_TEST_DEMO_JSON;
    expect(shared).toBeDefined();
    const other = JSON.parse(await readFile(shared!, 'utf8')) as DemoResult;
    const ours = join(out, 'logs');
    expect(other.files.length).toBe(56);
    const digest = async (file: string): Promise<string> =>
      createHash('sha256')
        .update(await readFile(file))
        .digest('hex');
    for (const file of other.files) {
      expect(await digest(join(ours, relative(other.logDir, file)))).toBe(await digest(file));
    }
    expect(await digest(join(out, 'cost-and-usage.json'))).toBe(await digest(other.costsFile));
  });

  it('writes a schema-valid report of the last week, reconciled to the bill', () => {
    expect(reportSchemaErrors(report)).toEqual([]);
    expect(report.window).toEqual({ start: '2026-11-16', end: '2026-11-23', days: 7 });
    expect(report.costBasis.method).toBe('reconciled');
    expect(report.services.length).toBeGreaterThanOrEqual(6);
    expect(report.totals.previous).not.toBeNull();
  });

  it('adds services and shared cost up to the billed total to the cent', async () => {
    const bill = JSON.parse(await readFile(join(out, 'cost-and-usage.json'), 'utf8')) as {
      ResultsByTime: Array<{
        TimePeriod: { Start: string };
        Groups: Array<{ Metrics: { UnblendedCost: { Amount: string } } }>;
      }>;
    };
    const billed = bill.ResultsByTime.filter((d) => d.TimePeriod.Start >= '2026-11-16').reduce(
      (sum, d) => sum + d.Groups.reduce((s, g) => s + Number(g.Metrics.UnblendedCost.Amount), 0),
      0,
    );
    const cents = (x: number): number => Math.round(x * 100);
    expect(cents(report.totals.cost)).toBe(cents(billed));
    expect(report.services.reduce((s, x) => s + cents(x.cost.total), 0) + cents(report.shared.total)).toBe(
      cents(billed),
    );
  });

  it('finds each planted problem', () => {
    const by = (name: string): string[] => {
      const arn = report.services.find((s) => s.name === name)!.arn;
      return report.findings.filter((f) => f.service === arn).map((f) => f.kind);
    };
    expect(by('legacy-reports')).toContain('idle-service');
    expect(by('search-api')).toContain('high-latency');
    expect(by('inventory-svc')).toContain('high-error-rate');
    expect(by('partner-gateway')).toContain('auth-denied');
    expect(by('media-export')).toEqual(expect.arrayContaining(['large-payload', 'cost-anomaly']));
    const spike = report.anomalies.find((a) => a.metric === 'cost');
    expect(spike?.date).toBe('2026-11-20');
  });

  describe('reads in thirty seconds', () => {
    const prose = (): string => markdown.replace(/^```mermaid\n[\s\S]*?\n```$/gm, '');

    it('makes one finding of each incident, and repeats none of them as an anomaly row', () => {
      const incidents = report.findings.filter((f) => f.date !== undefined);
      const keys = incidents.map((f) => `${f.service ?? ''} ${f.date}`);
      expect(new Set(keys).size).toBe(keys.length);
      for (const anomaly of report.anomalies) {
        expect(keys).toContain(`${anomaly.service ?? ''} ${anomaly.date}`);
      }
      // The Nov 20 spike of media-export: cost and p99 in one finding.
      const media = report.services.find((s) => s.name === 'media-export')!.arn;
      const spike = report.findings.filter((f) => f.service === media && f.date === '2026-11-20');
      expect(spike).toHaveLength(1);
      expect(spike[0]!.message).toMatch(/^Nov 20: daily cost .*; p99 latency /);
      expect(markdown).not.toMatch(/anomalies \(\d+\)/);
    });

    it("judges an anomaly within the user's own threshold as info at most", () => {
      const p99 = report.anomalies.filter((a) => a.metric === 'p99' && a.actual <= 500);
      expect(p99.length).toBeGreaterThan(0);
      for (const a of p99) {
        const finding = report.findings.find((f) => f.service === a.service && f.date === a.date)!;
        // Only another facet (a cost) can make the incident a warning.
        if (finding.kind === 'latency-anomaly') expect(finding.severity).toBe('info');
      }
    });

    it('gives every impact its unit and its period, and names days one way', () => {
      for (const finding of report.findings) {
        const impact = finding.impact ?? '';
        expect(impact).toMatch(/ in \d+ days\b|\/mo\b| on [A-Z][a-z]{2} \d{1,2}\b/);
      }
      expect(prose()).toContain('_Amounts are for the 7 days of the window; /mo marks a month');
      const withoutGenerated = prose().replace(/^Generated .*$/m, '');
      expect(withoutGenerated).not.toMatch(/\b\d{4}-\d{2}-\d{2}\b|\b\d{2}-\d{2}\b(?![\d-])/);
    });

    it('counts the cost of failures only where they cost more than the hourly fee', () => {
      const inventory = report.services.find((s) => s.name === 'inventory-svc')!;
      const errors = report.findings.find(
        (f) => f.kind === 'high-error-rate' && f.service === inventory.arn,
      )!;
      const variable = inventory.cost.data + inventory.cost.requests;
      expect(variable * inventory.errorRate).toBeLessThan(0.01);
      const failed = inventory.status['5xx'] + inventory.grpcErrors;
      expect(errors.impact).toBe(`${failed.toLocaleString('en-US')} failed requests in 7 days`);
    });

    it('keeps one order of findings in report.json, the Markdown and the CLI headline', () => {
      const rows = markdown
        .split('\n')
        .filter((line) => /^\| (🔴|🟠|🔵) \|/.test(line))
        .map((line) => cells(line)[1]!.replace(/^.*? · /, ''));
      expect(rows).toEqual(report.findings.map((f) => markdownText(f.message, { maxLength: 200 })));
      expect(stdout).toContain(`Top finding: ${report.findings[0]!.message}`);
    });

    it('has a main table of at most 7 columns, and says idle instead of a cost per request', () => {
      const header = markdown.split('\n').find((line) => line.startsWith('| Service |'))!;
      expect(cells(header).length).toBeLessThanOrEqual(7);
      const legacy = markdown.slice(markdown.indexOf('<summary><code>legacy-reports</code>'));
      expect(legacy.slice(0, legacy.indexOf('</details>'))).toContain('idle, so no cost per request');
      expect(markdown).not.toMatch(/\$[\d,]{6,}\.\d\d per million/);
    });
  });

  it('says who drives the cost: caller shares add up to each service variable cost, in a table and a flowchart', async () => {
    const cents = (x: number): number => Math.round(x * 100);
    for (const service of report.services) {
      const callers = service.callers ?? [];
      expect(callers.length).toBeGreaterThan(0);
      expect(callers.reduce((sum, c) => sum + cents(c.cost), 0)).toBe(
        cents(service.cost.data + service.cost.requests),
      );
      expect(callers.reduce((sum, c) => sum + c.requests, 0)).toBe(service.requests);
    }
    // The backend worker VPC drives most of media-export's data charge.
    const media = report.services.find((s) => s.name === 'media-export')!;
    expect(media.callers![0]!.share).toBeGreaterThan(0.5);
    const section = markdown.slice(markdown.indexOf('### Who drives the cost'));
    expect(section).toMatch(/^### Who drives the cost\n\n\| Caller VPC \(owner\) \|/);
    const flowchart = extractMermaidBlocks(section).find((block) => block.startsWith('flowchart'));
    expect(flowchart).toContain(`-->|"$${media.callers![0]!.cost.toFixed(2)}"|`);
    await parseMermaid(flowchart!);
  });

  it('renders Markdown whose Mermaid charts parse', async () => {
    const blocks = extractMermaidBlocks(markdown);
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    for (const block of blocks) await parseMermaid(block);
    expect(markdown).toContain('total (= Cost Explorer)');
  });
});

describe('a 120,000-record file (about 180 MB)', () => {
  it('gives exact counts, percentiles within 1% and bounded memory', async () => {
    const file = join(work, 'big.jsonl');
    const made = await runCli([
      'sample',
      '--out',
      file,
      '--records',
      '120000',
      '--services',
      '12',
      '--days',
      '7',
    ]);
    expect(made.code).toBe(0);
    const [analysed, exact] = await Promise.all([
      runCli(['analyze', '--logs', file, '--format', 'json', '--verbose']),
      runNode([join(process.cwd(), 'test/helpers/exact-stats.mjs'), file]),
    ]);
    expect(analysed.code).toBe(0);
    expect(exact.code).toBe(0);
    const report = JSON.parse(analysed.stdout) as Report;
    const truth = JSON.parse(exact.stdout) as Record<
      string,
      {
        requests: number;
        status: Record<string, number>;
        authDenied: number;
        bytesIn: number;
        bytesOut: number;
      } & Record<'p50' | 'p90' | 'p95' | 'p99', number>
    >;
    expect(report.source.records).toBe(120_000);
    expect(report.services.map((s) => s.arn).sort()).toEqual(Object.keys(truth).sort());
    for (const s of report.services) {
      const t = truth[s.arn]!;
      expect({
        requests: s.requests,
        status: s.status,
        authDenied: s.authDenied,
        bytesIn: s.bytesIn,
        bytesOut: s.bytesOut,
      }).toEqual({
        requests: t.requests,
        status: t.status,
        authDenied: t.authDenied,
        bytesIn: t.bytesIn,
        bytesOut: t.bytesOut,
      });
      for (const q of ['p50', 'p90', 'p95', 'p99'] as const) {
        expect(Math.abs(s.latencyMs![q] - t[q])).toBeLessThanOrEqual(0.01 * t[q]);
      }
    }
    const rss = /peak RSS (\d+) MB/.exec(analysed.stderr);
    expect(rss).not.toBeNull();
    console.log(`120,000 records: ${analysed.stderr.trim()}`);
    expect(Number(rss![1])).toBeLessThan(300);
    // A file this size is scanned by the bundle's own worker threads, all on the fast path.
    expect(analysed.stderr).toContain(availableParallelism() > 1 ? ', 2 threads,' : ', 1 thread,');
    expect(analysed.stderr).toContain(', 0 lines by the exact parser');
  }, 180_000);
});

describe('scanning on worker threads', () => {
  /** The report without the time it was made: nothing else may depend on the threads. */
  async function report(file: string, threads: number): Promise<{ report: Report; stderr: string }> {
    const r = await runCli(['analyze', '--logs', file, '--format', 'json', '--verbose'], {
      env: { ...process.env, LATTICE_COST_REPORT_THREADS: String(threads) },
    });
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.stdout) as Report;
    return { report: { ...parsed, generatedAt: '' }, stderr: r.stderr };
  }

  /** Copies the 120,000-record file, adding lines before the given (0-based) line numbers. */
  async function derive(name: string, extra: Map<number, (line: string) => string>): Promise<string> {
    const out = join(work, name);
    const sink = await open(out, 'w');
    try {
      for await (const { block, first, starts } of lineBlocks(join(work, 'big.jsonl'))) {
        let from = 0;
        for (let i = 0; i < starts.length; i++) {
          const add = extra.get(first + i);
          if (!add) continue;
          const end = (starts[i + 1] ?? block.length) - 1;
          await sink.write(block.subarray(from, starts[i]));
          await sink.write(`${add(block.toString('utf8', starts[i], end))}\n`);
          from = starts[i]!;
        }
        await sink.write(block.subarray(from));
      }
    } finally {
      await sink.close();
    }
    return out;
  }

  it('gives the one-thread report when a worker runs out of memory: the main thread scans its ranges', async () => {
    const file = join(work, 'big.jsonl');
    const one = await report(file, 1);
    const r = await runCli(['analyze', '--logs', file, '--format', 'json', '--verbose'], {
      env: { ...process.env, LATTICE_COST_REPORT_THREADS: '2', LATTICE_COST_REPORT_WORKER_HEAP_MB: '4' },
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(', 1 thread,');
    expect({ ...(JSON.parse(r.stdout) as Report), generatedAt: '' }).toEqual(one.report);
  });

  // Bad lines in ranges far apart, so their line numbers depend on how the ranges are merged.
  const broken = new Map([1, 37_037, 60_000, 119_999].map((at) => [at, () => `{"broken": ${at}`]));

  it.each([['malformed lines', broken]])(
    'gives the one-thread report for a file with %s',
    async (_, extra) => {
      const file = await derive(`big-${extra.size}.jsonl`, extra);
      const [two, one] = [await report(file, 2), await report(file, 1)];
      expect(one.stderr).toContain(', 1 thread,');
      if (availableParallelism() > 1) expect(two.stderr).toContain(', 2 threads,');
      expect(two.report).toEqual(one.report);
      expect(two.report.source.malformed).toBe(4);

      // Counts and line numbers are those of the exact reader (run here, on this Node, whose
      // JSON.parse words its errors a little differently from Node 24's).
      const exact = (await aggregateLogs([file], { fast: false })).summary;
      expect(two.report.source.records).toBe(exact.records);
      const where = (samples: Array<{ file: string; line: number }>): string[] =>
        samples.map((s) => `${s.file}:${s.line}`);
      expect(where(two.report.source.malformedSamples)).toEqual(where(exact.malformedSamples));
      await rm(file);
    },
    180_000,
  );

  it('shares a directory of plain files out whole, and gives the one-thread report', async () => {
    // 20 files of 6,000 lines (about 9 MB each), the last with a malformed line.
    const dir = join(work, 'many');
    await mkdir(dir);
    const part = (n: number): string => join(dir, `part-${String(n).padStart(2, '0')}.log`);
    for await (const { block, first, starts } of lineBlocks(join(work, 'big.jsonl'))) {
      // A block may hold the end of one part and the start of the next.
      for (let from = 0; from < starts.length;) {
        const n = Math.floor((first + from) / 6_000);
        const to = Math.min(starts.length, (n + 1) * 6_000 - first);
        await appendFile(part(n), block.subarray(starts[from], starts[to] ?? block.length));
        from = to;
      }
    }
    await appendFile(part(19), '{"broken": true\n');

    const [two, one] = [await report(dir, 2), await report(dir, 1)];
    expect(one.stderr).toContain(', 1 thread,');
    if (availableParallelism() > 1) expect(two.stderr).toContain(', 2 threads,');
    expect(two.report).toEqual(one.report);
    expect(two.report.source.records).toBe(120_000);
    expect(two.report.source.malformedSamples).toEqual([
      expect.objectContaining({ file: join(dir, 'part-19.log'), line: 6_001 }),
    ]);
    await rm(dir, { recursive: true });
  }, 180_000);
});
