/**
 * Callers: the one key derivation (hostile fields included), the per-service-day bound, the cost
 * shares (adding up to each service's variable cost to the cent), the network list, and the
 * "Who drives the cost" rendering with its Mermaid guard.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  CALLERS_PER_SERVICE_DAY,
  type CallerCounts,
  OTHER_CALLER,
  boundCallers,
  callerKey,
  parseCallerKey,
} from '../../src/model/callers.js';
import { dayFromJSON, dayToJSON, emptyDay, mergeDay } from '../../src/model/aggregate.js';
import { NETWORK_CALLERS, networkCallers, serviceCallers } from '../../src/analysis/callers.js';
import { callersMarkdown, mermaidLabel, serviceCallersMarkdown } from '../../src/report/callers.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { assertValidReport } from '../../src/report/validate.js';
import type { Report } from '../../src/model/report.js';
import { HOSTILE_STRINGS, sampleReport } from '../fixtures/report/reports.js';
import { extractMermaidBlocks, parseMermaid } from '../helpers/mermaid.js';

const VPC = 'arn:aws:ec2:us-east-1:111122223333:vpc/vpc-0a1b2c3d4e5f60718';
const ROLE = 'arn:aws:sts::444455556666:assumed-role/web/session-1';

describe('callerKey', () => {
  it('keeps the VPC id with its owner and the principal account, nothing else', () => {
    expect(callerKey(VPC, ROLE)).toBe('111122223333/vpc-0a1b2c3d4e5f60718|444455556666');
    expect(callerKey(VPC, 'arn:aws:iam::555566667777:role/batch')).toBe(
      '111122223333/vpc-0a1b2c3d4e5f60718|555566667777',
    );
    expect(callerKey('arn:aws-us-gov:ec2:us-gov-west-1:111122223333:vpc/vpc-12345678', '-')).toBe(
      '111122223333/vpc-12345678|-',
    );
    // A session name never changes the caller.
    expect(callerKey(VPC, `${ROLE}x`)).toBe(callerKey(VPC, ROLE));
  });

  it('leaves missing and malformed fields unknown', () => {
    const hostileVpcs: unknown[] = [
      undefined,
      null,
      '',
      '-',
      'null',
      42,
      { arn: VPC },
      [VPC],
      `${VPC}\n`,
      `${VPC} `,
      ` ${VPC}`,
      `${VPC}0`.replace('60718', '60718aaaaa'),
      VPC.replace('vpc-0a1b', 'vpc-0A1B'),
      VPC.replace('111122223333', '11112222333'),
      VPC.replace(':ec2:', ':s3:'),
      VPC.replace('vpc/', 'subnet/'),
      'arn:aws:ec2:us-east-1:111122223333:vpc/vpc-1234567',
      'arn:aws:ec2:us-east-1:111122223333:vpc/vpc-0a1b2c3d"|<script>',
      'vpc-0a1b2c3d4e5f60718',
      'arn:aws:ec2:us-east-1:111122223333:vpc/vpc-0a1b2c3d\u202e',
    ];
    for (const v of hostileVpcs) expect(callerKey(v, '-')).toBe('-|-');
    const hostilePrincipals: unknown[] = [
      undefined,
      null,
      '-',
      'anonymous',
      7,
      ['arn:aws:iam::111122223333:root'],
      'arn:aws:iam::11112222333:root',
      'arn:aws:iam::1111222233334:root',
      'arn:aws:iam::111122223333',
      'arn:aws:s3::111122223333:bucket',
      'arn:aws:iam:us-east-1:111122223333:role/x',
      ' arn:aws:iam::111122223333:root',
      'ARN:AWS:IAM::111122223333:root',
      'arn:aws:iam::１１１１２２２２３３３３:root',
    ];
    for (const p of hostilePrincipals) expect(callerKey(VPC, p)).toBe('111122223333/vpc-0a1b2c3d4e5f60718|-');
  });

  it('makes keys of validated parts only, whatever the input', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const key = callerKey(a, b);
        expect(key).toMatch(/^(?:[0-9]{12}\/vpc-[0-9a-f]{8,17}|-)\|(?:[0-9]{12}|-)$/);
        expect(parseCallerKey(key)).not.toBeNull();
      }),
    );
    expect(parseCallerKey(OTHER_CALLER)).toBeNull();
    expect(parseCallerKey('<b>|-')).toBeNull();
  });
});

const counts = (requests: number, bytes = requests * 10, errors = 0): CallerCounts => ({
  requests,
  bytes,
  errors,
});

describe('boundCallers', () => {
  const many = (n: number): Array<[string, CallerCounts]> =>
    Array.from({ length: n }, (_, k) => [
      `111122223333/vpc-${(0x10000000 + k).toString(16)}|-`,
      counts(1 + (k % 7), 100 + k),
    ]);

  it('keeps the heaviest callers and one "other", whatever the order they arrived in', () => {
    const list = many(35);
    const a = boundCallers(new Map(list));
    const b = boundCallers(new Map([...list].reverse()));
    expect([...a]).toEqual([...b]);
    expect(a.size).toBe(CALLERS_PER_SERVICE_DAY);
    const total = (m: Map<string, CallerCounts>): CallerCounts =>
      [...m.values()].reduce(
        (t, c) => counts(t.requests + c.requests, t.bytes + c.bytes, t.errors + c.errors),
        counts(0, 0),
      );
    expect(total(a)).toEqual(total(new Map(list)));
    // Ties on requests are broken by bytes, then by key.
    const kept = [...a.keys()].filter((k) => k !== OTHER_CALLER);
    const heaviest = [...list]
      .sort(([ka, a], [kb, b]) => b.requests - a.requests || b.bytes - a.bytes || (ka < kb ? -1 : 1))
      .slice(0, CALLERS_PER_SERVICE_DAY - 1)
      .map(([k]) => k);
    expect(kept.sort()).toEqual(heaviest.sort());
  });

  it('changes nothing at or under the bound, and is idempotent', () => {
    const small = new Map(many(CALLERS_PER_SERVICE_DAY));
    expect(boundCallers(small)).toBe(small);
    const once = boundCallers(new Map(many(50)));
    expect([...boundCallers(new Map(once))]).toEqual([...once]);
  });

  it('merges an earlier "other" into the new one', () => {
    const m = new Map(many(30));
    m.set(OTHER_CALLER, counts(1000, 5, 3));
    const b = boundCallers(m);
    expect(b.size).toBe(CALLERS_PER_SERVICE_DAY);
    expect(b.get(OTHER_CALLER)!.requests).toBeGreaterThan(1000);
    expect(b.get(OTHER_CALLER)!.errors).toBe(3);
  });

  it('survives mergeDay and the JSON round trip', () => {
    const a = emptyDay('arn', '2026-11-20');
    const b = emptyDay('arn', '2026-11-20');
    a.callers.set('-|-', counts(2));
    b.callers.set('-|-', counts(3, 7, 1));
    b.callers.set('111122223333/vpc-12345678|-', counts(1));
    mergeDay(a, b);
    expect(a.callers.get('-|-')).toEqual(counts(5, 27, 1));
    const back = dayFromJSON(JSON.parse(JSON.stringify(dayToJSON(a))));
    expect([...back.callers]).toEqual([...a.callers].sort(([x], [y]) => (x < y ? -1 : 1)));
  });
});

describe('serviceCallers', () => {
  const cents = (n: number): number => Math.round(n * 100);

  it('splits data by bytes and requests by requests, adding up to the variable cost to the cent', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 0, max: 1e12 })), {
          minLength: 1,
          maxLength: 60,
        }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (list, dataCents, requestCents) => {
          const callers = new Map(
            list.map(([r, b], k): [string, CallerCounts] => [
              `111122223333/vpc-${(0x10000000 + k).toString(16)}|-`,
              counts(r, b, r % 3),
            ]),
          );
          const cost = { data: dataCents / 100, requests: requestCents / 100 };
          const out = serviceCallers(callers, cost);
          expect(out.length).toBeLessThanOrEqual(CALLERS_PER_SERVICE_DAY);
          expect(out.reduce((s, c) => s + cents(c.cost), 0)).toBe(dataCents + requestCents);
          expect(out.reduce((s, c) => s + c.requests, 0)).toBe(list.reduce((s, [r]) => s + r, 0));
          expect(out.reduce((s, c) => s + c.bytes, 0)).toBe(list.reduce((s, [, b]) => s + b, 0));
          for (const c of out) expect(c.cost).toBe(cents(c.cost) / 100);
        },
      ),
    );
  });

  it('gives the caller with most bytes most of the data charge', () => {
    const out = serviceCallers(
      new Map([
        ['111122223333/vpc-12345678|111122223333', counts(100, 900)],
        ['111122223333/vpc-87654321|-', counts(300, 100)],
      ]),
      { data: 10, requests: 4 },
    );
    expect(out.map((c) => [c.key, c.cost, c.share])).toEqual([
      ['111122223333/vpc-12345678|111122223333', 10, 0.714286],
      ['111122223333/vpc-87654321|-', 4, 0.285714],
    ]);
  });

  it('splits the data charge by requests when no bytes were logged', () => {
    const out = serviceCallers(
      new Map([
        ['-|-', counts(1, 0)],
        ['-|111122223333', counts(3, 0)],
      ]),
      { data: 1, requests: 0 },
    );
    expect(out.map((c) => c.cost)).toEqual([0.75, 0.25]);
  });
});

describe('networkCallers', () => {
  it('sums each caller over the services it called; costs add up to every service variable cost', () => {
    const a = serviceCallers(
      new Map([
        ['111122223333/vpc-12345678|-', counts(10, 100)],
        ['-|-', counts(5, 50)],
        [OTHER_CALLER, counts(2, 20)],
      ]),
      { data: 3.33, requests: 0.01 },
    );
    const b = serviceCallers(
      new Map([
        ['111122223333/vpc-12345678|-', counts(1, 1000)],
        [OTHER_CALLER, counts(1, 1)],
      ]),
      { data: 1.01, requests: 0 },
    );
    const network = networkCallers([{ arn: 'a', callers: a }, { arn: 'b', callers: b }, { arn: 'c' }])!;
    expect(network.variableCost).toBe(4.35);
    expect(Math.round(network.callers.reduce((s, c) => s + c.cost * 100, 0))).toBe(435);
    const vpc = network.callers.find((c) => c.key === '111122223333/vpc-12345678|-')!;
    expect(vpc).toMatchObject({ services: 2, requests: 11, bytes: 1100 });
    expect(network.callers.at(-1)).toMatchObject({ key: OTHER_CALLER, services: 2, requests: 3 });
    expect(networkCallers([{ arn: 'x' }])).toBeUndefined();
  });

  it('caps the list, summing the rest into "other"', () => {
    const many = new Map(
      Array.from({ length: 80 }, (_, k): [string, CallerCounts] => [
        `111122223333/vpc-${(0x10000000 + k).toString(16)}|-`,
        counts(1 + k),
      ]),
    );
    const services = Array.from({ length: 4 }, (_, s) => ({
      arn: `s${s}`,
      callers: serviceCallers(new Map([...many].slice(s * 20, s * 20 + 20)), { data: 1, requests: 0 }),
    }));
    const network = networkCallers(services)!;
    expect(network.callers).toHaveLength(NETWORK_CALLERS);
    expect(network.callers.reduce((s, c) => s + c.requests, 0)).toBe(
      [...many.values()].reduce((s, c) => s + c.requests, 0),
    );
    expect(Math.round(network.callers.reduce((s, c) => s + c.cost * 100, 0))).toBe(400);
  });
});

/** The sample report with callers on its services, as the analysis would add them. */
function reportWithCallers(names?: string[]): Report {
  const report = sampleReport();
  report.services.forEach((s, i) => {
    if (names) s.name = names[i % names.length]!;
    s.callers = serviceCallers(
      new Map([
        [`111122223333/vpc-0a1b2c3d4e5f6071${i % 10}|444455556666`, counts(900 + i, 5e9)],
        ['444455556666/vpc-12345678|-', counts(300, 1e9, 7)],
        ['-|-', counts(12, 1e6, 1)],
        [OTHER_CALLER, counts(4, 1e3)],
      ]),
      s.cost,
    );
  });
  report.callers = networkCallers(report.services);
  return report;
}

describe('callersMarkdown', () => {
  it('is empty without callers', () => {
    expect(callersMarkdown(sampleReport())).toBe('');
  });

  it('renders a valid report: a table whose rows add up, a note and a flowchart Mermaid parses', async () => {
    const report = assertValidReport(reportWithCallers());
    const md = callersMarkdown(report);
    expect(md).toContain('### Who drives the cost');
    expect(md).toContain('the hourly charge stays with the service owner');
    expect(md).toContain('At most 20 callers per service and day');
    const [chart] = extractMermaidBlocks(md);
    expect(chart).toMatch(/^flowchart LR\n/);
    await parseMermaid(chart!);
    expect(chart!.match(/-->/g)!.length).toBeLessThanOrEqual(12);
    // The section sits after the charts and before the anomalies in the full report.
    const full = renderMarkdown(report);
    expect(full.indexOf('### Who drives the cost')).toBeGreaterThan(full.indexOf('```mermaid'));
    const details = full.indexOf('<details><summary>Cost');
    if (details >= 0) expect(full.indexOf('### Who drives the cost')).toBeLessThan(details);
    const service = serviceCallersMarkdown(report, report.services[0]!);
    expect(service.split('\n')).toHaveLength(2 + 4);
  });

  it('never puts a hostile name, or a forged caller part, into the flowchart', async () => {
    const report = reportWithCallers(HOSTILE_STRINGS);
    // A report read back from disk is checked again: a forged part renders as unknown.
    report.services[0]!.callers![0]!.vpcId = 'vpc-1"]; click c0 call alert(1); x["';
    report.services[0]!.callers![0]!.principalAccount = '<img src=x>';
    const md = callersMarkdown(report);
    const [chart] = extractMermaidBlocks(md);
    await parseMermaid(chart!);
    for (const line of chart!.split('\n').slice(1)) {
      expect(line).toMatch(/^ {2}(?:[cs]\d+\["[A-Za-z0-9 .$,()/-]+"\]|c\d+ -->\|"\$[0-9,]+\.\d\d"\| s\d+)$/);
    }
    for (const hostile of HOSTILE_STRINGS) if (hostile.length > 3) expect(chart).not.toContain(hostile);
    expect(md).not.toContain('<img');
  });
});

describe('mermaidLabel', () => {
  it('passes plain labels and refuses anything Mermaid or HTML could read', () => {
    expect(mermaidLabel('vpc-0123abcd (111122223333) / principal 444455556666')).toBeDefined();
    expect(mermaidLabel('$1,234.56')).toBe('$1,234.56');
    for (const hostile of [
      '',
      'a"b',
      'a]b',
      'a|b',
      'a;b',
      'a\nb',
      '<b>x</b>',
      '%%{init: {}}%%',
      'click c0 href "javascript:alert(1)"',
      'a`b',
      'a#quot;b',
      'a&amp;b',
      'ä',
      'a\u202eb',
      'a:b',
      '{x}',
      '[x]',
    ]) {
      expect(() => mermaidLabel(hostile)).toThrow(/Refusing a Mermaid label/);
    }
  });
});
