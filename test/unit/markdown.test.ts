import { readFileSync, writeFileSync } from 'node:fs';

import { cells } from '../helpers/markdown-table.js';
import { describe, expect, it } from '@jest/globals';
import { marked, type Token, type Tokens } from 'marked';

import { markerComment, renderMarkdown, withoutRunDetails } from '../../src/report/markdown.js';
import { markdownText } from '../../src/report/escape.js';
import type { Report } from '../../src/model/report.js';
import { reportSchemaErrors } from '../../src/report/validate.js';
import { extractMermaidBlocks, parseMermaid } from '../helpers/mermaid.js';
import { headline } from '../../src/report/headline.js';
import {
  fleetReport,
  hostileReport,
  multiAccountReport,
  SAMPLE_GOLDEN_PATH,
  sampleReport,
  UNREACHABLE_REASONS,
} from '../fixtures/report/reports.js';

const CONTROLS_AND_BIDI =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

function lines(markdown: string): string[] {
  return markdown.split('\n');
}

/** The table (header, delimiter and rows) whose header starts with `firstHeader`. */
function tableLines(markdown: string, firstHeader: string): string[] {
  const all = lines(markdown);
  const header = firstHeader === '' ? '| |' : `| ${firstHeader} |`;
  const start = all.findIndex((line) => line.startsWith(header));
  if (start < 0) return [];
  const end = all.findIndex((line, index) => index > start && !line.startsWith('|'));
  return all.slice(start, end < 0 ? undefined : end);
}

/** Blanks out code spans (they never span lines here), leaving what GitHub parses for HTML and links. */
function outsideCodeSpans(markdown: string): string {
  return lines(markdown)
    .map((line) => {
      let result = '';
      let index = 0;
      while (index < line.length) {
        if (line[index] === '\\') {
          result += line.slice(index, index + 2);
          index += 2;
          continue;
        }
        const run = /^`+/.exec(line.slice(index))?.[0];
        if (run === undefined) {
          result += line[index];
          index += 1;
          continue;
        }
        const close = new RegExp(`(?<!\`)${run}(?!\`)`, 'g');
        close.lastIndex = index + run.length;
        const match = close.exec(line);
        if (match === null) {
          result += run;
          index += run.length;
        } else {
          result += ' '.repeat(match.index + run.length - index);
          index = match.index + run.length;
        }
      }
      return result;
    })
    .join('\n');
}

/** Every token an independent GFM parser finds, depth first. */
function allTokens(markdown: string): Token[] {
  const found: Token[] = [];
  marked.walkTokens(marked.lexer(markdown, { gfm: true }), (token) => {
    found.push(token);
  });
  return found;
}

describe('renderMarkdown: the sample report', () => {
  const sample = sampleReport();
  const markdown = renderMarkdown(sample, { marker: 'sample' });

  it('renders fixtures that are valid schema v1 reports', () => {
    expect(reportSchemaErrors(sample)).toEqual([]);
    expect(reportSchemaErrors(fleetReport(30))).toEqual([]);
  });

  it('matches the committed golden file (UPDATE_GOLDEN=1 rewrites it)', () => {
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(SAMPLE_GOLDEN_PATH, markdown);
    expect(markdown).toBe(readFileSync(SAMPLE_GOLDEN_PATH, 'utf8'));
  });

  it('renders every Mermaid block of the golden file so that Mermaid parses it', async () => {
    const blocks = extractMermaidBlocks(readFileSync(SAMPLE_GOLDEN_PATH, 'utf8'));
    expect(blocks).toHaveLength(2);
    for (const block of blocks) await parseMermaid(block);
  });

  it('puts the sections in the order of the sketch, with the marker last', () => {
    const positions = [
      '### VPC Lattice cost & performance: `analytics-mesh` · Nov 16 – Nov 22 (7 days)',
      '**$53.02** in 7 days',
      '| | Finding | Impact |',
      '_Amounts are for the 7 days of the window; /mo marks a month',
      '| Service | Cost | Δ cost | Requests | 5xx % | p99 ms |',
      '| Connections to | Kind | Connections | Open p50 / p99 | GB | Cost |',
      '<details><summary><code>media-export</code> · $8.50 · 9,812 requests</summary>',
      'title "Daily Lattice cost (USD)"',
      'title "Daily requests"',
      '<details><summary>How this was computed</summary>',
    ].map((text) => markdown.indexOf(text));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(markdown.endsWith('\n\n<!-- lattice-cost-report:sample -->')).toBe(true);
  });

  it('says in one headline line what it cost, how it changed, the traffic, the findings and the forecast', () => {
    const headline = lines(markdown)[2];
    expect(headline).toBe(
      '**$53.02** in 7 days (▲ 11% vs the previous 7 days) · **150,004** requests · **11 findings**, 1 critical · forecast **$198.40** for Nov 1 – Nov 30',
    );
  });

  it('lists findings in the order of report.json, naming services rather than ARNs', () => {
    const rows = tableLines(markdown, '').slice(2).map(cells);
    const messages = rows.map((row) => row[1]?.slice(row[1].indexOf(' · ') + 3));
    expect(messages).toEqual(
      sample.findings.map((finding) => markdownText(finding.message, { maxLength: 200 })),
    );
    const subject = (row: string[]): string => row[1]!.slice(0, row[1]!.indexOf(' · '));
    expect(rows.map((row) => row[0])).toEqual([
      '🔴',
      '🟠',
      '🟠',
      '🟠',
      '🟠',
      '🟠',
      '🟠',
      '🟠',
      '🔵',
      '🔵',
      '🔵',
    ]);
    expect(rows[0]).toEqual([
      '🔴',
      '`legacy-reports` · Idle: 96 requests in 7 days (13.7 a day; threshold 100 a day), billed 168 service-hours',
      'save **$18.25/mo**',
    ]);
    expect(rows[8]?.[2]).toBe('save **$9.20/mo**');
    expect(rows.map(subject)).toContain('_all services_');
    // A service that is not in the report is shown by its ARN.
    expect(rows.map(subject)).toContain(
      '`arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-0deadbeef00000000`',
    );
  });

  it('lists services by cost in at most 7 columns, with shared cost and a reconciled total', () => {
    const table = tableLines(markdown, 'Service');
    expect(table[1]).toBe('| :- | -: | -: | -: | -: | -: |');
    const rows = table.slice(2).map(cells);
    const costs = rows.slice(0, 8).map((row) => Number(row[1]?.replace(/[$,]/g, '')));
    expect([...costs].sort((a, b) => b - a)).toEqual(costs);
    expect(rows[0]).toEqual(['`media-export`', '$8.50', '▲ 31%', '9,812', '0.1', '410']);
    expect(rows.find((row) => row[0] === '`notifications`')?.[2]).toBe('–');
    expect(rows.find((row) => row[0] === '`pricing-engine`')?.[2]).toBe('new');
    expect(rows[8]).toEqual(['_shared & unallocated_', '$16.80', '', '', '', '']);
    expect(rows[9]?.[0]).toBe('**total (= Cost Explorer)**');
    expect(rows[9]?.[1]).toBe('**$53.02**');
  });

  it('keeps the rest of each service in its own collapsed section, in the order of the table', () => {
    const summaries = [...markdown.matchAll(/<details><summary><code>([^<]+)<\/code>/g)].map((m) => m[1]);
    const table = tableLines(markdown, 'Service')
      .slice(2, 10)
      .map((row) => cells(row)[0]?.replace(/`/g, ''));
    expect(summaries).toEqual(table);
    const media = markdown.slice(markdown.indexOf('<summary><code>media-export</code>'));
    expect(media.slice(0, media.indexOf('</details>'))).toContain(
      '- **Cost in 7 days** $8.50: $4.20 service-hours · $4.30 data (171.9 GB) · $0.00 requests; $866.03 per million requests',
    );
    // An idle service has no meaningful cost per request.
    const idle = markdown.slice(markdown.indexOf('<summary><code>legacy-reports</code>'));
    expect(idle.slice(0, idle.indexOf('</details>'))).toContain('; idle, so no cost per request');
  });

  it('prints a legend under the cost chart with the service names', () => {
    expect(markdown).toContain(
      'Bars stack, from the bottom: 🟦 `media-export` · 🟧 `search-api` · 🟩 `inventory-svc` · 🟪 `auth-gateway` · 🟥 `checkout-api` · 🟨 `notifications` · 🟫 the other 2 services',
    );
  });

  it("repeats no anomaly outside the findings: each is a facet of its day's finding", () => {
    expect(markdown).not.toContain('anomalies (');
    for (const anomaly of sample.anomalies) {
      const finding = sample.findings.find(
        (f) => f.date === anomaly.date && (f.service ?? '') === (anomaly.service ?? ''),
      );
      expect(finding).toBeDefined();
      expect(markdown).toContain(markdownText(finding!.message, { maxLength: 200 }));
    }
  });

  it('explains how the numbers were computed', () => {
    const details = markdown.slice(markdown.indexOf('<summary>How this was computed</summary>'));
    expect(details).toContain("equal Cost Explorer's VPC Lattice total for the same days (`UnblendedCost`)");
    expect(details).toContain(
      '`us-east-1`: $0.025 per service-hour, $0.025 per GB, $0.10 per million requests',
    );
    expect(details).toContain('Days still estimated by Cost Explorer: Nov 21, Nov 22.');
    expect(details).toContain('log-bucketed histogram and are within 1 %');
    expect(details).toContain('denied by an auth policy are counted, but kept out of latency');
    expect(details).toContain('**Data.** 150,004 records from 7 log files');
    expect(details).toContain('7 log files under `logs/`; 3 malformed lines');
    expect(details).toContain('- `logs/access-2026-11-18.jsonl.gz`:18233 — Unexpected end of JSON input');
    expect(details).toContain('**This run** made 3 Cost Explorer requests: about $0.03.');
    expect(details).toContain(
      '- Cost Explorer amounts for Nov 21 and Nov 22 are still estimated and may change.',
    );
  });
});

describe('renderMarkdown: variants', () => {
  it('says the cost is modelled in the headline and the total row when it is not reconciled', () => {
    const report = sampleReport();
    report.costBasis.method = 'modelled';
    delete report.costBasis.metric;
    const markdown = renderMarkdown(report);
    expect(lines(markdown)[2]).toMatch(/^\*\*\$53\.02\*\* modelled cost in 7 days/);
    expect(markdown).toContain('| **total (modelled)** |');
    expect(markdown).toContain('**Cost.** Modelled from list prices');
    expect(markdown).not.toContain('= Cost Explorer');
  });

  it('leaves out what the report does not have', () => {
    const report = sampleReport();
    report.totals.previous = null;
    report.findings = [];
    report.anomalies = [];
    report.shared = { total: 0, hours: 0, data: 0, requests: 0, other: 0, credits: 0 };
    delete report.forecast;
    delete report.source.serviceNetwork;
    const markdown = renderMarkdown(report);
    expect(lines(markdown)[0]).toBe('### VPC Lattice cost & performance · Nov 16 – Nov 22 (7 days)');
    expect(lines(markdown)[2]).toBe('**$53.02** in 7 days · **150,004** requests · no findings');
    expect(markdown).not.toContain('| | Finding |');
    expect(markdown).not.toContain('shared & unallocated');
    expect(markdown).not.toContain('anomalies');
    expect(markdown.endsWith('</details>\n')).toBe(true);
  });

  it('counts the worst severity present', () => {
    const report = sampleReport();
    report.findings = report.findings.filter((finding) => finding.severity !== 'critical');
    expect(lines(renderMarkdown(report))[2]).toContain('**10 findings**, 7 warnings');
    report.findings = report.findings.filter((finding) => finding.severity === 'info');
    expect(lines(renderMarkdown(report))[2]).toContain('**3 findings**, 3 info');
  });

  it('uses a given title, escaped like any other untrusted text', () => {
    const markdown = renderMarkdown(sampleReport(), { title: 'Weekly <b>costs</b> @octocat' });
    expect(lines(markdown)[0]).toBe(
      '### Weekly &lt;b&gt;costs&lt;/b&gt; @\u200Boctocat · Nov 16 – Nov 22 (7 days)',
    );
  });

  it('accepts only simple marker keys', () => {
    expect(markerComment('pr-12.weekly_v1')).toBe('<!-- lattice-cost-report:pr-12.weekly_v1 -->');
    for (const key of ['', 'a b', 'x -->', '<script>', 'ü', 'a'.repeat(129)]) {
      expect(() => renderMarkdown(sampleReport(), { marker: key })).toThrow(/marker key/);
    }
  });

  it('reads Logs Insights sources and run cost', () => {
    const report = sampleReport();
    report.source = {
      ...report.source,
      kind: 'aws',
      files: [],
      logGroups: ['/aws/vpclattice/analytics-mesh'],
      queryIds: ['q-1', 'q-2'],
    };
    report.run = {
      insights: { queries: 2, bytesScanned: 197 * 1024 * 1024 },
      costExplorer: { requests: 3 },
      estimatedRunCostUsd: 0.031,
    };
    const markdown = renderMarkdown(report);
    expect(markdown).toContain('from Logs Insights over 1 log group (`/aws/vpclattice/analytics-mesh`);');
    expect(markdown).toContain(
      '**This run** scanned 197 MB with Logs Insights in 2 queries (`q-1`, `q-2`) and made 3 Cost Explorer requests: about $0.03.',
    );
  });

  it('two runs over the same data differ only in what withoutRunDetails drops', () => {
    const report = sampleReport();
    report.source = { ...report.source, kind: 'aws', files: [], logGroups: ['/g'], queryIds: ['q-1'] };
    const again = structuredClone(report);
    again.generatedAt = '2031-02-03T04:05:06.000Z';
    again.source.queryIds = ['q-7', 'q-8'];
    again.run = {
      insights: { queries: 2, bytesScanned: 5 },
      costExplorer: { requests: 1 },
      estimatedRunCostUsd: 0.5,
      cache: {
        logDaysHit: 6,
        logDaysScanned: 1,
        bytesAvoided: 1e9,
        costDaysHit: 5,
        costExplorerRequestsAvoided: 2,
        savedUsd: 0.01,
      },
    };
    const [a, b] = [renderMarkdown(report, { marker: 'k' }), renderMarkdown(again, { marker: 'k' })];
    expect(a).not.toBe(b);
    expect(withoutRunDetails(a)).toBe(withoutRunDetails(b));
    expect(withoutRunDetails(a)).toContain('**Data.**');
    again.totals.requests += 1;
    expect(withoutRunDetails(renderMarkdown(again, { marker: 'k' }))).not.toBe(withoutRunDetails(a));
  });

  it('parses every Mermaid block of a 300-service report', async () => {
    const blocks = extractMermaidBlocks(renderMarkdown(fleetReport(300)));
    expect(blocks).toHaveLength(2);
    for (const block of blocks) await parseMermaid(block);
  });
});

describe('renderMarkdown: hostile input', () => {
  const report: Report = hostileReport();
  const markdown = renderMarkdown(report, { marker: 'weekly' });
  // What GitHub parses for HTML, links and mentions: neither code spans, nor <code> elements of
  // raw HTML (HTML-escaped by htmlText; no Markdown is parsed in an HTML block), nor the Mermaid blocks.
  const plain = outsideCodeSpans(
    markdown.replace(/^```mermaid\n[\s\S]*?\n```$/gm, '').replace(/<code>[^<>]*<\/code>/g, '<code></code>'),
  );

  it('injects no HTML: only its own <details>, <summary> and marker reach the page', () => {
    expect(plain).not.toMatch(/<(img|script|svg|iframe|a|b)\b/i);
    // How this was computed, and one per service.
    expect(plain.match(/<details>/g)).toHaveLength(1 + report.services.length);
    expect(plain.match(/<\/details>/g)).toHaveLength(1 + report.services.length);
    const html = allTokens(markdown).filter((token) => token.type === 'html');
    for (const token of html) {
      expect(token.raw.trim()).toMatch(
        /^(<details><summary>(<code>[^<>"']*<\/code>)?[A-Za-z ()0-9·$.,]+<\/summary>|<\/details>|<!-- lattice-cost-report:weekly -->)$/,
      );
    }
  });

  it('creates no links or images', () => {
    expect(plain).not.toMatch(/(?<!\\)\]\(|(?<!\\)!\[|https?:\/\/|www\./i);
    const tokenTypes = new Set(allTokens(markdown).map((token) => token.type));
    expect(tokenTypes.has('link')).toBe(false);
    expect(tokenTypes.has('image')).toBe(false);
  });

  it('mentions no one: every @ outside a code span is followed by a zero-width space', () => {
    expect(markdown).toContain('@octocat');
    expect(plain).not.toMatch(/@(?!\u200B)/);
    expect(plain).not.toMatch(/#(?!\u200B)\d/);
  });

  it('keeps every table row to its columns', () => {
    for (const [firstHeader, columns] of [
      ['', 3],
      ['Service', 6],
    ] as const) {
      const table = tableLines(markdown, firstHeader);
      expect(table.length).toBeGreaterThan(2);
      for (const row of table) expect(cells(row)).toHaveLength(columns);
    }
    for (const token of allTokens(markdown).filter((t): t is Tokens.Table => t.type === 'table')) {
      for (const row of token.rows) expect(row).toHaveLength(token.header.length);
    }
  });

  it('smuggles no control or bidi characters and opens no code blocks of its own', () => {
    expect(markdown).not.toMatch(CONTROLS_AND_BIDI);
    const codeBlocks = allTokens(markdown).filter((token) => token.type === 'code') as Tokens.Code[];
    expect(codeBlocks.map((block) => block.lang)).toEqual(['mermaid', 'mermaid']);
  });

  it('carries exactly one marker, its own, at the end', () => {
    expect(markdown.split('<!-- lattice-cost-report:')).toHaveLength(2);
    expect(markdown.endsWith('<!-- lattice-cost-report:weekly -->')).toBe(true);
  });

  it('keeps log text out of the Mermaid blocks, which still parse', async () => {
    for (const block of extractMermaidBlocks(markdown)) {
      expect(block).not.toMatch(/octocat|evil|script|img|pipe/);
      await parseMermaid(block);
    }
  });

  it('still shows hostile names, as code spans', () => {
    expect(markdown).toContain('`<img src=x onerror=alert(1)>');
    expect(markdown).toContain('| ``[x](javascript:alert(1)) `leading and trailing` > quote`` |');
  });
});

describe('renderMarkdown: backend costs from cost-tag-key', () => {
  it('adds a Backend $ column only when some service has one, keeping every row whole', () => {
    expect(renderMarkdown(sampleReport())).not.toContain('Backend $');
    const report = sampleReport();
    report.services[0]!.backendCost = 123.45;
    expect(reportSchemaErrors(report)).toEqual([]);
    const markdown = renderMarkdown(report);
    const lines = markdown.split('\n');
    const header = lines.find((l) => l.startsWith('| Service'))!;
    expect(header).toContain('Backend $');
    const start = lines.indexOf(header);
    const cells = (line: string): number => line.split(/(?<!\\)\|/).length;
    for (let i = start; i < lines.length && lines[i]!.startsWith('|'); i++)
      expect(cells(lines[i]!)).toBe(cells(header));
    expect(markdown).toContain('$123.45');
  });
});

/** A formatted amount or count back to a number: `**$21.11**` → 21.11, `_87,048_` → 87048. */
function amount(cell: string | undefined): number {
  const text = (cell ?? '').replace(/[*_$,]/g, '');
  return text === '' || text === '–' ? NaN : Number(text);
}

/** The services table as rows of cells, each with its kind: account, region, service or shared. */
function groupedRows(markdown: string): Array<{ kind: string; cells: string[] }> {
  return tableLines(markdown, 'Service')
    .slice(2)
    .map(cells)
    .map((row) => {
      const first = row[0] ?? '';
      const kind = /^\*\*(partial )?total/.test(first)
        ? 'total'
        : first.startsWith('**')
          ? 'account'
          : first.startsWith('&emsp;&emsp;_')
            ? 'others'
            : first.startsWith('&emsp;&emsp;')
              ? 'service'
              : /^&emsp;_(shared|credits)/.test(first)
                ? 'shared'
                : first.startsWith('&emsp;_')
                  ? 'region'
                  : 'other';
      return { kind, cells: row };
    });
}

const cents = (value: number): number => Math.round(value * 100);

describe('renderMarkdown: accounts and regions', () => {
  const report = multiAccountReport();
  const markdown = renderMarkdown(report, { marker: 'multi' });

  it('renders a report with one account in one region exactly as before, summaries or not', () => {
    const single = sampleReport();
    single.accounts = [
      {
        account: '123456789012',
        status: 'read',
        requests: single.totals.requests,
        cost: single.totals.cost,
        shared: single.shared,
        regions: [{ region: 'us-east-1', services: 8, requests: single.totals.requests, cost: 36.22 }],
        run: { bytesScanned: 0, queries: 0, costExplorerRequests: 3 },
      },
    ];
    single.coverage = {
      accounts: { expected: 1, read: 1 },
      regions: { expected: 1, read: 1 },
      complete: true,
      unreachable: [],
    };
    expect(reportSchemaErrors(single)).toEqual([]);
    expect(renderMarkdown(single, { marker: 'sample' })).toBe(readFileSync(SAMPLE_GOLDEN_PATH, 'utf8'));
  });

  it('says in the headline that the total is the whole of 2 accounts and 2 regions', () => {
    expect(lines(markdown)[2]).toMatch(/^\*\*\$36\.90\*\* in 7 days across 2 accounts and 2 regions \(▲/);
    expect(markdown).not.toContain('Partial report');
  });

  it('groups services by account in input order, then region by cost, then service by cost', () => {
    expect(groupedRows(markdown).map(({ cells }) => cells[0])).toEqual([
      '**payments (222222222222)**',
      '&emsp;_us-east-1_ · 2 services',
      '&emsp;&emsp;`checkout-api`',
      '&emsp;&emsp;`ledger-api`',
      '&emsp;_eu-west-1_ · 1 service',
      '&emsp;&emsp;`fraud-check`',
      '&emsp;_shared & unallocated_',
      '&emsp;_credits & refunds_',
      '**search (333333333333)**',
      '&emsp;_eu-west-1_ · 2 services',
      '&emsp;&emsp;`search-api-eu`',
      '&emsp;&emsp;`indexer`',
      '&emsp;_us-east-1_ · 1 service',
      '&emsp;&emsp;`search-api`',
      '&emsp;_shared & unallocated_',
      '**total (= Cost Explorer)**',
    ]);
    expect(markdown).toContain(
      "_Each account's row is its whole bill: its services, its shared & unallocated line and its credits.",
    );
  });

  it('has subtotals that add up: services to regions, regions and shared lines to accounts, accounts to the total', () => {
    const rows = groupedRows(markdown);
    const COST = 1;
    const REQUESTS = 3;
    const accountTotals: Array<{ requests: number; cost: number }> = [];
    let account:
      { requests: number; cost: number; regions: number; regionRequests: number; shared: number } | undefined;
    let region: { requests: number; cost: number; services: number; serviceRequests: number } | undefined;
    const closeRegion = (): void => {
      if (!region) return;
      expect(region.serviceRequests).toBe(region.requests);
      expect(region.services).toBe(region.cost);
      region = undefined;
    };
    const closeAccount = (): void => {
      closeRegion();
      if (!account) return;
      expect(account.regionRequests).toBe(account.requests);
      expect(account.regions + account.shared).toBe(account.cost);
      accountTotals.push(account);
      account = undefined;
    };
    for (const { kind, cells: row } of rows) {
      const requests = amount(row[REQUESTS]);
      const cost = cents(amount(row[COST]));
      if (kind === 'account') {
        closeAccount();
        account = { requests, cost, regions: 0, regionRequests: 0, shared: 0 };
      } else if (kind === 'region') {
        closeRegion();
        region = { requests, cost, services: 0, serviceRequests: 0 };
        account!.regions += cost;
        account!.regionRequests += requests;
      } else if (kind === 'service') {
        region!.services += cost;
        region!.serviceRequests += requests;
      } else if (kind === 'shared') {
        closeRegion();
        account!.shared += cost;
      } else {
        expect(kind).toBe('total');
        closeAccount();
        expect(accountTotals.reduce((sum, a) => sum + a.requests, 0)).toBe(requests);
        expect(accountTotals.reduce((sum, a) => sum + a.cost, 0)).toBe(cost);
      }
    }
    expect(accountTotals).toHaveLength(2);
    expect(accountTotals.map((a) => a.cost)).toEqual(report.accounts!.map((a) => cents(a.cost)));
    expect(accountTotals.reduce((sum, a) => sum + a.cost, 0)).toBe(cents(report.totals.cost));
  });

  it('names the account and region of each finding, from the finding or else its ARN', () => {
    const table = tableLines(markdown, '');
    expect(table[0]).toBe('| | Finding | Where | Impact |');
    const rows = table.slice(2).map(cells);
    expect(rows.map((row) => [row[1]?.slice(0, row[1].indexOf(' · ')), row[2]])).toEqual([
      ['`indexer`', 'search · eu-west-1'],
      ['`fraud-check`', 'payments · eu-west-1'],
      // This finding carries no account or region; its service's ARN does.
      ['`search-api`', 'search · us-east-1'],
      ['_all services_', 'payments'],
    ]);
    expect(tableLines(markdown, 'Connections to').slice(2).map(cells)[0]?.slice(0, 2)).toEqual([
      '`orders-db`',
      'payments · us-east-1',
    ]);
  });

  it('groups by region alone a report of one account without summaries, its shared line under the regions', () => {
    const files = multiAccountReport();
    delete files.accounts;
    delete files.coverage;
    files.services = files.services.filter((s) => s.account === '222222222222');
    files.services.forEach((s) => {
      delete s.account;
      delete s.accountLabel;
    });
    files.shared = { ...files.shared, total: 3.36, credits: -1 };
    files.totals = { ...files.totals, requests: 96_860, cost: 21.11 };
    const rows = groupedRows(renderMarkdown(files));
    expect(rows.map(({ kind, cells: row }) => [kind, row[0], row[1]])).toEqual([
      ['region', '&emsp;_us-east-1_ · 2 services', '_$12.65_'],
      ['service', '&emsp;&emsp;`checkout-api`', '$8.40'],
      ['service', '&emsp;&emsp;`ledger-api`', '$4.25'],
      ['region', '&emsp;_eu-west-1_ · 1 service', '_$6.10_'],
      ['service', '&emsp;&emsp;`fraud-check`', '$6.10'],
      ['other', '_shared & unallocated_', '$3.36'],
      ['other', '_credits & refunds_', '-$1.00'],
      ['total', '**total (= Cost Explorer)**', '**$21.11**'],
    ]);
  });

  it('keeps Mermaid blocks that parse', async () => {
    const blocks = extractMermaidBlocks(markdown);
    expect(blocks).toHaveLength(2);
    for (const block of blocks) await parseMermaid(block);
  });
});

describe('renderMarkdown: a partial report', () => {
  const report = multiAccountReport({ partial: true });
  const markdown = renderMarkdown(report, { marker: 'partial' });

  it('says in the headline, the terminal headline and the total row that it covers 2 of 3 accounts', () => {
    expect(lines(markdown)[2]).toMatch(
      /^\*\*\$28\.47\*\* in 7 days \(partial: covers 2 of 3 accounts, 3 of 6 account-regions; ▲ 5\.2% vs the previous 7 days\)/,
    );
    expect(headline(report)).toMatch(
      /: \$28\.47 in 7 days \(partial: covers 2 of 3 accounts, 3 of 6 account-regions;/,
    );
    const total = groupedRows(markdown).at(-1)!.cells;
    expect(total[0]).toBe('**partial total (2 of 3 accounts, 3 of 6 account-regions)**');
    expect(total[1]).toBe('**$28.47**');
    expect(markdown).not.toContain('= Cost Explorer)');
    expect(markdown).not.toContain('across 2 accounts');
  });

  it('lists what could not be read, with the reason, before the findings', () => {
    const callout = markdown.slice(markdown.indexOf('> ⚠️'), markdown.indexOf('| | Finding'));
    expect(callout).toBe(
      [
        '> ⚠️ **Partial report: it covers 2 of 3 accounts, 3 of 6 account-regions.** Its totals are what could be read, not the whole. Not read:',
        '>',
        '> - **staging (444444444444)**, all regions: AccessDenied: User: arn:aws:sts::111111111111:assumed-role/lattice-hub/gh-run-42 is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::444444444444:role/lattice-report',
        '> - **search (333333333333)**, eu-west-1: ThrottlingException: Rate exceeded (gave up after 5 attempts)',
        '',
        '',
      ].join('\n'),
    );
    expect(UNREACHABLE_REASONS.searchEu).toContain('Throttling');
  });

  it('shows the unreachable account and the unread region in their places, without amounts', () => {
    const rows = groupedRows(markdown).map(({ cells: row }) => [row[0], row[3], row[1]]);
    expect(rows).toContainEqual(['**search (333333333333)** · _partial_', '**31,204**', '**$7.36**']);
    expect(rows).toContainEqual(['&emsp;_eu-west-1_ · not read', '–', '–']);
    expect(rows.at(-2)).toEqual(['**staging (444444444444)** · _not read_', '–', '–']);
  });

  it('says a partial report is partial even when the counts add up', () => {
    const odd = multiAccountReport();
    odd.coverage!.complete = false;
    expect(lines(renderMarkdown(odd))[2]).toContain('(partial: covers not every account and region;');
  });
});

describe('renderMarkdown: hostile account labels and reasons', () => {
  const label = '@octocat <img src=x onerror=alert(1)> | **x** [a](https://evil.example) #1';
  const report = multiAccountReport({ partial: true });
  report.accounts![0]!.label = label;
  report.services.forEach((s) => {
    if (s.account === '222222222222') s.accountLabel = label;
  });
  report.coverage!.unreachable[0]!.label = label;
  report.coverage!.unreachable[0]!.reason = 'AccessDenied\n| x | y |\n<script>alert(1)</script> @org/team';
  report.coverage!.unreachable[1]!.region = 'eu-west-1 <b>@octocat</b>';
  const markdown = renderMarkdown(report, { marker: 'hostile' });
  const plain = outsideCodeSpans(markdown.replace(/^```mermaid\n[\s\S]*?\n```$/gm, ''));

  it('escapes labels, regions and reasons wherever they appear', () => {
    expect(plain).not.toMatch(/<(img|script|b)\b/i);
    expect(plain).not.toMatch(/@(?!\u200B)/);
    expect(plain).not.toMatch(/https?:\/\/(?!\u200B)/);
    expect(allTokens(markdown).some((t) => t.type === 'link' || t.type === 'image')).toBe(false);
    expect(markdown).toContain('@\u200Boctocat &lt;img src=x onerror=alert(1)&gt; \\| \\*\\*x\\*\\*');
  });

  it('keeps every table row to its columns and the callout to its lines', () => {
    for (const token of allTokens(markdown).filter((t): t is Tokens.Table => t.type === 'table')) {
      for (const row of token.rows) expect(row).toHaveLength(token.header.length);
    }
    const callout = lines(markdown).filter((line) => line.startsWith('>'));
    expect(callout).toHaveLength(4);
  });
});

describe('renderMarkdown: a 300-service report over 2 accounts and 2 regions', () => {
  const report = multiAccountReport({ servicesPerRegion: 75 });
  const full = renderMarkdown(report);
  // 300 services fit an issue whole, so a tighter budget makes the trimming show.
  const BUDGET = 15_000;
  // Over 50 services, the 50 costliest have rows of their own (none has a finding).
  const LISTED = 50;
  const fitted = renderMarkdown(report, { maxChars: BUDGET, marker: 'fleet' });

  it('fits a GitHub issue or comment whole', () => {
    expect(report.services).toHaveLength(300);
    expect(full.length).toBeLessThan(65_536);
    expect(renderMarkdown(report, { maxChars: 65_536, marker: 'fleet' })).toBe(
      `${full}\n<!-- lattice-cost-report:fleet -->`,
    );
  });

  it('fits a smaller budget by leaving out the cheapest services', () => {
    expect(fitted.length).toBeLessThanOrEqual(BUDGET);
    const shown = new Set(
      groupedRows(fitted)
        .filter((r) => r.kind === 'service')
        .map((r) => r.cells[0] ?? ''),
    );
    expect(full.length).toBeGreaterThan(BUDGET);
    expect(shown.size).toBeGreaterThan(10);
    expect(shown.size).toBeLessThan(LISTED);
    const costOf = (name: string): number =>
      report.services.find((s) => `&emsp;&emsp;\`${s.name}\`` === name)!.cost.total;
    const kept = [...shown].map(costOf);
    const left = report.services
      .filter((s) => !shown.has(`&emsp;&emsp;\`${s.name}\``))
      .map((s) => s.cost.total);
    expect(Math.min(...kept)).toBeGreaterThan(Math.max(...left));
    expect(fitted).toContain(
      `_… and ${LISTED - shown.size} more services, omitted to fit GitHub's size limit; see report.json; the account and region rows still count them._`,
    );
  });

  it('keeps every account, region and total row, with the same numbers as the full report', () => {
    const summaries = (markdown: string): string[][] =>
      groupedRows(markdown)
        .filter((r) => r.kind !== 'service')
        .map((r) => r.cells);
    expect(summaries(fitted)).toEqual(summaries(full));
    expect(summaries(fitted).filter((row) => row[0]?.includes('· 75 services'))).toHaveLength(4);
    expect(summaries(fitted).filter((row) => row[0]?.endsWith(' other services_'))).toHaveLength(4);
  });

  it('keeps Mermaid blocks that parse', async () => {
    for (const block of extractMermaidBlocks(fitted)) await parseMermaid(block);
  });
});
