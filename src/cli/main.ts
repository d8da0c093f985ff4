/**
 * Command-line entry: the same engine as the action, on local access-log files.
 * Exit codes: 0 success, 1 data or run error, 2 bad usage.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEFAULT_THRESHOLDS } from '../analysis/thresholds.js';
import { DEFAULT_WINDOW_DAYS, MAX_WINDOW_DAYS } from '../analysis/window.js';
import { ATHENA_INPUTS, INPUT_DEFAULTS, SettingsReader, THRESHOLD_INPUTS } from '../config.js';
import { SAMPLE_MAX_SERVICES, generateDemo, writeSampleLog } from '../demo/generate.js';
import { setupProblem } from '../aws/errors.js';
import { DataError, UsageError, errorMessage } from '../errors.js';
import { WORKER_SCRIPT, threadsFromEnv } from '../logs/parallel.js';
import type { ReadProgress } from '../logs/reader.js';
import type { AwsSettings } from '../pipeline/aws.js';
import { untilInterrupted } from '../pipeline/interrupt.js';
import { analyzeLocal } from '../pipeline/local.js';
import { collectGarbage } from '../pipeline/memory.js';
import { headline } from '../report/headline.js';
import { REPORT_MD_MAX_BYTES, writeReportFiles, type WrittenReport } from '../publish/files.js';
import { renderMarkdown } from '../report/markdown.js';
import { terminalText } from '../report/terminal.js';
import { diffMarkdown } from './diff.js';
import { DEMO_TEMPLATE_BASE, DEMO_TEMPLATE_HEAD } from '../demo/templates.js';
import type { Report } from '../model/report.js';
import { TOOL } from '../version.js';

const HELP = `${TOOL.name} ${TOOL.version}: per-service cost and performance of Amazon VPC Lattice

Usage:
  ${TOOL.name} analyze --logs PATH [--logs PATH ...] [options]
  ${TOOL.name} analyze --aws --region R [--service-network X] [--log-group-names a,b] [options]
  ${TOOL.name} diff --base PATH --head PATH [--plan-json FILE] [--report report.json] [--region R]
  ${TOOL.name} demo [--out DIR]
  ${TOOL.name} sample --out FILE [--records N] [--days N] [--services N] [--seed N]

analyze reads VPC Lattice access logs and writes a report.
  --logs PATH               File, directory (recursive) or glob. JSONL or gzip JSONL as Lattice
                            delivers to S3, or the JSON of \`aws logs filter-log-events\`. Repeatable.
  --costs FILE              \`aws ce get-cost-and-usage --granularity DAILY --group-by
                            Type=DIMENSION,Key=USAGE_TYPE --output json\`: reconcile to the bill.
                            Without it, costs are modelled from list prices.
  --cost-metric NAME        Cost metric to read from --costs (default UnblendedCost).
  --prices FILE             JSON price table by region, overriding the built-in one.
  --region REGION           Only services in REGION (default: every region in the logs).
  --start YYYY-MM-DD        First day of the window (default: first day with data, at most ${DEFAULT_WINDOW_DAYS}
                            days before --end). A window is at most ${MAX_WINDOW_DAYS} days.
  --end YYYY-MM-DD          Day after the window; exclusive (default: day after the last data
                            up to today).
  --format markdown|json    What to print when --out is not given (default markdown).
  --out DIR                 Write DIR/report.md and DIR/report.json; print the headline.
  --latency-p99-ms N        high-latency above this p99 (default ${DEFAULT_THRESHOLDS.latencyP99Ms}).
  --error-rate-percent N    high-error-rate above this error rate, 5xx and gRPC server errors (default ${DEFAULT_THRESHOLDS.errorRatePercent}).
  --idle-requests-per-day N idle-service below this many requests a day (default ${DEFAULT_THRESHOLDS.idleRequestsPerDay}).
  --verbose                 Print timing, throughput and memory to stderr.

analyze --aws reads the same numbers from AWS with the default credentials (environment,
AWS_PROFILE, SSO, instance role): the Lattice API, Logs Insights and Cost Explorer.
  --region R                Region of the service network and its log groups.
  --regions a,b             More regions to cover besides --region.
  --accounts LIST           Member accounts, comma- or newline-separated: ID, ID=ROLE_ARN, each
                            optionally with a label ("222222222222 payments"); or organization.
  --member-role-name NAME   Role to assume in member accounts (default ${INPUT_DEFAULTS['member-role-name']}).
  --cost-source SOURCE      each-account (default) or payer (the management account's Cost Explorer).
  --service-network X       Name, id (sn-…) or ARN; its services and access-log groups are found.
  --log-group-names a,b     Log groups to query (default: from the network's access-log subscription).
  --log-source SOURCE       cloudwatch (default), s3://BUCKET/PREFIX (Athena over the logs delivered
                            there), or auto (where the network's access-log subscription sends them).
  --athena-workgroup NAME   Athena workgroup for S3 logs (default ${INPUT_DEFAULTS['athena-workgroup']}).
  --athena-database NAME    Glue database of the log table (default ${INPUT_DEFAULTS['athena-database']}).
  --athena-table NAME       Glue table over the S3 logs (default ${INPUT_DEFAULTS['athena-table']}).
  --create-athena-table     Create the database and table when missing.
  --s3-direct-read-mb N     Read a delivery day of at most N MB from S3 here instead of Athena (default 0:
                            never; reading S3 from outside AWS costs data transfer).
  --lookback-days N         Window length in whole UTC days (default 7).
  --end-date YYYY-MM-DD     Day after the window, exclusive (default today, UTC).
  --cost-tag-key K          Cost-allocation tag naming each service's backend, for its compute cost.
  --cost-metric NAME        UnblendedCost (default), AmortizedCost, NetUnblendedCost, ...
  --publish-metrics         Also put per-service metrics into CloudWatch (VPCLattice/CostPerformance).
  --cache-dir DIR           Keep settled days (aggregates and Cost Explorer amounts) in DIR, so the
                            next run queries only the days it lacks.
  --settling-days N         Days after its end before a day is settled and cached (default 1).

diff prints what a change to infrastructure code does to VPC Lattice: each added, removed or changed
resource of two versions of CloudFormation, SAM or CDK templates (files, or directories paired by
path) and of a Terraform plan (\`terraform show -json PLAN\`), priced against a report.json's live
numbers when given (else at list prices), as the pull-request comment shows it.

demo generates two weeks of realistic sample logs and a matching Cost Explorer response for an
8-service mesh, then analyses the last week into DIR (default demo-output).

sample writes N (default 100000) synthetic access-log records in the real format to FILE, for
benchmarks and tests; gzip when FILE ends in .gz.

  -h, --help                Show this help.
  -v, --version             Show the version.

Exit codes: 0 success, 1 data or run error, 2 bad usage.
`;

const OPTIONS = {
  logs: { type: 'string', multiple: true },
  costs: { type: 'string' },
  'cost-metric': { type: 'string' },
  prices: { type: 'string' },
  region: { type: 'string' },
  start: { type: 'string' },
  end: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  'latency-p99-ms': { type: 'string' },
  'error-rate-percent': { type: 'string' },
  'idle-requests-per-day': { type: 'string' },
  aws: { type: 'boolean' },
  'service-network': { type: 'string' },
  regions: { type: 'string' },
  accounts: { type: 'string' },
  'member-role-name': { type: 'string' },
  'cost-source': { type: 'string' },
  'log-group-names': { type: 'string' },
  'log-source': { type: 'string' },
  'athena-workgroup': { type: 'string' },
  'athena-database': { type: 'string' },
  'athena-table': { type: 'string' },
  'create-athena-table': { type: 'boolean' },
  's3-direct-read-mb': { type: 'string' },
  'lookback-days': { type: 'string' },
  'end-date': { type: 'string' },
  'cost-tag-key': { type: 'string' },
  'publish-metrics': { type: 'boolean' },
  'cache-dir': { type: 'string' },
  'settling-days': { type: 'string' },
  base: { type: 'string' },
  head: { type: 'string' },
  'plan-json': { type: 'string' },
  report: { type: 'string' },
  records: { type: 'string' },
  days: { type: 'string' },
  services: { type: 'string' },
  seed: { type: 'string' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} satisfies ParseArgsConfig['options'];

type Values = ReturnType<typeof parse>['values'];

// Every message for a person goes out through terminalText: errors and warnings quote file names,
// log values and AWS names, which must not reach the terminal as control sequences.
const print = (text: string): void => void process.stdout.write(terminalText(text));
const warn = (text: string): void => void process.stderr.write(terminalText(text));
/** One quoted value (a file name, a reason) inside a line: its line breaks are escaped too. */
const quoted = (text: string): string => terminalText(text, { oneLine: true });

const FORMATS = ['markdown', 'json'] as const;

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    // node:util names the flag: "Unknown option '--foo'".
    throw new UsageError(errorMessage(error).replace(/\. To specify a positional argument.*$/s, '.'));
  }
}

type Flag = keyof typeof OPTIONS;

/** Defaults of the flags that have one: the action's, where the two share a setting. */
const FLAG_DEFAULTS: Partial<Record<Flag, string>> = {
  'cost-metric': INPUT_DEFAULTS['cost-metric'],
  'lookback-days': INPUT_DEFAULTS['lookback-days'],
  'settling-days': INPUT_DEFAULTS['settling-days'],
  'member-role-name': INPUT_DEFAULTS['member-role-name'],
  'cost-source': INPUT_DEFAULTS['cost-source'],
  'latency-p99-ms': INPUT_DEFAULTS['latency-p99-ms'],
  'error-rate-percent': INPUT_DEFAULTS['error-rate-percent'],
  'idle-requests-per-day': INPUT_DEFAULTS['idle-requests-per-day'],
  'log-source': INPUT_DEFAULTS['log-source'],
  'athena-workgroup': INPUT_DEFAULTS['athena-workgroup'],
  'athena-database': INPUT_DEFAULTS['athena-database'],
  'athena-table': INPUT_DEFAULTS['athena-table'],
  'create-athena-table': INPUT_DEFAULTS['create-athena-table'],
  's3-direct-read-mb': INPUT_DEFAULTS['s3-direct-read-mb'],
  format: 'markdown',
  records: '100000',
  services: '8',
  days: '7',
  seed: '1',
};

/** The flags, read and checked by the same rules as the action's inputs. */
function settings(values: Values): SettingsReader<Flag> {
  return new SettingsReader<Flag>(
    (flag) => {
      const value = values[flag];
      // A boolean flag given is "true"; absent, its default applies.
      return typeof value === 'string' ? value : value === true ? 'true' : undefined;
    },
    (flag) => `--${flag}`,
    FLAG_DEFAULTS,
  );
}

/** Progress on stderr, only for a person watching a terminal. */
function progressPrinter(enabled: boolean): { update: (p: ReadProgress) => void; done: () => void } {
  if (!enabled) return { update: () => {}, done: () => {} };
  const started = performance.now();
  let shown = false;
  return {
    update: (p) => {
      const seconds = (performance.now() - started) / 1000;
      const mb = p.bytesRead / 1e6;
      // The carriage return and the erase below are ours; the counts go through terminalText.
      process.stderr.write(
        `\r${terminalText(`  ${p.lines.toLocaleString('en-US')} lines · ${mb.toFixed(0)} MB · ${(seconds > 0 ? mb / seconds : 0).toFixed(0)} MB/s `)}`,
      );
      shown = true;
    },
    done: () => {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}

function printNotes(report: Report): void {
  if (report.source.malformed > 0) {
    const first = report.source.malformedSamples[0];
    warn(
      `warning: skipped ${report.source.malformed} malformed line(s)` +
        (first ? `; first at ${quoted(first.file)}:${first.line}: ${quoted(first.reason)}` : '') +
        '\n',
    );
  }
}

const AWS_ONLY = [
  'cache-dir',
  'regions',
  'accounts',
  'member-role-name',
  'cost-source',
  'settling-days',
  'service-network',
  'log-group-names',
  'log-source',
  'athena-workgroup',
  'athena-database',
  'athena-table',
  'create-athena-table',
  's3-direct-read-mb',
  'lookback-days',
  'end-date',
  'cost-tag-key',
  'publish-metrics',
] as const;
const FILES_ONLY = ['logs', 'costs', 'prices', 'start', 'end'] as const;

async function emit(report: Report, values: Values, format: 'markdown' | 'json'): Promise<void> {
  printNotes(report);
  if (values.out) {
    const files = await writeReportFiles(report, values.out);
    print(`${headline(report)}\nReport: ${files.markdown}\nJSON:   ${files.json}\n${cappedNote(files)}`);
  } else if (format === 'json') {
    // JSON's own \u escapes: the same document for a parser, inert in a terminal.
    process.stdout.write(`${terminalText(JSON.stringify(report, null, 2), { json: true })}\n`);
  } else {
    print(renderMarkdown(report));
  }
}

/** Says when report.md does not hold every service, and that report.json does; '' when it does. */
function cappedNote(files: WrittenReport): string {
  if (files.listedServices === files.services && !files.trimmed) return '';
  const all = files.services.toLocaleString('en-US');
  const what: string[] = [];
  if (files.listedServices < files.services) {
    what.push(
      `it lists ${files.listedServices.toLocaleString('en-US')} of ${all} services and sums the rest by account and region`,
    );
  }
  if (files.trimmed) what.push(`it was trimmed to its ${REPORT_MD_MAX_BYTES / (1024 * 1024)} MiB cap`);
  return `report.md is capped: ${what.join(', and ')}; report.json holds all ${all} services.\n`;
}

async function analyze(values: Values, positionals: string[]): Promise<void> {
  if (positionals.length > 1) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[1])}; paths go after --logs.`);
  }
  if (values.aws) return analyzeWithAws(values);
  const misplaced = AWS_ONLY.find((flag) => values[flag] !== undefined);
  if (misplaced) throw new UsageError(`--${misplaced} needs --aws.`);
  if (!values.logs || values.logs.length === 0) {
    throw new UsageError('analyze needs at least one --logs PATH, or --aws to read from AWS.');
  }
  // Checked before the scan, so a typo does not wait for gigabytes of logs.
  const r = settings(values);
  const format = r.oneOf('format', FORMATS);
  const region = r.region('region', undefined) || undefined;
  const start = r.day('start');
  const end = r.day('end');
  const costMetric = r.costMetric('cost-metric');
  const thresholds = r.thresholds(THRESHOLD_INPUTS);
  r.check();
  const progress = progressPrinter(process.stderr.isTTY === true);
  const result = await analyzeLocal({
    logs: values.logs,
    costsFile: values.costs,
    pricesFile: values.prices,
    costMetric,
    region,
    start,
    end,
    thresholds,
    onProgress: progress.update,
    // The workers' bundle sits next to this one in dist/; under ts-jest there is none.
    workerScript: import.meta.url.endsWith('.js') ? new URL(WORKER_SCRIPT, import.meta.url) : undefined,
    threads: threadsFromEnv(),
  }).finally(progress.done);
  // The aggregates are garbage now; collect them before the report is serialised.
  collectGarbage();
  await emit(result.report, values, format);
  if (values.verbose) {
    const { bytesRead, lines, seconds, threads, fallbacks } = result.stats;
    const rssMb = process.resourceUsage().maxRSS / 1024;
    warn(
      `${lines.toLocaleString('en-US')} lines, ${(bytesRead / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s ` +
        `(${(bytesRead / 1e6 / seconds).toFixed(0)} MB/s), peak RSS ${rssMb.toFixed(0)} MB, ` +
        `${threads} thread${threads === 1 ? '' : 's'}, ${fallbacks.toLocaleString('en-US')} lines by the exact parser\n`,
    );
  }
}

/** The same pipeline as the action, with the SDK's default credentials (environment or profile). */
async function analyzeWithAws(values: Values): Promise<void> {
  const misplaced = FILES_ONLY.find((flag) => values[flag] !== undefined);
  if (misplaced) throw new UsageError(`--${misplaced} reads local files; it cannot be used with --aws.`);
  const r = settings(values);
  const format = r.oneOf('format', FORMATS);
  // Like the AWS CLI: the flag, else the environment's region.
  const region = r.region(
    'region',
    'is required with --aws (or set AWS_REGION): the region of the service network and its log groups.',
    process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION,
  );
  const logGroupNames = r.logGroupNames('log-group-names');
  const logSource = r.logSource('log-source');
  r.checkLogSource(
    logSource,
    { logGroups: 'log-group-names', network: 'service-network' },
    logGroupNames,
    r.optional('service-network'),
  );
  const aws: AwsSettings = {
    region,
    regions: r.regions('regions', region),
    accounts: r.accounts('accounts'),
    memberRoleName: r.roleName('member-role-name'),
    costSource: r.costSource('cost-source'),
    serviceNetwork: r.optional('service-network'),
    logGroupNames,
    logSource,
    athena: r.athena(ATHENA_INPUTS),
    lookbackDays: r.lookbackDays('lookback-days'),
    endDate: r.day('end-date'),
    costMetric: r.costMetric('cost-metric'),
    costTagKey: r.optional('cost-tag-key'),
    thresholds: r.thresholds(THRESHOLD_INPUTS),
  };
  const settlingDays = r.number('settling-days');
  r.check();
  const cacheDir = values['cache-dir'];
  const result = await untilInterrupted(
    () => new DataError('Interrupted; running Logs Insights queries were stopped.'),
    async (signal) => {
      // Loaded on demand: the AWS SDK adds ~40 ms to every start (kept in the bundle by "eager").
      const { analyzeAws } = await import(/* webpackMode: "eager" */ '../pipeline/aws.js');
      return analyzeAws({
        ...aws,
        ...(cacheDir ? { cache: { dir: cacheDir, settlingDays } } : {}),
        signal,
        log: values.verbose ? (message) => warn(`${message}\n`) : undefined,
      });
    },
  ).catch((error: unknown) => {
    throw setupProblem(error, { runner: 'cli', region }) ?? error;
  });
  await emit(result.report, values, format);
  if (values['publish-metrics']) {
    // The SDK's default credentials, as for the analysis; a failure is a warning, as in the action.
    const { publishMetrics } = await import(/* webpackMode: "eager" */ '../aws/metrics.js');
    await publishMetrics({ region }, result.report, new Date()).catch((error: unknown) =>
      warn(`warning: metrics were not published: ${errorMessage(error)}\n`),
    );
  }
  if (values.verbose) {
    const { run } = result.report;
    warn(
      `${run.insights.queries} Logs Insights queries scanned ${(run.insights.bytesScanned / 1e6).toFixed(1)} MB; ` +
        `${run.costExplorer.requests} Cost Explorer requests; about $${run.estimatedRunCostUsd.toFixed(4)}; ` +
        `${result.stats.seconds.toFixed(1)} s\n`,
    );
  }
}

async function diff(values: Values): Promise<void> {
  const r = settings(values);
  const region = r.region('region', undefined) || undefined;
  const quiet = r.number('idle-requests-per-day');
  r.check();
  const markdown = await diffMarkdown({
    ...(values.base ? { base: values.base } : {}),
    ...(values.head ? { head: values.head } : {}),
    ...(values['plan-json'] ? { planJson: values['plan-json'] } : {}),
    ...(values.report ? { report: values.report } : {}),
    ...(region ? { region } : {}),
    quietRequestsPerDay: quiet,
  });
  print(`${markdown}\n`);
}

async function sample(values: Values): Promise<void> {
  if (!values.out) throw new UsageError('sample needs --out FILE.');
  const r = settings(values);
  const records = r.integer('records', 0);
  const options = {
    records,
    // Sample days are meant to be read back: one window's worth at most.
    days: r.integer('days', 1, MAX_WINDOW_DAYS),
    services: r.integer('services', 1, SAMPLE_MAX_SERVICES),
    seed: r.integer('seed', 0),
  };
  r.check();
  const { bytes } = await writeSampleLog(values.out, options);
  print(
    `Wrote ${records.toLocaleString('en-US')} records (${(bytes / 1e6).toFixed(1)} MB) to ${values.out}\n`,
  );
}

async function demo(values: Values): Promise<void> {
  const out = values.out ?? 'demo-output';
  const started = performance.now();
  const data = await generateDemo({ outDir: out });
  const result = await analyzeLocal({
    logs: [data.logDir],
    costsFile: data.costsFile,
    pricesFile: data.pricesFile,
    start: data.analysisStart,
    end: data.end,
    thresholds: DEFAULT_THRESHOLDS,
  });
  const files = await writeReportFiles(result.report, out);
  // A pull request's templates: the idle service removed, one added, for `diff`.
  const templates = join(out, 'templates');
  await mkdir(templates, { recursive: true });
  await writeFile(join(templates, 'base.yaml'), DEMO_TEMPLATE_BASE);
  await writeFile(join(templates, 'head.yaml'), DEMO_TEMPLATE_HEAD);
  const seconds = (performance.now() - started) / 1000;
  print(
    `${headline(result.report)}\n\n` +
      `Generated ${data.records.toLocaleString('en-US')} access-log records (${data.files.length} files) in ${data.logDir}\n` +
      `a Cost Explorer response in ${data.costsFile} and a price list in ${data.pricesFile};\n` +
      `analysed the last 7 days in ${seconds.toFixed(1)} s.\n` +
      `Report: ${files.markdown}\nJSON:   ${files.json}\n` +
      `What a pull request that retires the idle service would do:\n` +
      `  node dist/cli.js diff --base ${join(templates, 'base.yaml')} --head ${join(templates, 'head.yaml')} --report ${files.json}\n`,
  );
}

export async function main(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parse(argv);
    if (values.help) {
      print(HELP);
      return 0;
    }
    if (values.version) {
      print(`${TOOL.version}\n`);
      return 0;
    }
    const command = positionals[0];
    if (command === 'analyze') await analyze(values, positionals);
    else if (command === 'diff') await diff(values);
    else if (command === 'demo') await demo(values);
    else if (command === 'sample') await sample(values);
    else if (command === 'help' || command === undefined) {
      print(HELP);
      return command === undefined ? 2 : 0;
    } else
      throw new UsageError(`unknown command ${JSON.stringify(command)}; use analyze, diff, demo or sample.`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      warn(`error: ${error.message}\nRun '${TOOL.name} --help' for usage.\n`);
      return 2;
    }
    if (error instanceof DataError) {
      warn(`error: ${error.message}\n`);
      return 1;
    }
    warn(`error: unexpected failure: ${errorMessage(error)}\n`);
    if (process.env.DEBUG) warn(`${(error as Error).stack ?? ''}\n`);
    return 1;
  }
}
