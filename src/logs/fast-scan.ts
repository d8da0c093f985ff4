/**
 * The JSONL fast path. A Lattice line is a flat JSON object of about 1.5 kB, of which the report
 * needs eight fields. JSON.parse builds ~35 strings per line to give us those eight; this scanner
 * instead checks the line's JSON syntax byte by byte, remembers where the last value of each needed
 * key is (JSON.parse keeps the last of duplicate keys), and adds the record straight into the day
 * aggregates, without allocating.
 *
 * Whatever it cannot certify goes to the exact parser (record.ts parseLine) for that line: invalid
 * JSON anywhere, an escape in a top-level key or in a needed value, a number that is not a plain
 * integer, a startTime other than YYYY-MM-DDTHH:MM:SSZ, or a record parseLine would reject (so the
 * reason text is always parseLine's). The result is therefore the exact parser's by construction,
 * and test/unit/fast-scan.test.ts checks it against the exact reader on generated and hostile input.
 *
 * LineScanner also does the framing of the exact reader (reader.ts readLines): lines split on \n,
 * one trailing \r dropped, blank lines skipped but numbered, a leading BOM skipped, and a line over
 * maxLineBytes counted as malformed without being buffered.
 */
import {
  type AggregateSet,
  type DayAggregate,
  addRecord,
  identityFromArn,
  nameFromHostHeader,
} from '../analysis/aggregate.js';
import { isIsoDay } from '../analysis/dates.js';
import { type AccessLogRecord, isServiceArn, parseLine } from './record.js';

/** A line longer than this is skipped as malformed instead of buffered (V8 strings top out near 512 MiB). */
export const MAX_LINE_BYTES = 64 << 20;
export const MAX_SAMPLES = 20;

export function overlongReason(maxLineBytes: number): string {
  return maxLineBytes % (1 << 20) === 0
    ? `line is longer than ${maxLineBytes >> 20} MiB`
    : `line is longer than ${maxLineBytes} bytes`;
}

export interface LineIssue {
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
  /**
   * Every duration and byte count added was a non-negative integer (and not -0), so sums and
   * minima come out the same in any order as long as totals stay below 2^53.
   */
  integral: boolean;
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
    integral: true,
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
}

// ---------------------------------------------------------------------------------------------
// Byte-level JSON checks. Each returns the index after what it read, or -1 when the text is not
// something it can vouch for. None of them ever accepts text JSON.parse would reject.

const NL = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

/** Nested containers deeper than this are left to JSON.parse. */
const MAX_DEPTH = 256;

/** The characters that may follow a backslash, besides u. */
const SIMPLE_ESCAPE = new Uint8Array(256);
for (const c of '"\\/bfnrt') SIMPLE_ESCAPE[c.charCodeAt(0)] = 1;
const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;

/** Set by scanString: the string it just read held an escape sequence. */
let stringEscaped = false;
/** Set by scanNumber: the number it just read is a plain integer of at most 15 digits. */
let numberPlain = false;

/** JSON whitespace, except \n, which never occurs inside a line. */
function skipSpace(b: Uint8Array, i: number, e: number): number {
  while (i < e) {
    const c = b[i]!;
    if (c !== 0x20 && c !== 0x09 && c !== CR) break;
    i++;
  }
  return i;
}

/**
 * Reads string content from i (just after the opening quote) to the closing quote, whose index it
 * returns. Raw control characters and bad escapes give -1, as JSON.parse rejects them.
 */
function scanString(b: Uint8Array, dv: DataView, i: number, e: number): number {
  for (;;) {
    // Four bytes at a time: flag bytes that are '"', '\' or below 0x20 with the classic "has a
    // zero byte" and "has a byte less than n" word tricks. A borrow can flag a byte above a flagged
    // one, never below, so the lowest flag is exact: the first special byte of the word.
    let c = -1;
    while (i + 4 <= e) {
      const v = dv.getInt32(i, true);
      const q = v ^ 0x22222222;
      const s = v ^ 0x5c5c5c5c;
      const flags =
        (((v - 0x20202020) & ~v) | ((q - 0x01010101) & ~q) | ((s - 0x01010101) & ~s)) & 0x80808080;
      if (flags !== 0) {
        i += (31 - Math.clz32(flags & -flags)) >> 3;
        c = b[i]!;
        break;
      }
      i += 4;
    }
    if (c === -1) {
      // Fewer than four bytes left.
      while (i < e) {
        c = b[i]!;
        if (c === QUOTE || c === BACKSLASH || c < 0x20) break;
        i++;
      }
      if (i >= e) return -1;
    }
    if (c === QUOTE) return i;
    if (c !== BACKSLASH) return -1;
    stringEscaped = true;
    if (i + 1 >= e) return -1;
    c = b[i + 1]!;
    if (c === 0x75) {
      if (i + 5 >= e || !HEX[b[i + 2]!] || !HEX[b[i + 3]!] || !HEX[b[i + 4]!] || !HEX[b[i + 5]!]) return -1;
      i += 6;
    } else if (SIMPLE_ESCAPE[c]) {
      i += 2;
    } else {
      return -1;
    }
  }
}

/** Reads a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
function scanNumber(b: Uint8Array, i: number, e: number): number {
  const start = i;
  let plain = true;
  if (b[i] === MINUS) {
    plain = false;
    i++;
  }
  if (i >= e) return -1;
  let c = b[i]!;
  if (c === ZERO) {
    i++;
  } else if (c > ZERO && c <= NINE) {
    i++;
    while (i < e && (c = b[i]!) >= ZERO && c <= NINE) i++;
  } else {
    return -1;
  }
  if (i < e && b[i] === 0x2e) {
    plain = false;
    const digits = ++i;
    while (i < e && (c = b[i]!) >= ZERO && c <= NINE) i++;
    if (i === digits) return -1;
  }
  if (i < e && (b[i] === 0x65 || b[i] === 0x45)) {
    plain = false;
    i++;
    if (i < e && (b[i] === 0x2b || b[i] === MINUS)) i++;
    const digits = i;
    while (i < e && (c = b[i]!) >= ZERO && c <= NINE) i++;
    if (i === digits) return -1;
  }
  numberPlain = plain && i - start <= 15;
  return i;
}

const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

function scanWord(b: Uint8Array, i: number, e: number, word: number[]): number {
  if (i + word.length > e) return -1;
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word[k]) return -1;
  return i + word.length;
}

/** Any JSON value, containers included; only checked, not kept. */
function skipValue(b: Uint8Array, dv: DataView, i: number, e: number, depth: number): number {
  if (i >= e) return -1;
  const c = b[i]!;
  if (c === QUOTE) {
    const q = scanString(b, dv, i + 1, e);
    return q < 0 ? -1 : q + 1;
  }
  if (c === MINUS || (c >= ZERO && c <= NINE)) return scanNumber(b, i, e);
  if (c === 0x74) return scanWord(b, i, e, TRUE);
  if (c === 0x66) return scanWord(b, i, e, FALSE);
  if (c === 0x6e) return scanWord(b, i, e, NULL);
  if (depth >= MAX_DEPTH) return -1;
  if (c === OPEN_BRACKET) {
    i = skipSpace(b, i + 1, e);
    if (i < e && b[i] === CLOSE_BRACKET) return i + 1;
    for (;;) {
      i = skipValue(b, dv, i, e, depth + 1);
      if (i < 0) return -1;
      i = skipSpace(b, i, e);
      if (i >= e) return -1;
      if (b[i] === CLOSE_BRACKET) return i + 1;
      if (b[i] !== COMMA) return -1;
      i = skipSpace(b, i + 1, e);
    }
  }
  if (c === OPEN_BRACE) {
    i = skipSpace(b, i + 1, e);
    if (i < e && b[i] === CLOSE_BRACE) return i + 1;
    for (;;) {
      if (i >= e || b[i] !== QUOTE) return -1;
      i = scanString(b, dv, i + 1, e);
      if (i < 0) return -1;
      i = skipSpace(b, i + 1, e);
      if (i >= e || b[i] !== COLON) return -1;
      i = skipValue(b, dv, skipSpace(b, i + 1, e), e, depth + 1);
      if (i < 0) return -1;
      i = skipSpace(b, i, e);
      if (i >= e) return -1;
      if (b[i] === CLOSE_BRACE) return i + 1;
      if (b[i] !== COMMA) return -1;
      i = skipSpace(b, i + 1, e);
    }
  }
  return -1;
}

/** Set by scanValue: what the value was, and where (string content without its quotes). */
let valueKind = 0;
let valueStart = 0;
let valueEnd = 0;

/** A member's value, kept track of for the needed fields. */
function scanValue(b: Uint8Array, dv: DataView, i: number, e: number): number {
  if (i >= e) return -1;
  const c = b[i]!;
  if (c === QUOTE) {
    valueStart = i + 1;
    // "-" is Lattice's empty value and the most common string.
    if (b[i + 1] === MINUS && b[i + 2] === QUOTE && i + 2 < e) {
      valueKind = K_STRING;
      valueEnd = i + 2;
      return i + 3;
    }
    stringEscaped = false;
    const q = scanString(b, dv, i + 1, e);
    if (q < 0) return -1;
    valueKind = stringEscaped ? K_ESCAPED : K_STRING;
    valueEnd = q;
    return q + 1;
  }
  valueStart = i;
  if (c === MINUS || (c >= ZERO && c <= NINE)) {
    valueEnd = scanNumber(b, i, e);
    valueKind = numberPlain ? K_INT : K_OTHER;
    return valueEnd;
  }
  valueEnd = skipValue(b, dv, i, e, 1);
  valueKind = c === 0x6e ? K_NULL : K_OTHER;
  return valueEnd;
}

// ---------------------------------------------------------------------------------------------
// The fields the report needs, and what kind of value the line gave each.

const F_SERVICE = 0;
const F_START = 1;
const F_DURATION = 2;
const F_CODE = 3;
const F_RECEIVED = 4;
const F_SENT = 5;
const F_DENIED = 6;
const F_HOST = 7;
const FIELD_COUNT = 8;
const FIELD_NAMES = [
  'serviceArn',
  'startTime',
  'duration',
  'responseCode',
  'bytesReceived',
  'bytesSent',
  'authDeniedReason',
  'hostHeader',
];

/** Candidate fields by key length, so most keys are dismissed by their length or first byte. */
const FIELDS_BY_LENGTH: Array<Array<{ field: number; bytes: Uint8Array }>> = [];
FIELD_NAMES.forEach((name, field) => {
  (FIELDS_BY_LENGTH[name.length] ??= []).push({ field, bytes: Buffer.from(name, 'latin1') });
});

function fieldOf(b: Uint8Array, s: number, e: number): number {
  const candidates = FIELDS_BY_LENGTH[e - s];
  if (candidates === undefined) return -1;
  next: for (let j = 0; j < candidates.length; j++) {
    const bytes = candidates[j]!.bytes;
    for (let k = 0; k < bytes.length; k++) if (b[s + k] !== bytes[k]) continue next;
    return candidates[j]!.field;
  }
  return -1;
}

const K_ABSENT = 0;
/** A string without escapes: its bytes are its text. */
const K_STRING = 1;
const K_ESCAPED = 2;
/** A JSON number that is a plain integer of at most 15 digits. */
const K_INT = 3;
const K_NULL = 4;
/** true, false, another number, an object or an array. */
const K_OTHER = 5;

/** A service seen by this scanner, found by the bytes of its ARN. */
interface ServiceSlot {
  bytes: Uint8Array;
  /** The whole little-endian words of `bytes`, to compare four bytes at a time. */
  words: Int32Array;
  hash: number;
  arn: string;
  id: string;
  inRegion: boolean;
  /** The last day this service was seen on (YYYYMMDD as a number), and its aggregate. */
  dayKey: number;
  dayText: string;
  day: DayAggregate | undefined;
  /** This scanner has a name for it: host headers need no more looking at. */
  named: boolean;
  /** The host header that last gave no name, so the same one is not tried again. */
  failedHost: Uint8Array | undefined;
}

/** Buffers of released scanners (per thread), for the next ones. */
const spare: Buffer[] = [];

/** YYYYMMDD → the day string, or null when it is no real day. Shared: the answer never changes. */
const dayCache = new Map<number, string | null>();

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

/** Offsets of the digits in YYYY-MM-DDTHH:MM:SSZ. */
const TIME_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];

function twoDigits(b: Uint8Array, i: number): number {
  return (b[i]! - ZERO) * 10 + (b[i + 1]! - ZERO);
}

/** A plain integer held as a JSON number (no sign, at most 15 digits) or as a string of 1-15 digits. */
function intValue(b: Uint8Array, kind: number, s: number, e: number): number {
  if (kind !== K_INT && (kind !== K_STRING || e === s || e - s > 15)) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    if (c < ZERO || c > NINE) return -1;
    v = v * 10 + (c - ZERO);
  }
  return v;
}

function isDash(b: Uint8Array, kind: number, s: number, e: number): boolean {
  return kind === K_STRING && e - s === 1 && b[s] === MINUS;
}

function isIntegral(value: number): boolean {
  return Number.isInteger(value) && !Object.is(value, -0);
}

/** A scanner's buffer grows to what it is fed (a range may be tiny); after a long line it shrinks back. */
const BASE_BUFFER = 1 << 20;
/** Members of a line shape, and the longest member start ('","' + key + '":') in 4-byte words. */
const SHAPE_MEMBERS = 64;
const SHAPE_WORDS = 16;

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

  private node: Buffer;
  private b: Uint8Array;
  private dv: DataView;
  /** Bytes held: [pos, len) is unscanned, the start of a line not yet complete. */
  private len = 0;
  private pos = 0;
  /** Inside a line already longer than maxLineBytes, dropping bytes until its \n. */
  private skipping = false;

  private readonly kinds = new Int32Array(FIELD_COUNT);
  private readonly starts = new Int32Array(FIELD_COUNT);
  private readonly ends = new Int32Array(FIELD_COUNT);
  private readonly record: AccessLogRecord = {
    serviceArn: '',
    day: '',
    hour: 0,
    duration: 0,
    responseCode: null,
    bytesReceived: 0,
    bytesSent: 0,
    authDenied: false,
    hostHeader: null,
  };

  // The shape of the last line read by scanAnyShape (see scanShaped): per member, its leading
  // bytes as little-endian words (zero padded), their count, the mask of the last word, its field.
  private shapeMembers = 0;
  private readonly shapeWords = new Int32Array(SHAPE_MEMBERS * SHAPE_WORDS);
  private readonly shapeLength = new Int32Array(SHAPE_MEMBERS);
  private readonly shapeMask = new Int32Array(SHAPE_MEMBERS);
  private readonly shapeField = new Int32Array(SHAPE_MEMBERS);

  private readonly slots: ServiceSlot[] = [];
  /** Open addressing on the ARN hash; holds slot index + 1, 0 for empty. */
  private table = new Int32Array(64);
  private readonly serviceNames = new Map<string, string>();

  constructor(target: AggregateSet, options: ScanOptions = {}) {
    this.target = target;
    this.region = options.region;
    this.maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
    this.fast = options.fast ?? true;
    this.bomPending = options.bom ?? false;
    this.node = spare.pop() ?? Buffer.alloc(0);
    this.b = new Uint8Array(this.node.buffer, 0, this.node.length);
    this.dv = new DataView(this.node.buffer, 0, this.node.length);
  }

  /**
   * Done with this scanner: its buffer goes to the next one. A range scanner per 16 MiB would
   * otherwise leave a 1 MiB buffer for the garbage collector each time, and memory would grow with
   * the file until it ran.
   */
  release(): void {
    if (this.node.length > 0 && this.node.length <= 4 * BASE_BUFFER && spare.length < 4)
      spare.push(this.node);
    this.node = Buffer.alloc(0);
    this.b = new Uint8Array(0);
    this.dv = new DataView(this.b.buffer);
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
    let capacity = this.node.length;
    // Grows for a long line; shrinks back once it is done.
    if (need > capacity) capacity = Math.max(capacity * 2, need, 4096);
    else if (capacity > 4 * BASE_BUFFER && need <= BASE_BUFFER) capacity = BASE_BUFFER;
    if (capacity !== this.node.length) {
      const next = Buffer.allocUnsafeSlow(capacity);
      this.node.copy(next, 0, 0, this.len);
      this.node = next;
      this.b = new Uint8Array(next.buffer, 0, next.length);
      this.dv = new DataView(next.buffer, 0, next.length);
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

  /** The input ended: a last line without \n counts too. */
  end(): void {
    this.scan(true);
    this.len = this.pos = 0;
  }

  /** True while a line has started but not ended. */
  get pending(): boolean {
    return this.skipping || this.len > this.pos;
  }

  private scan(atEnd: boolean): void {
    const b = this.b;
    const len = this.len;
    let s = this.pos;
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
        const nl = this.scanLine(s, len, atEnd);
        if (nl >= 0) {
          s = nl + 1;
          continue;
        }
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

  private malformed(reason: string): void {
    const counts = this.counts;
    counts.malformed++;
    if (counts.samples.length < MAX_SAMPLES) counts.samples.push({ line: counts.lines, reason });
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
    const result = parseLine(this.node.toString('utf8', s, e));
    if (result.ok) this.addExact(result.record);
    else this.malformed(result.reason);
  }

  /** A record parseLine produced, added the way the fast path adds its own. */
  private addExact(record: AccessLogRecord): void {
    const counts = this.counts;
    counts.records++;
    if (!isIntegral(record.duration) || !isIntegral(record.bytesReceived) || !isIntegral(record.bytesSent)) {
      counts.integral = false;
    }
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

  /**
   * The fast path for the line starting at s (a '{'). Returns the index of its \n (or `e` for a
   * last line at the end of input) once the record is added, or -1 to leave the line to slowLine.
   * Invariant: nothing is changed before every check has passed.
   */
  private scanLine(s: number, e: number, atEnd: boolean): number {
    const shaped = this.scanShaped(s, e, atEnd);
    return shaped !== -1 ? shaped : this.scanAnyShape(s, e, atEnd);
  }

  /**
   * Lattice writes the same keys in the same order, compact. So each member is expected to start
   * with the bytes it had in the line the shape was learnt from: '{"key":' for the first, ',"key":'
   * for the others. Comparing those bytes a word at a time checks the separators and the key (which
   * is then known to be escape-free) at once; only values are scanned. Any difference (whitespace,
   * another key, more members) returns -1 and the line is read by scanAnyShape.
   */
  private scanShaped(s: number, e: number, atEnd: boolean): number {
    const members = this.shapeMembers;
    if (members === 0) return -1;
    const b = this.b;
    const dv = this.dv;
    const words = this.shapeWords;
    const lengths = this.shapeLength;
    const kinds = this.kinds;
    for (let f = 0; f < FIELD_COUNT; f++) kinds[f] = K_ABSENT;
    let i = s;
    for (let m = 0; m < members; m++) {
      // Invariant: b[i] is the '{' or ',' that starts member m.
      const n = lengths[m]!;
      if (i + ((n + 3) & ~3) > e) return -1;
      const base = m * SHAPE_WORDS;
      const full = n >> 2;
      for (let w = 0; w < full; w++) if (dv.getInt32(i + 4 * w, true) !== words[base + w]) return -1;
      if ((n & 3) !== 0 && (dv.getInt32(i + 4 * full, true) & this.shapeMask[m]!) !== words[base + full]) {
        return -1;
      }
      const start = i + n;
      i = scanValue(b, dv, start, e);
      if (i < 0) return -1;
      const field = this.shapeField[m]!;
      if (field >= 0) {
        kinds[field] = valueKind;
        this.starts[field] = valueStart;
        this.ends[field] = valueEnd;
      }
      if (i >= e) return -1;
      if (b[i] === CLOSE_BRACE) return this.finish(s, i, e, atEnd);
    }
    return -1;
  }

  /** Any valid JSON object; learns its shape for scanShaped when it is compact. */
  private scanAnyShape(s: number, e: number, atEnd: boolean): number {
    const b = this.b;
    const dv = this.dv;
    const kinds = this.kinds;
    for (let f = 0; f < FIELD_COUNT; f++) kinds[f] = K_ABSENT;
    // The shape is rewritten as this line is read, so it is void until the line proves compact.
    this.shapeMembers = 0;
    let compact = true;
    let members = 0;

    let i = s + 1;
    if (i >= e || b[i] !== QUOTE) {
      compact = false;
      i = skipSpace(b, i, e);
      if (i >= e || b[i] !== QUOTE) return -1; // {} has no serviceArn: parseLine says so
    }
    for (;;) {
      // Invariant: b[i] is the opening quote of a key. It must be escape-free, or
      // "service\u0041rn" could hide a needed field.
      stringEscaped = false;
      const keyEnd = scanString(b, dv, i + 1, e);
      if (keyEnd < 0 || stringEscaped) return -1;
      const field = fieldOf(b, i + 1, keyEnd);
      if (compact && keyEnd + 1 < e && b[keyEnd + 1] === COLON && members < SHAPE_MEMBERS) {
        // The member's leading bytes: the '{' or ',' before the key, the quoted key, the ':'.
        compact = this.learnMember(members, i - 1, keyEnd + 2, field);
      } else {
        compact = false;
      }
      members++;
      i = skipSpace(b, keyEnd + 1, e);
      if (i >= e || b[i] !== COLON) return -1;
      if (i !== keyEnd + 1) compact = false;
      const valueAt = skipSpace(b, i + 1, e);
      if (valueAt !== i + 1) compact = false;
      i = scanValue(b, dv, valueAt, e);
      if (i < 0) return -1;
      if (field >= 0) {
        kinds[field] = valueKind;
        this.starts[field] = valueStart;
        this.ends[field] = valueEnd;
      }
      const after = i;
      i = skipSpace(b, i, e);
      if (i !== after) compact = false;
      if (i >= e) return -1;
      if (b[i] === CLOSE_BRACE) break;
      if (b[i] !== COMMA) return -1;
      const next = skipSpace(b, i + 1, e);
      if (next !== i + 1) compact = false;
      i = next;
      if (i >= e || b[i] !== QUOTE) return -1;
    }
    const end = this.finish(s, i, e, atEnd);
    if (end !== -1) this.shapeMembers = compact && members <= SHAPE_MEMBERS ? members : 0;
    return end;
  }

  /** After the object's closing brace at i: only whitespace up to the \n, then the record. */
  private finish(s: number, i: number, e: number, atEnd: boolean): number {
    const b = this.b;
    i = skipSpace(b, i + 1, e);
    if (i < e ? b[i] !== NL : !atEnd) return -1; // trailing text, or the line is not complete yet
    if (i - s > this.maxLineBytes) return -1;
    return this.add(b) ? i : -1;
  }

  /** Stores [from, to) as the leading bytes of member m; false if they do not fit. */
  private learnMember(m: number, from: number, to: number, field: number): boolean {
    const n = to - from;
    if (n > SHAPE_WORDS * 4) return false;
    const b = this.b;
    const base = m * SHAPE_WORDS;
    for (let w = 0; w * 4 < n; w++) {
      let word = 0;
      for (let t = 0; t < 4 && w * 4 + t < n; t++) word |= b[from + w * 4 + t]! << (8 * t);
      this.shapeWords[base + w] = word;
    }
    this.shapeLength[m] = n;
    this.shapeMask[m] = (n & 3) === 0 ? -1 : (1 << (8 * (n & 3))) - 1;
    this.shapeField[m] = field;
    return true;
  }

  /** Checks the needed fields as toRecord would and adds the record; false leaves it to parseLine. */
  private add(b: Uint8Array): boolean {
    const kinds = this.kinds;
    const starts = this.starts;
    const ends = this.ends;

    if (kinds[F_SERVICE] !== K_STRING) return false;
    const slot = this.slot(b, starts[F_SERVICE]!, ends[F_SERVICE]!);
    if (slot === undefined) return false;

    // startTime: exactly YYYY-MM-DDTHH:MM:SSZ; other ISO forms go to parseLine.
    const t = starts[F_START]!;
    if (kinds[F_START] !== K_STRING || ends[F_START]! - t !== 20) return false;
    if (
      b[t + 4] !== MINUS ||
      b[t + 7] !== MINUS ||
      b[t + 10] !== 0x54 ||
      b[t + 13] !== COLON ||
      b[t + 16] !== COLON ||
      b[t + 19] !== 0x5a
    ) {
      return false;
    }
    for (let k = 0; k < TIME_DIGITS.length; k++) if (!isDigit(b[t + TIME_DIGITS[k]!]!)) return false;
    const hour = twoDigits(b, t + 11);
    if (hour > 23 || twoDigits(b, t + 14) > 59 || twoDigits(b, t + 17) > 60) return false;
    const dayKey =
      (twoDigits(b, t) * 100 + twoDigits(b, t + 2)) * 10000 + twoDigits(b, t + 5) * 100 + twoDigits(b, t + 8);
    let dayText = slot.dayText;
    if (slot.dayKey !== dayKey) {
      let cached = dayCache.get(dayKey);
      if (cached === undefined) {
        const text = this.node.toString('latin1', t, t + 10);
        cached = isIsoDay(text) ? text : null;
        dayCache.set(dayKey, cached);
      }
      if (cached === null) return false;
      dayText = cached;
    }

    const duration = intValue(b, kinds[F_DURATION]!, starts[F_DURATION]!, ends[F_DURATION]!);
    if (duration < 0) return false;

    let code: number | null = null;
    const codeKind = kinds[F_CODE]!;
    if (
      codeKind !== K_ABSENT &&
      codeKind !== K_NULL &&
      !isDash(b, codeKind, starts[F_CODE]!, ends[F_CODE]!)
    ) {
      code = intValue(b, codeKind, starts[F_CODE]!, ends[F_CODE]!);
      if (code < 0 || code > 999) return false;
    }
    const received = this.bytes(b, F_RECEIVED);
    if (received < 0) return false;
    const sent = this.bytes(b, F_SENT);
    if (sent < 0) return false;

    let denied = false;
    const deniedKind = kinds[F_DENIED]!;
    if (deniedKind === K_STRING) {
      const n = ends[F_DENIED]! - starts[F_DENIED]!;
      denied = n > 1 || (n === 1 && b[starts[F_DENIED]!] !== MINUS);
    } else if (deniedKind !== K_ABSENT && deniedKind !== K_NULL) {
      return false; // an escaped string needs decoding; any other type is malformed
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
    if (slot.dayKey !== dayKey) {
      slot.day = this.target.day(slot.arn, dayText);
      slot.dayKey = dayKey;
      slot.dayText = dayText;
    }
    // addRecord reads only the measures; the rest is filled in for the record's sake.
    const record = this.record;
    record.serviceArn = slot.arn;
    record.day = dayText;
    record.hour = hour;
    record.duration = duration;
    record.responseCode = code;
    record.bytesReceived = received;
    record.bytesSent = sent;
    record.authDenied = denied;
    addRecord(slot.day!, record);
    if (!slot.named && (kinds[F_HOST] === K_STRING || kinds[F_HOST] === K_ESCAPED))
      this.nameFromHost(slot, b);
    return true;
  }

  private bytes(b: Uint8Array, field: number): number {
    const kind = this.kinds[field]!;
    const s = this.starts[field]!;
    const e = this.ends[field]!;
    if (kind === K_ABSENT || kind === K_NULL || isDash(b, kind, s, e)) return 0;
    return intValue(b, kind, s, e);
  }

  /** AggregateSet.add's naming: the first host header that names the service. */
  private nameFromHost(slot: ServiceSlot, b: Uint8Array): void {
    if (this.serviceNames.has(slot.arn)) {
      slot.named = true;
      return;
    }
    const s = this.starts[F_HOST]!;
    const e = this.ends[F_HOST]!;
    const escaped = this.kinds[F_HOST] === K_ESCAPED;
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

  /** The slot of the service ARN at [s, e), created on first sight; undefined if it is no service ARN. */
  private slot(b: Uint8Array, s: number, e: number): ServiceSlot | undefined {
    const n = e - s;
    if (n < 40) return undefined; // shorter than any service ARN
    const dv = this.dv;
    // Service ARNs differ in their last bytes (the id), region and account.
    const hash =
      (Math.imul(n, 0x9e3779b1) ^
        dv.getInt32(e - 4, true) ^
        Math.imul(dv.getInt32(e - 8, true), 31) ^
        Math.imul(dv.getInt32(s + 16, true), 7)) |
      0;
    const table = this.table;
    const mask = table.length - 1;
    for (let h = hash & mask; ; h = (h + 1) & mask) {
      const index = table[h]!;
      if (index === 0) break;
      const slot = this.slots[index - 1]!;
      if (slot.hash !== hash || slot.bytes.length !== n) continue;
      const words = slot.words;
      let k = 0;
      while (k < words.length && words[k] === dv.getInt32(s + 4 * k, true)) k++;
      if (k < words.length) continue;
      const bytes = slot.bytes;
      k *= 4;
      while (k < n && bytes[k] === b[s + k]) k++;
      if (k === n) return slot;
    }
    for (let k = s; k < e; k++) if (b[k]! >= 0x80) return undefined;
    const arn = this.node.toString('latin1', s, e);
    if (!isServiceArn(arn)) return undefined;
    const words = new Int32Array(n >> 2);
    for (let k = 0; k < words.length; k++) words[k] = dv.getInt32(s + 4 * k, true);
    const slot: ServiceSlot = {
      bytes: b.slice(s, e),
      words,
      hash,
      arn,
      id: identityFromArn(arn).id,
      inRegion: this.region === undefined || arn.split(':')[3] === this.region,
      dayKey: -1,
      dayText: '',
      day: undefined,
      named: false,
      failedHost: undefined,
    };
    this.slots.push(slot);
    if (this.slots.length * 2 > table.length) this.rehash();
    else this.insert(slot, this.slots.length);
    return slot;
  }

  private insert(slot: ServiceSlot, index: number): void {
    const mask = this.table.length - 1;
    let h = slot.hash & mask;
    while (this.table[h] !== 0) h = (h + 1) & mask;
    this.table[h] = index;
  }

  private rehash(): void {
    this.table = new Int32Array(this.table.length * 4);
    this.slots.forEach((slot, k) => this.insert(slot, k + 1));
  }
}
