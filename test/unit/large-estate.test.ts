/**
 * The Markdown for an organization-sized estate: the costliest services and those with findings get
 * a row, the rest are summed per account and region, and the whole stays readable and under the caps.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { marked } from 'marked';

import { fitMarkdown, listedServiceCount, renderMarkdown } from '../../src/report/markdown.js';
import { REPORT_MD_MAX_BYTES, jsonPieces, writeReportFiles } from '../../src/publish/files.js';
import fc from 'fast-check';
import { main } from '../../src/cli/main.js';
import type { Report, ServiceReport } from '../../src/model/report.js';
import { cells, parseMarkdownTable } from '../helpers/markdown-table.js';
import { estateReport, fleetReport } from '../fixtures/report/reports.js';

const ISSUE_LIMIT = 65_536;
const SEVERITIES = ['critical', 'warning', 'info'];

/** Header and body rows of the services table. */
function servicesTable(markdown: string): { header: string[]; rows: string[][] } {
  const start = markdown.indexOf('\n| Service |');
  expect(start).toBeGreaterThan(0);
  const header = cells(markdown.slice(start + 1).split('\n', 1)[0] ?? '');
  return { header, rows: parseMarkdownTable(markdown.slice(start + 1)) };
}

const cents = (text: string): number => Math.round(Number(text.replace(/[$,*]/g, '')) * 100);
const count = (text: string): number => Number(text.replace(/[,*]/g, ''));
/** What `services` cost together, in cents: summed exactly, rounded once (each cost has fractions of a cent). */
const centsOf = (services: ServiceReport[]): number =>
  Math.round(services.reduce((sum, s) => sum + s.cost.total, 0) * 100);
const byCost = (report: Report): ServiceReport[] =>
  [...report.services].sort((a, b) => b.cost.total - a.cost.total);
const rowName = (service: ServiceReport): string => `\`${service.name}\``;

describe('a 5,000-service estate in one account and region', () => {
  const report = estateReport(5_000);
  const markdown = renderMarkdown(report);
  const { header, rows } = servicesTable(markdown);
  const named = new Set(rows.map((row) => row[0]));
  const listed = report.services.filter((s) => named.has(rowName(s)));
  const hidden = report.services.filter((s) => !named.has(rowName(s)));

  it('fits an issue whole, and the table parses with every row as wide as its header', () => {
    expect(markdown.length).toBeLessThan(ISSUE_LIMIT);
    expect(fitMarkdown(report, { maxChars: ISSUE_LIMIT }).trimmed).toBe(false);
    expect(rows.length).toBeGreaterThan(50);
    for (const row of rows) expect(row).toHaveLength(header.length);
    const tables = marked.lexer(markdown).filter((token) => token.type === 'table');
    expect(tables.length).toBeGreaterThanOrEqual(2);
  });

  it('lists the 50 costliest services first, in order, then every service with a finding', () => {
    const top = byCost(report).slice(0, 50).map(rowName);
    expect(rows.slice(0, 50).map((row) => row[0])).toEqual(top);
    const flagged = new Set(report.findings.map((f) => f.service));
    // 50 findings, one on a service already among the costliest.
    expect(flagged.size).toBe(50);
    for (const service of report.services.filter((s) => flagged.has(s.arn))) {
      expect(named).toContain(rowName(service));
    }
    expect(listedServiceCount(report)).toEqual({ listed: 50 + 49, total: 5_000 });
    expect(listed).toHaveLength(99);
  });

  it('sums the rest in one row that adds up, to the cent, to the services it hides', () => {
    const others = rows.filter(
      (row) => row[0] === `_${(5_000 - 99).toLocaleString('en-US')} other services_`,
    );
    expect(others).toHaveLength(1);
    const [label, cost, delta, requests, errors, p99] = others[0] as string[];
    expect(label).toBeDefined();
    expect(cents(cost ?? '')).toBe(centsOf(hidden));
    expect(delta).toBe('▲ 11%');
    expect(count(requests ?? '')).toBe(hidden.reduce((sum, s) => sum + s.requests, 0));
    const fives = hidden.reduce((sum, s) => sum + s.status['5xx'], 0);
    const answered = hidden.reduce((sum, s) => sum + s.requests, 0);
    expect(Number(errors)).toBeCloseTo((fives / answered) * 100, 1);
    expect(p99).toBe('–');
    // Listed rows plus the sum is the total, up to half a cent of rounding per row shown.
    const total = rows.find((row) => row[0]?.startsWith('**total'));
    expect(cents(total?.[1] ?? '')).toBe(centsOf(report.services) + Math.round(report.shared.total * 100));
    const shown = rows.filter((row) => row !== total && !row[0]?.startsWith('_shared'));
    const shared = Math.round(report.shared.total * 100);
    const added = shown.reduce((sum, row) => sum + cents(row[1] ?? ''), 0) + shared;
    expect(Math.abs(added - cents(total?.[1] ?? ''))).toBeLessThanOrEqual(shown.length / 2);
  });

  it('says what is listed and that report.json has every service', () => {
    expect(markdown).toContain(
      '_Listed: the 50 costliest services and 49 more services with findings. The other 4,901 of 5,000 are summed in the “other services” row; report.json has every service._',
    );
  });
});

describe('services with findings beyond the bound', () => {
  const report = estateReport(5_000, { flaggedEvery: 20 });
  const markdown = renderMarkdown(report);
  const named = new Set(servicesTable(markdown).rows.map((row) => row[0]));

  it('lists 50 of them, the most severe first and then the costliest', () => {
    const worst = new Map(report.findings.map((f) => [f.service, SEVERITIES.indexOf(f.severity)]));
    const top = new Set(byCost(report).slice(0, 50));
    const expected = byCost(report)
      .filter((s) => !top.has(s) && worst.has(s.arn))
      .sort((a, b) => (worst.get(a.arn) ?? 0) - (worst.get(b.arn) ?? 0) || b.cost.total - a.cost.total)
      .slice(0, 50);
    const flaggedShown = report.services.filter((s) => !top.has(s) && named.has(rowName(s)));
    expect(new Set(flaggedShown)).toEqual(new Set(expected));
    expect(expected.every((s) => worst.get(s.arn) === 0)).toBe(true);
  });

  it('lists every critical finding and the 50 most pressing others, and counts the rest', () => {
    const critical = report.findings.filter((f) => f.severity === 'critical');
    const rest = report.findings.length - critical.length - 50;
    for (const finding of critical) expect(markdown).toContain(finding.message);
    // The rest, counted by kind, with what each kind would save.
    const unlisted = report.findings.filter((f) => f.severity !== 'critical').slice(50);
    expect(unlisted).toHaveLength(rest);
    const notes = markdown.split('\n').filter((line) => line.includes('more findings in report.json'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain(
      `_Every critical finding and the 50 most pressing others are listed; ${rest} more findings in report.json: `,
    );
    const kinds = new Map<string, { count: number; savings: number }>();
    for (const f of unlisted) {
      const k = kinds.get(f.kind) ?? { count: 0, savings: 0 };
      k.count += 1;
      k.savings += f.estimatedMonthlySavings ?? 0;
      kinds.set(f.kind, k);
    }
    for (const [kind, k] of kinds) {
      const savings =
        k.savings > 0
          ? ` \\(save \\$${k.savings.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).replace(/[.]/g, '\\.')}/mo in all\\)`
          : '';
      expect(notes[0]).toMatch(new RegExp(` ${k.count.toLocaleString('en-US')} ${kind}${savings}(,|\\._)`));
    }
  });
});

describe('a 5,000-service estate over 3 accounts and 2 regions', () => {
  const accounts = ['111111111111', '222222222222', '333333333333'];
  const regions = ['us-east-1', 'eu-west-1'];
  const report = estateReport(5_000, { accounts, regions });
  const markdown = renderMarkdown(report);
  const { rows } = servicesTable(markdown);

  it('keeps one "other services" row per account and region, each adding up to what it hides', () => {
    const named = new Set(rows.map((row) => row[0]?.replace(/^(&emsp;)+/, '')));
    const others = rows.filter((row) => /^&emsp;&emsp;_[\d,]+ other services_$/.test(row[0] ?? ''));
    expect(others).toHaveLength(accounts.length * regions.length);
    // Each sits under its region's subtotal, in the table's order of accounts and regions.
    let place = { account: '', region: '' };
    let checked = 0;
    for (const row of rows) {
      const first = row[0] ?? '';
      const account = /^\*\*(\d{12})\*\*$/.exec(first);
      if (account) place = { account: account[1] ?? '', region: '' };
      const region = /^&emsp;_([a-z0-9-]+)_ · /.exec(first);
      if (region) place = { ...place, region: region[1] ?? '' };
      if (!others.includes(row)) continue;
      const hidden = report.services.filter(
        (s) => s.account === place.account && s.region === place.region && !named.has(rowName(s)),
      );
      expect(first).toBe(`&emsp;&emsp;_${hidden.length.toLocaleString('en-US')} other services_`);
      expect(cents(row[1] ?? '')).toBe(centsOf(hidden));
      checked += 1;
    }
    expect(checked).toBe(6);
    expect(markdown).toContain('are summed in an “other services” row under their account and region;');
  });

  it('fits a comment with every summary row kept', () => {
    const fitted = fitMarkdown(report, { maxChars: 8_000, marker: 'estate' });
    expect(fitted.trimmed).toBe(true);
    expect(fitted.markdown.length).toBeLessThanOrEqual(8_000);
    const kept = servicesTable(fitted.markdown).rows.filter((row) => /other services_$/.test(row[0] ?? ''));
    expect(kept).toEqual(rows.filter((row) => /other services_$/.test(row[0] ?? '')));
  });
});

describe('the threshold', () => {
  it('gives every service a row up to 50 services, and sums the 51st', () => {
    const fifty = renderMarkdown(fleetReport(50));
    expect(fifty).not.toContain('other service');
    expect(servicesTable(fifty).rows).toHaveLength(50 + 2);
    const report = estateReport(51, { flaggedEvery: 1_000 });
    const { rows } = servicesTable(renderMarkdown(report));
    expect(rows.map((row) => row[0])).toContain('_1 other service_');
  });
});

describe('report.md from the CLI', () => {
  const work = mkdtempSync(join(tmpdir(), 'lattice-estate-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('is capped at the job-summary limit and says what it left out', async () => {
    // Every service with a finding and long names: the whole does not fit 1 MiB.
    const report = fleetReport(12_000, 'x'.repeat(60));
    report.findings.forEach((finding) => (finding.severity = 'critical'));
    const files = await writeReportFiles(report, work);
    const markdown = readFileSync(files.markdown, 'utf8');
    expect(Buffer.byteLength(markdown)).toBeLessThanOrEqual(REPORT_MD_MAX_BYTES);
    expect(files).toMatchObject({ services: 12_000, listedServices: 100, trimmed: true });
    expect(markdown).toContain("omitted to fit GitHub's size limit; see report.json");
    expect(JSON.parse(readFileSync(files.json, 'utf8')).services).toHaveLength(12_000);
    // Written in pieces, it is JSON.stringify's text to the byte.
    expect(readFileSync(files.json, 'utf8')).toBe(`${JSON.stringify(report, null, 2)}\n`);
  });

  it("writes report.json in pieces that join to JSON.stringify's text, whatever the value", () => {
    const value = fc.oneof(
      fc.dictionary(
        fc.string(),
        fc.oneof(fc.jsonValue(), fc.constant(undefined), fc.date({ noInvalidDate: true })),
      ),
      fc.array(fc.oneof(fc.jsonValue(), fc.constant(undefined))),
    );
    fc.assert(
      fc.property(value, (v) => {
        expect([...jsonPieces(v)].join('')).toBe(JSON.stringify(v, null, 2));
      }),
    );
    const report = estateReport(300);
    expect([...jsonPieces(report)].join('')).toBe(JSON.stringify(report, null, 2));
  });

  it('prints that report.md is capped and report.json holds every service', async () => {
    let stdout = '';
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      stdout += String(chunk);
      return true;
    });
    try {
      const logs = join(work, 'logs.jsonl');
      const sample = ['sample', '--out', logs, '--records', '3000', '--days', '2', '--services', '120'];
      expect(await main(sample)).toBe(0);
      stdout = '';
      expect(await main(['analyze', '--logs', logs, '--out', join(work, 'out')])).toBe(0);
    } finally {
      write.mockRestore();
    }
    const services = (
      JSON.parse(readFileSync(join(work, 'out', 'report.json'), 'utf8')) as Report
    ).services.length.toLocaleString('en-US');
    expect(stdout).toMatch(
      new RegExp(
        `\\nreport\\.md is capped: it lists \\d+ of ${services} services and sums the rest by account and region; report\\.json holds all ${services} services\\.\\n$`,
      ),
    );
  });
});
