import { describe, expect, it } from '@jest/globals';
import { aggregateQuery } from '../../src/aws/insights-query.js';
import { bucketIndex } from '../../src/model/histogram.js';
import {
  executeQuery,
  naturalCompare,
  parseQuery,
  QuerySyntaxError,
  type ExecuteOptions,
  type InputEvent,
} from '../servers/insights/engine.js';

const T0 = Date.UTC(2024, 7, 4, 12, 0, 0);

/** Events one second apart from T0, objects as JSON lines. */
function events(...items: Array<Record<string, unknown> | string>): InputEvent[] {
  return items.map((m, i) => ({
    timestamp: T0 + i * 1000,
    message: typeof m === 'string' ? m : JSON.stringify(m),
  }));
}

/** Result rows as objects, without @ptr. */
function run(query: string, evs: InputEvent[], options?: ExecuteOptions): Array<Record<string, string>> {
  return executeQuery(query, evs, options).rows.map((row) =>
    Object.fromEntries(row.filter((c) => c.field !== '@ptr').map((c) => [c.field, c.value])),
  );
}

/** One value per row of a one-column query. */
function column(query: string, evs: InputEvent[], name: string): Array<string | undefined> {
  return run(query, evs).map((r) => r[name]);
}

/** The value of `expr` for one event. */
function value(expr: string, fields: Record<string, unknown> = {}): string | undefined {
  return run(`fields ${expr} as v`, events(fields))[0]!.v;
}

function syntaxError(query: string): QuerySyntaxError {
  try {
    parseQuery(query);
  } catch (error) {
    if (error instanceof QuerySyntaxError) return error;
    throw error;
  }
  throw new Error(`no syntax error for: ${query}`);
}

describe('query text', () => {
  const evs = events({ a: 1, b: 'x' }, { a: 2, b: 'y' }, { a: 3, b: 'x|y' });

  it('splits commands on pipes and treats newlines as spaces', () => {
    expect(column('fields a\n| filter\n a >= 2\n| sort a', evs, 'a')).toEqual(['2', '3']);
  });

  it('ignores # comments, including a commented-out command', () => {
    const q = '# leading comment\nfields a # trailing\n    # | filter a = 1\n| sort a desc';
    expect(column(q, evs, 'a')).toEqual(['3', '2', '1']);
  });

  it('reads keywords, commands and function names in any case', () => {
    expect(column('FIELDS a | FILTER a > 1 AND NOT a = 3 | SORT a DESC', evs, 'a')).toEqual(['2']);
    expect(run('Stats COUNT(*) As n, Sum(a) AS s', evs)).toEqual([{ n: '3', s: '6' }]);
  });

  it('does not split on a pipe or # inside strings and regular expressions', () => {
    expect(column('fields b | filter b = "x|y"', evs, 'b')).toEqual(['x|y']);
    expect(column('fields b | filter b like /^(x|y)$/ | sort b', evs, 'b')).toEqual(['x', 'y']);
    expect(column('fields concat(b, "#1") as c | sort c', evs, 'c')).toEqual(['x#1', 'x|y#1', 'y#1']);
  });

  it('reads backtick-quoted field names and dotted JSON paths', () => {
    const nested = events({
      'foo-bar': 5,
      req: { path: '/a', headers: { n: 2 } },
      list: [{ id: 'p' }, { id: 'q' }],
    });
    expect(run('fields `foo-bar` * 2 as d, req.path, req.headers.n, list.1.id', nested)).toEqual([
      { d: '10', 'req.path': '/a', 'req.headers.n': '2', 'list.1.id': 'q' },
    ]);
  });

  it('accepts single and double quoted strings with escapes', () => {
    expect(value(`concat('it\\'s', " \\"q\\"")`)).toBe(`it's "q"`);
  });
});

describe('fields and display', () => {
  const evs = events({ x: 10, y: 'a' }, { x: 20, y: 'b' });

  it('shows @timestamp and @message when no fields are chosen, and @ptr when events have one', () => {
    const withPtr = [{ timestamp: T0, message: 'hello', ptr: 'p1' }];
    expect(executeQuery('filter @message like "ell"', withPtr).rows).toEqual([
      [
        { field: '@timestamp', value: '2024-08-04 12:00:00.000' },
        { field: '@message', value: 'hello' },
        { field: '@ptr', value: 'p1' },
      ],
    ]);
  });

  it('creates and overwrites fields for later commands', () => {
    expect(column('fields x * 3 as x | filter x > 40', evs, 'x')).toEqual(['60']);
  });

  it('keeps the other fields available to later commands but shows only the chosen ones', () => {
    expect(run('fields x | filter y = "a"', evs)).toEqual([{ x: '10' }]);
  });

  it('names an expression without alias by its text', () => {
    expect(Object.keys(run('fields abs(x - 15)', evs)[0]!)).toEqual(['abs(x - 15)']);
  });

  it('evaluates every item of one fields command against the event as it was', () => {
    expect(run('fields x + 1 as x, x * 2 as doubled | sort x', evs)[0]).toEqual({ x: '11', doubled: '20' });
  });

  it('shows columns from every fields command, and only the last display', () => {
    expect(Object.keys(run('fields x | fields y', evs)[0]!)).toEqual(['x', 'y']);
    expect(run('fields x, y | display x | display y | sort y', evs)).toEqual([{ y: 'a' }, { y: 'b' }]);
  });

  it('leaves null values out of the row', () => {
    expect(run('fields x, missing | sort x | limit 1', evs)).toEqual([{ x: '10' }]);
  });

  it('provides @logStream, @log and @timestamp', () => {
    const ev = [{ timestamp: T0 + 5, message: 'm', logGroup: '/g', logStream: 's1' }];
    expect(run('fields @logStream, @log, @timestamp', ev, { accountId: '111122223333' })).toEqual([
      { '@logStream': 's1', '@log': '111122223333:/g', '@timestamp': '2024-08-04 12:00:00.005' },
    ]);
  });
});

describe('filter', () => {
  const evs = events(
    { id: 1, code: 200, s: 'GET', dash: '-' },
    { id: 2, code: 404, s: 'POST', dash: 'denied' },
    { id: 3, code: '500', s: 'get' },
    { id: 4, s: 'PUT', dash: '-' },
  );
  const ids = (q: string): Array<string | undefined> => column(`fields id | ${q} | sort id`, evs, 'id');

  it('compares numbers, numeric text and strings', () => {
    expect(ids('filter code = 200')).toEqual(['1']);
    expect(ids('filter code >= 404')).toEqual(['2', '3']);
    expect(ids('filter code < 500')).toEqual(['1', '2']);
    expect(ids('filter code <= 500 and code > 200')).toEqual(['2', '3']);
    expect(ids('filter code = "500"')).toEqual(['3']);
    expect(ids('filter s = "GET"')).toEqual(['1']);
    expect(ids('filter s != "GET"')).toEqual(['2', '3', '4']);
  });

  it('gives and precedence over or, with not and parentheses', () => {
    expect(ids('filter id = 1 or id = 2 and code = 200')).toEqual(['1']);
    expect(ids('filter (id = 1 or id = 2) and code = 404')).toEqual(['2']);
    expect(ids('filter not id = 1 and not (id = 4)')).toEqual(['2', '3']);
  });

  it('tests set membership with in and not in', () => {
    expect(ids('filter code in [200, 500]')).toEqual(['1', '3']);
    expect(ids('filter s in ["GET", "PUT"]')).toEqual(['1', '4']);
    expect(ids('filter s not in ["GET", "PUT", 1]')).toEqual(['2', '3']);
    expect(ids('filter s in []')).toEqual([]);
  });

  it('matches substrings and regular expressions with like and =~', () => {
    expect(ids('filter s like "ET"')).toEqual(['1']);
    expect(ids('filter s =~ "ET"')).toEqual(['1']);
    expect(ids('filter s like /^(?i)get$/')).toEqual(['1', '3']);
    expect(ids('filter s =~ /O/')).toEqual(['2']);
    expect(ids('filter s not like /T$/')).toEqual(['3']);
    expect(ids('filter code like /2\\d\\d/')).toEqual(['1']);
  });

  it('treats a missing field as false in every comparison', () => {
    expect(ids('filter dash != "-"')).toEqual(['2']);
    expect(ids('filter code != 200')).toEqual(['2', '3']);
    expect(ids('filter code not in [200]')).toEqual(['2', '3']);
    expect(ids('filter dash not like "-"')).toEqual(['2']);
    expect(ids('filter missing = missing')).toEqual([]);
    // `not` turns the false of a null comparison into true.
    expect(ids('filter not dash = "-"')).toEqual(['2', '3']);
  });

  it('filters on ispresent, isempty and numeric truth', () => {
    expect(ids('filter ispresent(code)')).toEqual(['1', '2', '3']);
    expect(ids('filter not ispresent(dash)')).toEqual(['3']);
    expect(ids('filter isempty(dash)')).toEqual(['3']);
    expect(ids('filter strcontains(s, "U")')).toEqual(['4']);
    expect(ids('filter id % 2')).toEqual(['1', '3']);
  });
});

describe('expressions', () => {
  it('applies arithmetic precedence and associativity', () => {
    expect(value('2 + 3 * 4 ^ 2')).toBe('50');
    expect(value('(2 + 3) * 4')).toBe('20');
    expect(value('-2 ^ 2')).toBe('-4');
    expect(value('2 ^ 3 ^ 2')).toBe('512');
    expect(value('10 - 4 - 3')).toBe('3');
    expect(value('10 % 3')).toBe('1');
    expect(value('7 / 2')).toBe('3.5');
    expect(value('- -3')).toBe('3');
    expect(value('2 * -x', { x: 4 })).toBe('-8');
  });

  it('formats numbers like JavaScript String()', () => {
    expect(value('0.1 + 0.2')).toBe('0.30000000000000004');
    expect(value('123')).toBe('123');
    expect(value('1.5e3')).toBe('1500');
    expect(value('ceil(-0.5)')).toBe('0');
    expect(value('x', { x: 2.25 })).toBe('2.25');
  });

  it('uses text that is a number as a number', () => {
    expect(value('h + 1', { h: '08' })).toBe('9');
    expect(value('abs(h)', { h: '-1.5' })).toBe('1.5');
    expect(value('greatest(h, 2)', { h: '10' })).toBe('10');
  });

  it('gives null for arithmetic on text, null or a missing field', () => {
    expect(value('h + 1', { h: 'abc' })).toBeUndefined();
    expect(value('h + 1', { h: '-' })).toBeUndefined();
    expect(value('h + 1', { h: null })).toBeUndefined();
    expect(value('missing * 2')).toBeUndefined();
    expect(value('-missing')).toBeUndefined();
  });

  it('leaves non-finite results out like null', () => {
    expect(value('log(0)')).toBeUndefined();
    expect(value('ceil(log(0) * 10)')).toBeUndefined();
    expect(value('1 / 0')).toBeUndefined();
    expect(value('0 / 0')).toBeUndefined();
    expect(value('sqrt(-1)')).toBeUndefined();
    // -Infinity still compares and picks in greatest() before it is output.
    expect(value('greatest(log(0), 1)')).toBe('1');
  });

  it('implements the numeric functions', () => {
    expect(value('abs(-3)')).toBe('3');
    expect(value('ceil(2.1)')).toBe('3');
    expect(value('floor(-2.1)')).toBe('-3');
    expect(value('greatest(1, 5, 3)')).toBe('5');
    expect(value('least(4, -1, 3)')).toBe('-1');
    expect(value('log(1)')).toBe('0');
    expect(Number(value('log(10)'))).toBeCloseTo(Math.LN10, 15);
    expect(value('sqrt(16)')).toBe('4');
    expect(value('greatest(missing, 1)')).toBeUndefined();
  });

  it('implements the string and general functions', () => {
    const f = { s: 'héllo', n: 42, blank: '  ', empty: '' };
    expect(value('strlen(s)', f)).toBe('5');
    expect(value('toupper(s)', f)).toBe('HÉLLO');
    expect(value('tolower("ABC")', f)).toBe('abc');
    expect(value('concat(s, "-", n)', f)).toBe('héllo-42');
    expect(value('substr("xyZfooxyZ", 3, 3)')).toBe('foo');
    expect(value('substr("xyZfooxyZ", 6)')).toBe('xyZ');
    expect(value('replace("foo", "o", "0")')).toBe('f00');
    expect(value('trim("xyZfooxyZ", "xyZ")')).toBe('foo');
    expect(value('ltrim("xyZfooxyZ", "xyZ")')).toBe('fooxyZ');
    expect(value('rtrim("xyZfooxyZ", "xyZ")')).toBe('xyZfoo');
    expect(value('trim("  a ")')).toBe('a');
    expect(value('strcontains(s, "ll")', f)).toBe('1');
    expect(value('ispresent(s)', f)).toBe('1');
    expect(value('ispresent(nope)', f)).toBe('0');
    expect(value('coalesce(nope, n, s)', f)).toBe('42');
    expect(value('coalesce(nope, other)', f)).toBeUndefined();
    expect(value('isempty(empty)', f)).toBe('1');
    expect(value('isblank(blank)', f)).toBe('1');
    expect(value('isblank(s)', f)).toBe('0');
    expect(value('n > 40', f)).toBe('1');
    expect(value('strlen(missing)', f)).toBeUndefined();
  });

  it('implements the datetime functions', () => {
    const evs = [{ timestamp: Date.UTC(2024, 7, 4, 11, 28, 40, 123), message: '{"ms": 86400000}' }];
    expect(
      run(
        'fields bin(5m) as b, datefloor(@timestamp, 1h) as f, dateceil(@timestamp, 1d) as c, ' +
          'toMillis(@timestamp) as t, fromMillis(ms) as d, datefloor(@timestamp, 1mo) as mo, ' +
          'datefloor(@timestamp, 1w) as w, bin(30s) as s',
        evs,
      ),
    ).toEqual([
      {
        b: '2024-08-04 11:25:00.000',
        f: '2024-08-04 11:00:00.000',
        c: '2024-08-05 00:00:00.000',
        t: String(Date.UTC(2024, 7, 4, 11, 28, 40, 123)),
        d: '1970-01-02 00:00:00.000',
        mo: '2024-08-01 00:00:00.000',
        // 2024-08-04 is a Sunday; weeks start on Monday.
        w: '2024-07-29 00:00:00.000',
        s: '2024-08-04 11:28:30.000',
      },
    ]);
  });
});

describe('parse', () => {
  const line = '25 May 2019 10:24:39,474 [ERROR] {foo=2, bar=data} The error was: DataIntegrityException';
  const expected = { level: 'ERROR', config: '{foo=2, bar=data}', exception: 'DataIntegrityException' };

  it('extracts fields with a glob (the documented example)', () => {
    const q =
      'parse @message "[*] * The error was: *" as level, config, exception | display level, config, exception';
    expect(run(q, events(line))).toEqual([expected]);
  });

  it('extracts fields with named regex groups (the documented example)', () => {
    const q =
      'parse @message /\\[(?<level>\\S+)\\]\\s+(?<config>\\{.*\\})\\s+The error was: (?<exception>\\S+)/ ' +
      '| display level, config, exception';
    expect(run(q, events(line))).toEqual([expected]);
  });

  it('shows parsed fields without a fields command', () => {
    expect(run('parse @message "user=*," as user', events('x user=ann, y'))).toEqual([
      { '@timestamp': '2024-08-04 12:00:00.000', '@message': 'x user=ann, y', user: 'ann' },
    ]);
  });

  it('keeps a record that does not match, with the parsed fields null', () => {
    const evs = events('user=ann, method:GET', 'no match here', { other: 1 });
    const q = 'parse @message "user=*, method:*" as user, method | stats count(*) as n, count(user) as users';
    expect(run(q, evs)).toEqual([{ n: '3', users: '1' }]);
  });

  it('parses a JSON field with a regex, and parsed numbers take part in arithmetic', () => {
    const evs = events({ startTime: '2024-08-04T08:05:00Z' }, { startTime: 'bad' });
    const q =
      'parse startTime /^(?<year>\\d{4})-(?<month>\\d{2})-(?<dom>\\d{2})T(?<hour>\\d{2}):/ ' +
      '| fields year, month, hour + 1 as next';
    expect(run(q, evs)).toEqual([{}, { year: '2024', month: '08', dom: '04', hour: '08', next: '9' }]);
  });

  it('accepts group names with @ and positional names after as', () => {
    expect(run('parse @message /id:(?<@id>\\w+)/ | display @id', events('a id:x1 b'))).toEqual([
      { '@id': 'x1' },
    ]);
    expect(run('parse @message /(\\w+)=(\\d+)/ as k, v | display k, v', events('n=42'))).toEqual([
      { k: 'n', v: '42' },
    ]);
  });

  it('lets the last * of a glob take the rest and the others as little as possible', () => {
    expect(run('parse @message "*-*" as a, b | display a, b', events('x-y-z'))).toEqual([
      { a: 'x', b: 'y-z' },
    ]);
  });
});

describe('stats', () => {
  const evs = events(
    { svc: 'a', d: 10, code: 200, hour: '03', who: 'u1' },
    { svc: 'a', d: 30, code: 503, hour: '04', who: 'u2' },
    { svc: 'b', d: 5, code: 200, hour: '03', who: 'u1' },
    { svc: 'a', d: '-', code: 404, who: 'u1' },
    { d: 7, code: 200, hour: '23' },
  );

  it('computes each aggregate, skipping nulls and text', () => {
    expect(
      run(
        'filter svc = "a" | stats count(*) as n, count(d) as nd, sum(d) as s, avg(d) as a, min(d) as lo, ' +
          'max(d) as hi, count_distinct(who) as u, pct(d, 50) as p50, stddev(d) as sd',
        evs,
      ),
    ).toEqual([
      {
        n: '3',
        nd: '3',
        s: '40',
        a: '20',
        lo: '10',
        hi: '30',
        u: '2',
        p50: '10',
        sd: String(Math.sqrt(200)),
      },
    ]);
  });

  it('computes pct by nearest rank', () => {
    const xs = events(...[15, 20, 35, 40, 50].map((x) => ({ x })));
    expect(run('stats pct(x, 30) as a, pct(x, 40) as b, pct(x, 100) as c, pct(x, 0) as z', xs)).toEqual([
      { a: '20', b: '20', c: '50', z: '15' },
    ]);
  });

  it('takes earliest and latest by @timestamp, and sortsFirst/sortsLast by sort order', () => {
    expect(
      run('stats earliest(who) as e, latest(who) as l, sortsFirst(svc) as f, sortsLast(svc) as z', evs),
    ).toEqual([{ e: 'u1', l: 'u1', f: 'a', z: 'b' }]);
    expect(run('filter ispresent(hour) | stats earliest(hour) as e, latest(hour) as l', evs)).toEqual([
      { e: '03', l: '23' },
    ]);
  });

  it('aggregates expressions, and computes expressions of aggregates', () => {
    expect(
      run(
        'stats sum(1 - ceil(abs(hour - 3) / 24)) as h03, sum(floor(code / 100) = 2) as ok, ' +
          'sum(d) / count(d) as mean by svc',
        evs,
      ),
    ).toEqual([
      // Groups in first-seen order, newest event first. count(d) counts the text "-", sum skips it.
      { h03: '0', ok: '1', mean: '7' },
      { svc: 'a', h03: '1', ok: '1', mean: String(40 / 3) },
      { svc: 'b', h03: '1', ok: '1', mean: '5' },
    ]);
  });

  it('keeps a group for null keys, with the key left out of the row', () => {
    expect(run('stats count(*) as n by svc', evs)).toEqual([
      { n: '1' },
      { svc: 'a', n: '3' },
      { svc: 'b', n: '1' },
    ]);
    // Every group has n = 1; the stable sort keeps first-seen order: (null, 23), then (a, null).
    expect(run('stats count(*) as n by svc, hour | sort n desc | limit 2', evs)).toEqual([
      { hour: '23', n: '1' },
      { svc: 'a', n: '1' },
    ]);
  });

  it('returns groups in first-seen order, newest event first, and honours sort', () => {
    const order = events({ k: 'x' }, { k: 'y' }, { k: 'z' }, { k: 'y' });
    expect(column('stats count(*) by k', order, 'k')).toEqual(['y', 'z', 'x']);
    expect(column('stats count(*) as n by k | sort n desc, k asc', order, 'k')).toEqual(['y', 'x', 'z']);
  });

  it('names unaliased items by their text and groups by aliased expressions', () => {
    expect(run('stats count(*), sum(d) by floor(code / 100) as cls | sort cls', evs)).toEqual([
      { cls: '2', 'count(*)': '3', 'sum(d)': '22' },
      { cls: '4', 'count(*)': '1' },
      { cls: '5', 'count(*)': '1', 'sum(d)': '30' },
    ]);
  });

  it('groups by bin() of @timestamp', () => {
    const evs2 = [0, 60_000, 299_999, 300_000, 3_600_000].map((dt) => ({
      timestamp: T0 + dt,
      message: '{}',
    }));
    expect(run('stats count(*) as n by bin(5m) | sort bin(5m) asc', evs2)).toEqual([
      { 'bin(5m)': '2024-08-04 12:00:00.000', n: '3' },
      { 'bin(5m)': '2024-08-04 12:05:00.000', n: '1' },
      { 'bin(5m)': '2024-08-04 13:00:00.000', n: '1' },
    ]);
  });

  it('omits sums over no numbers and counts zero', () => {
    expect(
      run('filter svc = "a" and d = "-" | stats count(d) as c, sum(d) as s, min(d) as m, count(*) as n', evs),
    ).toEqual([{ c: '1', m: '-', n: '1' }]);
    expect(run('filter svc = "zzz" | stats count(*) as n', evs)).toEqual([]);
  });

  it('runs later commands, and a second stats, over the aggregated rows', () => {
    expect(run('stats count(*) as n by svc | filter n > 1', evs)).toEqual([{ svc: 'a', n: '3' }]);
    expect(run('stats count(*) as n by svc | stats sum(n) as total, count(*) as groups', evs)).toEqual([
      { total: '5', groups: '3' },
    ]);
  });

  it('prefers numbers over text in min and max', () => {
    expect(run('stats min(v) as lo, max(v) as hi', events({ v: '-' }, { v: 4 }, { v: '10' }))).toEqual([
      { lo: '4', hi: '10' },
    ]);
  });

  it('reports recordsMatched as the events reaching stats', () => {
    expect(executeQuery('filter svc = "a" | stats count(*) by who', evs).recordsMatched).toBe(3);
    expect(executeQuery('filter ispresent(svc) | limit 1', evs).recordsMatched).toBe(4);
  });
});

describe('sort, limit and dedup', () => {
  it('orders raw results newest first without sort, so limit keeps the newest', () => {
    expect(column('fields n | limit 2', events({ n: 1 }, { n: 2 }, { n: 3 }), 'n')).toEqual(['3', '2']);
  });

  it('sorts numbers numerically, ascending by default, with nulls last', () => {
    const evs = events({ n: 10 }, { n: 9 }, {}, { n: '100' }, { n: -1 });
    expect(column('fields n | sort n', evs, 'n')).toEqual(['-1', '9', '10', '100', undefined]);
    expect(column('fields n | sort n desc', evs, 'n')).toEqual(['100', '10', '9', '-1', undefined]);
  });

  it('uses the documented natural order', () => {
    const documented = [
      '!:',
      '#',
      '*%04',
      '0#',
      '5A',
      '111A',
      '2345_',
      '@',
      '@_',
      'A',
      'A9876fghj',
      'a12345hfh',
      '0',
      '1',
      '2',
      '3',
    ];
    const shuffled = [...documented].reverse();
    expect([...shuffled].sort(naturalCompare)).toEqual(documented);
    const evs = events(...shuffled.map((v) => ({ v })));
    expect(column('fields v | sort v asc', evs, 'v')).toEqual(documented);
    expect(column('fields v | sort v desc', evs, 'v')).toEqual([...documented].reverse());
  });

  it('sorts on several keys', () => {
    const evs = events({ a: 1, b: 'y' }, { a: 2, b: 'x' }, { a: 1, b: 'x' });
    expect(run('fields a, b | sort b asc, a desc', evs)).toEqual([
      { a: '2', b: 'x' },
      { a: '1', b: 'x' },
      { a: '1', b: 'y' },
    ]);
  });

  it('caps rows with limit and with the limit option', () => {
    const evs = events(...Array.from({ length: 20 }, (_, n) => ({ n })));
    expect(run('fields n | limit 5', evs)).toHaveLength(5);
    expect(run('fields n | limit 5', evs, { limit: 3 })).toHaveLength(3);
    expect(run('fields n', evs, { limit: 7 })).toHaveLength(7);
    expect(run('stats count(*) by n', evs, { limit: 4 })).toHaveLength(4);
  });

  it('keeps the first row per key with dedup, never merging nulls', () => {
    const evs = events({ k: 'a', n: 1 }, { k: 'b', n: 2 }, { k: 'a', n: 3 }, { n: 4 }, { n: 5 });
    expect(column('fields k, n | sort n asc | dedup k', evs, 'n')).toEqual(['1', '2', '4', '5']);
    expect(column('fields k, n | dedup k | limit 1', evs, 'n')).toEqual(['5']);
  });
});

describe('malformed queries', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /empty/],
    ['   # only a comment', /empty/],
    ['fields a |', /Expected a command/],
    ['fields a || filter b', /Expected a command/],
    ['select a', /Unknown command/],
    ['join x', /not supported/],
    ['fields nosuch(a)', /Unknown function "nosuch"/],
    ['fields sum(a)', /only allowed in stats/],
    ['filter count(*) > 1', /only allowed in stats/],
    ['stats sum(max(a))', /cannot be nested/],
    ['stats a by b', /needs an aggregate/],
    ['stats count(*) by sum(a)', /only allowed in stats/],
    ['filter a = "open', /Unterminated string/],
    ['filter a like /open', /Unterminated regular expression/],
    ['fields `open', /Unterminated backtick/],
    ['filter 1 < a < 3', /cannot be chained/],
    ['filter a =', /Expected an expression/],
    ['fields a b', /Unexpected "b"/],
    ['fields (a + 1', /Expected "\)"/],
    ['limit 0', /positive whole number/],
    ['limit 2.5', /positive whole number/],
    ['fields 5m', /only allowed in bin/],
    ['fields 5x', /Invalid number or time period/],
    ['stats count(*) by bin()', /needs a time period/],
    ['fields /re/', /regular expression/],
    ['filter a like b', /Expected "text" or \/regex\//],
    ['stats pct(a, 150)', /0 to 100/],
    ['fields abs(1, 2)', /takes 1 argument, not 2/],
    ['fields substr("a")', /takes 2 to 3 arguments/],
    ['filter a like /(unclosed/', /Invalid regular expression/],
    ['parse @message "a=*, b=*" as a', /2 \* but 1 names/],
    ['parse @message "no star" as a', /at least one \*/],
    ['parse @message /no groups/', /named groups/],
    ['parse @message 5', /needs a "glob" or \/regex\//],
    ['fields a | dedup a | sort a', /Only the limit command may follow dedup/],
    ['filter a = 1 and', /Expected an expression/],
    ['fields a as', /alias/],
    ['filter a ~ 1', /Unexpected character "~"/],
    ['filter a == 1', /Expected an expression/],
  ];

  it.each(cases)('rejects %j', (query, message) => {
    expect(syntaxError(query).message).toMatch(message);
  });

  it('reports where the problem is', () => {
    const q = 'fields a | filter b = | limit 1';
    const error = syntaxError(q);
    expect(q.slice(error.start, error.end)).toBe('|');
    const unknown = syntaxError('fields a, nosuch(1)');
    expect('fields a, nosuch(1)'.slice(unknown.start, unknown.end)).toBe('nosuch');
  });
});

describe('the production aggregate query', () => {
  const A = 'arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-0aaa';
  const log = (fields: Record<string, unknown>): Record<string, unknown> => ({
    serviceArn: A,
    authDeniedReason: '-',
    requestMethod: 'GET',
    ...fields,
  });

  it('parses', () => {
    expect(parseQuery(aggregateQuery()).commands.map((c) => c.kind)).toEqual([
      'parse',
      'parse',
      'parse',
      'fields',
      'fields',
      'stats',
      'limit',
    ]);
    expect(parseQuery(aggregateQuery({ prefix: '0', chars: 'ab' })).commands.map((c) => c.kind)).toEqual([
      'filter',
      'parse',
      'parse',
      'parse',
      'fields',
      'fields',
      'stats',
      'limit',
    ]);
  });

  // The differential test (engines.test.ts) compares whole aggregates; this pins the row layout.
  it('groups by the raw classifying values, with one hour column per hour', () => {
    const rows = run(
      aggregateQuery(),
      events(
        log({
          startTime: '2024-08-04T11:28:40Z',
          responseCode: 200,
          bytesReceived: 1,
          bytesSent: 2,
          duration: 23,
        }),
        log({
          startTime: '2024-08-04T11:59:59Z',
          responseCode: 200,
          bytesReceived: 3,
          bytesSent: 4,
          duration: 23,
        }),
        log({
          startTime: '2024-08-04T13:00:00Z',
          responseCode: '-',
          bytesReceived: '-',
          bytesSent: 5,
          duration: '-',
        }),
        log({ startTime: '2024-08-04T13:00:00', responseCode: 200, duration: 1 }),
      ),
    );
    const hours = (row: Record<string, string>): Record<string, string> =>
      Object.fromEntries(Object.entries(row).filter(([k, v]) => /^h\d\d$/.test(k) && v !== '0'));
    const byCode = new Map(rows.map((r) => [r.responseCode, r]));
    expect(byCode.get('200')).toMatchObject({
      serviceArn: A,
      year: '2024',
      month: '08',
      dom: '04',
      shape: '15',
      bucket: String(bucketIndex(23)),
      requests: '2',
      bytesIn: '4',
      bytesOut: '6',
      durationSum: '46',
    });
    expect(hours(byCode.get('200')!)).toEqual({ h11: '2' });
    // "-" is missing: valid (8), no duration (1), no bytes in (2), bytes out (4).
    expect(byCode.get('-')).toMatchObject({ shape: '12', requests: '1', bytesOut: '5' });
    expect(hours(byCode.get('-')!)).toEqual({ h13: '1' });
    // No zone: the parse does not match, so no day and no hour.
    const noZone = rows.find((r) => r.year === undefined)!;
    expect(noZone).toMatchObject({ requests: '1' });
    expect(hours(noZone)).toEqual({});
  });

  it('puts each duration in the bucket of the local reader', () => {
    const durations = [0, 0.00005, 0.0001, 0.5, 1, 1.0049, 2, 99.5, 1000, 123456.789];
    const rows = run(
      aggregateQuery(),
      events(
        ...durations.map((duration) =>
          log({ startTime: '2024-08-04T10:00:00Z', duration, responseCode: 200 }),
        ),
      ),
    );
    const buckets = [...new Set(rows.map((r) => Number(r.bucket)))].sort((x, y) => x - y);
    expect(buckets).toEqual([...new Set(durations.map(bucketIndex))].sort((x, y) => x - y));
  });
});
