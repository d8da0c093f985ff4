/**
 * Differential test of the JSONL fast path: aggregateLogs (byte-level scanning, ranges, merging)
 * must give exactly what the exact reader gives (aggregateLogs with `fast: false`: every file
 * streamed in one pass, every line through JSON.parse and toRecord): the same day aggregates,
 * counts, malformed samples with their line numbers and reasons, service names and errors.
 * Correctness only; no timing.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { accessLogLine } from '../../src/demo/records.js';
import { LineScanner } from '../../src/logs/fast-scan.js';
import type { AggregateOptions } from '../../src/logs/reader.js';
import { AggregateSet } from '../../src/model/aggregate.js';
import { exactOutcome, fastOutcome, type Outcome } from '../helpers/log-diff.js';

const SERVICES = [
  {
    arn: 'arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-0123456789abcdef0',
    host: 'orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-east-1.on.aws',
    otherHost: 'orders-v2-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-east-1.on.aws',
  },
  {
    arn: 'arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-0fedcba9876543210',
    host: 'search-0fedcba9876543210.1a2b3c4.vpc-lattice-svcs.us-east-1.on.aws',
    otherHost: 'find-0fedcba9876543210.1a2b3c4.vpc-lattice-svcs.us-east-1.on.aws',
  },
  {
    arn: 'arn:aws:vpc-lattice:eu-west-1:444455556666:service/svc-0aaaabbbbccccdddd',
    host: 'billing-0aaaabbbbccccdddd.9f8e7d6.vpc-lattice-svcs.eu-west-1.on.aws',
    otherHost: 'BILLING-0aaaabbbbccccdddd.9f8e7d6.vpc-lattice-svcs.eu-west-1.on.aws',
  },
];
const ARN = SERVICES[0]!.arn;

let dir: string;
let counter = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fast-scan-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fixture(content: string | Buffer, name = 'access.log'): Promise<string> {
  const file = path.join(dir, `${counter++}-${name}`);
  await writeFile(file, content);
  return file;
}

type Mode = Pick<AggregateOptions, 'region' | 'maxLineBytes' | 'rangeBytes' | 'isolate'>;

/**
 * The fast engine with each file in one range and in ranges of a few sizes, each compared with the
 * exact reader. isolate merges every range as if another thread had scanned it, the worst order
 * there is; without it the ranges go straight into the aggregates, in order.
 */
const MODES: Mode[] = [
  {},
  { isolate: true },
  { rangeBytes: 1 },
  { rangeBytes: 97, isolate: true },
  { rangeBytes: 4096, isolate: true },
];

function withoutFallbacks(outcome: Outcome & { fallbacks?: number }): Outcome {
  const { fallbacks: _fallbacks, ...rest } = outcome;
  return rest;
}

/** Asserts fast == exact for `files` in `mode`; returns the fast path's fallback count. */
async function expectSame(files: string[], mode: Mode = {}, known?: Outcome): Promise<number> {
  const exact =
    known ?? (await exactOutcome(files, { region: mode.region, maxLineBytes: mode.maxLineBytes }));
  const fast = await fastOutcome(files, mode);
  expect(withoutFallbacks(fast)).toEqual(exact);
  return fast.fallbacks ?? 0;
}

/**
 * Ranges of one byte cost microseconds each: over more than 64 kB they add seconds and try no
 * framing that the smaller cases do not.
 */
const ONE_BYTE_RANGES_MAX = 64 << 10;

async function expectSameInEveryMode(files: string[], extra: Mode = {}): Promise<number> {
  const exact = await exactOutcome(files, { region: extra.region, maxLineBytes: extra.maxLineBytes });
  let bytes = 0;
  for (const file of files) bytes += (await stat(file)).size;
  let fallbacks = 0;
  for (const mode of MODES) {
    if (mode.rangeBytes === 1 && bytes > ONE_BYTE_RANGES_MAX) continue;
    fallbacks = await expectSame(files, { ...mode, ...extra }, exact);
  }
  return fallbacks;
}

/** A full record in the real format (demo generator), as an object to vary. */
function realRecord(): Record<string, unknown> {
  return JSON.parse(
    accessLogLine({
      serviceArn: ARN,
      startTime: '2026-11-20T10:15:00Z',
      responseCode: 200,
      bytesReceived: 321,
      bytesSent: 4567,
      duration: 42,
      hostHeader: SERVICES[0]!.host,
      requestPath: '/orders/123',
      userAgent: 'curl/8.5.0',
    }),
  ) as Record<string, unknown>;
}
const realLine = (overrides: Record<string, unknown> = {}): string =>
  JSON.stringify({ ...realRecord(), ...overrides });

// ---------------------------------------------------------------------------------------------
// Hostile cases, one by one

describe('fast path = exact parser: hostile lines', () => {
  const cases: Record<string, string[]> = {
    'real records in the real order': [realLine(), realLine({ duration: 7, responseCode: 503 })],
    'any field order and extra fields': [
      JSON.stringify(Object.fromEntries(Object.entries(realRecord()).reverse())),
      JSON.stringify({
        extra: { nested: [1, { a: 'b' }] },
        ...realRecord(),
        zzz: [true, false, null, -1.5e3],
      }),
    ],
    'whitespace between every token': [
      ' {  "serviceArn" :\t"' + ARN + '" ,\r"startTime":  "2026-11-20T10:15:00Z" , "duration" : 5 }  \t',
      '{\t"serviceArn":"' + ARN + '","startTime":"2026-11-20T10:15:00Z","duration":5\r}\r\r',
    ],
    'numbers as strings, "-" and null': [
      realLine({ responseCode: '503', bytesReceived: '10', bytesSent: '0042', duration: '12' }),
      realLine({ responseCode: '-', bytesReceived: '-', bytesSent: null, hostHeader: '-' }),
      realLine({ responseCode: null, authDeniedReason: null }),
      realLine({ duration: '-' }),
      realLine({ duration: null }),
      realLine({ bytesSent: '' }),
      realLine({ responseCode: ' 200' }),
      realLine({ duration: '1e2' }),
    ],
    'numbers parseLine accepts but the fast path leaves to it': [
      realLine({ duration: 12.5 }),
      realLine({ responseCode: 200.0 }).replace('"responseCode":200', '"responseCode":200.0'),
      realLine({ duration: 1e21 }),
      realLine().replace('"bytesSent":4567', '"bytesSent":12345678901234567'),
      realLine().replace('"duration":42', '"duration":-0'),
      realLine().replace('"duration":42', '"duration":4.2e1'),
    ],
    'invalid JSON numbers': [
      realLine().replace('"duration":42', '"duration":042'),
      realLine().replace('"duration":42', '"duration":42.'),
      realLine().replace('"duration":42', '"duration":+42'),
      realLine().replace('"duration":42', '"duration":.42'),
      realLine().replace('"duration":42', '"duration":-'),
      realLine().replace('"duration":42', '"duration":4e'),
    ],
    'escapes and unicode in strings': [
      realLine({ userAgent: 'tab\there "quoted" back\\slash \u00e9\u4e2d\ud83d\ude00 \u2028' }),
      realLine({ requestPath: '/\u0000/\u001f' }),
      realLine().replace(ARN, ARN.replace(/\//g, '\\/')),
      realLine().replace('"2026-11-20T10:15:00Z"', '"2026-11-20T10:15:00\\u005a"'),
      realLine({ authDeniedReason: 'x' }).replace('"authDeniedReason":"x"', '"authDeniedReason":"\\u002d"'),
      realLine().replace(SERVICES[0]!.host, SERVICES[0]!.host.replace(/\./g, '\\u002e')),
      realLine({ hostHeader: SERVICES[0]!.host.toUpperCase() }),
      realLine().replace('"userAgent":"curl/8.5.0"', '"userAgent":"bad \\x escape"'),
      realLine().replace('"userAgent":"curl/8.5.0"', '"userAgent":"bad \\u12g4 escape"'),
      realLine().replace('"userAgent":"curl/8.5.0"', '"userAgent":"raw\ttab"'),
    ],
    'a serviceArn key inside another value does not count': [
      JSON.stringify({
        note: `"serviceArn":"${ARN}"`,
        serviceArn: 'nope',
        startTime: '2026-11-20T10:15:00Z',
        duration: 1,
      }),
      JSON.stringify({
        serviceArn: ARN,
        note: `","serviceArn":"nope`,
        startTime: '2026-11-20T10:15:00Z',
        duration: 1,
      }),
      JSON.stringify({
        serviceArn: ARN,
        nested: { serviceArn: 'nope', duration: -1 },
        startTime: '2026-11-20T10:15:00Z',
        duration: 2,
      }),
    ],
    'duplicate keys: the last one counts': [
      realLine().replace('{', `{"serviceArn":"nope",`),
      realLine().replace('}', `,"serviceArn":"nope"}`),
      realLine().replace('}', `,"duration":"-"}`),
      realLine().replace('}', `,"duration":9}`),
      realLine().replace('}', `,"hostHeader":"${SERVICES[0]!.otherHost}"}`),
    ],
    'escaped keys that spell needed fields': [
      realLine().replace('"serviceArn"', '"service\\u0041rn"'),
      realLine().replace('"duration":42', '"duration":42,"dur\\u0061tion":"-"'),
    ],
    'startTime forms': [
      realLine({ startTime: '2026-11-20T10:15:00.123Z' }),
      realLine({ startTime: '2026-11-20T10:15:00+01:00' }),
      realLine({ startTime: '2026-02-30T10:15:00Z' }),
      realLine({ startTime: '2026-11-20T24:00:00Z' }),
      realLine({ startTime: '2026-11-20T23:60:00Z' }),
      realLine({ startTime: '2026-11-20T23:59:60Z' }),
      realLine({ startTime: '2026-11-20 10:15:00Z' }),
      realLine({ startTime: '0000-01-01T00:00:00Z' }),
      realLine({ startTime: 1732097700 }),
    ],
    'serviceArn forms': [
      realLine({ serviceArn: 'arn:aws:ec2:us-east-1:111122223333:instance/i-0123' }),
      realLine({ serviceArn: ARN + 'Ä' }),
      realLine({ serviceArn: ARN.toUpperCase() }),
      realLine({ serviceArn: 42 }),
      realLine({
        serviceArn: 'arn:aws-us-gov:vpc-lattice:us-gov-west-1:111122223333:service/svc-0123456789abcdef0',
      }),
    ],
    'authDeniedReason and hostHeader types': [
      realLine({ authDeniedReason: '' }),
      realLine({ authDeniedReason: 'x' }),
      realLine({ authDeniedReason: 'Explicit deny in auth policy' }),
      realLine({ authDeniedReason: 5 }),
      realLine({ authDeniedReason: ['x'] }),
      realLine({ hostHeader: 17 }),
      realLine({ hostHeader: '' }),
    ],
    'not one JSON object': [
      '{',
      '{}',
      '[]',
      '"text"',
      'null',
      realLine() + ' x',
      realLine() + realLine(),
      realLine().slice(0, -1),
      realLine().replace('{', '{,'),
      realLine().replace('}', ',}'),
      '\uFEFF' + realLine(),
    ],
    'deep nesting': [
      realLine().replace('}', `,"deep":${'['.repeat(300)}${']'.repeat(300)}}`),
      realLine().replace('}', `,"deep":${'{"a":'.repeat(300)}1${'}'.repeat(300)}}`),
      realLine().replace('}', `,"deep":${'['.repeat(300)}${']'.repeat(299)}}`),
      realLine().replace('}', `,"deep":${'['.repeat(100_000)}${']'.repeat(100_000)}}`),
    ],
  };
  for (const [name, lines] of Object.entries(cases)) {
    it(name, async () => {
      // A valid record first, so the file never fails as a whole and every line is compared.
      const file = await fixture([realLine(), ...lines].join('\n') + '\n');
      await expectSameInEveryMode([file]);
    });
  }

  // The kernel reads strings in blocks of 16 and 32 bytes, and compares each key with the bytes the
  // same member had on the line before: put every special byte at every offset of a block, and
  // vary keys from one line to the next.
  it('a quote, an escape or a control byte at every offset of a block', async () => {
    const lines: string[] = [];
    for (let n = 0; n <= 40; n++) {
      const pad = 'x'.repeat(n);
      lines.push(realLine({ userAgent: pad }));
      lines.push(realLine({ userAgent: `${pad}"${pad}` }));
      lines.push(realLine({ userAgent: `${pad}\\${pad}` }));
      lines.push(realLine({ requestPath: `${pad}\u00e9` }));
      lines.push(realLine().replace('"userAgent":"curl/8.5.0"', `"userAgent":"${pad}\t"`));
      lines.push(realLine().replace('"userAgent":"curl/8.5.0"', `"userAgent":"${pad}\\q"`));
      lines.push(realLine().replace('"userAgent":"curl/8.5.0"', `"userAgent":"${pad}\\u12"`));
      lines.push(realLine({ serviceArn: ARN + pad }));
      lines.push(realLine({ [`k${pad}`]: pad }));
    }
    const file = await fixture([realLine(), ...lines].join('\n') + '\n');
    await expectSameInEveryMode([file]);
  });

  it('keys that change from line to line: renamed, reordered, spaced, longer than 32 bytes', async () => {
    const base = realLine();
    const lines = [
      base,
      base.replace('"duration":', '"duratioN":'),
      base,
      base.replace('"duration":', '"duration" :'),
      base.replace('"duration":', '"duration" :'),
      base.replace('"duration":', '"durationx":'),
      base.replace('"duration":42', '"duration":"-"'),
      base.replace('{', `{"${'k'.repeat(40)}":1,`),
      base.replace('{', `{"${'k'.repeat(40)}":1,`),
      base.replace('{', `{"${'k'.repeat(39)}j":1,`),
      base.replace('"serviceArn":', '"serviceArm":'),
      base.replace('"serviceArn":', '"service\\u0041rn":'),
      JSON.stringify(Object.fromEntries(Object.entries(realRecord()).reverse())),
      base,
    ];
    const file = await fixture(lines.join('\n') + '\n');
    await expectSameInEveryMode([file]);
  });

  it('more services than the kernel numbers in one scanner (4,096): the rest through parseLine', async () => {
    const lines = Array.from({ length: 4200 }, (_, k) =>
      realLine({
        serviceArn: `arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-${k.toString(16).padStart(17, '0')}`,
        duration: k,
      }),
    );
    const file = await fixture(lines.join('\n') + '\n');
    const fallbacks = await expectSame([file]);
    // Caller texts share the numbers: here one, the "-" of sourceVpcArn and callerPrincipal.
    expect(fallbacks).toBe(4200 - 4095);
    await expectSame([file], { rangeBytes: 1 << 20, isolate: true });
  });

  it('takes the fast path for real-format lines, and only leaves odd ones to parseLine', async () => {
    const file = await fixture(
      [realLine(), realLine({ duration: 9 }), realLine({ duration: 12.5 })].join('\n'),
    );
    expect(await expectSame([file])).toBe(1);
  });

  it('a BOM, part of one, or a blank first line, in ranges of one byte', async () => {
    for (const head of ['\uFEFF', '\n', '\r\n', '\uFEFF\n', ' ']) {
      await expectSameInEveryMode([await fixture(head + realLine() + '\n' + realLine({ duration: 1 }))]);
    }
    for (const head of [[0xef], [0xef, 0xbb], [0xef, 0xbb, 0x0a], [0xbb, 0xbf]]) {
      const file = await fixture(Buffer.concat([Buffer.from(head), Buffer.from('\n' + realLine())]));
      await expectSameInEveryMode([file]);
    }
  });

  it('CRLF, a BOM, blank and whitespace-only lines, no final newline', async () => {
    const text =
      '\uFEFF' +
      realLine() +
      '\r\n\r\n  \r\n\t\n' +
      realLine({ duration: 3 }) +
      '\r\n\n' +
      realLine({ duration: 9 });
    const file = await fixture(text);
    await expectSameInEveryMode([file]);
    await expectSame([await fixture(gzipSync(text), 'crlf.log.gz')]);
  });

  it('invalid UTF-8 inside and outside strings', async () => {
    const good = Buffer.from(realLine() + '\n');
    const lines = [
      Buffer.from(realLine({ userAgent: 'AAAA' }).replace('AAAA', '\u0001\u0002'), 'latin1'),
      Buffer.concat([
        Buffer.from('{"userAgent":"'),
        Buffer.from([0xff, 0xc3, 0x22 - 0x22 + 0x41]),
        Buffer.from('",' + realLine().slice(1)),
      ]),
      Buffer.concat([
        Buffer.from(realLine().slice(0, -1) + ',"x":'),
        Buffer.from([0xe2, 0x82]),
        Buffer.from('}'),
      ]),
      Buffer.from(realLine().replace('"hostHeader":"', '"hostHeader":"\u00ff'), 'latin1'),
      Buffer.concat([
        Buffer.from(realLine().replace(SERVICES[0]!.host, 'HOSTX')).subarray(0, 0),
        Buffer.from(realLine().replace('"curl/8.5.0"', '"\u00c3\u00a9"'), 'latin1'),
      ]),
    ];
    const file = await fixture(Buffer.concat([good, ...lines.flatMap((l) => [l, Buffer.from('\n')])]));
    await expectSameInEveryMode([file]);
  });

  it('lines longer than the read buffer, and longer than maxLineBytes', async () => {
    const huge = realLine({ requestPath: '/' + 'x'.repeat(3 * 1024 * 1024), duration: 77 });
    const file = await fixture([realLine(), huge, realLine({ duration: 5 })].join('\n') + '\n');
    for (const maxLineBytes of [undefined, 50, 900, 1 << 20]) {
      const exact = await exactOutcome([file], { maxLineBytes });
      for (const rangeBytes of [1000, 1 << 20, 5 << 20, undefined]) {
        await expectSame([file], { maxLineBytes, rangeBytes }, exact);
      }
    }
    const gz = await fixture(
      gzipSync([realLine(), huge, 'x'.repeat(5000), realLine()].join('\r\n')),
      'long.log.gz',
    );
    await expectSame([gz], { maxLineBytes: 1 << 20 });
  });

  it('merges ranges exactly: first name wins, samples in order, region filter', async () => {
    const [a, b, c] = SERVICES;
    const lines = [
      realLine({ serviceArn: b!.arn, hostHeader: 'unrelated.example.com' }),
      'bad 1',
      realLine({ serviceArn: a!.arn, hostHeader: a!.otherHost }),
      realLine({ serviceArn: c!.arn, hostHeader: c!.host }),
      realLine({ serviceArn: a!.arn, hostHeader: a!.host }),
      realLine({ serviceArn: b!.arn, hostHeader: b!.otherHost }),
      ...Array.from({ length: 30 }, (_, i) => `bad ${i + 2}`),
      realLine({ serviceArn: b!.arn, hostHeader: b!.host }),
      realLine({ serviceArn: c!.arn, startTime: '2026-11-21T01:00:00Z', duration: '8' }),
    ];
    const file = await fixture(lines.join('\n'));
    for (const region of [undefined, 'us-east-1', 'eu-west-1', 'ap-south-1'])
      await expectSameInEveryMode([file], { region });
  });

  it('names across files: an earlier file keeps its name', async () => {
    const sub = path.join(dir, `${counter++}-many`);
    await mkdir(sub);
    await writeFile(path.join(sub, 'a.log'), realLine({ hostHeader: SERVICES[0]!.otherHost }) + '\n');
    await writeFile(
      path.join(sub, 'b.log'),
      realLine() + '\n' + realLine({ hostHeader: SERVICES[0]!.otherHost }),
    );
    await writeFile(
      path.join(sub, 'c.log.gz'),
      gzipSync(realLine({ serviceArn: SERVICES[1]!.arn, hostHeader: SERVICES[1]!.host })),
    );
    await expectSameInEveryMode([sub]);
  });

  it('values summed out of order: fractions, -0 and sums past 2^53 give the one-pass result', async () => {
    const lines: string[] = [];
    // (0.1 + 0.2) + 0.3 !== 0.1 + (0.2 + 0.3): summed in another grouping, the total would differ.
    for (let i = 0; i < 40; i++) {
      lines.push(
        realLine({ duration: [0.1, 0.2, 0.3, 0.7, 1e15 + 0.5, 3][i % 6], bytesSent: 4503599627370497 + i }),
      );
    }
    lines.push(realLine().replace('"duration":42', '"duration":-0'), realLine({ duration: 0 }));
    const file = await fixture(lines.join('\n'));
    await expectSameInEveryMode([file]);
    const big = await fixture(
      Array.from({ length: 8 }, () =>
        realLine({ bytesSent: '4503599627370497', bytesReceived: 900719925474099 }),
      ).join('\n'),
    );
    await expectSameInEveryMode([big]);
  });

  it('a file merged after one whose sums are fractional, or whose maximum is -0, gives the one-pass result', async () => {
    const sub = path.join(dir, `${counter++}-merge-after`);
    await mkdir(sub);
    // 1.333… + 150268380 + 7456142 + 329757624 differs from 1.333… + (their sum) in the last digit.
    await writeFile(path.join(sub, 'a.log'), realLine({ duration: 1.333209199390577 }) + '\n');
    await writeFile(
      path.join(sub, 'b.log'),
      [150268380, 7456142, 329757624].map((duration) => realLine({ duration })).join('\n'),
    );
    await writeFile(
      path.join(sub, 'c.log'),
      realLine({ serviceArn: SERVICES[1]!.arn }).replace('"duration":42', '"duration":-0'),
    );
    await writeFile(path.join(sub, 'd.log'), realLine({ serviceArn: SERVICES[1]!.arn, duration: 0 }));
    await expectSameInEveryMode([sub]);
  });

  it('the same errors for empty, blank, all-bad and truncated files', async () => {
    const files = [
      await fixture(''),
      await fixture('\n\r\n  \n'),
      await fixture('\uFEFF'),
      await fixture('not json\n{"serviceArn":"-"}\n'),
      await fixture(gzipSync(realLine() + '\n').subarray(0, 30), 'cut.log.gz'),
      await fixture(realLine().slice(0, 200)),
    ];
    for (const file of files) {
      const exact = await exactOutcome([file]);
      expect(exact.error).toBeDefined();
      await expectSameInEveryMode([file]);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Generated input

const WS = fc.constantFrom('', '', '', '', ' ', '\t', '\r', '  ');

/** JSON text for a value that is usually right and often not. */
const numberText = fc.oneof(
  { weight: 12, arbitrary: fc.nat({ max: 2_000_000 }).map(String) },
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      '"42"',
      '"0042"',
      '"-"',
      'null',
      '""',
      '" 42"',
      '"4e2"',
      '"-5"',
      '12.5',
      '1e2',
      '-0',
      '-3',
      '0.0',
      '1234567890123456',
      '99999999999999999999',
      'true',
      '{}',
      '[1]',
      '"\\u0034\\u0032"',
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom('012', '1.', '-', '.5', '+1', '1e', '0x1') },
);
const codeText = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom('200', '204', '304', '404', '429', '503', '599', '0', '999') },
  {
    weight: 3,
    arbitrary: fc.constantFrom('"200"', '"-"', 'null', '1000', '200.0', '"2e2"', '-200', '"abc"', '99'),
  },
  { weight: 2, arbitrary: numberText },
);
const day = fc.constantFrom(
  '2026-11-19',
  '2026-11-20',
  '2026-11-21',
  '2024-02-29',
  '2023-02-29',
  '2026-13-01',
);
const clock = fc.tuple(fc.nat({ max: 25 }), fc.nat({ max: 61 }), fc.nat({ max: 61 }));
const pad = (n: number): string => String(n).padStart(2, '0');
const startText = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .tuple(day, clock)
      .map(([d, [h, m, s]]) => `"${d}T${pad(h % 24)}:${pad(m % 60)}:${pad(s % 60)}Z"`),
  },
  {
    weight: 3,
    arbitrary: fc.tuple(day, clock).map(([d, [h, m, s]]) => `"${d}T${pad(h)}:${pad(m)}:${pad(s)}Z"`),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '"2026-11-20T10:15:00.5Z"',
      '"2026-11-20T10:15:00+02:00"',
      '"2026-11-20T10:15:00"',
      '"-"',
      'null',
      '1732097700',
      '"2026-11-20T10:15:00\\u005a"',
      '"2026-11-20t10:15:00z"',
    ),
  },
);
const serviceText = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...SERVICES.map((s) => JSON.stringify(s.arn))) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      JSON.stringify(ARN).replace(/\//g, '\\/'),
      '"arn:aws:ec2:us-east-1:111122223333:instance/i-1"',
      '"-"',
      'null',
      '7',
      '""',
      JSON.stringify(ARN + 'é'),
      JSON.stringify(ARN.replace('svc-', 'SVC-')),
    ),
  },
);
const deniedText = fc.oneof(
  { weight: 10, arbitrary: fc.constant('"-"') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '""',
      '"x"',
      '"Explicit deny"',
      '"\\u002d"',
      'null',
      '1',
      '{"a":1}',
      '"é"',
      '"--"',
    ),
  },
);
const hostText = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      ...SERVICES.flatMap((s) => [s.host, s.otherHost]).map((h) => JSON.stringify(h)),
    ),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '"-"',
      '""',
      'null',
      '5',
      JSON.stringify(SERVICES[1]!.host).replace(/\./g, '\\u002e'),
      '"unrelated.example.com"',
      '"ÿ-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-east-1.on.aws"',
    ),
  },
);
const vpcText = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      '"arn:aws:ec2:us-east-1:111122223333:vpc/vpc-0a1b2c3d4e5f60718"',
      '"arn:aws:ec2:us-east-1:444455556666:vpc/vpc-12345678"',
      '"arn:aws-us-gov:ec2:us-gov-west-1:111122223333:vpc/vpc-0fedcba987654321f"',
    ),
  },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '"-"',
      '""',
      'null',
      '7',
      '{"a":1}',
      '"arn:aws:ec2:us-east-1:111122223333:vpc/vpc-0a1b2c3d4e5f607189"',
      '"arn:aws:ec2:us-east-1:111122223333:vpc/vpc-0A1B2C3D"',
      '"arn:aws:ec2:us-east-1:11112222333:vpc/vpc-12345678"',
      '"arn:aws:ec2:us-east-1:111122223333:vpc/vpc-12345678\\n"',
      '"arn:aws:ec2:us-east-1:111122223333:vpc/vpc-12345678 "',
      '"arn:aws:ec2:us-east-1:111122223333:vpc/vpc-1234567é"',
      '"arn:aws:ec2:us-east-1:111122223333:vpc\\/vpc-12345678"',
      '"<script>alert(1)</script>"',
      '"vpc-12345678"',
    ),
  },
);
const principalText = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      '"arn:aws:sts::111122223333:assumed-role/web/0123abcd"',
      '"arn:aws:sts::111122223333:assumed-role/web/ffff0000"',
      '"arn:aws:iam::555566667777:role/batch"',
      '"arn:aws-cn:iam::444455556666:user/ci"',
    ),
  },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '"-"',
      '""',
      'null',
      '12',
      '["arn:aws:iam::555566667777:root"]',
      '"arn:aws:iam::55556666777:root"',
      '"arn:aws:s3:::bucket"',
      '"arn:aws:iam::555566667777"',
      '"arn:aws:iam::555566667777:ß"',
      '"arn:aws:sts::111122223333:assumed-role/web/\\u0041"',
      '"arn:aws:sts\\u003a:111122223333:assumed-role/web/x"',
      '"anonymous"',
    ),
  },
);
const extraKey = fc.oneof(
  fc.constantFrom(
    '"userAgent"',
    '"requestPath"',
    '"protocol"',
    '"x"',
    '"service\\u0041rn"',
    '"serviceArn "',
    '"ёж"',
    '""',
  ),
  fc.string({ maxLength: 12 }).map((k) => JSON.stringify(k)),
);
const extraValue = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 20 }).map((v) => JSON.stringify(v)),
  fc.constantFrom(`"\\"serviceArn\\":\\"${ARN}\\""`, '"a\\\\"', '"tab\\tnl\\n"', '"\\ud83d\\ude00"'),
);

type Member = [string, string];
const NEEDED: Array<[string, fc.Arbitrary<string>, number]> = [
  ['"serviceArn"', serviceText, 0.95],
  ['"startTime"', startText, 0.95],
  ['"duration"', numberText, 0.95],
  ['"responseCode"', codeText, 0.8],
  ['"bytesReceived"', numberText, 0.8],
  ['"bytesSent"', numberText, 0.8],
  ['"authDeniedReason"', deniedText, 0.7],
  ['"hostHeader"', hostText, 0.7],
  ['"sourceVpcArn"', vpcText, 0.8],
  ['"callerPrincipal"', principalText, 0.7],
];

const members: fc.Arbitrary<Member[]> = fc
  .tuple(
    ...NEEDED.map(([key, value, p]) =>
      fc
        .tuple(
          fc.double({ min: 0, max: 1, noNaN: true }),
          value,
          fc.double({ min: 0, max: 1, noNaN: true }),
          value,
        )
        .map(([roll, v, dupRoll, dup]): Member[] =>
          roll < p
            ? dupRoll < 0.05
              ? [
                  [key, v],
                  [key, dup],
                ]
              : [[key, v]]
            : [],
        ),
    ),
    fc.array(fc.tuple(extraKey, extraValue), { maxLength: 4 }),
  )
  .chain((parts) => fc.shuffledSubarray(parts.flat(), { minLength: parts.flat().length }));

const objectText: fc.Arbitrary<string> = fc
  .tuple(members, fc.array(WS, { minLength: 64, maxLength: 64 }))
  .map(([list, ws]) => {
    let k = 0;
    const w = (): string => ws[k++ % ws.length]!;
    return `${w()}{${w()}${list.map(([key, value]) => `${key}${w()}:${w()}${value}`).join(`${w()},${w()}`)}${w()}}${w()}`;
  });

/** Byte-level damage: most lines are left alone. */
const MUTATION_BYTES = [
  0x00, 0x09, 0x0a, 0x0d, 0x1f, 0x20, 0x22, 0x2c, 0x3a, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x2d, 0x30, 0x80, 0xc3,
  0xef, 0xff,
];
const lineBytes: fc.Arbitrary<Buffer> = fc
  .tuple(
    objectText,
    fc.oneof(
      { weight: 8, arbitrary: fc.constant(undefined) },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constantFrom('insert', 'delete', 'replace', 'truncate'),
          at: fc.double({ min: 0, max: 1, noNaN: true }),
          byte: fc.constantFrom(...MUTATION_BYTES),
        }),
      },
    ),
  )
  .map(([text, mutation]) => {
    const bytes = Buffer.from(text);
    if (!mutation) return bytes;
    const at = Math.min(bytes.length - 1, Math.floor(mutation.at * bytes.length));
    const byte = Buffer.from([mutation.byte]);
    if (mutation.kind === 'insert') return Buffer.concat([bytes.subarray(0, at), byte, bytes.subarray(at)]);
    if (mutation.kind === 'delete') return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
    if (mutation.kind === 'replace')
      return Buffer.concat([bytes.subarray(0, at), byte, bytes.subarray(at + 1)]);
    return bytes.subarray(0, at);
  });

const fileBytes: fc.Arbitrary<Buffer> = fc
  .tuple(
    fc.array(
      fc.tuple(
        fc.oneof(
          { weight: 12, arbitrary: lineBytes },
          { weight: 1, arbitrary: fc.constantFrom('', ' ', '\t', '\r').map((t) => Buffer.from(t)) },
        ),
        fc.constantFrom('\n', '\n', '\r\n'),
      ),
      { minLength: 1, maxLength: 25 },
    ),
    fc.boolean(),
    fc.boolean(),
  )
  .map(([lines, bom, finalNewline]) => {
    const parts = lines.flatMap(([line, sep], i) =>
      i < lines.length - 1 || finalNewline ? [line, Buffer.from(sep)] : [line],
    );
    return Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), ...parts]);
  });

const mode: fc.Arbitrary<Mode> = fc.record({
  region: fc.constantFrom(undefined, undefined, 'us-east-1', 'eu-west-1'),
  maxLineBytes: fc.constantFrom(undefined, undefined, 60, 300, 1000),
  rangeBytes: fc.oneof(fc.integer({ min: 1, max: 3000 }), fc.constant(undefined)),
  isolate: fc.boolean(),
});

/** FAST_SCAN_RUNS=5000 npm test -- test/unit/fast-scan.test.ts searches longer. */
const RUNS = Number(process.env.FAST_SCAN_RUNS ?? 400);
const TIMEOUT = Math.max(60_000, RUNS * 50);

describe('fast path = exact parser: generated input', () => {
  it(
    'several plain files, scanned in ranges and merged in file order',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fileBytes, { minLength: 2, maxLength: 4 }), mode, async (list, m) => {
          const files: string[] = [];
          for (const bytes of list) files.push(await fixture(bytes, 'gen.log'));
          await expectSame(files, m);
        }),
        { numRuns: Math.ceil(RUNS / 2) },
      );
    },
    TIMEOUT,
  );

  it(
    'hostile lines: damaged JSON, odd values, duplicates, whitespace, escapes, any order',
    async () => {
      let fallbacks = 0;
      let lines = 0;
      await fc.assert(
        fc.asyncProperty(fileBytes, mode, fc.boolean(), async (bytes, m, gzip) => {
          const file = await fixture(gzip ? gzipSync(bytes) : bytes, gzip ? 'gen.log.gz' : 'gen.log');
          const exact = await exactOutcome([file], { region: m.region, maxLineBytes: m.maxLineBytes });
          fallbacks += await expectSame([file], m, exact);
          const plain = m.region === undefined && m.maxLineBytes === undefined;
          lines += (plain ? exact : await exactOutcome([file])).summary?.lines ?? 0;
        }),
        { numRuns: RUNS },
      );
      // The comparison means something only if many lines took the fast path.
      expect(fallbacks).toBeLessThan(0.8 * lines);
    },
    TIMEOUT,
  );

  it(
    'real-format lines always take the fast path',
    async () => {
      const realistic = fc.record({
        service: fc.constantFrom(...SERVICES),
        second: fc.nat({ max: 3 * 86_400 - 1 }),
        responseCode: fc.constantFrom(200, 201, 304, 400, 404, 503, 599, 100, 700),
        bytesReceived: fc.nat({ max: 1_000_000 }),
        bytesSent: fc.nat({ max: 1_000_000_000 }),
        duration: fc.nat({ max: 60_000 }),
        denied: fc.constantFrom('-', '-', '-', 'Explicit deny in auth policy'),
        host: fc.constantFrom('own', 'other', '-'),
        userAgent: fc.string({ maxLength: 30 }),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(realistic, { minLength: 1, maxLength: 40 }), mode, async (records, m) => {
          const text = records
            .map((r) => {
              const start = new Date(Date.parse('2026-11-19T00:00:00Z') + r.second * 1000)
                .toISOString()
                .replace('.000', '');
              return accessLogLine({
                serviceArn: r.service.arn,
                startTime: start,
                responseCode: r.responseCode,
                bytesReceived: r.bytesReceived,
                bytesSent: r.bytesSent,
                duration: r.duration,
                authDeniedReason: r.denied,
                hostHeader:
                  r.host === 'own' ? r.service.host : r.host === 'other' ? r.service.otherHost : '-',
                userAgent: r.userAgent,
              });
            })
            .join('\n');
          const file = await fixture(text);
          const fallbacks = await expectSame([file], { ...m, maxLineBytes: undefined });
          expect(fallbacks).toBe(0);
        }),
        { numRuns: Math.ceil(RUNS / 3) },
      );
    },
    TIMEOUT,
  );
});

describe('onMalformed', () => {
  it('tells each malformed line with its reason and text, the same on both paths; an overlong one without text', () => {
    const bad = [realLine({ startTime: 'soon' }), 'not json', realLine({ duration: -1 }), '[1]'];
    const input = [
      realLine(),
      bad[0],
      '',
      bad[1],
      realLine({ duration: 9 }),
      `${bad[2]}\r`,
      'x'.repeat(5000),
      bad[3],
    ];
    const told = (fast: boolean): Array<[string, string | undefined]> => {
      const seen: Array<[string, string | undefined]> = [];
      const scanner = new LineScanner(new AggregateSet(), {
        fast,
        maxLineBytes: 2000,
        onMalformed: (reason, line) => void seen.push([reason, line]),
      });
      // In small chunks, so the overlong line is never held whole.
      const bytes = Buffer.from(input.join('\n'));
      for (let i = 0; i < bytes.length; i += 64) scanner.push(bytes.subarray(i, i + 64));
      scanner.end();
      expect(scanner.counts.malformed).toBe(seen.length);
      scanner.release();
      return seen;
    };
    const seen = told(true);
    expect(seen.map(([, line]) => line)).toEqual([bad[0], bad[1], bad[2], undefined, bad[3]]);
    expect(seen.map(([reason]) => reason)).toEqual([
      expect.stringMatching(/^startTime /),
      expect.stringMatching(/^invalid JSON/),
      expect.stringMatching(/^duration /),
      'line is longer than 2000 bytes',
      'not a JSON object',
    ]);
    expect(told(false)).toEqual(seen);
  });
});
