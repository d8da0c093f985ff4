/**
 * The JSONL fast path. A Lattice line is a flat JSON object of about 1.5 kB, of which the report
 * needs ten fields. JSON.parse builds ~35 strings per line to give us those eight. Instead, a
 * WebAssembly kernel (kernel/assembly/lines.ts) checks each line's JSON syntax, with SIMD over
 * strings, takes the last value of each needed key (JSON.parse keeps the last of duplicate keys),
 * checks and decodes those values and numbers the service; this module then adds the record
 * straight into the day aggregates, without allocating.
 *
 * Whatever it cannot certify goes to the exact parser (record.ts parseLine) for that line: invalid
 * JSON anywhere, an escape in a top-level key or in a needed value, a number that is not a plain
 * integer, a startTime other than YYYY-MM-DDTHH:MM:SSZ, any record but a plain HTTP request (a gRPC
 * call, a connection, a missing duration: parseLine classifies those), or a record parseLine would
 * reject (so the reason text is always parseLine's). The result is therefore the exact parser's by construction,
 * and test/unit/fast-scan.test.ts checks it against the same scanner with `fast: false`, which hands
 * every line to parseLine, on generated and hostile input.
 *
 * LineScanner is the reader's only line splitter: lines split on \n, one trailing \r dropped, blank
 * lines skipped but numbered, a leading BOM skipped, a line over maxLineBytes counted as malformed
 * without being buffered, and for a range in the middle of a file, the end of the line that runs
 * into it skipped (`lead`) and its last line finished past its end (finishLine()).
 */
import {
  type AggregateSet,
  type DayAggregate,
  addRecord,
  identityFromArn,
  nameFromHostHeader,
} from '../model/aggregate.js';
import { isIsoDay } from '../model/dates.js';
import { type AccessLogRecord, isServiceArn } from '../model/record.js';
import { callerKey } from '../model/callers.js';
import { parseLine } from './record.js';
import {
  K_ESCAPED,
  K_STRING,
  RECORD_SLOTS,
  R_CODE,
  R_DAY,
  R_DENIED,
  R_DURATION,
  R_HOST_END,
  R_HOST_KIND,
  R_HOST_START,
  R_HOUR,
  R_NL,
  R_PRINCIPAL,
  R_PRINCIPAL_END,
  R_PRINCIPAL_START,
  R_RECEIVED,
  R_SENT,
  R_SERVICE,
  R_SERVICE_END,
  R_SERVICE_START,
  R_START,
  R_VPC,
  R_VPC_END,
  R_VPC_START,
} from './kernel/interface.js';
import { LINES_WASM } from './kernel/lines.wasm.js';

/** A line longer than this is skipped as malformed instead of buffered (V8 strings top out near 512 MiB). */
export const MAX_LINE_BYTES = 64 << 20;
export const MAX_SAMPLES = 20;

function overlongReason(maxLineBytes: number): string {
  return maxLineBytes % (1 << 20) === 0
    ? `line is longer than ${maxLineBytes >> 20} MiB`
    : `line is longer than ${maxLineBytes} bytes`;
}

interface LineIssue {
  /** 1-based, counted from the first line this scanner saw. */
  line: number;
  reason: string;
}

/** What a stretch of lines added up to, besides the aggregates. */
export interface ScanCounts {
  /** Physical lines, blank ones included: the next stretch numbers its lines from here. */
  lines: number;
  /** Non-blank lines: records plus malformed. */
  counted: number;
  records: number;
  malformed: number;
  /** The first MAX_SAMPLES malformed lines, in order. */
  samples: LineIssue[];
  /** Valid records of services outside the region filter, not aggregated. */
  otherRegions: number;
  /** Lines the fast path handed to parseLine. */
  fallbacks: number;
}

export function emptyCounts(): ScanCounts {
  return {
    lines: 0,
    counted: 0,
    records: 0,
    malformed: 0,
    samples: [],
    otherRegions: 0,
    fallbacks: 0,
  };
}

export interface ScanOptions {
  /** Only services in this region are aggregated; others are counted in otherRegions. */
  region?: string;
  maxLineBytes?: number;
  /** false: every line goes to parseLine (the framing stays the same). For comparisons. */
  fast?: boolean;
  /** Skip a UTF-8 byte order mark at the very start (the start of a file, not of a range). */
  bom?: boolean;
  /**
   * The input starts with the byte before a range: skip through the first \n, since the line that
   * runs into the range is the previous range's.
   */
  lead?: boolean;
  /**
   * Told of every malformed line, in order: its reason and its text (undefined for a line over
   * maxLineBytes, which is never held whole).
   */
  onMalformed?: (reason: string, line: string | undefined) => void;
}

const NL = 0x0a;
const CR = 0x0d;
const OPEN_BRACE = 0x7b;

/** A service seen by this scanner, by the kernel's number for its ARN. */
interface ServiceSlot {
  arn: string;
  id: string;
  inRegion: boolean;
  /** The last day this service was seen on (YYYYMMDD as a number), and its aggregate. */
  dayKey: number;
  dayText: string;
  day: DayAggregate | undefined;
  /** The target's `drops` when `day` was taken from it. */
  drops: number;
  /** This scanner has a name for it: host headers need no more looking at. */
  named: boolean;
  /** The host header that last gave no name, so the same one is not tried again. */
  failedHost: Uint8Array | undefined;
}

/** Above the kernel's numbers (MAX_SERVICES in kernel/assembly/lines.ts is 4096). */
const CALLER_STRIDE = 1 << 16;

/** Lines recorded per call into the kernel. */
const RECORDS = 1024;

interface Kernel {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  setup(textAt: number, recordsAt: number, capacity: number): void;
  reset(): void;
  scan(s: number, e: number, atEnd: number, maxLineBytes: number): number;
  stop(): number;
  heapBase(): number;
}

/**
 * A scanner's bytes, in the memory of its own instance of the kernel: the text at
 * [textAt, textAt + capacity), read into directly, then 64 spare bytes (the kernel reads blocks of
 * 16 and 32 bytes that may run past the text), then the kernel's records.
 */
class ScanBuffer {
  readonly kernel: Kernel;
  private readonly textAt: number;
  capacity = 0;
  node!: Buffer;
  b!: Uint8Array;
  records!: Float64Array;

  constructor(capacity: number) {
    this.kernel = new wasm.Instance(kernelModule()).exports as unknown as Kernel;
    this.textAt = (this.kernel.heapBase() + 63) & ~63;
    this.resize(capacity);
  }

  /** Room for `capacity` bytes (a multiple of 64); the text is kept. */
  resize(capacity: number): void {
    const recordsAt = this.textAt + capacity + 64;
    const need = recordsAt + RECORDS * RECORD_SLOTS * 8;
    const memory = this.kernel.memory;
    const pages = Math.ceil(need / 65536) - memory.buffer.byteLength / 65536;
    if (pages > 0) memory.grow(pages);
    const buffer = memory.buffer;
    this.capacity = capacity;
    this.node = Buffer.from(buffer, this.textAt, capacity);
    this.b = new Uint8Array(buffer, this.textAt, capacity);
    this.records = new Float64Array(buffer, recordsAt, RECORDS * RECORD_SLOTS);
    this.kernel.setup(this.textAt, recordsAt, RECORDS);
  }
}

// The part of the WebAssembly API used here, typed locally: its declarations live in TypeScript's
// DOM library, which a Node project does not load.
const wasm = (
  globalThis as unknown as {
    WebAssembly: {
      Module: new (bytes: Uint8Array) => object;
      Instance: new (module: object) => { exports: unknown };
    };
  }
).WebAssembly;

let compiled: object | undefined;
function kernelModule(): object {
  return (compiled ??= new wasm.Module(Buffer.from(LINES_WASM, 'base64')));
}

/** Buffers of released scanners (per thread), for the next ones. */
const spare: ScanBuffer[] = [];

/** YYYYMMDD → the day string, or null when it is no real day. Shared: the answer never changes. */
const dayCache = new Map<number, string | null>();

/** A scanner's buffer grows to what it is fed (a range may be tiny); after a long line it shrinks back. */
const BASE_BUFFER = 1 << 20;

/**
 * Turns JSONL bytes into aggregates: feed it with reserve()/commit() or push(), then end().
 * Records go into `target`; service names found are kept apart (names()) because the first name in
 * file order wins and this scanner may be reading a range in the middle of a file.
 */
export class LineScanner {
  readonly counts: ScanCounts = emptyCounts();
  private readonly target: AggregateSet;
  private readonly region: string | undefined;
  private readonly maxLineBytes: number;
  private readonly fast: boolean;
  private bomPending: boolean;
  private lead: boolean;
  private readonly onMalformed: ScanOptions['onMalformed'];

  private buffer: ScanBuffer | undefined;
  // The buffer's views, kept here for the scanning code.
  private node: Buffer = Buffer.alloc(0);
  private b: Uint8Array = new Uint8Array(0);
  private records: Float64Array = new Float64Array(0);
  /** Bytes held: [pos, len) is unscanned, the start of a line not yet complete. */
  private len = 0;
  private pos = 0;
  /** Inside a line already longer than maxLineBytes, dropping bytes until its \n. */
  private skipping = false;

  private readonly record: AccessLogRecord = {
    serviceArn: '',
    kind: 'http',
    day: '',
    hour: 0,
    duration: 0,
    responseCode: null,
    grpcStatus: null,
    bytesReceived: 0,
    bytesSent: 0,
    authDenied: false,
    hostHeader: null,
    caller: '',
  };

  /** Caller keys by the kernel's numbers of the two texts ((vpc + 1) * CALLER_STRIDE + principal + 1). */
  private callers = new Map<number, string>();

  /** By the kernel's service number; null: not a service ARN, left to the exact parser. */
  private slots: Array<ServiceSlot | null> = [];
  private readonly serviceNames = new Map<string, string>();

  constructor(target: AggregateSet, options: ScanOptions = {}) {
    this.target = target;
    this.region = options.region;
    this.maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
    this.fast = options.fast ?? true;
    this.bomPending = options.bom ?? false;
    this.lead = options.lead ?? false;
    this.onMalformed = options.onMalformed;
    const buffer = spare.pop();
    if (buffer) this.use(buffer);
  }

  private use(buffer: ScanBuffer): void {
    if (buffer !== this.buffer) {
      // Another instance of the kernel, or a used one: numbers start again.
      buffer.kernel.reset();
      this.slots = [];
      this.callers = new Map();
    }
    this.buffer = buffer;
    this.node = buffer.node;
    this.b = buffer.b;
    this.records = buffer.records;
  }

  /**
   * Done with this scanner: its buffer goes to the next one. A range scanner per 16 MiB would
   * otherwise leave a 1 MiB buffer for the garbage collector each time, and memory would grow with
   * the file until it ran.
   */
  release(): void {
    const buffer = this.buffer;
    if (buffer && buffer.capacity <= 4 * BASE_BUFFER && spare.length < 4) spare.push(buffer);
    this.buffer = undefined;
    this.node = Buffer.alloc(0);
    this.b = new Uint8Array(0);
    this.records = new Float64Array(0);
    this.len = this.pos = 0;
  }

  /** Names found from host headers, first per service, in the order found. */
  names(): Array<[string, string]> {
    return [...this.serviceNames];
  }

  /** Room for at least `min` more bytes; write into it, then commit(). */
  reserve(min: number): Buffer {
    if (this.pos > 0) {
      this.node.copyWithin(0, this.pos, this.len);
      this.len -= this.pos;
      this.pos = 0;
    }
    const need = this.len + min;
    let capacity = this.buffer?.capacity ?? 0;
    // Grows for a long line; shrinks back once it is done.
    if (need > capacity) capacity = Math.max(capacity * 2, need, 4096);
    else if (capacity > 4 * BASE_BUFFER && need <= BASE_BUFFER) capacity = BASE_BUFFER;
    capacity = (capacity + 63) & ~63;
    if (capacity !== (this.buffer?.capacity ?? 0)) {
      if (this.buffer && capacity > this.buffer.capacity) {
        // Growing keeps the bytes in place.
        this.buffer.resize(capacity);
      } else {
        const next = new ScanBuffer(capacity);
        this.node.copy(next.node, 0, 0, this.len);
        this.buffer = next;
      }
      this.use(this.buffer);
    }
    return this.node.subarray(this.len);
  }

  /** `n` bytes were written at the start of the last reserve(). */
  commit(n: number): void {
    this.len += n;
    this.scan(false);
  }

  /** Copies and scans a chunk of a stream. */
  push(chunk: Uint8Array): void {
    for (let off = 0; off < chunk.length;) {
      const room = this.reserve(Math.min(chunk.length - off, BASE_BUFFER));
      const n = Math.min(room.length, chunk.length - off);
      room.set(chunk.subarray(off, off + n));
      off += n;
      this.commit(n);
    }
  }

  /**
   * Like commit(), but takes the bytes only through the first \n: a range's last line ends there,
   * and the lines after it are the next range's. Returns the bytes taken.
   */
  finishLine(n: number): number {
    const nl = this.b.subarray(this.len, this.len + n).indexOf(NL);
    const take = nl === -1 ? n : nl + 1;
    this.commit(take);
    return take;
  }

  /** The input ended: a last line without \n counts too. */
  end(): void {
    this.scan(true);
    this.len = this.pos = 0;
  }

  /** True while a line has started but not ended (the lead of a range is no line of its own). */
  get pending(): boolean {
    return !this.lead && (this.skipping || this.len > this.pos);
  }

  private scan(atEnd: boolean): void {
    const b = this.b;
    const len = this.len;
    let s = this.pos;
    if (this.lead) {
      const nl = this.node.indexOf(NL, s);
      if (nl === -1 || nl >= len) {
        this.pos = len;
        return;
      }
      this.lead = false;
      s = nl + 1;
    }
    if (this.bomPending) {
      // Wait while what there is could still be a BOM, and until a byte follows it: the first line
      // starts at the BOM, so a range that ends inside or just after it must read on.
      const n = len - s;
      const bom = (n < 1 || b[s] === 0xef) && (n < 2 || b[s + 1] === 0xbb) && (n < 3 || b[s + 2] === 0xbf);
      if (bom && n <= 3 && !atEnd) return;
      this.bomPending = false;
      if (bom && n >= 3) s += 3;
    }
    if (this.skipping) {
      const nl = this.node.indexOf(NL, s);
      if (nl === -1 || nl >= len) {
        this.pos = len;
        if (atEnd) this.overlong();
        return;
      }
      this.overlong();
      s = nl + 1;
    }
    while (s < len) {
      if (this.fast && b[s] === OPEN_BRACE) {
        const kernel = this.buffer!.kernel;
        const lines = kernel.scan(s, len, atEnd ? 1 : 0, this.maxLineBytes);
        const records = this.records;
        for (let k = 0, r = 0; k < lines; k++, r += RECORD_SLOTS) {
          if (!this.add(b, records, r)) this.slowLine(records[r + R_START]!, records[r + R_NL]!);
        }
        s = kernel.stop();
        // Either more lines than records, or s is a line the kernel cannot vouch for.
        if (lines > 0) continue;
      }
      let nl = this.node.indexOf(NL, s);
      if (nl === -1 || nl >= len) {
        if (!atEnd) break;
        nl = len;
      }
      this.slowLine(s, nl);
      s = nl + 1;
    }
    this.pos = Math.min(s, len);
    if (!atEnd && len - this.pos > this.maxLineBytes) {
      this.skipping = true;
      this.pos = len;
    }
  }

  private overlong(): void {
    this.skipping = false;
    this.counts.lines++;
    this.counts.counted++;
    this.malformed(overlongReason(this.maxLineBytes));
  }

  private malformed(reason: string, line?: string): void {
    const counts = this.counts;
    counts.malformed++;
    if (counts.samples.length < MAX_SAMPLES) counts.samples.push({ line: counts.lines, reason });
    this.onMalformed?.(reason, line);
  }

  /** The exact reader's handling of one line, [s, nl) with nl at its \n or the end of input. */
  private slowLine(s: number, nl: number): void {
    const counts = this.counts;
    const b = this.b;
    counts.lines++;
    if (nl - s > this.maxLineBytes) {
      counts.counted++;
      this.malformed(overlongReason(this.maxLineBytes));
      return;
    }
    let e = nl;
    if (e > s && b[e - 1] === CR) e--;
    if (s === e) return;
    if (b[s] !== OPEN_BRACE) {
      let i = s;
      while (i < e && (b[i] === 0x20 || b[i] === 0x09 || b[i] === NL || b[i] === CR)) i++;
      if (i === e) return;
    }
    counts.counted++;
    if (this.fast) counts.fallbacks++;
    const text = this.node.toString('utf8', s, e);
    const result = parseLine(text);
    if (result.ok) this.addExact(result.record);
    else this.malformed(result.reason, text);
  }

  /** A record parseLine produced, added the way the fast path adds its own. */
  private addExact(record: AccessLogRecord): void {
    const counts = this.counts;
    counts.records++;
    if (this.region !== undefined && record.serviceArn.split(':')[3] !== this.region) {
      counts.otherRegions++;
      return;
    }
    addRecord(this.target.day(record.serviceArn, record.day), record);
    if (record.hostHeader && !this.serviceNames.has(record.serviceArn)) {
      const name = nameFromHostHeader(record.hostHeader, identityFromArn(record.serviceArn).id);
      if (name) this.serviceNames.set(record.serviceArn, name);
    }
  }

  /** Adds the record the kernel checked at r[o ...]; false leaves the line to parseLine. */
  private add(b: Uint8Array, r: Float64Array, o: number): boolean {
    const n = r[o + R_SERVICE]!;
    let slot = this.slots[n];
    if (slot === undefined)
      slot = this.slots[n] = this.newSlot(r[o + R_SERVICE_START]!, r[o + R_SERVICE_END]!);
    if (slot === null) return false;

    const dayKey = r[o + R_DAY]!;
    let dayText = slot.dayText;
    if (slot.dayKey !== dayKey) {
      let cached = dayCache.get(dayKey);
      if (cached === undefined) {
        const t = String(dayKey).padStart(8, '0');
        const text = `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}`;
        cached = isIsoDay(text) ? text : null;
        dayCache.set(dayKey, cached);
      }
      if (cached === null) return false;
      dayText = cached;
    }

    // Every check passed: from here on the record counts.
    const counts = this.counts;
    counts.lines++;
    counts.counted++;
    counts.records++;
    if (!slot.inRegion) {
      counts.otherRegions++;
      return true;
    }
    // A day the set dropped since (AggregateSet.dropDaysBefore) is asked for again, to be counted.
    if (slot.dayKey !== dayKey || slot.drops !== this.target.drops) {
      slot.day = this.target.day(slot.arn, dayText);
      slot.dayKey = dayKey;
      slot.dayText = dayText;
      slot.drops = this.target.drops;
    }
    // addRecord reads only the measures; the rest is filled in for the record's sake.
    const record = this.record;
    // The kernel passes plain HTTP requests only (kind 'http', a status and a duration).
    record.serviceArn = slot.arn;
    record.day = dayText;
    record.hour = r[o + R_HOUR]!;
    record.duration = r[o + R_DURATION]!;
    record.responseCode = r[o + R_CODE]!;
    record.bytesReceived = r[o + R_RECEIVED]!;
    record.bytesSent = r[o + R_SENT]!;
    record.authDenied = r[o + R_DENIED] === 1;
    record.caller = this.callerOf(r, o);
    addRecord(slot.day!, record);
    const hostKind = r[o + R_HOST_KIND]!;
    if (!slot.named && (hostKind === K_STRING || hostKind === K_ESCAPED))
      this.nameFromHost(slot, b, r[o + R_HOST_START]!, r[o + R_HOST_END]!, hostKind === K_ESCAPED);
    return true;
  }

  /** The caller key of the record at r[o ...]: callerKey, once per pair of numbered texts. */
  private callerOf(r: Float64Array, o: number): string {
    const vpc = r[o + R_VPC]!;
    const principal = r[o + R_PRINCIPAL]!;
    const index = (vpc + 1) * CALLER_STRIDE + principal + 1;
    let key = this.callers.get(index);
    if (key === undefined) {
      // Latin-1 is exact here: callerKey's patterns are ASCII, so a text with any other byte
      // fails them however it is decoded.
      const text = (n: number, s: number, e: number): string | undefined =>
        n < 0 ? undefined : this.node.toString('latin1', s, e);
      key = callerKey(
        text(vpc, r[o + R_VPC_START]!, r[o + R_VPC_END]!),
        text(principal, r[o + R_PRINCIPAL_START]!, r[o + R_PRINCIPAL_END]!),
      );
      this.callers.set(index, key);
    }
    return key;
  }

  /** AggregateSet.add's naming: the first host header that names the service. */
  private nameFromHost(slot: ServiceSlot, b: Uint8Array, s: number, e: number, escaped: boolean): void {
    if (this.serviceNames.has(slot.arn)) {
      slot.named = true;
      return;
    }
    const failed = slot.failedHost;
    if (
      !escaped &&
      failed !== undefined &&
      failed.length === e - s &&
      this.node.compare(failed, 0, failed.length, s, e) === 0
    ) {
      return;
    }
    // JSON.parse of the quoted slice decodes escapes and UTF-8 exactly as for the whole line.
    const host = JSON.parse(this.node.toString('utf8', s - 1, e + 1)) as string;
    const name = host && host !== '-' ? nameFromHostHeader(host, slot.id) : undefined;
    if (name) {
      this.serviceNames.set(slot.arn, name);
      slot.named = true;
    } else if (!escaped) {
      slot.failedHost = b.slice(s, e);
    }
  }

  /** What the kernel's bytes [s, e) name: a service, or null when they are no service ARN. */
  private newSlot(s: number, e: number): ServiceSlot | null {
    const b = this.b;
    for (let k = s; k < e; k++) if (b[k]! >= 0x80) return null;
    const arn = this.node.toString('latin1', s, e);
    if (!isServiceArn(arn)) return null;
    return {
      arn,
      id: identityFromArn(arn).id,
      inRegion: this.region === undefined || arn.split(':')[3] === this.region,
      dayKey: -1,
      drops: 0,
      dayText: '',
      day: undefined,
      named: false,
      failedHost: undefined,
    };
  }
}
