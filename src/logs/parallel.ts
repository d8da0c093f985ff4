/**
 * One large plain JSONL file scanned on several threads. The file is cut into ranges of a fixed
 * size; the main thread and the workers claim ranges from a shared table, so a worker that starts
 * late (it compiles the whole bundle first) simply claims fewer. A range owns the lines that start in
 * it: it skips the end of the line that runs into it and reads past its end to finish its last line.
 *
 * Each thread adds its records into its own AggregateSet. Sums of non-negative integers below 2^53
 * do not depend on the order of addition, so merging those sets gives exactly what one pass would;
 * the caller rescans the file in one pass when a range saw any other value (ScanCounts.integral).
 * What does depend on order is merged range by range: line numbers, malformed samples and the first
 * service name found.
 *
 * Many plain files are shared out whole instead: each thread scans the files it claims into a set
 * of its own, and the reader merges the sets in file order, under the same rule, or reads a file
 * itself when its set cannot be merged exactly or the file is not one a worker takes
 * (scanWholeFile). gzip files are not: inflating already runs on Node's thread pool beside the
 * scan, and two threads inflating at once measured no faster.
 *
 * The workers run dist/scan-worker.js (src/logs/scan-worker.ts), a bundle of this module and the
 * scanner only.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker, parentPort, workerData } from 'node:worker_threads';
import { AggregateSet, type DayAggregateJSON, dayFromJSON, dayToJSON } from '../model/aggregate.js';
import { LineScanner, MAX_SAMPLES, type ScanCounts, emptyCounts } from './fast-scan.js';
import { PEEK_BYTES, checkMagic, checkText, detectFormat, isGzip } from './sniff.js';

/**
 * The workers' bundle, next to the CLI's in dist/. Not a literal in `new URL()`, which the bundler
 * would take for an asset to copy.
 */
export const WORKER_SCRIPT = './scan-worker.js';

export interface RangeJob {
  file: string;
  size: number;
  rangeBytes: number;
  ranges: number;
  region?: string;
  maxLineBytes: number;
}

export interface RangeResult {
  index: number;
  counts: ScanCounts;
  /** Service names found, first per service, in line order. */
  names: Array<[string, string]>;
}

/** Below this, starting workers (each loads the bundle first) costs more than it saves. */
export const PARALLEL_MIN_BYTES = 64 << 20;
export const RANGE_BYTES = 16 << 20;
const READ_BYTES = 1 << 20;
/** Reads past the end of a range, to finish its last line, which is usually short. */
const TAIL_READ_BYTES = 16 << 10;
const NL = 0x0a;

/**
 * Where the first line that starts in [from, end) begins (after the first \n in [from - 1, end - 1)),
 * or `end` when none does: the range is inside one long line.
 */
function lineStartIn(fd: number, from: number, end: number): number {
  const buf = Buffer.allocUnsafe(Math.min(16 << 10, end - from));
  for (let pos = from - 1; pos < end - 1;) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, end - 1 - pos), pos);
    if (n === 0) break;
    const nl = buf.indexOf(NL);
    if (nl !== -1 && nl < n) return pos + nl + 1;
    pos += n;
  }
  return end;
}

/** Scans the lines that start in range `index` of the job into `target`. */
export function scanRange(fd: number, job: RangeJob, index: number, target: AggregateSet): RangeResult {
  const start = index * job.rangeBytes;
  const end = Math.min(job.size, start + job.rangeBytes);
  const scanner = new LineScanner(target, {
    region: job.region,
    maxLineBytes: job.maxLineBytes,
    bom: start === 0,
  });
  let pos = start === 0 ? 0 : lineStartIn(fd, start, end);
  // The lines that start before `end`...
  while (pos < end) {
    const room = scanner.reserve(Math.min(READ_BYTES, end - pos));
    const n = readSync(fd, room, 0, Math.min(room.length, end - pos), pos);
    if (n === 0) break;
    pos += n;
    scanner.commit(n);
  }
  // ...the last of them up to its \n...
  while (scanner.pending && pos < job.size) {
    const room = scanner.reserve(TAIL_READ_BYTES);
    const n = readSync(fd, room, 0, Math.min(room.length, job.size - pos), pos);
    if (n === 0) break;
    const nl = room.indexOf(NL);
    const take = nl !== -1 && nl < n ? nl + 1 : n;
    pos += take;
    scanner.commit(take);
  }
  // ...or to the end of the file.
  if (scanner.pending) scanner.end();
  scanner.release();
  return { index, counts: scanner.counts, names: scanner.names() };
}

/** The one range of a whole file. */
export function wholeFileRange(file: string, size: number, job: FileJob): RangeJob {
  return { file, size, rangeBytes: Math.max(1, size), ranges: 1, ...job };
}

export interface FileJob {
  region?: string;
  maxLineBytes: number;
}

/** A whole file scanned into a set of its own. */
export interface WholeFileScan {
  counts: ScanCounts;
  names: Array<[string, string]>;
  days: DayAggregateJSON[];
  /** The file's size, as stored. */
  bytes: number;
  /** The thread that scanned it. */
  thread: number;
}

/**
 * Scans a whole plain JSON-lines file as the reader's one pass would, into a set of its own.
 * Anything else (gzip, another format, an error, a file without a valid record) gives undefined:
 * the reader then reads the file itself, and says what is wrong the way it always does. The file
 * is read straight into the scanner's buffer: streams would allocate a buffer per read, and the
 * page faults of two threads doing that serialise on the process's memory map.
 */
export function scanWholeFile(file: string, job: FileJob, thread = MAIN_ID): WholeFileScan | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const bytes = fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(bytes, PEEK_BYTES));
    readSync(fd, head, 0, head.length, 0);
    checkMagic(file, head);
    if (isGzip(head) || !isJsonLines(file, head)) return undefined;
    const set = new AggregateSet();
    const { counts, names } = scanRange(fd, wholeFileRange(file, bytes, job), 0, set);
    if (counts.counted === 0 || counts.records === 0) return undefined;
    return { counts, names, days: [...set.days.values()].map(dayToJSON), bytes, thread };
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function isJsonLines(file: string, head: Buffer): boolean {
  checkText(file, head);
  return detectFormat(head) === 'jsonl';
}

// ---------------------------------------------------------------------------------------------
// Claiming ranges. owner[k] is 0 while range k is free, then the claimant's id; compareExchange
// makes claiming and recording the owner one step, so the main thread always knows whose a range is.

const MAIN_ID = 1;
const CANCELLED = -1;

function claim(owner: Int32Array, id: number, from: number): number {
  for (let k = from; k < owner.length; k++) if (Atomics.compareExchange(owner, k, 0, id) === 0) return k;
  return -1;
}

// ---------------------------------------------------------------------------------------------
// Worker side

type JobMessage =
  | { jobId: number; job: RangeJob; owner: SharedArrayBuffer }
  | { jobId: number; files: string[]; fileJob: FileJob; owner: SharedArrayBuffer };

interface SerializedError {
  message: string;
  code?: string;
  syscall?: string;
}

type WorkerReply =
  | { type: 'range'; jobId: number; result: RangeResult }
  | { type: 'file'; jobId: number; index: number; scan: WholeFileScan | undefined }
  | { type: 'done'; jobId: number; days: DayAggregateJSON[] }
  | { type: 'failed'; jobId: number; error: SerializedError };

/**
 * Workers started ahead by prewarmScanWorkers, for the next ScanPool, and the next worker id (the
 * main thread's, then one per worker ever started). Kept on globalThis because the launcher
 * (dist/cli.js) starts the workers and the CLI's bundle (dist/cli-main.js), which has its own copy
 * of this module, uses them.
 */
const registry = ((globalThis as Record<symbol, unknown>)[Symbol.for('lattice-cost-report/scan-workers')] ??=
  {
    prewarmed: [],
    nextId: MAIN_ID + 1,
  }) as { prewarmed: Started[]; nextId: number };

/** The worker's loop: claim ranges until none is left, then send the aggregates. */
export function serveScanWorker(): void {
  const port = parentPort;
  if (!port) throw new Error('serveScanWorker runs only in a worker thread');
  const id = (workerData as { id: number }).id;
  const reply = (message: WorkerReply): void => port.postMessage(message);
  const serveFiles = (jobId: number, files: string[], fileJob: FileJob, owner: Int32Array): void => {
    for (let k = claim(owner, id, 0); k !== -1; k = claim(owner, id, k + 1)) {
      reply({ type: 'file', jobId, index: k, scan: scanWholeFile(files[k]!, fileJob, id) });
    }
    reply({ type: 'done', jobId, days: [] });
  };
  port.on('message', (message: JobMessage) => {
    if ('files' in message) {
      serveFiles(message.jobId, message.files, message.fileJob, new Int32Array(message.owner));
      return;
    }
    const { jobId, job, owner: shared } = message;
    const owner = new Int32Array(shared);
    const set = new AggregateSet();
    let fd: number | undefined;
    try {
      fd = openSync(job.file, 'r');
      for (let k = claim(owner, id, 0); k !== -1; k = claim(owner, id, k + 1)) {
        reply({ type: 'range', jobId, result: scanRange(fd, job, k, set) });
      }
      reply({ type: 'done', jobId, days: [...set.days.values()].map(dayToJSON) });
    } catch (error) {
      const e = error as { message?: unknown; code?: unknown; syscall?: unknown };
      reply({
        type: 'failed',
        jobId,
        error: {
          message: String(e?.message ?? error),
          code: typeof e?.code === 'string' ? e.code : undefined,
          syscall: typeof e?.syscall === 'string' ? e.syscall : undefined,
        },
      });
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  });
}

/** The worker's error, with the code and syscall that readError turns into a message. */
function reviveError(error: SerializedError): Error {
  const revived: Error & { code?: string; syscall?: string } = new Error(error.message);
  if (error.code) revived.code = error.code;
  if (error.syscall) revived.syscall = error.syscall;
  return revived;
}

// ---------------------------------------------------------------------------------------------
// Main side

/** Threads to scan with: LATTICE_COST_REPORT_THREADS when it is a whole number, else every core. */
export function scanThreads(): number {
  const n = Number(process.env.LATTICE_COST_REPORT_THREADS || NaN);
  return Number.isInteger(n) && n >= 1 ? n : availableParallelism();
}

interface Started {
  id: number;
  worker: Worker;
  dead: boolean;
}

function startWorker(script: URL): Started {
  const id = registry.nextId++;
  const started: Started = {
    id,
    worker: new Worker(script, { workerData: { id } }),
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
 * loads lets them help from the first range.
 * They are unreferenced until a ScanPool takes them, so unused ones never hold the process.
 */
export function prewarmScanWorkers(script: URL, files: string[]): void {
  const wanted = scanThreads() - 1;
  if (wanted < 1 || !files.some(isLargePlainFile)) return;
  for (let n = 0; n < wanted; n++) {
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
      return !(head[0] === 0x1f && head[1] === 0x8b);
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

export interface FileScan {
  /** The file's aggregates, service names included. */
  aggregates: AggregateSet;
  /** Its counts, line numbers from the start of the file. */
  counts: ScanCounts;
  /** Threads that scanned at least one range. */
  threads: number;
}

type PoolWorker = Started;

/** The current job, as the message handlers see it. */
interface ActiveJob {
  jobId: number;
  owner: Int32Array;
  results: Array<RangeResult | undefined>;
  /** Per worker id: results not final until its aggregates arrive. */
  pending: Map<number, RangeResult[]>;
  days: DayAggregateJSON[][];
  done: Set<number>;
  failure?: Error;
  wake: () => void;
  onRange: (result: RangeResult) => void;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Worker threads kept for the files of one run. */
export class ScanPool {
  private readonly workers: PoolWorker[] = [];
  private job: ActiveJob | undefined;
  private offer: FileOffer | undefined;
  private nextJob = 1;

  /** `script` must call serveScanWorker() (dist/scan-worker.js does); `workers` may be 0. */
  constructor(
    private readonly script: URL | undefined,
    private readonly workerCount: number,
  ) {}

  private start(): void {
    const script = this.script;
    if (this.workers.length > 0 || !script) return;
    for (let n = 0; n < this.workerCount; n++) {
      const entry = registry.prewarmed.shift() ?? startWorker(script);
      entry.worker.ref();
      entry.worker.on('message', (message: WorkerReply) => this.onMessage(entry, message));
      // A worker that cannot start or dies leaves its ranges and files to the main thread.
      const wake = (): void => {
        this.job?.wake();
        this.offer?.wake();
      };
      entry.worker.on('error', wake);
      entry.worker.on('exit', wake);
      this.workers.push(entry);
    }
  }

  private onMessage(from: PoolWorker, message: WorkerReply): void {
    const offer = this.offer;
    if (offer && message.jobId === offer.jobId) {
      if (message.type === 'file') offer.record(message.index, message.scan);
      else if (message.type === 'done') offer.done.add(from.id);
      offer.wake();
      return;
    }
    const job = this.job;
    if (!job || message.jobId !== job.jobId) return;
    if (message.type === 'range') {
      const list = job.pending.get(from.id) ?? [];
      list.push(message.result);
      job.pending.set(from.id, list);
      job.onRange(message.result);
    } else if (message.type === 'done') {
      for (const result of job.pending.get(from.id) ?? []) job.results[result.index] = result;
      job.days.push(message.days);
      job.done.add(from.id);
    } else if (message.type === 'failed') {
      job.failure ??= reviveError(message.error);
    }
    job.wake();
  }

  /** Scans `file` (a regular file of `size` bytes) in ranges on the main thread and the workers. */
  async scanFile(
    file: string,
    size: number,
    options: {
      region?: string;
      maxLineBytes: number;
      rangeBytes: number;
      signal?: AbortSignal;
      /** Tests: each range of the main thread in its own set, as if each ran on another thread. */
      isolateRanges?: boolean;
    },
    onRange: (result: RangeResult) => void,
  ): Promise<FileScan> {
    const ranges = Math.max(1, Math.ceil(size / options.rangeBytes));
    const rangeJob: RangeJob = {
      file,
      size,
      rangeBytes: options.rangeBytes,
      ranges,
      region: options.region,
      maxLineBytes: options.maxLineBytes,
    };
    const owner = new Int32Array(new SharedArrayBuffer(4 * ranges));
    let wake = (): void => {};
    const job: ActiveJob = {
      jobId: this.nextJob++,
      owner,
      results: new Array<RangeResult | undefined>(ranges).fill(undefined),
      pending: new Map(),
      days: [],
      done: new Set(),
      wake: () => wake(),
      onRange,
    };
    this.job = job;
    if (ranges > 1) this.start();
    const message: JobMessage = { jobId: job.jobId, job: rangeJob, owner: owner.buffer };
    for (const w of this.workers) if (!w.dead) w.worker.postMessage(message);

    const aggregates = new AggregateSet();
    const isolated: AggregateSet[] = [];
    const fd = openSync(file, 'r');
    const onAbort = (): void => job.wake();
    options.signal?.addEventListener('abort', onAbort);
    try {
      const scanHere = (k: number): void => {
        let target = aggregates;
        if (options.isolateRanges) {
          target = new AggregateSet();
          isolated.push(target);
        }
        const result = scanRange(fd, rangeJob, k, target);
        job.results[k] = result;
        onRange(result);
      };
      for (let k = claim(owner, MAIN_ID, 0); k !== -1; k = claim(owner, MAIN_ID, k + 1)) {
        options.signal?.throwIfAborted();
        if (job.failure) throw job.failure;
        scanHere(k);
        // Lets worker messages and an abort in between ranges.
        await yieldToEventLoop();
      }
      // Wait for every worker that owns a range to send its aggregates, or to die.
      for (;;) {
        if (job.failure) throw job.failure;
        options.signal?.throwIfAborted();
        const waiting = this.workers.some((w) => !w.dead && !job.done.has(w.id) && owner.includes(w.id));
        if (!waiting) break;
        await new Promise<void>((resolve) => (wake = resolve));
      }
      // Ranges of a worker that died are scanned again here (its aggregates died with it).
      for (let k = 0; k < ranges; k++) {
        const id = owner[k]!;
        if (id !== MAIN_ID && !job.done.has(id)) {
          options.signal?.throwIfAborted();
          scanHere(k);
        }
      }
    } catch (error) {
      // Stops the workers from claiming more.
      for (let k = 0; k < ranges; k++) Atomics.compareExchange(owner, k, 0, CANCELLED);
      throw error;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      this.job = undefined;
      closeSync(fd);
    }

    for (const days of job.days) for (const day of days) aggregates.addDay(dayFromJSON(day));
    for (const set of isolated) for (const day of set.days.values()) aggregates.addDay(day);
    const counts = emptyCounts();
    for (const result of job.results) {
      const r = result!.counts;
      for (const sample of r.samples) {
        if (counts.samples.length < MAX_SAMPLES) {
          counts.samples.push({ line: counts.lines + sample.line, reason: sample.reason });
        }
      }
      counts.lines += r.lines;
      counts.counted += r.counted;
      counts.records += r.records;
      counts.malformed += r.malformed;
      counts.otherRegions += r.otherRegions;
      counts.fallbacks += r.fallbacks;
      counts.integral &&= r.integral;
      // The first name in line order wins, as in one pass.
      for (const [arn, name] of result!.names) {
        const identity = aggregates.services.get(arn);
        if (identity && identity.name === undefined) identity.name = name;
      }
    }
    const threads = new Set(Array.from(owner, (id) => (job.done.has(id) ? id : MAIN_ID))).size;
    return { aggregates, counts, threads };
  }

  /** Whether this pool may start worker threads at all. */
  get hasWorkers(): boolean {
    return this.script !== undefined && this.workerCount > 0;
  }

  /**
   * Shares `files` out whole: the workers start claiming them now; the caller claims with
   * claimFile() and takes each file's outcome, in file order, with fileScan().
   */
  offerFiles(files: string[], fileJob: FileJob): FileOffer {
    const offer = new FileOffer(this.nextJob++, files.length, this.workers);
    this.offer = offer;
    if (files.length > 1) this.start();
    const message: JobMessage = {
      jobId: offer.jobId,
      files,
      fileJob,
      owner: offer.owner.buffer as SharedArrayBuffer,
    };
    for (const w of this.workers) if (!w.dead) w.worker.postMessage(message);
    return offer;
  }

  async close(): Promise<void> {
    this.offer?.cancel();
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }
}

/** The files of one offerFiles(): who claimed each, and what the workers sent back. */
export class FileOffer {
  readonly owner: Int32Array;
  /** By file index: its scan, or undefined when the thread left the file to the reader. */
  private readonly results = new Map<number, WholeFileScan | undefined>();
  /** Bytes of the files scanned so far (for progress). */
  bytesDone = 0;
  /** Workers that have claimed their last file and sent its result. */
  readonly done = new Set<number>();
  private waiting: (() => void) | undefined;
  private next = 0;

  constructor(
    readonly jobId: number,
    files: number,
    private readonly workers: readonly PoolWorker[],
  ) {
    this.owner = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, files)));
  }

  wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }

  /** What a thread made of file k. */
  record(k: number, scan: WholeFileScan | undefined): void {
    this.results.set(k, scan);
    this.bytesDone += scan?.bytes ?? 0;
  }

  /** The next file for the calling thread to scan, or -1. */
  claimFile(): number {
    const k = claim(this.owner, MAIN_ID, this.next);
    this.next = k + 1;
    return k;
  }

  /**
   * What became of file k, once known: its scan, undefined when the file is the reader's to read,
   * or 'here' if nobody scanned it (the calling thread now has it).
   */
  async fileScan(k: number): Promise<WholeFileScan | undefined | 'here'> {
    for (;;) {
      if (this.results.has(k)) return this.results.get(k);
      if (Atomics.compareExchange(this.owner, k, 0, MAIN_ID) === 0) return 'here';
      const id = this.owner[k]!;
      if (id === MAIN_ID) return 'here';
      const w = this.workers.find((worker) => worker.id === id);
      if (!w || w.dead || this.done.has(id)) return undefined;
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }

  /** Stops the workers from claiming more. */
  cancel(): void {
    for (let k = 0; k < this.owner.length; k++) Atomics.compareExchange(this.owner, k, 0, CANCELLED);
  }
}
