/**
 * A CloudWatch Logs Insights (CWLI) query engine for tests: tokenizer, parser and executor of the
 * documented query language, run over in-memory log events. It exists because AWS has no local
 * emulator that really executes `stats`; the test server in ./server.ts serves its results over
 * the CloudWatch Logs JSON protocol.
 *
 * Written from the AWS documentation (CWL_QuerySyntax and its command pages). Where the docs are
 * silent, the choice made here is marked "Decision:" so a test failing against real AWS can be
 * traced to it. The main ones:
 * - Null (missing field): arithmetic, numeric and string functions give null; comparisons,
 *   `like` and `in` (also `!=`, `not in`, `not like`) are false; aggregates skip nulls;
 *   `greatest`/`least` give null if any argument is null.
 * - A string that is entirely a decimal number ("08", "-1.5e3") is a number in arithmetic,
 *   numeric functions, aggregates and comparisons with a number. Two strings compare as strings
 *   for `=`/`!=`, numerically for `<`..`>=` when both are numeric.
 * - Non-finite results (log(0) = -Infinity, x/0) are kept while computing and omitted from the
 *   output, like null; NaN becomes null at once.
 * - Booleans (comparisons, ispresent, ...) act as 1/0 in arithmetic and are output "1"/"0", as
 *   the docs say for `fields ispresent(f) as isRes`.
 * - Events enter the pipeline newest first (@timestamp descending, then insertion order), which
 *   is the order of raw results without `sort`; `stats` groups come out in first-seen order.
 */

// ---------------------------------------------------------------------------------------------
// Values

/** A point in time, kept apart from numbers so that it is output as Insights formats dates. */
export class Timestamp {
  constructor(readonly ms: number) {}
}

export type Value = null | number | string | boolean | Timestamp;

export class QuerySyntaxError extends Error {
  constructor(
    message: string,
    /** Character offsets of the offending text in the query. */
    readonly start: number,
    readonly end: number,
  ) {
    super(message);
    this.name = 'QuerySyntaxError';
  }
}

// Jest runs test modules in a vm context, where each lookup of a global such as Math or Number is
// slow enough to dominate a large query; the hot paths use these bindings instead.
const { abs, ceil, floor, log, sqrt, max, min } = Math;
const { isNaN: isNotANumber, isFinite: isFiniteNumber } = Number;
const asNumber = Number;
const asString = String;

const NUMERIC_STRING = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The number a value stands for, or null. */
export function toNumber(v: Value): number | null {
  if (v === null) return null;
  if (typeof v === 'number') return isNotANumber(v) ? null : v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Timestamp) return v.ms;
  return NUMERIC_STRING.test(v) ? asNumber(v) : null;
}

/** Insights prints dates as `2024-08-04 11:28:40.000` (UTC). */
export function formatTimestamp(ms: number): string | undefined {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return undefined;
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/** The string a result cell shows; undefined means the cell is left out (null, non-finite). */
export function formatValue(v: Value): string | undefined {
  if (v === null) return undefined;
  if (typeof v === 'number') return isFiniteNumber(v) ? asString(v) : undefined;
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (v instanceof Timestamp) return formatTimestamp(v.ms);
  return v;
}

function toText(v: Value): string | null {
  return formatValue(v) ?? null;
}

function truthy(v: Value): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0 && !isNotANumber(v);
  return false;
}

function equals(a: Value, b: Value): boolean {
  if (a === null || b === null) return false;
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  const x = toNumber(a);
  const y = toNumber(b);
  if (x !== null && y !== null) return x === y;
  return toText(a) === toText(b);
}

/** Ordering for `<` and friends: numeric when both sides are numbers, else by string. */
function order(a: Value, b: Value): number | null {
  if (a === null || b === null) return null;
  const x = toNumber(a);
  const y = toNumber(b);
  if (x !== null && y !== null) return x < y ? -1 : x > y ? 1 : 0;
  const s = toText(a);
  const t = toText(b);
  if (s === null || t === null) return null;
  return s < t ? -1 : s > t ? 1 : 0;
}

/**
 * The documented `sort` order (CWL_QuerySyntax-Sort): every non-number sorts before every number;
 * non-numbers compare chunk by chunk, digit runs by length then value, other runs by Unicode.
 */
export function naturalCompare(a: Value, b: Value): number {
  const x = typeof a === 'string' && !NUMERIC_STRING.test(a) ? null : toNumber(a);
  const y = typeof b === 'string' && !NUMERIC_STRING.test(b) ? null : toNumber(b);
  if (x !== null && y !== null) return x < y ? -1 : x > y ? 1 : 0;
  if (x !== null) return 1;
  if (y !== null) return -1;
  const ca = (toText(a) ?? '').match(/\d+|\D+/g) ?? [];
  const cb = (toText(b) ?? '').match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const p = ca[i]!;
    const q = cb[i]!;
    if (p === q) continue;
    if (/^\d/.test(p) && /^\d/.test(q) && p.length !== q.length) return p.length - q.length;
    return p < q ? -1 : 1;
  }
  return ca.length - cb.length;
}

// ---------------------------------------------------------------------------------------------
// Time periods (bin, datefloor, dateceil)

type Unit = 'ms' | 's' | 'm' | 'h' | 'd' | 'w' | 'mo' | 'q' | 'y';

const UNIT_NAMES = new Map<string, Unit>([
  ['ms', 'ms'],
  ['msec', 'ms'],
  ['millisecond', 'ms'],
  ['s', 's'],
  ['sec', 's'],
  ['second', 's'],
  ['m', 'm'],
  ['min', 'm'],
  ['minute', 'm'],
  ['h', 'h'],
  ['hr', 'h'],
  ['hour', 'h'],
  ['d', 'd'],
  ['day', 'd'],
  ['w', 'w'],
  ['week', 'w'],
  ['mo', 'mo'],
  ['mon', 'mo'],
  ['month', 'mo'],
  ['q', 'q'],
  ['qtr', 'q'],
  ['quarter', 'q'],
  ['y', 'y'],
  ['yr', 'y'],
  ['year', 'y'],
]);

const UNIT_MS: Partial<Record<Unit, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const UNIT_MONTHS: Partial<Record<Unit, number>> = { mo: 1, q: 3, y: 12 };
// 1970-01-05 was a Monday. Decision: weeks start on Monday (UTC); the docs do not say.
const WEEK_OFFSET = 4 * 86_400_000;

/** Units of more than one character may take a plural `s` (the stats page says so). */
function unitOf(word: string): Unit | undefined {
  const w = word.toLowerCase();
  const direct = UNIT_NAMES.get(w);
  if (direct) return direct;
  if (w.length > 2 && w.endsWith('s')) return UNIT_NAMES.get(w.slice(0, -1));
  return undefined;
}

export interface Period {
  count: number;
  unit: Unit;
}

function floorTime(ms: number, p: Period): number {
  const months = UNIT_MONTHS[p.unit];
  if (months !== undefined) {
    const d = new Date(ms);
    const span = months * p.count;
    const index = Math.floor((d.getUTCFullYear() * 12 + d.getUTCMonth()) / span) * span;
    return Date.UTC(Math.floor(index / 12), index % 12, 1);
  }
  const size = UNIT_MS[p.unit]! * p.count;
  const offset = p.unit === 'w' ? WEEK_OFFSET : 0;
  return Math.floor((ms - offset) / size) * size + offset;
}

function ceilTime(ms: number, p: Period): number {
  const floor = floorTime(ms, p);
  if (floor === ms) return ms;
  const months = UNIT_MONTHS[p.unit];
  if (months !== undefined) {
    const d = new Date(floor);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months * p.count, 1);
  }
  return floor + UNIT_MS[p.unit]! * p.count;
}

function toTime(v: Value): number | null {
  if (v instanceof Timestamp) return v.ms;
  const n = toNumber(v);
  if (n !== null) return n;
  if (typeof v === 'string') {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Tokenizer

type TokenKind = 'ident' | 'quoted' | 'number' | 'string' | 'regex' | 'period' | 'op' | 'eof';

interface Token {
  kind: TokenKind;
  /** Identifier name, string content, regex source or operator. */
  value: string;
  num?: number;
  period?: Period;
  start: number;
  end: number;
}

const OPERATORS = [
  '!=',
  '<=',
  '>=',
  '=~',
  '=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
  '(',
  ')',
  '[',
  ']',
  ',',
];
const IDENT_START = /[A-Za-z_@$]/;
const IDENT_PART = /[A-Za-z0-9_@.$]/;
const NUMBER = /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
// After these words a `/` opens a regular expression rather than dividing.
const WORDS_BEFORE_REGEX = new Set([
  'like',
  'and',
  'or',
  'not',
  'in',
  'filter',
  'fields',
  'display',
  'stats',
  'sort',
  'parse',
  'dedup',
  'limit',
]);

function regexAllowed(tokens: Token[]): boolean {
  const prev = tokens[tokens.length - 1];
  if (!prev || prev.kind === 'op') return !prev || (prev.value !== ')' && prev.value !== ']');
  if (prev.kind === 'ident' && WORDS_BEFORE_REGEX.has(prev.value.toLowerCase())) return true;
  // `parse <field> /regex/`: the field is a value, but a division would make no sense there.
  const before = tokens[tokens.length - 2];
  return (
    (prev.kind === 'ident' || prev.kind === 'quoted') &&
    before?.kind === 'ident' &&
    before.value.toLowerCase() === 'parse'
  );
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (message: string, start: number, end = start + 1): never => {
    throw new QuerySyntaxError(message, start, end);
  };
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '|') {
      tokens.push({ kind: 'op', value: '|', start: i, end: i + 1 });
      i++;
    } else if (c === '"' || c === "'") {
      const start = i++;
      let s = '';
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\' && i + 1 < text.length) {
          const e = text[i + 1]!;
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : '"\'\\'.includes(e) ? e : `\\${e}`;
          i += 2;
        } else {
          s += text[i++];
        }
      }
      if (i >= text.length) fail('Unterminated string literal', start, text.length);
      i++;
      tokens.push({ kind: 'string', value: s, start, end: i });
    } else if (c === '`') {
      const start = i;
      const close = text.indexOf('`', i + 1);
      if (close < 0) fail('Unterminated backtick-quoted field name', start, text.length);
      if (close === i + 1) fail('Empty backtick-quoted field name', start, close + 1);
      tokens.push({ kind: 'quoted', value: text.slice(i + 1, close), start, end: close + 1 });
      i = close + 1;
    } else if (c === '/' && regexAllowed(tokens)) {
      const start = i++;
      let inClass = false;
      while (i < text.length && (inClass || text[i] !== '/')) {
        if (text[i] === '\\') i++;
        else if (text[i] === '[') inClass = true;
        else if (text[i] === ']') inClass = false;
        i++;
      }
      if (i >= text.length) fail('Unterminated regular expression', start, text.length);
      i++;
      tokens.push({ kind: 'regex', value: text.slice(start + 1, i - 1), start, end: i });
    } else if (/\d/.test(c) || (c === '.' && /\d/.test(text[i + 1] ?? ''))) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text)!;
      const start = i;
      i += m[0].length;
      const suffix = /^[A-Za-z]+/.exec(text.slice(i))?.[0];
      if (suffix !== undefined) {
        const unit = unitOf(suffix);
        const count = Number(m[0]);
        if (!unit) fail(`Invalid number or time period "${m[0]}${suffix}"`, start, i + suffix.length);
        if (!(count > 0)) fail(`Time period "${m[0]}${suffix}" must be positive`, start, i + suffix.length);
        i += suffix.length;
        tokens.push({
          kind: 'period',
          value: text.slice(start, i),
          period: { count, unit: unit! },
          start,
          end: i,
        });
      } else {
        tokens.push({ kind: 'number', value: m[0], num: Number(m[0]), start, end: i });
      }
    } else if (IDENT_START.test(c)) {
      const start = i;
      while (i < text.length && IDENT_PART.test(text[i]!)) i++;
      tokens.push({ kind: 'ident', value: text.slice(start, i), start, end: i });
    } else {
      const op = OPERATORS.find((o) => text.startsWith(o, i));
      if (!op) fail(`Unexpected character "${c}"`, i);
      tokens.push({ kind: 'op', value: op!, start: i, end: i + op!.length });
      i += op!.length;
    }
  }
  tokens.push({ kind: 'eof', value: '', start: text.length, end: text.length });
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Regular expressions: Insights uses Java-style syntax; translate what JavaScript lacks.

interface JsRegex {
  re: RegExp;
  /** Named groups in order: the JS group name and the field name from the query. */
  names: Array<{ group: string; name: string }>;
}

function toJsRegex(source: string, start: number, end: number): JsRegex {
  let out = '';
  const flags = new Set<string>();
  const names: JsRegex['names'] = [];
  let inClass = false;
  for (let i = 0; i < source.length;) {
    const c = source[i]!;
    if (c === '\\') {
      const e = source[i + 1] ?? '';
      // \A, \z and \Z are Java anchors JavaScript does not have.
      out += inClass ? `\\${e}` : e === 'A' ? '^' : e === 'z' || e === 'Z' ? '$' : `\\${e}`;
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      i++;
      continue;
    }
    const inline = /^\(\?([imsx]+)(\)|:)/.exec(source.slice(i));
    if (inline) {
      // Decision: an inline flag such as the documented (?i) applies to the whole pattern.
      for (const f of inline[1]!) if (f !== 'x') flags.add(f);
      out += inline[2] === ':' ? '(?:' : '';
      i += inline[0].length;
      continue;
    }
    const named = /^\(\?P?<([A-Za-z_@][\w@.]*)>/.exec(source.slice(i));
    if (named) {
      // Java names may not be JS identifiers (the old docs use `@user`), so groups are renamed.
      const group = `g${names.length}`;
      names.push({ group, name: named[1]! });
      out += `(?<${group}>`;
      i += named[0].length;
      continue;
    }
    out += c;
    i++;
  }
  try {
    return { re: new RegExp(out, [...flags].join('')), names };
  } catch (error) {
    throw new QuerySyntaxError(
      `Invalid regular expression /${source}/: ${(error as Error).message}`,
      start,
      end,
    );
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * A parse glob: `*` captures text. Decision (from the documented examples): the match is not
 * anchored, each `*` matches as little as possible, and a trailing `*` takes the rest.
 */
function globRegex(pattern: string): { re: RegExp; stars: number } {
  const parts = pattern.split('*');
  const stars = parts.length - 1;
  let source = '';
  parts.forEach((part, i) => {
    source += escapeRegex(part);
    if (i < stars) source += i === stars - 1 && parts[stars] === '' ? '(.*)' : '(.*?)';
  });
  return { re: new RegExp(source, 's'), stars };
}

// ---------------------------------------------------------------------------------------------
// Syntax tree

type ArithOp = '+' | '-' | '*' | '/' | '%' | '^';
type CmpOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Expr =
  | { k: 'lit'; v: Value }
  | { k: 'field'; name: string }
  | { k: 'neg'; e: Expr }
  | { k: 'not'; e: Expr }
  | { k: 'arith'; op: ArithOp; l: Expr; r: Expr }
  | { k: 'cmp'; op: CmpOp; l: Expr; r: Expr }
  | { k: 'and' | 'or'; l: Expr; r: Expr }
  | { k: 'like'; e: Expr; substring?: string; re?: RegExp; negate: boolean }
  | { k: 'in'; e: Expr; list: Expr[]; negate: boolean }
  | { k: 'call'; fn: string; args: Expr[]; period?: Period }
  | { k: 'agg'; fn: string; args: Expr[]; slot: number; percent?: number };

export interface NamedExpr {
  name: string;
  expr: Expr;
}

export type Command =
  | { kind: 'fields'; items: NamedExpr[] }
  | { kind: 'display'; names: string[] }
  | { kind: 'filter'; expr: Expr }
  | { kind: 'parse'; source: Expr; re: RegExp; captures: Array<{ group: string | number; name: string }> }
  | { kind: 'stats'; items: NamedExpr[]; groups: NamedExpr[]; aggs: Array<Extract<Expr, { k: 'agg' }>> }
  | { kind: 'sort'; keys: Array<{ expr: Expr; desc: boolean }> }
  | { kind: 'limit'; n: number }
  | { kind: 'dedup'; names: string[] };

export interface ParsedQuery {
  text: string;
  commands: Command[];
}

const AGGREGATES = new Map<string, [number, number]>([
  ['count', [0, 1]],
  ['count_distinct', [1, 1]],
  ['sum', [1, 1]],
  ['avg', [1, 1]],
  ['min', [1, 1]],
  ['max', [1, 1]],
  ['stddev', [1, 1]],
  ['pct', [2, 2]],
  ['earliest', [1, 1]],
  ['latest', [1, 1]],
  ['sortsfirst', [1, 1]],
  ['sortslast', [1, 1]],
]);

const FUNCTIONS = new Map<string, [number, number]>([
  ['abs', [1, 1]],
  ['ceil', [1, 1]],
  ['floor', [1, 1]],
  ['greatest', [1, Infinity]],
  ['least', [1, Infinity]],
  ['log', [1, 1]],
  ['sqrt', [1, 1]],
  ['ispresent', [1, 1]],
  ['coalesce', [1, Infinity]],
  ['isempty', [1, 1]],
  ['isblank', [1, 1]],
  ['concat', [1, Infinity]],
  ['ltrim', [1, 2]],
  ['rtrim', [1, 2]],
  ['trim', [1, 2]],
  ['strlen', [1, 1]],
  ['toupper', [1, 1]],
  ['tolower', [1, 1]],
  ['substr', [2, 3]],
  ['replace', [3, 3]],
  ['strcontains', [2, 2]],
  ['bin', [0, 0]],
  ['datefloor', [1, 1]],
  ['dateceil', [1, 1]],
  ['frommillis', [1, 1]],
  ['tomillis', [1, 1]],
]);

/** Functions whose last argument is a time period such as `5m`. */
const PERIOD_FUNCTIONS = new Set(['bin', 'datefloor', 'dateceil']);

const KEYWORDS = new Set(['and', 'or', 'not', 'like', 'in', 'as', 'by', 'asc', 'desc']);

const UNSUPPORTED_COMMANDS = new Set([
  'unnest',
  'lookup',
  'join',
  'pattern',
  'anomaly',
  'diff',
  'unmask',
  'filterindex',
  'source',
  'head',
  'tail',
]);

// ---------------------------------------------------------------------------------------------
// Parser

class Parser {
  private pos = 0;
  private lastEnd = 0;
  /** Set while parsing a stats item: aggregates are allowed and collected here. */
  private aggs: Array<Extract<Expr, { k: 'agg' }>> | undefined;
  private inAggregate = false;

  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {}

  parse(): ParsedQuery {
    const commands: Command[] = [];
    if (this.peek().kind === 'eof') this.fail('The query is empty', this.peek());
    for (;;) {
      if (this.atCommandEnd()) this.fail('Expected a command', this.peek());
      commands.push(this.command());
      const t = this.peek();
      if (t.kind === 'eof') break;
      if (!this.isOp(t, '|')) this.fail(`Unexpected ${describe(t)}`, t);
      this.next();
    }
    commands.forEach((c, i) => {
      if (c.kind === 'dedup' && commands.slice(i + 1).some((d) => d.kind !== 'limit')) {
        throw new QuerySyntaxError('Only the limit command may follow dedup', 0, this.text.length);
      }
    });
    return { text: this.text, commands };
  }

  // --- token helpers

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    this.lastEnd = t.end;
    return t;
  }

  private isOp(t: Token, op: string): boolean {
    return t.kind === 'op' && t.value === op;
  }

  private isWord(t: Token, word: string): boolean {
    return t.kind === 'ident' && t.value.toLowerCase() === word;
  }

  private atCommandEnd(): boolean {
    const t = this.peek();
    return t.kind === 'eof' || this.isOp(t, '|');
  }

  private expectOp(op: string): Token {
    const t = this.peek();
    if (!this.isOp(t, op)) this.fail(`Expected "${op}" but found ${describe(t)}`, t);
    return this.next();
  }

  private fail(message: string, t: Token): never {
    throw new QuerySyntaxError(message, t.start, Math.max(t.end, t.start + 1));
  }

  /** A field name: bare (letters, digits, _, @, .) or in backticks. */
  private fieldName(what: string): string {
    const t = this.peek();
    if (t.kind === 'quoted' || (t.kind === 'ident' && !KEYWORDS.has(t.value.toLowerCase()))) {
      this.next();
      return t.value;
    }
    return this.fail(`Expected ${what} but found ${describe(t)}`, t);
  }

  private commaList<T>(item: () => T): T[] {
    const items = [item()];
    while (this.isOp(this.peek(), ',')) {
      this.next();
      items.push(item());
    }
    return items;
  }

  private endCommand(name: string): void {
    if (!this.atCommandEnd()) this.fail(`Unexpected ${describe(this.peek())} in ${name}`, this.peek());
  }

  // --- commands

  private command(): Command {
    const t = this.next();
    const name = t.kind === 'ident' ? t.value.toLowerCase() : '';
    let command: Command;
    switch (name) {
      case 'fields':
        command = { kind: 'fields', items: this.commaList(() => this.namedExpr()) };
        break;
      case 'display':
        command = { kind: 'display', names: this.commaList(() => this.fieldName('a field name')) };
        break;
      case 'filter':
        command = { kind: 'filter', expr: this.expr() };
        break;
      case 'parse':
        command = this.parseCommand();
        break;
      case 'stats':
        command = this.statsCommand();
        break;
      case 'sort':
        command = {
          kind: 'sort',
          keys: this.commaList(() => {
            const expr = this.expr();
            let desc = false;
            if (this.isWord(this.peek(), 'desc') || this.isWord(this.peek(), 'asc')) {
              desc = this.next().value.toLowerCase() === 'desc';
            }
            return { expr, desc };
          }),
        };
        break;
      case 'limit': {
        const n = this.peek();
        if (n.kind !== 'number' || !Number.isInteger(n.num) || n.num! < 1) {
          this.fail(`limit needs a positive whole number, found ${describe(n)}`, n);
        }
        this.next();
        command = { kind: 'limit', n: n.num! };
        break;
      }
      case 'dedup':
        command = { kind: 'dedup', names: this.commaList(() => this.fieldName('a field name')) };
        break;
      default:
        if (UNSUPPORTED_COMMANDS.has(name)) this.fail(`The command "${t.value}" is not supported here`, t);
        this.fail(`Unknown command ${describe(t)}`, t);
    }
    this.endCommand(name);
    return command;
  }

  private namedExpr(): NamedExpr {
    const first = this.peek();
    const expr = this.expr();
    const source = this.text.slice(first.start, this.lastEnd).trim();
    if (this.isWord(this.peek(), 'as')) {
      this.next();
      return { name: this.fieldName('an alias after "as"'), expr };
    }
    return { name: expr.k === 'field' ? expr.name : source, expr };
  }

  private parseCommand(): Command {
    const fieldTok = this.peek();
    const source: Expr = { k: 'field', name: this.fieldName('the field to parse') };
    const pattern = this.next();
    let names: string[] = [];
    const asTok = this.peek();
    if (this.isWord(asTok, 'as')) {
      this.next();
      names = this.commaList(() => this.fieldName('a field name'));
    }
    if (pattern.kind === 'string') {
      const { re, stars } = globRegex(pattern.value);
      if (stars === 0) this.fail('A parse pattern needs at least one *', pattern);
      if (names.length !== stars) {
        this.fail(`The parse pattern has ${stars} * but ${names.length} names after "as"`, asTok);
      }
      return { kind: 'parse', source, re, captures: names.map((name, i) => ({ group: i + 1, name })) };
    }
    if (pattern.kind === 'regex') {
      const { re, names: groups } = toJsRegex(pattern.value, pattern.start, pattern.end);
      if (names.length > 0) {
        if (groups.length > 0) this.fail('Use either named groups or "as" names, not both', asTok);
        const count = (new RegExp(`${re.source}|`).exec('')?.length ?? 1) - 1;
        if (count !== names.length) {
          this.fail(`The regular expression has ${count} groups but ${names.length} names`, asTok);
        }
        return { kind: 'parse', source, re, captures: names.map((name, i) => ({ group: i + 1, name })) };
      }
      if (groups.length === 0)
        this.fail('A parse regular expression needs named groups (?<name>...)', pattern);
      return { kind: 'parse', source, re, captures: groups.map((g) => ({ group: g.group, name: g.name })) };
    }
    return this.fail(`parse ${fieldTok.value} needs a "glob" or /regex/ pattern`, pattern);
  }

  private statsCommand(): Command {
    const aggs: Array<Extract<Expr, { k: 'agg' }>> = [];
    this.aggs = aggs;
    const items = this.commaList(() => {
      const before = aggs.length;
      const start = this.peek();
      const item = this.namedExpr();
      if (aggs.length === before) {
        this.fail('Each stats item needs an aggregate function such as count() or sum()', start);
      }
      return item;
    });
    this.aggs = undefined;
    let groups: NamedExpr[] = [];
    if (this.isWord(this.peek(), 'by')) {
      this.next();
      groups = this.commaList(() => this.namedExpr());
    }
    return { kind: 'stats', items, groups, aggs };
  }

  // --- expressions, lowest precedence first

  private expr(): Expr {
    let l = this.andExpr();
    while (this.isWord(this.peek(), 'or')) {
      this.next();
      l = { k: 'or', l, r: this.andExpr() };
    }
    return l;
  }

  private andExpr(): Expr {
    let l = this.notExpr();
    while (this.isWord(this.peek(), 'and')) {
      this.next();
      l = { k: 'and', l, r: this.notExpr() };
    }
    return l;
  }

  private notExpr(): Expr {
    if (this.isWord(this.peek(), 'not')) {
      this.next();
      return { k: 'not', e: this.notExpr() };
    }
    return this.comparison();
  }

  private comparison(): Expr {
    const l = this.additive();
    const t = this.peek();
    let negate = false;
    if (this.isWord(t, 'not') && (this.isWord(this.peek(1), 'in') || this.isWord(this.peek(1), 'like'))) {
      this.next();
      negate = true;
    }
    const op = this.peek();
    if (this.isWord(op, 'in')) {
      this.next();
      return { k: 'in', e: l, list: this.list(), negate };
    }
    if (this.isWord(op, 'like') || (!negate && this.isOp(op, '=~'))) {
      this.next();
      const p = this.next();
      if (p.kind === 'string') return { k: 'like', e: l, substring: p.value, negate };
      if (p.kind === 'regex') return { k: 'like', e: l, re: toJsRegex(p.value, p.start, p.end).re, negate };
      return this.fail(`Expected "text" or /regex/ after ${op.value} but found ${describe(p)}`, p);
    }
    if (op.kind === 'op' && ['=', '!=', '<', '<=', '>', '>='].includes(op.value)) {
      this.next();
      const r = this.additive();
      const again = this.peek();
      if (again.kind === 'op' && ['=', '!=', '<', '<=', '>', '>=', '=~'].includes(again.value)) {
        this.fail('Comparisons cannot be chained; use "and"', again);
      }
      return { k: 'cmp', op: op.value as CmpOp, l, r };
    }
    return l;
  }

  private list(): Expr[] {
    this.expectOp('[');
    const items: Expr[] = [];
    if (!this.isOp(this.peek(), ']')) {
      items.push(...this.commaList(() => this.additive()));
    }
    this.expectOp(']');
    return items;
  }

  private additive(): Expr {
    let l = this.multiplicative();
    for (let t = this.peek(); this.isOp(t, '+') || this.isOp(t, '-'); t = this.peek()) {
      this.next();
      l = { k: 'arith', op: t.value as ArithOp, l, r: this.multiplicative() };
    }
    return l;
  }

  private multiplicative(): Expr {
    let l = this.unary();
    for (let t = this.peek(); this.isOp(t, '*') || this.isOp(t, '/') || this.isOp(t, '%'); t = this.peek()) {
      this.next();
      l = { k: 'arith', op: t.value as ArithOp, l, r: this.unary() };
    }
    return l;
  }

  /** Unary minus binds looser than ^, so -2 ^ 2 is -4. */
  private unary(): Expr {
    const t = this.peek();
    if (this.isOp(t, '-')) {
      this.next();
      return { k: 'neg', e: this.unary() };
    }
    if (this.isOp(t, '+')) {
      this.next();
      return this.unary();
    }
    return this.power();
  }

  private power(): Expr {
    const base = this.primary();
    if (this.isOp(this.peek(), '^')) {
      this.next();
      return { k: 'arith', op: '^', l: base, r: this.unary() };
    }
    return base;
  }

  private primary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case 'number':
        this.next();
        return { k: 'lit', v: t.num! };
      case 'string':
        this.next();
        return { k: 'lit', v: t.value };
      case 'quoted':
        this.next();
        return { k: 'field', name: t.value };
      case 'ident': {
        if (KEYWORDS.has(t.value.toLowerCase())) this.fail(`Unexpected keyword "${t.value}"`, t);
        this.next();
        if (this.isOp(this.peek(), '(')) return this.call(t);
        return { k: 'field', name: t.value };
      }
      case 'op':
        if (t.value === '(') {
          this.next();
          const e = this.expr();
          this.expectOp(')');
          return e;
        }
        break;
      case 'regex':
        this.fail('A /regular expression/ is only allowed after like or =~ and in parse', t);
        break;
      case 'period':
        this.fail(`The time period ${t.value} is only allowed in bin(), datefloor() and dateceil()`, t);
        break;
      default:
        break;
    }
    return this.fail(`Expected an expression but found ${describe(t)}`, t);
  }

  private call(nameTok: Token): Expr {
    const fn = nameTok.value.toLowerCase();
    const aggArity = AGGREGATES.get(fn);
    const fnArity = FUNCTIONS.get(fn);
    if (!aggArity && !fnArity) this.fail(`Unknown function "${nameTok.value}"`, nameTok);
    this.expectOp('(');
    if (aggArity) {
      if (!this.aggs)
        this.fail(`The aggregate function ${nameTok.value}() is only allowed in stats`, nameTok);
      if (this.inAggregate) this.fail(`Aggregate functions cannot be nested: ${nameTok.value}()`, nameTok);
      this.inAggregate = true;
      let args: Expr[] = [];
      if (fn === 'count' && this.isOp(this.peek(), '*') && this.isOp(this.peek(1), ')')) {
        this.next();
      } else if (!this.isOp(this.peek(), ')')) {
        args = this.commaList(() => this.expr());
      }
      this.inAggregate = false;
      this.expectOp(')');
      this.checkArity(nameTok, args.length, aggArity);
      const node: Extract<Expr, { k: 'agg' }> = { k: 'agg', fn, args, slot: this.aggs!.length };
      if (fn === 'pct') {
        const p = args[1]!;
        const percent = p.k === 'lit' ? toNumber(p.v) : null;
        if (percent === null || percent < 0 || percent > 100) {
          this.fail('The second argument of pct() must be a number from 0 to 100', nameTok);
        }
        node.percent = percent!;
        node.args = [args[0]!];
      }
      this.aggs!.push(node);
      return node;
    }
    const args: Expr[] = [];
    let period: Period | undefined;
    const wantsPeriod = PERIOD_FUNCTIONS.has(fn);
    if (!this.isOp(this.peek(), ')')) {
      for (;;) {
        const t = this.peek();
        const last = this.isOp(this.peek(1), ')');
        if (wantsPeriod && t.kind === 'period' && last) {
          this.next();
          period = t.period;
        } else {
          args.push(this.expr());
        }
        if (!this.isOp(this.peek(), ',')) break;
        this.next();
      }
    }
    this.expectOp(')');
    if (wantsPeriod && !period) this.fail(`${nameTok.value}() needs a time period such as 5m or 1h`, nameTok);
    this.checkArity(nameTok, args.length, fnArity!);
    return { k: 'call', fn, args, ...(period ? { period } : {}) };
  }

  private checkArity(t: Token, n: number, [min, max]: [number, number]): void {
    if (n < min || n > max) {
      const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
      this.fail(`${t.value}() takes ${want} argument${min === 1 && max === 1 ? '' : 's'}, not ${n}`, t);
    }
  }
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'the end of the query';
  if (t.kind === 'string') return `"${t.value}"`;
  if (t.kind === 'regex') return `/${t.value}/`;
  if (t.kind === 'quoted') return `\`${t.value}\``;
  return `"${t.value}"`;
}

export function parseQuery(text: string): ParsedQuery {
  return new Parser(text, tokenize(text)).parse();
}

// ---------------------------------------------------------------------------------------------
// Evaluation

interface Row {
  fields: Map<string, Value>;
  /** Event time in ms, for bin(), earliest() and latest(). */
  ts: number;
  ptr?: string;
}

function arithmetic(op: ArithOp, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '%':
      return a % b;
    case '^':
      return a ** b;
  }
}

function compare(op: CmpOp, a: Value, b: Value): boolean {
  if (op === '=') return equals(a, b);
  if (op === '!=') return a !== null && b !== null && !equals(a, b);
  const c = order(a, b);
  if (c === null) return false;
  return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
}

function numeric(v: Value, f: (n: number) => number): Value {
  const n = toNumber(v);
  if (n === null) return null;
  const r = f(n);
  return isNotANumber(r) ? null : r;
}

function trimChars(s: string, chars: string | undefined, left: boolean, right: boolean): string {
  if (chars === undefined) return left && right ? s.trim() : left ? s.trimStart() : s.trimEnd();
  const set = new Set(Array.from(chars));
  const cps = Array.from(s);
  let a = 0;
  let b = cps.length;
  while (left && a < b && set.has(cps[a]!)) a++;
  while (right && b > a && set.has(cps[b - 1]!)) b--;
  return cps.slice(a, b).join('');
}

function callFunction(e: Extract<Expr, { k: 'call' }>, args: Value[], row: Row): Value {
  const [a = null, b = null, c = null] = args;
  const text = (v: Value): string | null => toText(v);
  switch (e.fn) {
    case 'abs':
      return numeric(a, abs);
    case 'ceil':
      return numeric(a, ceil);
    case 'floor':
      return numeric(a, floor);
    case 'log':
      return numeric(a, log);
    case 'sqrt':
      return numeric(a, sqrt);
    case 'greatest':
    case 'least': {
      const ns = args.map(toNumber);
      if (ns.some((n) => n === null)) return null;
      return e.fn === 'greatest' ? max(...(ns as number[])) : min(...(ns as number[]));
    }
    case 'ispresent':
      return a !== null;
    case 'coalesce':
      return args.find((v) => v !== null) ?? null;
    case 'isempty':
      return a === null || text(a) === '';
    case 'isblank':
      return a === null || (text(a) ?? '').trim() === '';
    case 'concat': {
      const parts = args.map(text).filter((s): s is string => s !== null);
      return parts.length === 0 ? null : parts.join('');
    }
    case 'ltrim':
    case 'rtrim':
    case 'trim': {
      const s = text(a);
      if (s === null) return null;
      const chars = args.length > 1 ? text(b) : undefined;
      if (chars === null) return null;
      return trimChars(s, chars, e.fn !== 'rtrim', e.fn !== 'ltrim');
    }
    case 'strlen': {
      const s = text(a);
      return s === null ? null : Array.from(s).length;
    }
    case 'toupper':
    case 'tolower': {
      const s = text(a);
      return s === null ? null : e.fn === 'toupper' ? s.toUpperCase() : s.toLowerCase();
    }
    case 'substr': {
      const s = text(a);
      const start = toNumber(b);
      const length = args.length > 2 ? toNumber(c) : undefined;
      if (s === null || start === null || length === null) return null;
      const cps = Array.from(s);
      const from = Math.max(0, Math.trunc(start));
      return cps
        .slice(from, length === undefined ? undefined : from + Math.max(0, Math.trunc(length)))
        .join('');
    }
    case 'replace': {
      const [s, find, by] = [text(a), text(b), text(c)];
      if (s === null || find === null || by === null) return null;
      return find === '' ? s : s.split(find).join(by);
    }
    case 'strcontains': {
      const [s, find] = [text(a), text(b)];
      if (s === null || find === null) return null;
      return s.includes(find) ? 1 : 0;
    }
    case 'bin':
      return new Timestamp(floorTime(row.ts, e.period!));
    case 'datefloor':
    case 'dateceil': {
      const ms = toTime(a);
      if (ms === null) return null;
      return new Timestamp(e.fn === 'datefloor' ? floorTime(ms, e.period!) : ceilTime(ms, e.period!));
    }
    case 'frommillis': {
      const n = toNumber(a);
      return n === null ? null : new Timestamp(n);
    }
    case 'tomillis':
      return toTime(a);
    default:
      return null;
  }
}

type Compiled = (row: Row, aggValues?: Value[]) => Value;

const NUMERIC_FUNCTIONS: ReadonlyMap<string, (n: number) => number> = new Map([
  ['abs', abs],
  ['ceil', ceil],
  ['floor', floor],
  ['log', log],
  ['sqrt', sqrt],
]);
const negate = (n: number): number => -n;

/**
 * An expression as nested closures, built once per query: walking the tree for every row and
 * every aggregate was most of the time of a stats query over a day of access logs.
 */
function compile(e: Expr): Compiled {
  switch (e.k) {
    case 'lit': {
      const v = e.v;
      return () => v;
    }
    case 'field': {
      const name = e.name;
      return (row) => row.fields.get(name) ?? null;
    }
    case 'neg': {
      const f = compile(e.e);
      return (row, agg) => numeric(f(row, agg), negate);
    }
    case 'not': {
      const f = compile(e.e);
      return (row, agg) => !truthy(f(row, agg));
    }
    case 'arith': {
      const l = compile(e.l);
      const r = compile(e.r);
      const op = e.op;
      return (row, agg) => {
        const a = toNumber(l(row, agg));
        const b = toNumber(r(row, agg));
        if (a === null || b === null) return null;
        const x = arithmetic(op, a, b);
        return isNotANumber(x) ? null : x;
      };
    }
    case 'cmp': {
      const l = compile(e.l);
      const r = compile(e.r);
      const op = e.op;
      return (row, agg) => compare(op, l(row, agg), r(row, agg));
    }
    case 'and': {
      const l = compile(e.l);
      const r = compile(e.r);
      return (row, agg) => truthy(l(row, agg)) && truthy(r(row, agg));
    }
    case 'or': {
      const l = compile(e.l);
      const r = compile(e.r);
      return (row, agg) => truthy(l(row, agg)) || truthy(r(row, agg));
    }
    case 'like': {
      const f = compile(e.e);
      return (row, agg) => {
        const s = toText(f(row, agg));
        if (s === null) return false;
        const hit = e.re ? e.re.test(s) : s.includes(e.substring!);
        return e.negate ? !hit : hit;
      };
    }
    case 'in': {
      const f = compile(e.e);
      const list = e.list.map(compile);
      return (row, agg) => {
        const v = f(row, agg);
        if (v === null) return false;
        const hit = list.some((item) => equals(v, item(row, agg)));
        return e.negate ? !hit : hit;
      };
    }
    case 'call': {
      const args = e.args.map(compile);
      const math = NUMERIC_FUNCTIONS.get(e.fn);
      if (math && args.length === 1) {
        const f = args[0]!;
        return (row, agg) => numeric(f(row, agg), math);
      }
      return (row, agg) =>
        callFunction(
          e,
          args.map((a) => a(row, agg)),
          row,
        );
    }
    case 'agg': {
      const slot = e.slot;
      return (_row, agg) => agg?.[slot] ?? null;
    }
  }
}

const compiledExprs = new WeakMap<Expr, Compiled>();

/** Compiled once per expression (the parsed query owns it), so repeated calls cost a lookup. */
function compiledOf(e: Expr): Compiled {
  let f = compiledExprs.get(e);
  if (!f) {
    f = compile(e);
    compiledExprs.set(e, f);
  }
  return f;
}

function evaluate(e: Expr, row: Row, aggValues?: Value[]): Value {
  return compiledOf(e)(row, aggValues);
}

// ---------------------------------------------------------------------------------------------
// Aggregation

interface Accumulator {
  add(row: Row): void;
  result(): Value;
}

/** Group keys and count_distinct compare values by how they print; null never equals a value. */
function keyOf(v: Value): string {
  const s = formatValue(v);
  return s === undefined ? '\u0000' : `\u0001${s}`;
}

/**
 * A maker of the aggregate's accumulator, one per group: what does not depend on the group (the
 * compiled argument) is built once per query, not once per group.
 */
function accumulator(node: Extract<Expr, { k: 'agg' }>): () => Accumulator {
  const arg = node.args[0];
  const f = arg ? compiledOf(arg) : undefined;
  const value = (row: Row): Value => (f ? f(row) : null);
  const num = (row: Row): number | null => toNumber(value(row));
  /** Keeps the group's numeric values and reduces them at the end; null when there are none. */
  const collected =
    (reduce: (xs: number[]) => Value): (() => Accumulator) =>
    () => {
      const xs: number[] = [];
      return {
        add: (row) => {
          const x = num(row);
          if (x !== null) xs.push(x);
        },
        result: () => (xs.length === 0 ? null : reduce(xs)),
      };
    };
  switch (node.fn) {
    case 'count':
      return () => {
        let n = 0;
        return {
          // count() and count(*) count events; count(expr) counts events where expr is not null.
          add: (row) => {
            if (arg === undefined || value(row) !== null) n++;
          },
          result: () => n,
        };
      };
    case 'count_distinct':
      return () => {
        const seen = new Set<string>();
        return {
          add: (row) => {
            const v = value(row);
            if (v !== null) seen.add(keyOf(v));
          },
          result: () => seen.size,
        };
      };
    case 'sum':
    case 'avg':
      return () => {
        let sum = 0;
        let n = 0;
        return {
          add: (row) => {
            const x = num(row);
            if (x !== null) {
              sum += x;
              n++;
            }
          },
          // Decision: with no numeric values, sum and avg are null (the cell is omitted).
          result: () => (n === 0 ? null : node.fn === 'sum' ? sum : sum / n),
        };
      };
    case 'stddev':
      // Decision: the sample standard deviation (n - 1); 0 for a single value.
      return collected((xs) => {
        if (xs.length === 1) return 0;
        const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
        return Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1));
      });
    case 'pct':
      // Decision: nearest rank, the value at rank ceil(p/100 * n) of the sorted values.
      return collected((xs) => {
        xs.sort((p, q) => p - q);
        const rank = Math.min(xs.length, Math.max(1, Math.ceil((node.percent! / 100) * xs.length)));
        return xs[rank - 1]!;
      });
    case 'min':
    case 'max':
      return () => {
        // Decision: numbers win over text; text is compared only when a group has no numbers.
        let best: Value = null;
        let bestNum: number | null = null;
        let text: Value = null;
        const sign = node.fn === 'min' ? -1 : 1;
        return {
          add: (row) => {
            const v = value(row);
            if (v === null) return;
            const x = toNumber(v);
            if (x !== null) {
              if (bestNum === null || (x - bestNum) * sign > 0) {
                best = v;
                bestNum = x;
              }
            } else if (text === null || naturalCompare(v, text) * sign > 0) {
              text = v;
            }
          },
          result: () => (bestNum !== null ? best : text),
        };
      };
    case 'sortsfirst':
    case 'sortslast':
      return () => {
        let best: Value = null;
        const sign = node.fn === 'sortsfirst' ? -1 : 1;
        return {
          add: (row) => {
            const v = value(row);
            if (v !== null && (best === null || naturalCompare(v, best) * sign > 0)) best = v;
          },
          result: () => best,
        };
      };
    case 'earliest':
    case 'latest':
      return () => {
        // Decision: only events where the value is present count; ties keep the first seen.
        let best: Value = null;
        let at = 0;
        const earliest = node.fn === 'earliest';
        return {
          add: (row) => {
            const v = value(row);
            if (v === null) return;
            if (best === null || (earliest ? row.ts < at : row.ts > at)) {
              best = v;
              at = row.ts;
            }
          },
          result: () => best,
        };
      };
    default:
      throw new Error(`no accumulator for ${node.fn}`);
  }
}

function runStats(cmd: Extract<Command, { kind: 'stats' }>, rows: Iterable<Row>): Row[] {
  const groups = new Map<string, { keys: Value[]; accs: Accumulator[]; ts: number }>();
  const keyFns = cmd.groups.map((g) => compiledOf(g.expr));
  const makers = cmd.aggs.map(accumulator);
  for (const row of rows) {
    const keys = keyFns.map((f) => f(row));
    const key = keys.map(keyOf).join('\u0002');
    let group = groups.get(key);
    if (!group) {
      group = { keys, accs: makers.map((make) => make()), ts: row.ts };
      groups.set(key, group);
    }
    for (const acc of group.accs) acc.add(row);
  }
  const out: Row[] = [];
  for (const group of groups.values()) {
    const fields = new Map<string, Value>();
    cmd.groups.forEach((g, i) => fields.set(g.name, group.keys[i] ?? null));
    const aggValues = group.accs.map((a) => a.result());
    // Items see the group keys, so `stats count(*) * 2 by x` style arithmetic works.
    const keyRow: Row = { fields: new Map(fields), ts: group.ts };
    for (const item of cmd.items) fields.set(item.name, evaluate(item.expr, keyRow, aggValues));
    out.push({ fields, ts: group.ts });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Execution

export interface InputEvent {
  /** Milliseconds since the epoch. */
  timestamp: number;
  message: string;
  logGroup?: string;
  logStream?: string;
  ingestionTime?: number;
  /** The opaque @ptr value returned with raw (non-stats) rows. */
  ptr?: string;
}

export interface ExecuteOptions {
  /** Cap on result rows, as StartQuery's `limit` (default 10,000). */
  limit?: number;
  /** Account id in the @log field (`account:logGroup`). */
  accountId?: string;
}

export type ResultCell = { field: string; value: string };

export interface QueryOutput {
  rows: ResultCell[][];
  /** Events that passed the filters before the first stats (or limit) command. */
  recordsMatched: number;
}

function setField(fields: Map<string, Value>, name: string, v: Value): void {
  if (v === null) fields.delete(name);
  else fields.set(name, v);
}

/** JSON log events: each key becomes a field; nested objects and arrays are flattened with dots. */
function discover(value: unknown, prefix: string, into: Map<string, Value>): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'object') {
    // for...in over what JSON.parse made: the own keys, in Object.entries' order, without its arrays.
    for (const k in value) {
      discover((value as Record<string, unknown>)[k], prefix === '' ? k : `${prefix}.${k}`, into);
    }
    return;
  }
  if (prefix === '' || into.has(prefix)) return;
  // Decision: JSON booleans become the text "true"/"false".
  into.set(prefix, typeof value === 'number' || typeof value === 'string' ? value : String(value));
}

const LEADING_BRACE = /^\s*\{/;

function toRow(ev: InputEvent, accountId: string): Row {
  const fields = new Map<string, Value>();
  fields.set('@timestamp', new Timestamp(ev.timestamp));
  fields.set('@message', ev.message);
  if (ev.logStream !== undefined) fields.set('@logStream', ev.logStream);
  if (ev.logGroup !== undefined) fields.set('@log', `${accountId}:${ev.logGroup}`);
  if (ev.ingestionTime !== undefined) fields.set('@ingestionTime', new Timestamp(ev.ingestionTime));
  // Not trimStart(): that copies every message.
  if (LEADING_BRACE.test(ev.message)) {
    try {
      const parsed: unknown = JSON.parse(ev.message);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
        discover(parsed, '', fields);
    } catch {
      // Not JSON after all: only the @ fields exist.
    }
  }
  return { fields, ts: ev.timestamp, ...(ev.ptr !== undefined ? { ptr: ev.ptr } : {}) };
}

/** The result columns, decided by the commands alone (not by the data). */
function outputColumns(commands: Command[]): { names: string[]; raw: boolean } {
  let names: string[] = [];
  let explicit = false;
  let raw = true;
  let display: string[] | undefined;
  for (const c of commands) {
    if (c.kind === 'fields') {
      names.push(...c.items.map((i) => i.name));
      explicit = true;
    } else if (c.kind === 'parse') {
      // Fields made by parse are shown without being listed in fields.
      names.push(...c.captures.map((x) => x.name));
    } else if (c.kind === 'stats') {
      names = [...c.groups.map((g) => g.name), ...c.items.map((i) => i.name)];
      explicit = true;
      raw = false;
    } else if (c.kind === 'display') {
      // Only the last display counts (documented).
      display = c.names;
    }
  }
  const all = display ?? (explicit ? names : ['@timestamp', '@message', ...names]);
  return { names: [...new Set(all)], raw };
}

type RowCommand = Extract<Command, { kind: 'fields' | 'filter' | 'parse' | 'display' }>;

function isRowCommand(cmd: Command): cmd is RowCommand {
  return cmd.kind === 'fields' || cmd.kind === 'filter' || cmd.kind === 'parse' || cmd.kind === 'display';
}

/** A command that looks at one row alone; false when the row is filtered out. */
function applyToRow(cmd: RowCommand, row: Row): boolean {
  switch (cmd.kind) {
    case 'fields': {
      // Every item sees the event as it was before this command.
      const values = cmd.items.map((i) => evaluate(i.expr, row));
      cmd.items.forEach((item, i) => setField(row.fields, item.name, values[i] ?? null));
      return true;
    }
    case 'filter':
      return truthy(evaluate(cmd.expr, row));
    case 'parse': {
      const text = toText(evaluate(cmd.source, row));
      const m = text === null ? null : cmd.re.exec(text);
      for (const cap of cmd.captures) {
        const v = m ? (typeof cap.group === 'number' ? m[cap.group] : m.groups?.[cap.group]) : undefined;
        setField(row.fields, cap.name, v ?? null);
      }
      return true;
    }
    case 'display':
      return true;
  }
}

export function executeQuery(
  query: string | ParsedQuery,
  events: readonly InputEvent[],
  options: ExecuteOptions = {},
): QueryOutput {
  const parsed = typeof query === 'string' ? parseQuery(query) : query;
  const accountId = options.accountId ?? '123456789012';
  // Newest first; Array.prototype.sort is stable, so equal times keep insertion order.
  const sorted = [...events].sort((a, b) => b.timestamp - a.timestamp);
  let matched: number | undefined;

  // The leading per-row commands run event by event, and a stats right after them takes the rows
  // as they come: a row then lives only while it is looked at, instead of all of them at once
  // (a day of access logs is ~20,000 rows of ~40 fields, and the garbage collector's work).
  let first = 0;
  while (first < parsed.commands.length && isRowCommand(parsed.commands[first]!)) first++;
  const prefix = parsed.commands.slice(0, first) as RowCommand[];
  let passed = 0;
  const stream = function* (): Generator<Row> {
    for (const ev of sorted) {
      const row = toRow(ev, accountId);
      if (prefix.every((cmd) => applyToRow(cmd, row))) {
        passed++;
        yield row;
      }
    }
  };
  let rows: Row[];
  const next = parsed.commands[first];
  if (next?.kind === 'stats') {
    rows = runStats(next, stream());
    matched = passed;
    first++;
  } else {
    rows = [...stream()];
  }

  for (const cmd of parsed.commands.slice(first)) {
    switch (cmd.kind) {
      case 'fields':
      case 'parse':
      case 'display':
        for (const row of rows) applyToRow(cmd, row);
        break;
      case 'filter':
        rows = rows.filter((row) => applyToRow(cmd, row));
        break;
      case 'stats':
        matched ??= rows.length;
        rows = runStats(cmd, rows);
        break;
      case 'sort': {
        const keyed = rows.map((row) => ({ row, keys: cmd.keys.map((k) => evaluate(k.expr, row)) }));
        keyed.sort((a, b) => {
          for (let i = 0; i < cmd.keys.length; i++) {
            const x = a.keys[i] ?? null;
            const y = b.keys[i] ?? null;
            // Decision: missing values sort last in both directions.
            if (x === null || y === null) {
              if (x !== y) return x === null ? 1 : -1;
              continue;
            }
            const c = naturalCompare(x, y);
            if (c !== 0) return cmd.keys[i]!.desc ? -c : c;
          }
          return 0;
        });
        rows = keyed.map((k) => k.row);
        break;
      }
      case 'limit':
        matched ??= rows.length;
        rows = rows.slice(0, cmd.n);
        break;
      case 'dedup': {
        const seen = new Set<string>();
        rows = rows.filter((row) => {
          const values = cmd.names.map((n) => row.fields.get(n) ?? null);
          // Null values are not considered duplicates (documented).
          if (values.some((v) => v === null)) return true;
          const key = values.map(keyOf).join('\u0002');
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        });
        break;
      }
    }
  }

  const { names, raw } = outputColumns(parsed.commands);
  const limit = options.limit ?? 10_000;
  const out = rows.slice(0, limit).map((row) => {
    const cells: ResultCell[] = [];
    for (const name of names) {
      const value = formatValue(row.fields.get(name) ?? null);
      if (value !== undefined) cells.push({ field: name, value });
    }
    if (raw && row.ptr !== undefined) cells.push({ field: '@ptr', value: row.ptr });
    return cells;
  });
  return { rows: out, recordsMatched: matched ?? rows.length };
}
