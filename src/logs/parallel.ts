/**
 * Regular plain JSON-lines files, scanned in ranges by the calling thread alone or with workers.
 *
 * Each such file is a list of ranges of a fixed size (a small file is one range), and the ranges of
 * all the files, in file order, are the units of one table. The calling thread and the workers claim
 * units from it in turn, so a worker that starts late (it compiles its bundle first) simply claims
 * fewer. A range owns the lines that start in it: its scanner skips the end of the line that runs
 * into it and reads past its end to finish its last line.
 *
 * The reader takes the files in order (file()). Alone, the calling thread scans every unit straight
 * into the reader's aggregates, in line order: one pass. With workers, the calling thread scans its
 * units into one set per file, and each worker sends every range's days as it finishes it (packed,
 * model/packed-days.ts), added into that set on arrival: a worker holds one range's days at most,
 * and the calling thread one copy of the file's. Every value is a whole number (model/record.ts),
 * and sums of non-negative integers up to 2^53 do not depend on the order of addition, so this
 * gives exactly what one pass would; the reader reads a file again in one pass when a sum passes
 * 2^53. What does depend on order is combined unit by unit here: line numbers, malformed samples
 * and the first service name.
 *
 * gzip files, pipes and the other formats are not in the table: the reader streams them (gzip
 * cannot be cut into ranges; it is inflated on Node's thread pool beside the scan).
 *
 * The workers run dist/scan-worker.js (src/logs/scan-worker.ts), a bundle of this module and the
 * scanner only.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker, parentPort, workerData } from 'node:worker_threads';
import { AggregateSet } from '../model/aggregate.js';
import { type PackedDays, addPackedDays, packDays } from '../model/packed-days.js';
import { UsageError } from '../errors.js';
import { LineScanner, MAX_SAMPLES, type ScanCounts, emptyCounts } from './fast-scan.js';
import { isGzip } from './sniff.js';

/**
 * The workers' bundle, next to the CLI's in dist/. Not a literal in `new URL()`, which the bundler
 * would take for an asset to copy.
 */
export const WORKER_SCRIPT = './scan-worker.js';

/** Below this many bytes of plain files, starting workers (each loads its bundle) costs more than it saves. */
const PARALLEL_MIN_BYTES = 64 << 20;
export const RANGE_BYTES = 16 << 20;
const READ_BYTES = 1 << 20;
/** Reads past the end of a range, to finish its last line, which is usually short. */
const TAIL_READ_BYTES = 16 << 10;

/** LATTICE_COST_REPORT_THREADS: the threads that scan, the calling one included; undefined if unset. */
export function threadsFromEnv(): number | undefined {
  const raw = process.env.LATTICE_COST_REPORT_THREADS;
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new UsageError(
      `LATTICE_COST_REPORT_THREADS must be a whole number of at least 1 (got ${JSON.stringify(raw)}); ` +
        'unset it to use every core.',
    );
  }
  return n;
}

interface ScanJob {
  region?: string;
  maxLineBytes: number;
  rangeBytes: number;
}

interface RangeResult {
  counts: ScanCounts;
  /** Service names found, first per service, in line order. */
  names: Array<[string, string]>;
}

/** Scans the lines that start in range `index` of a file (`fd`, `size` bytes) into `target`. */
function scanRange(fd: number, size: number, index: number, target: AggregateSet, job: ScanJob): RangeResult {
  const start = index * job.rangeBytes;
  const end = Math.min(size, start + job.rangeBytes);
  const scanner = new LineScanner(target, {
    region: job.region,
    maxLineBytes: job.maxLineBytes,
    bom: start === 0,
    lead: start > 0,
  });
  try {
    // From the byte before the range, which says whether a line starts at its first byte...
    let pos = Math.max(0, start - 1);
    while (pos < end) {
      const room = scanner.reserve(Math.min(READ_BYTES, end - pos));
      const n = readSync(fd, room, 0, Math.min(room.length, end - pos), pos);
      if (n === 0) break;
      pos += n;
      scanner.commit(n);
    }
    // ...the last line up to its \n...
    while (scanner.pending && pos < size) {
      const room = scanner.reserve(TAIL_READ_BYTES);
      const n = readSync(fd, room, 0, Math.min(room.length, size - pos), pos);
      if (n === 0) break;
      pos += scanner.finishLine(n);
    }
    // ...or to the end of the file.
    if (scanner.pending) scanner.end();
    return { counts: scanner.counts, names: scanner.names() };
  } finally {
    scanner.release();
  }
}

/** The file of the last unit, kept open for the next unit of the same file. */
class OpenFile {
  private file: string | undefined;
  private fd = -1;

  get(file: string): number {
    if (file !== this.file) {
      this.close();
      this.fd = openSync(file, 'r');
      this.file = file;
    }
    return this.fd;
  }

  close(): void {
    if (this.file !== undefined) closeSync(this.fd);
    this.file = undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// The table. owner[u] is 0 while unit u is free, then the claimant's id; compareExchange makes
// claiming and recording the owner one step, so the calling thread always knows whose a unit is.

/** The calling thread's id; workers get the next ones. */
export const MAIN_ID = 1;
const CANCELLED = -1;

function claim(owner: Int32Array, id: number, from: number): number {
  for (let k = from; k < owner.length; k++) if (Atomics.compareExchange(owner, k, 0, id) === 0) return k;
  return -1;
}

/** The files of the table: file k has units first[k] ... first[k] + ranges[k] - 1. */
interface Table extends ScanJob {
  files: string[];
  sizes: number[];
  first: number[];
  ranges: number[];
}

// ---------------------------------------------------------------------------------------------
// Worker side

interface SerializedError {
  message: string;
  code?: string;
  syscall?: string;
}

interface JobMessage {
  jobId: number;
  table: Table;
  owner: SharedArrayBuffer;
}

/** A range scanned by a worker: its counts and its days, or what went wrong. */
interface WorkerReply {
  jobId: number;
  unit: number;
  result?: RangeResult;
  days?: PackedDays;
  error?: SerializedError;
}

/**
 * Workers started ahead by prewarmScanWorkers, for the next RangeScan, and the next worker id (the
 * main thread's, then one per worker ever started). Kept on globalThis because the launcher
 * (dist/cli.js) starts the workers and the CLI's bundle (dist/cli-main.js), which has its own copy
 * of this module, uses them.
 */
const registry = ((globalThis as Record<symbol, unknown>)[Symbol.for('lattice-cost-report/scan-workers')] ??=
  {
    prewarmed: [],
    nextId: MAIN_ID + 1,
  }) as { prewarmed: Started[]; nextId: number };

/** The worker's loop: claim units until none is left, sending each range's days when done with it. */
export function serveScanWorker(): void {
  const port = parentPort;
  if (!port) throw new Error('serveScanWorker runs only in a worker thread');
  const id = (workerData as { id: number }).id;
  port.on('message', ({ jobId, table, owner: shared }: JobMessage) => {
    const owner = new Int32Array(shared);
    const open = new OpenFile();
    let k = 0;
    for (let u = claim(owner, id, 0); u !== -1; u = claim(owner, id, u + 1)) {
      while (u >= table.first[k]! + table.ranges[k]!) k++;
      try {
        const set = new AggregateSet();
        const result = scanRange(open.get(table.files[k]!), table.sizes[k]!, u - table.first[k]!, set, table);
        const days = packDays(set);
        const reply: WorkerReply = { jobId, unit: u, result, days };
        port.postMessage(reply, [days.numbers.buffer as ArrayBuffer]);
      } catch (error) {
        const e = error as { message?: unknown; code?: unknown; syscall?: unknown };
        const serialized: SerializedError = {
          message: String(e?.message ?? error),
          code: typeof e?.code === 'string' ? e.code : undefined,
          syscall: typeof e?.syscall === 'string' ? e.syscall : undefined,
        };
        port.postMessage({ jobId, unit: u, error: serialized } satisfies WorkerReply);
      }
    }
    open.close();
  });
}

/** The worker's error, with the code and syscall that the reader turns into a message. */
function reviveError(error: SerializedError): Error {
  const revived: Error & { code?: string; syscall?: string } = new Error(error.message);
  if (error.code) revived.code = error.code;
  if (error.syscall) revived.syscall = error.syscall;
  return revived;
}

// ---------------------------------------------------------------------------------------------
// Main side

interface Started {
  id: number;
  worker: Worker;
  dead: boolean;
}

/** Old-space limit of a scan worker's heap, MB: a 16 MiB range's days with room to spare. */
const WORKER_OLD_SPACE_MB = 64;
/** Tests set a heap too small to start in, to see a lost worker's ranges scanned on the main thread. */
const WORKER_HEAP_ENV = 'LATTICE_COST_REPORT_WORKER_HEAP_MB';

function workerHeapMb(): number {
  const raw = Number(process.env[WORKER_HEAP_ENV]);
  return Number.isInteger(raw) && raw > 0 ? raw : WORKER_OLD_SPACE_MB;
}

function startWorker(script: URL): Started {
  const id = registry.nextId++;
  // A worker holds one range's days at a time, so a small heap is plenty; without a limit V8 let
  // each grow with uncollected garbage (~100 MB at 5,000 services). One that runs out dies, and
  // its unsent ranges are scanned again on the main thread, as for any lost worker.
  const resourceLimits = { maxOldGenerationSizeMb: workerHeapMb(), maxYoungGenerationSizeMb: 8 };
  const started: Started = {
    id,
    worker: new Worker(script, { workerData: { id }, resourceLimits }),
    dead: false,
  };
  const lost = (): void => {
    started.dead = true;
  };
  started.worker.on('error', lost);
  started.worker.on('exit', lost);
  return started;
}

/**
 * When the command line names a large plain file, starting the workers before the rest of the CLI
 * loads lets them help from the first range. They are unreferenced until a RangeScan takes them, so
 * unused ones never hold the process. A bad LATTICE_COST_REPORT_THREADS starts none: the CLI says
 * what is wrong with it.
 */
export function prewarmScanWorkers(script: URL, files: string[]): void {
  let threads: number;
  try {
    threads = threadsFromEnv() ?? availableParallelism();
  } catch {
    return;
  }
  if (threads < 2 || !files.some(isLargePlainFile)) return;
  for (let n = 1; n < threads; n++) {
    const started = startWorker(script);
    started.worker.unref();
    registry.prewarmed.push(started);
  }
}

function isLargePlainFile(file: string): boolean {
  try {
    const info = statSync(file);
    if (!info.isFile() || info.size < PARALLEL_MIN_BYTES) return false;
    const fd = openSync(file, 'r');
    try {
      const head = Buffer.alloc(2);
      readSync(fd, head, 0, 2, 0);
      return !isGzip(head);
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

type UnitOutcome = { thread: number } & ({ result: RangeResult } | { error: unknown });

/** One file's scan, its units combined in order. */
export interface FileScan {
  /** Line numbers from the start of the file. */
  counts: ScanCounts;
  /** First per service, in line order. */
  names: Array<[string, string]>;
  /** Its days; none when the units went straight into `direct`. */
  set: AggregateSet | undefined;
  /** False when a sum passed 2^53, so the order of addition mattered: read the file in one pass. */
  exact: boolean;
  /** The threads that scanned its units. */
  threads: Set<number>;
}

interface RangeScanOptions extends ScanJob {
  /** A script that calls serveScanWorker(); without it, the calling thread scans alone. */
  script?: URL;
  workers: number;
  /**
   * Where the calling thread adds records when it scans alone: every unit in order, so one pass.
   * Ignored when there are workers or `isolate`.
   */
  direct: AggregateSet;
  /** Tests: each unit into a set of its own, as if every one had run on another thread. */
  isolate?: boolean;
  signal?: AbortSignal;
  /** Called on the calling thread between units, for progress (bytesDone, linesDone). */
  onProgress?: () => void;
}

/** The units of every plain file of one run, and the workers that help scan them. */
export class RangeScan {
  private readonly table: Table;
  private readonly owner: Int32Array;
  /** By unit: the file it belongs to, and what became of it. */
  private readonly unitFile: Int32Array;
  private readonly outcomes: Array<UnitOutcome | undefined>;
  /** By file: the set its units are added into, by any thread. */
  private readonly fileSets = new Map<number, AggregateSet>();
  /** By file: each service's first name, from the earliest unit that named it so far. */
  private readonly fileNames = new Map<number, Map<string, { unit: number; at: number; name: string }>>();
  private readonly workers = new Map<number, Started>();
  private readonly jobId = registry.nextId++;
  private readonly direct: AggregateSet | undefined;
  private readonly open = new OpenFile();
  private next = 0;
  /** Units not yet done, by any thread. */
  private remaining: number;
  /** The workers' termination, once no unit is left for them. */
  private stopped: Promise<unknown> | undefined;
  private waiting: (() => void) | undefined;
  /** Bytes and non-blank lines of the units done so far, by any thread. */
  bytesDone = 0;
  linesDone = 0;

  /** `sizes[k]`: the size of file k when it is a regular plain JSONL file, else undefined (not scanned here). */
  constructor(
    files: string[],
    sizes: Array<number | undefined>,
    private readonly options: RangeScanOptions,
  ) {
    const rangeBytes = options.rangeBytes;
    const first: number[] = [];
    const ranges: number[] = [];
    let units = 0;
    let bytes = 0;
    for (const size of sizes) {
      first.push(units);
      const n = size === undefined ? 0 : Math.max(1, Math.ceil(size / rangeBytes));
      ranges.push(n);
      units += n;
      bytes += size ?? 0;
    }
    this.table = {
      files,
      sizes: sizes.map((size) => size ?? 0),
      first,
      ranges,
      region: options.region,
      maxLineBytes: options.maxLineBytes,
      rangeBytes,
    };
    this.owner = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, units)));
    this.unitFile = new Int32Array(units);
    for (let k = 0; k < files.length; k++) this.unitFile.fill(k, first[k], first[k]! + ranges[k]!);
    this.outcomes = new Array<UnitOutcome | undefined>(units).fill(undefined);
    this.remaining = units;
    const parallel =
      options.script !== undefined && options.workers > 0 && units > 1 && bytes >= PARALLEL_MIN_BYTES;
    if (parallel) this.start(options.script!, options.workers);
    this.direct = parallel || options.isolate ? undefined : options.direct;
    options.signal?.addEventListener('abort', this.wake);
  }

  private readonly wake = (): void => {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  };

  private start(script: URL, count: number): void {
    const message: JobMessage = {
      jobId: this.jobId,
      table: this.table,
      owner: this.owner.buffer as SharedArrayBuffer,
    };
    for (let n = 0; n < count; n++) {
      const entry = registry.prewarmed.shift() ?? startWorker(script);
      entry.worker.ref();
      entry.worker.on('message', (reply: WorkerReply) => this.onReply(entry.id, reply));
      // A worker that cannot start or dies leaves its units to the calling thread.
      entry.worker.on('error', this.wake);
      entry.worker.on('exit', this.wake);
      this.workers.set(entry.id, entry);
      entry.worker.postMessage(message);
    }
  }

  private onReply(from: number, reply: WorkerReply): void {
    // A dead worker's units without a reply are scanned again here.
    if (reply.jobId !== this.jobId || this.workers.get(from)!.dead || this.outcomes[reply.unit]) return;
    if (reply.error) {
      this.record(reply.unit, { thread: from, error: reviveError(reply.error) });
    } else {
      this.record(reply.unit, { thread: from, result: reply.result! });
      addPackedDays(this.fileSet(this.unitFile[reply.unit]!), reply.days!);
    }
    this.wake();
  }

  /** The sets being filled, of files not yet returned by file(). */
  sets(): AggregateSet[] {
    return [...this.fileSets.values()];
  }

  private fileSet(k: number): AggregateSet {
    let set = this.fileSets.get(k);
    if (!set) this.fileSets.set(k, (set = new AggregateSet()));
    return set;
  }

  private record(unit: number, outcome: UnitOutcome): void {
    if (this.outcomes[unit] === undefined) {
      this.remaining--;
      if ('result' in outcome) {
        const k = this.unitFile[unit]!;
        const start = (unit - this.table.first[k]!) * this.table.rangeBytes;
        this.bytesDone += Math.min(this.table.rangeBytes, this.table.sizes[k]! - start);
        this.linesDone += outcome.result.counts.counted;
      }
    }
    if ('result' in outcome) this.foldNames(this.unitFile[unit]!, unit, outcome.result);
    this.outcomes[unit] = outcome;
  }

  /**
   * Takes a unit's names into its file's as it is done, rather than keeping every unit's until
   * the file is: a range names thousands of services, and a file has hundreds of ranges.
   */
  private foldNames(k: number, unit: number, result: RangeResult): void {
    let names = this.fileNames.get(k);
    if (!names) this.fileNames.set(k, (names = new Map()));
    result.names.forEach(([arn, name], at) => {
      const had = names.get(arn);
      if (had === undefined || unit < had.unit) names.set(arn, { unit, at, name });
    });
    result.names = [];
  }

  private scanHere(unit: number): void {
    const k = this.unitFile[unit]!;
    // isolate: a set of its own, packed and added as a worker's would be.
    const target = this.direct ?? (this.options.isolate ? new AggregateSet() : this.fileSet(k));
    let outcome: UnitOutcome;
    try {
      outcome = {
        thread: MAIN_ID,
        result: scanRange(
          this.open.get(this.table.files[k]!),
          this.table.sizes[k]!,
          unit - this.table.first[k]!,
          target,
          this.table,
        ),
      };
    } catch (error) {
      outcome = { thread: MAIN_ID, error };
    }
    this.record(unit, outcome);
    if (this.options.isolate && 'result' in outcome) addPackedDays(this.fileSet(k), packDays(target));
  }

  /** Whether unit u is done: scanned here, or its days received from a worker. */
  private final(u: number): boolean {
    return this.outcomes[u] !== undefined;
  }

  /** Scans here the units of file k that a dead worker claimed and never sent. */
  private rescue(k: number): boolean {
    let rescued = false;
    const first = this.table.first[k]!;
    for (let u = first; u < first + this.table.ranges[k]!; u++) {
      const id = this.outcomes[u]?.thread ?? this.owner[u]!;
      if (id === MAIN_ID || this.final(u) || this.workers.get(id)?.dead === false) continue;
      this.scanHere(u);
      rescued = true;
    }
    return rescued;
  }

  /**
   * File k's scan, once every unit of it is done; the calling thread scans whatever units are free
   * meanwhile (of later files too). Throws what reading it threw, for the reader to word.
   */
  async file(k: number): Promise<FileScan> {
    const signal = this.options.signal;
    const first = this.table.first[k]!;
    const last = first + this.table.ranges[k]!;
    for (let u = first; u < last;) {
      signal?.throwIfAborted();
      if (this.final(u)) {
        u++;
        continue;
      }
      const free = claim(this.owner, MAIN_ID, this.next);
      if (free !== -1) {
        this.next = free + 1;
        this.scanHere(free);
        // Lets the workers' replies in, and an abort.
        if (this.workers.size > 0 || signal) await yieldToEventLoop();
      } else if (!this.rescue(k)) {
        await new Promise<void>((resolve) => (this.waiting = resolve));
      }
      this.options.onProgress?.();
    }

    // Every unit is done: the workers' heaps go now, before the files' days are merged.
    if (this.remaining === 0) this.stopWorkers();
    const counts = emptyCounts();
    const threads = new Set<number>();
    for (let u = first; u < last; u++) {
      const outcome = this.outcomes[u]!;
      this.outcomes[u] = undefined;
      if ('error' in outcome) throw outcome.error;
      const r = outcome.result.counts;
      for (const sample of r.samples) {
        if (counts.samples.length < MAX_SAMPLES)
          counts.samples.push({ line: counts.lines + sample.line, reason: sample.reason });
      }
      counts.lines += r.lines;
      counts.counted += r.counted;
      counts.records += r.records;
      counts.malformed += r.malformed;
      counts.otherRegions += r.otherRegions;
      counts.fallbacks += r.fallbacks;
      threads.add(outcome.thread);
    }
    // The first name in line order wins, as in one pass: in the order they were first found.
    const named = [...(this.fileNames.get(k) ?? [])].sort(([, a], [, b]) => a.unit - b.unit || a.at - b.at);
    this.fileNames.delete(k);
    const names = named.map(([arn, { name }]): [string, string] => [arn, name]);
    const set = this.fileSets.get(k);
    const exact = set === undefined || sumsAreExact(set);
    this.fileSets.delete(k);
    return { counts, names, set, exact, threads };
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    this.open.close();
    this.options.signal?.removeEventListener('abort', this.wake);
    for (let u = 0; u < this.owner.length; u++) Atomics.compareExchange(this.owner, u, 0, CANCELLED);
    this.stopWorkers();
    await this.stopped;
  }

  private stopWorkers(): void {
    this.stopped ??= Promise.all([...this.workers.values()].map((w) => w.worker.terminate()));
  }
}

/**
 * Whether every sum of `set` is exact, whatever order its whole numbers were added in: so when no
 * sum passed 2^53 (a rounded one would be at least 2^53, so this is seen afterwards).
 */
function sumsAreExact(set: AggregateSet): boolean {
  for (const day of set.days.values()) {
    if (
      day.bytesIn > Number.MAX_SAFE_INTEGER ||
      day.bytesOut > Number.MAX_SAFE_INTEGER ||
      day.latency.sum > Number.MAX_SAFE_INTEGER
    ) {
      return false;
    }
  }
  return true;
}
