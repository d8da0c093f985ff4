/**
 * What a log file is: its compression, whether it is text at all, and which of the formats the
 * reader knows it holds: from the file's first bytes, before the reader decides how to read it.
 */
import { type Gunzip, type ZlibOptions, createGunzip } from 'node:zlib';
import { DataError } from '../errors.js';
import { ACCESS_LOG_FIELDS, GRPC_STATUS_FIELD, RESOURCE_CONFIGURATION_FIELD } from '../model/record.js';

const NL = 0x0a;
const CR = 0x0d;
const OPEN_BRACE = 0x7b;
const QUOTE = 0x22;
const SPACE = 0x20;
const TAB = 0x09;

const GUNZIP_CHUNK_BYTES = 256 << 10;
/** Decompressed text gunzip may hold ready, so it runs ahead while the reader scans. */
const GUNZIP_AHEAD_BYTES = 4 << 20;
/** Node's gunzip reads concatenated members, which S3 deliveries contain. */
export function gunzip(): Gunzip {
  // The options go on to the Transform stream, though ZlibOptions does not list its own.
  const options: ZlibOptions & { readableHighWaterMark: number } = {
    chunkSize: GUNZIP_CHUNK_BYTES,
    readableHighWaterMark: GUNZIP_AHEAD_BYTES,
  };
  return createGunzip(options);
}

export function isGzip(head: Uint8Array): boolean {
  return head[0] === 0x1f && head[1] === 0x8b;
}

/** Enough decoded text to see the first key of a pretty-printed export. */
export const PEEK_BYTES = 64 << 10;

/** Top-level keys of `aws logs filter-log-events` and `get-log-events` output. */
const EXPORT_KEYS = new Set([
  'events',
  'searchedLogStreams',
  'nextToken',
  'nextForwardToken',
  'nextBackwardToken',
]);

/** A pretty-printed record starts with one of these. */
const RECORD_KEYS: ReadonlySet<string> = new Set([
  ...ACCESS_LOG_FIELDS,
  RESOURCE_CONFIGURATION_FIELD,
  GRPC_STATUS_FIELD,
]);

/**
 * jsonl: one record per line, as Lattice writes. export: the output of aws logs
 * filter-log-events / get-log-events. values: pretty-printed records one after another, as
 * `jq . access.log` prints them.
 */
export type Format = 'jsonl' | 'export' | 'values';

const OTHER_FORMATS: { magic: number[]; name: string }[] = [
  { magic: [0x50, 0x4b, 0x03, 0x04], name: 'a zip archive' },
  { magic: [0x42, 0x5a, 0x68], name: 'bzip2-compressed' },
  { magic: [0x28, 0xb5, 0x2f, 0xfd], name: 'zstd-compressed' },
  { magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], name: 'xz-compressed' },
  { magic: [0x50, 0x41, 0x52, 0x31], name: 'a Parquet file' },
];

function startsWith(head: Buffer, magic: number[]): boolean {
  return head.length >= magic.length && magic.every((byte, i) => head[i] === byte);
}

/** Without this, a zip or zstd file would surface as "none of its lines is valid", which hides the cause. */
export function checkMagic(file: string, head: Buffer): void {
  for (const { magic, name } of OTHER_FORMATS) {
    if (startsWith(head, magic)) {
      throw new DataError(`${file}: the file is ${name}; only plain or gzip-compressed logs can be read`);
    }
  }
}

export function checkText(file: string, head: Buffer): void {
  // Windows PowerShell 5 redirection (`aws logs ... > out.json`) writes UTF-16.
  if (startsWith(head, [0xff, 0xfe]) || startsWith(head, [0xfe, 0xff])) {
    throw new DataError(
      `${file}: the file is UTF-16 encoded; save it as UTF-8 (PowerShell: Out-File -Encoding utf8)`,
    );
  }
}

function isSpace(byte: number | undefined): boolean {
  return byte === SPACE || byte === TAB || byte === NL || byte === CR;
}

function bomLength(buf: Buffer): number {
  return buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
}

/** A JSON-lines file whose first lines are broken is still told by the ones after them. */
const LINES_LOOKED_AT = 5;

/**
 * Decided from the first bytes (PEEK_BYTES at most, so a file is taken the same way whether its
 * head was read alone or with more). An AWS CLI export is one JSON document whose first key is
 * `events` (or another key of the FilterLogEvents/GetLogEvents response), compact or
 * pretty-printed. Otherwise, if one of the first few non-blank lines starts with `{` and goes on
 * (pretty printers end the line after a `{`), the file is JSON lines, and a broken line among them
 * (a lone `{`, a cut record) is only a malformed line. Failing that, it is pretty-printed JSON:
 * records if the first key is a record field, else taken for an export so the error says what was
 * expected. Anything not starting with `{` is JSONL.
 */
export function detectFormat(text: Buffer): Format {
  const head = text.subarray(0, PEEK_BYTES);
  let i = bomLength(head);
  while (i < head.length && isSpace(head[i])) i++;
  if (head[i] !== OPEN_BRACE) return 'jsonl';
  const key = firstKey(head, i + 1);
  if (key !== undefined && EXPORT_KEYS.has(key)) return 'export';
  if (someLineOpensOneLineObject(head, i)) return 'jsonl';
  return key !== undefined && RECORD_KEYS.has(key) ? 'values' : 'export';
}

/** The first key of the object whose `{` is just before `from`, on that line or a later one. */
function firstKey(head: Buffer, from: number): string | undefined {
  let i = from;
  while (i < head.length && isSpace(head[i])) i++;
  if (head[i] !== QUOTE) return undefined;
  const end = head.indexOf(QUOTE, i + 1);
  // The keys we look for have no escapes, so a plain scan to the next quote is enough.
  return end !== -1 && end - i <= 64 ? head.toString('utf8', i + 1, end) : undefined;
}

/** Whether one of the first LINES_LOOKED_AT non-blank lines from `from` starts with `{` and goes on. */
function someLineOpensOneLineObject(head: Buffer, from: number): boolean {
  let seen = 0;
  for (let start = from; start < head.length && seen < LINES_LOOKED_AT;) {
    let end = head.indexOf(NL, start);
    if (end === -1) end = head.length;
    let i = start;
    while (i < end && isSpace(head[i])) i++;
    if (i < end) {
      seen++;
      if (head[i] === OPEN_BRACE) {
        i++;
        while (i < end && isSpace(head[i])) i++;
        // The text may end right after the `{`: a one-line file, not pretty-printed output.
        if (i < end || end === head.length) return true;
      }
    }
    start = end + 1;
  }
  return false;
}

/**
 * Reads from `it` until `min` bytes are buffered or the input ends; `rest` then yields
 * everything from the start again, so nothing is read twice and pipes work too.
 */
export async function peek(
  it: AsyncIterator<Buffer>,
  min: number,
): Promise<{ head: Buffer; rest: AsyncIterable<Buffer> }> {
  const parts: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < min) {
    const next = await it.next();
    if (next.done) {
      done = true;
      break;
    }
    parts.push(next.value);
    size += next.value.length;
  }
  const head = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  async function* rest(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (done) return;
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { head, rest: rest() };
}
