// AssemblyScript, compiled to WebAssembly by scripts/generate.mjs (not by tsc).
//
// The byte-level half of the JSONL fast path (fast-scan.ts holds the rest). For each line it checks
// that the line is one valid JSON object, takes the last value of each needed key as JSON.parse
// would (the last of duplicate keys wins), checks and decodes those values as the exact parser
// would, and writes a record. It stops at the first line it cannot vouch for; fast-scan.ts hands
// that one to the exact parser. Strings, most of a line, are scanned 16 bytes a step with SIMD.
//
// Memory: the scanner's text at [text, text + capacity), 64 spare bytes (blocks read at the end
// of the text may run past it), then the records, RECORD_SLOTS f64 each. Positions are offsets
// into the text.

const NL: u8 = 0x0a;
const CR: u8 = 0x0d;
const QUOTE: u8 = 0x22;
const BACKSLASH: u8 = 0x5c;
const COMMA: u8 = 0x2c;
const COLON: u8 = 0x3a;
const MINUS: u8 = 0x2d;
const ZERO: u8 = 0x30;
const NINE: u8 = 0x39;

import {
  K_ABSENT,
  K_ESCAPED,
  K_INT,
  K_NULL,
  K_OTHER,
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
  R_PRINCIPAL_END,
  R_PRINCIPAL,
  R_PRINCIPAL_START,
  R_RECEIVED,
  R_SENT,
  R_SERVICE,
  R_SERVICE_END,
  R_SERVICE_START,
  R_START,
  R_VPC_END,
  R_VPC,
  R_VPC_START,
} from '../interface';

// The needed fields, in fast-scan.ts's order.
const F_SERVICE = 0;
const F_START = 1;
const F_DURATION = 2;
const F_CODE = 3;
const F_RECEIVED = 4;
const F_SENT = 5;
const F_DENIED = 6;
const F_HOST = 7;
const F_LISTENER = 8;
const F_GRPC = 9;
const F_VPC = 10;
const F_PRINCIPAL = 11;
const FIELDS = 12;
/** Where the current line's needed values are: kind, start, end per field. */
const FIELD = memory.data(FIELDS * 12, 4);

// A recorded line is RECORD_SLOTS f64s, laid out as ../interface.ts says. Numbers are integers
// below 10^15: exact.
/** Nested containers deeper than this are left to JSON.parse. */
const MAX_DEPTH = 256;

let text: usize = 0;
let records: usize = 0;
let recordCapacity: i32 = 0;
let maxLineBytes: i32 = 0;
/** Where scan() stopped: the start of the first line it did not record. */
let stopped: i32 = 0;
/** Set by str(): the string held an escape. */
let escaped = false;
/** Set by num(): the number is a plain integer of at most 15 digits. */
let plain = false;

export function setup(textAt: usize, recordsAt: usize, capacity: i32): void {
  text = textAt;
  records = recordsAt;
  recordCapacity = capacity;
}

export function stop(): i32 {
  return stopped;
}

function at(i: i32): u8 {
  return load<u8>(text + <usize>i);
}

/** JSON whitespace, except \n, which never occurs inside a line. */
function ws(i: i32, e: i32): i32 {
  while (i < e) {
    const c = at(i);
    if (c != 0x20 && c != 0x09 && c != CR) break;
    i++;
  }
  return i;
}

/** The first '"', '\' or control byte at or after i, as a bit mask of the 16 bytes from i. */
function special(i: i32): i32 {
  const v = v128.load(text + <usize>i);
  return i8x16.bitmask(
    v128.or(
      v128.or(i8x16.eq(v, i8x16.splat(QUOTE)), i8x16.eq(v, i8x16.splat(BACKSLASH))),
      i8x16.lt_u(v, i8x16.splat(0x20)),
    ),
  );
}

function hex(c: u8): bool {
  return (c >= ZERO && c <= NINE) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}

/** String content from i (after the opening quote) to the closing quote's index, or -1. */
function str(i: i32, e: i32): i32 {
  while (true) {
    // 32 bytes a step: most strings then end within the first one.
    const m = special(i) | (special(i + 16) << 16);
    if (m == 0) {
      i += 32;
      if (i >= e) return -1;
      continue;
    }
    i += ctz(m);
    if (i >= e) return -1;
    const c = at(i);
    if (c == QUOTE) return i;
    if (c != BACKSLASH || i + 1 >= e) return -1; // a raw control character, or a cut escape
    escaped = true;
    const d = at(i + 1);
    if (d == 0x75) {
      if (i + 5 >= e || !hex(at(i + 2)) || !hex(at(i + 3)) || !hex(at(i + 4)) || !hex(at(i + 5))) return -1;
      i += 6;
    } else if (
      d == QUOTE ||
      d == BACKSLASH ||
      d == 0x2f ||
      d == 0x62 ||
      d == 0x66 ||
      d == 0x6e ||
      d == 0x72 ||
      d == 0x74
    ) {
      i += 2;
    } else {
      return -1;
    }
  }
}

function digit(c: u8): bool {
  return c >= ZERO && c <= NINE;
}

/** -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
function num(i: i32, e: i32): i32 {
  const start = i;
  let simple = true;
  if (at(i) == MINUS) {
    simple = false;
    i++;
  }
  if (i >= e) return -1;
  const c = at(i);
  if (c == ZERO) {
    i++;
  } else if (c > ZERO && c <= NINE) {
    i++;
    while (i < e && digit(at(i))) i++;
  } else {
    return -1;
  }
  if (i < e && at(i) == 0x2e) {
    simple = false;
    const digits = ++i;
    while (i < e && digit(at(i))) i++;
    if (i == digits) return -1;
  }
  if (i < e && (at(i) | 0x20) == 0x65) {
    simple = false;
    i++;
    if (i < e && (at(i) == 0x2b || at(i) == MINUS)) i++;
    const digits = i;
    while (i < e && digit(at(i))) i++;
    if (i == digits) return -1;
  }
  plain = simple && i - start <= 15;
  return i;
}

/** true, false or null at i (the first letter already seen); the index after it, or -1. */
function word(i: i32, e: i32): i32 {
  const c = at(i);
  if (c == 0x66) {
    if (i + 5 > e || load<u32>(text + <usize>i + 1) != 0x65736c61) return -1; // "alse"
    return i + 5;
  }
  if (i + 4 > e) return -1;
  const w = load<u32>(text + <usize>i);
  return w == 0x65757274 || w == 0x6c6c756e ? i + 4 : -1; // "true", "null"
}

/** Any JSON value; only checked. */
function any(i: i32, e: i32, depth: i32): i32 {
  if (i >= e) return -1;
  const c = at(i);
  if (c == QUOTE) {
    const q = str(i + 1, e);
    return q < 0 ? -1 : q + 1;
  }
  if (c == MINUS || digit(c)) return num(i, e);
  if (c == 0x74 || c == 0x66 || c == 0x6e) return word(i, e);
  if (depth >= MAX_DEPTH) return -1;
  if (c == 0x5b) {
    i = ws(i + 1, e);
    if (i < e && at(i) == 0x5d) return i + 1;
    while (true) {
      i = any(i, e, depth + 1);
      if (i < 0) return -1;
      i = ws(i, e);
      if (i >= e) return -1;
      const d = at(i);
      if (d == 0x5d) return i + 1;
      if (d != COMMA) return -1;
      i = ws(i + 1, e);
    }
  }
  if (c == 0x7b) {
    i = ws(i + 1, e);
    if (i < e && at(i) == 0x7d) return i + 1;
    while (true) {
      if (i >= e || at(i) != QUOTE) return -1;
      i = str(i + 1, e);
      if (i < 0) return -1;
      i = ws(i + 1, e);
      if (i >= e || at(i) != COLON) return -1;
      i = any(ws(i + 1, e), e, depth + 1);
      if (i < 0) return -1;
      i = ws(i, e);
      if (i >= e) return -1;
      const d = at(i);
      if (d == 0x7d) return i + 1;
      if (d != COMMA) return -1;
      i = ws(i + 1, e);
    }
  }
  return -1;
}

/** Whether the n bytes at i spell `name` (ASCII). */
function is(i: i32, name: string): bool {
  const p = changetype<usize>(name);
  const n = name.length;
  for (let k = 0; k < n; k++) if (<u16>at(i + k) != load<u16>(p + ((<usize>k) << 1))) return false;
  return true;
}

/** The needed field a key names (fast-scan.ts FIELD_NAMES order), or -1. */
function field(i: i32, n: i32): i32 {
  switch (n) {
    case 8:
      return is(i, 'duration') ? 2 : -1;
    case 9:
      return is(i, 'startTime') ? 1 : is(i, 'bytesSent') ? 5 : -1;
    case 10:
      return is(i, 'serviceArn') ? 0 : is(i, 'hostHeader') ? 7 : is(i, 'grpcStatus') ? 9 : -1;
    case 12:
      return is(i, 'responseCode') ? 3 : is(i, 'listenerType') ? 8 : is(i, 'sourceVpcArn') ? 10 : -1;
    case 13:
      return is(i, 'bytesReceived') ? 4 : -1;
    case 15:
      return is(i, 'callerPrincipal') ? 11 : -1;
    case 16:
      return is(i, 'authDeniedReason') ? 6 : -1;
  }
  return -1;
}

// Lattice writes the same keys in the same order. So member m of a line is expected to begin with
// the bytes member m of the previous line began with, from the key's opening quote to the colon
// (at most 32 of them): the same bytes are the same valid key. They are compared 16 at a time;
// a member that differs is read in full and becomes the new expectation.
const SHAPE_MEMBERS = 64;
const SHAPE = memory.data(SHAPE_MEMBERS * 32, 16);
const SHAPE_LENGTH = memory.data(SHAPE_MEMBERS * 4, 4);
const SHAPE_FIELD = memory.data(SHAPE_MEMBERS * 4, 4);

/** Bits 0..n-1 (n <= 16). */
function low(n: i32): i32 {
  return (1 << n) - 1;
}

/** Whether the n bytes at i equal the expected start of member m. */
function expected(i: i32, m: i32, n: i32): bool {
  const want = SHAPE + ((<usize>m) << 5);
  const a = i8x16.bitmask(i8x16.eq(v128.load(text + <usize>i), v128.load(want)));
  if (n <= 16) return (a & low(n)) == low(n);
  if (a != 0xffff) return false;
  const b = i8x16.bitmask(i8x16.eq(v128.load(text + <usize>i, 16), v128.load(want, 16)));
  return (b & low(n - 16)) == low(n - 16);
}

/** The line at s (a '{'): its \n's index once recorded at r, or -1. */
function line(s: i32, e: i32, atEnd: bool, r: usize): i32 {
  for (let f = 0; f < FIELDS; f++) store<i32>(FIELD + 12 * <usize>f, K_ABSENT);
  let i = ws(s + 1, e);
  if (i >= e || at(i) != QUOTE) return -1; // {} has no serviceArn: the exact parser says so
  for (let m = 0; ; m++) {
    // b[i] is the opening quote of a key.
    let f: i32;
    const n = m < SHAPE_MEMBERS ? load<i32>(SHAPE_LENGTH + ((<usize>m) << 2)) : 0;
    if (n > 0 && i + n <= e && expected(i, m, n)) {
      f = load<i32>(SHAPE_FIELD + ((<usize>m) << 2));
      i += n;
    } else {
      // The key must be escape-free, or "service\u0041rn" could hide a needed field.
      escaped = false;
      const keyEnd = str(i + 1, e);
      if (keyEnd < 0 || escaped) return -1;
      f = field(i + 1, keyEnd - i - 1);
      const colon = ws(keyEnd + 1, e);
      if (colon >= e || at(colon) != COLON) return -1;
      if (m < SHAPE_MEMBERS) {
        const learnt = colon + 1 - i;
        const k = (<usize>m) << 2;
        store<i32>(SHAPE_LENGTH + k, learnt <= 32 ? learnt : 0);
        store<i32>(SHAPE_FIELD + k, f);
        v128.store(SHAPE + ((<usize>m) << 5), v128.load(text + <usize>i));
        v128.store(SHAPE + ((<usize>m) << 5), v128.load(text + <usize>i, 16), 16);
      }
      i = colon + 1;
    }
    i = ws(i, e);
    if (i >= e) return -1;
    const c = at(i);
    let kind = K_OTHER;
    let start = i;
    let end: i32;
    if (c == QUOTE) {
      start = i + 1;
      if (at(i + 1) == MINUS && at(i + 2) == QUOTE && i + 2 < e) {
        // "-", Lattice's empty value and its most common one.
        end = i + 2;
        kind = K_STRING;
      } else {
        escaped = false;
        end = str(i + 1, e);
        if (end < 0) return -1;
        kind = escaped ? K_ESCAPED : K_STRING;
      }
      i = end + 1;
    } else if (c == MINUS || digit(c)) {
      end = i = num(i, e);
      if (i < 0) return -1;
      if (plain) kind = K_INT;
    } else {
      end = i = any(i, e, 1);
      if (i < 0) return -1;
      if (c == 0x6e) kind = K_NULL;
    }
    if (f >= 0) {
      const slot = FIELD + 12 * <usize>f;
      store<i32>(slot, kind);
      store<i32>(slot, start, 4);
      store<i32>(slot, end, 8);
    }
    i = ws(i, e);
    if (i >= e) return -1;
    const d = at(i);
    if (d == 0x7d) break;
    if (d != COMMA) return -1;
    i = ws(i + 1, e);
    if (i >= e || at(i) != QUOTE) return -1;
  }
  // Only whitespace may follow the object, up to the \n.
  i = ws(i + 1, e);
  if (i < e ? at(i) != NL : !atEnd) return -1;
  if (i - s > maxLineBytes) return -1;
  return record(s, i, r) ? i : -1;
}

// ---------------------------------------------------------------------------------------------
// The record's values, checked as the exact parser (record.ts toRecord) would: a line with any
// value this cannot take as it stands is left to the exact parser.

function kindOf(f: i32): i32 {
  return load<i32>(FIELD + 12 * <usize>f);
}
function startOf(f: i32): i32 {
  return load<i32>(FIELD + 12 * <usize>f, 4);
}
function endOf(f: i32): i32 {
  return load<i32>(FIELD + 12 * <usize>f, 8);
}

/** A plain integer given as a JSON number (no sign, <= 15 digits) or a string of 1-15 digits; else -1. */
function integer(f: i32): f64 {
  const kind = kindOf(f);
  const s = startOf(f);
  const e = endOf(f);
  if (kind != K_INT && (kind != K_STRING || e == s || e - s > 15)) return -1;
  let v: f64 = 0;
  for (let i = s; i < e; i++) {
    const c = at(i);
    if (!digit(c)) return -1;
    v = v * 10 + <f64>(c - ZERO);
  }
  return v;
}

/** The exact parser's isMissing (model/record.ts): absent, null, "", "-" or "null". */
function missing(f: i32): bool {
  const kind = kindOf(f);
  if (kind == K_ABSENT || kind == K_NULL) return true;
  if (kind != K_STRING) return false;
  const s = startOf(f);
  const n = endOf(f) - s;
  return n == 0 || (n == 1 && at(s) == MINUS) || (n == 4 && is(s, 'null'));
}

/** Missing is 0. */
function count(f: i32): f64 {
  return missing(f) ? 0 : integer(f);
}

/** A listener type the fast path may take as an HTTP request's: missing, HTTP or HTTPS, exactly. */
function httpListener(): bool {
  if (missing(F_LISTENER)) return true;
  if (kindOf(F_LISTENER) != K_STRING) return false;
  const s = startOf(F_LISTENER);
  const n = endOf(F_LISTENER) - s;
  return (n == 4 && is(s, 'HTTP')) || (n == 5 && is(s, 'HTTPS'));
}

function two(i: i32): i32 {
  return <i32>(at(i) - ZERO) * 10 + <i32>(at(i + 1) - ZERO);
}

/** startTime as exactly YYYY-MM-DDTHH:MM:SSZ: the day as YYYYMMDD and the hour, or -1. */
let hour: i32 = 0;
function day(): i32 {
  const t = startOf(F_START);
  if (kindOf(F_START) != K_STRING || endOf(F_START) - t != 20) return -1;
  if (at(t + 4) != MINUS || at(t + 7) != MINUS || at(t + 10) != 0x54) return -1;
  if (at(t + 13) != COLON || at(t + 16) != COLON || at(t + 19) != 0x5a) return -1;
  for (let k = 0; k < 19; k++) {
    if (k == 4 || k == 7 || k == 10 || k == 13 || k == 16) continue;
    if (!digit(at(t + k))) return -1;
  }
  hour = two(t + 11);
  if (hour > 23 || two(t + 14) > 59 || two(t + 17) > 60) return -1;
  return (two(t) * 100 + two(t + 2)) * 10000 + two(t + 5) * 100 + two(t + 8);
}

/**
 * The number of a caller field's text: -1 when it is no string (no caller part), -2 when it is
 * escaped or the table is full. callerPrincipal's caller depends only on its start up to the
 * fifth colon (model/callers.ts PRINCIPAL_ARN ends there), so only that start is numbered: session
 * names do not fill the table.
 */
function callerText(f: i32, principal: bool): i32 {
  const kind = kindOf(f);
  if (kind == K_ESCAPED) return -2;
  if (kind != K_STRING) return -1;
  const s = startOf(f);
  let e = endOf(f);
  if (principal) {
    let colons = 0;
    for (let i = s; i < e; i++) {
      if (at(i) == COLON && ++colons == 5) {
        e = i + 1;
        break;
      }
    }
  }
  const n = intern(s, e);
  return n < 0 ? -2 : n;
}

/** Writes the line's record at r; false leaves the line to the exact parser. */
function record(s: i32, nl: i32, r: usize): bool {
  if (kindOf(F_SERVICE) != K_STRING) return false;
  const service = serviceId(startOf(F_SERVICE), endOf(F_SERVICE));
  if (service < 0) return false;
  const dayKey = day();
  if (dayKey < 0) return false;
  const duration = integer(F_DURATION);
  if (duration < 0) return false;
  // Only plain HTTP requests here: a call (gRPC status), a connection (no HTTP status, or a
  // TLS-passthrough listener) or a missing duration is classified by the exact parser.
  if (!missing(F_GRPC) || !httpListener() || missing(F_CODE)) return false;
  const code = integer(F_CODE);
  if (code < 0 || code > 999) return false;
  const received = count(F_RECEIVED);
  if (received < 0) return false;
  const sent = count(F_SENT);
  if (sent < 0) return false;
  const deniedKind = kindOf(F_DENIED);
  // An escaped string needs decoding, any other type is the exact parser's to judge.
  if (deniedKind != K_STRING && deniedKind != K_ABSENT && deniedKind != K_NULL) return false;
  const denied = !missing(F_DENIED);
  // The caller's texts are numbered here and judged once per number by fast-scan.ts (with
  // model/callers.ts callerKey); an escaped one needs decoding: the exact parser's.
  const vpc = callerText(F_VPC, false);
  if (vpc < -1) return false;
  const principal = callerText(F_PRINCIPAL, true);
  if (principal < -1) return false;
  store<f64>(r, <f64>s, R_START << 3);
  store<f64>(r, <f64>nl, R_NL << 3);
  store<f64>(r, <f64>service, R_SERVICE << 3);
  store<f64>(r, <f64>startOf(F_SERVICE), R_SERVICE_START << 3);
  store<f64>(r, <f64>endOf(F_SERVICE), R_SERVICE_END << 3);
  store<f64>(r, <f64>kindOf(F_HOST), R_HOST_KIND << 3);
  store<f64>(r, <f64>startOf(F_HOST), R_HOST_START << 3);
  store<f64>(r, <f64>endOf(F_HOST), R_HOST_END << 3);
  store<f64>(r, <f64>dayKey, R_DAY << 3);
  store<f64>(r, <f64>hour, R_HOUR << 3);
  store<f64>(r, duration, R_DURATION << 3);
  store<f64>(r, code, R_CODE << 3);
  store<f64>(r, received, R_RECEIVED << 3);
  store<f64>(r, sent, R_SENT << 3);
  store<f64>(r, denied ? 1 : 0, R_DENIED << 3);
  store<f64>(r, <f64>vpc, R_VPC << 3);
  store<f64>(r, <f64>startOf(F_VPC), R_VPC_START << 3);
  store<f64>(r, <f64>endOf(F_VPC), R_VPC_END << 3);
  store<f64>(r, <f64>principal, R_PRINCIPAL << 3);
  store<f64>(r, <f64>startOf(F_PRINCIPAL), R_PRINCIPAL_START << 3);
  store<f64>(r, <f64>endOf(F_PRINCIPAL), R_PRINCIPAL_END << 3);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Services, numbered by their ARN's bytes in order of first sight; reset() for each new scanner.
// fast-scan.ts keeps what it knows of each by that number.

const MAX_SERVICES = 4096;
const ARENA_BYTES = 512 << 10;
const TABLE_SIZE = 8192; // a power of 2, twice MAX_SERVICES
const ARENA = memory.data(ARENA_BYTES + 16, 16);
const SERVICE_AT = memory.data(MAX_SERVICES * 4, 4);
const SERVICE_LENGTH = memory.data(MAX_SERVICES * 4, 4);
/** Open addressing on the ARN's hash: service number + 1, 0 for empty. */
const TABLE = memory.data(TABLE_SIZE * 4, 4);
let services = 0;
let arenaUsed = 0;

export function reset(): void {
  memory.fill(TABLE, 0, TABLE_SIZE * 4);
  services = 0;
  arenaUsed = 0;
}

/** Whether the n bytes at a equal those at b, 16 at a time (both may be read up to 15 past n). */
function same(a: usize, b: usize, n: i32): bool {
  let k = 0;
  for (; k + 16 <= n; k += 16) {
    if (i8x16.bitmask(i8x16.eq(v128.load(a + <usize>k), v128.load(b + <usize>k))) != 0xffff) return false;
  }
  if (k == n) return true;
  const m = i8x16.bitmask(i8x16.eq(v128.load(a + <usize>k), v128.load(b + <usize>k)));
  return (m & low(n - k)) == low(n - k);
}

/** The number of the service ARN at [s, e) (taken as bytes, not yet checked), or -1 (too many). */
function serviceId(s: i32, e: i32): i32 {
  if (e - s < 40) return -1; // shorter than any service ARN
  return intern(s, e);
}

/** The number of the bytes [s, e), any text (service ARNs and caller texts share the numbers), or -1 (too many). */
function intern(s: i32, e: i32): i32 {
  const n = e - s;
  const p = text + <usize>s;
  // ARNs differ in their last bytes (the id), region and account.
  let h = <u32>n * 0x9e3779b1;
  if (n >= 20) {
    h ^= load<u32>(p + <usize>(n - 4));
    h ^= load<u32>(p + <usize>(n - 8)) * 31;
    h ^= load<u32>(p + 16) * 7;
  } else {
    for (let k = 0; k < n; k++) h = (h ^ (<u32>load<u8>(p + <usize>k))) * 0x01000193;
  }
  h ^= h >>> 13;
  let k = <i32>(h & (TABLE_SIZE - 1));
  while (true) {
    const v = load<i32>(TABLE + ((<usize>k) << 2));
    if (v == 0) break;
    const id = v - 1;
    if (load<i32>(SERVICE_LENGTH + ((<usize>id) << 2)) == n) {
      if (same(ARENA + <usize>load<i32>(SERVICE_AT + ((<usize>id) << 2)), p, n)) return id;
    }
    k = (k + 1) & (TABLE_SIZE - 1);
  }
  if (services == MAX_SERVICES || arenaUsed + n > ARENA_BYTES) return -1;
  memory.copy(ARENA + <usize>arenaUsed, p, n);
  store<i32>(SERVICE_AT + ((<usize>services) << 2), arenaUsed);
  store<i32>(SERVICE_LENGTH + ((<usize>services) << 2), n);
  store<i32>(TABLE + ((<usize>k) << 2), services + 1);
  arenaUsed += n;
  return services++;
}

/**
 * Records the lines from s on, up to the records' capacity, and returns how many. It stops early
 * at a line that does not start with '{', is not complete in [s, e), or is not one it can vouch for:
 * stop() tells where.
 */
export function scan(s: i32, e: i32, atEnd: bool, maxLine: i32): i32 {
  maxLineBytes = maxLine;
  let n = 0;
  while (s < e && n < recordCapacity) {
    if (at(s) != 0x7b) break;
    const nl = line(s, e, atEnd, records + <usize>n * (RECORD_SLOTS << 3));
    if (nl < 0) break;
    n++;
    s = nl + 1;
  }
  stopped = s;
  return n;
}

/** Where the module's own data ends: the text may start at the next 64 bytes. */
export function heapBase(): usize {
  return __heap_base;
}
