/**
 * The Markdown report: what a platform lead reads on a phone. Order and density: headline,
 * findings, services, charts, then collapsed detail. Every string that
 * came from logs or AWS is escaped here (see escape.ts); numbers are formatted in format.ts.
 */
import { markdownTable } from 'markdown-table';

import { headlineParts, money } from './headline.js';
import { fitToBudget, type BudgetBlock, type BudgetRow, type BudgetTable } from './budget.js';
import { chartMarkdown, dailyCostChart, dailyRequestsChart } from './charts.js';
import { callersMarkdown } from './callers.js';
import { codeSpan, markdownText } from './escape.js';
import {
  accountGroups,
  accountLabel,
  compareText,
  coverageCounts,
  coveragePhrase,
  isGrouped,
  placeOf,
} from './accounts.js';
import {
  formatDataSize,
  formatDay,
  formatDelta,
  formatGb,
  formatInteger,
  formatLifetime,
  formatMs,
  formatPercent,
  formatPercentNumber,
  formatSigned,
  formatUnitPrice,
  formatUsd,
  formatWindow,
  plural,
} from './format.js';
import { type Anomaly, type Severity, severityRank } from '../model/findings.js';
import type { Finding, Report, ServiceReport, SharedCost } from '../model/report.js';
import { errorRate, serverErrors } from '../model/aggregate.js';

export interface RenderOptions {
  /** Character budget for the whole body, marker included (GitHub: 65,536 for issues and comments). */
  maxChars?: number;
  /** Key of the hidden marker `<!-- lattice-cost-report:KEY -->` that ends the body. */
  marker?: string;
  /** Heading text; defaults to one built from the service network. Escaped like log text. */
  title?: string;
}

const DEFAULT_TITLE = 'VPC Lattice cost & performance';

const MARKER_KEY = /^[A-Za-z0-9._-]{1,128}$/;
const MAX_LISTED = 5;
const MAX_WARNINGS = 20;

// Indents the rows of a group under its heading; GitHub trims plain spaces from table cells.
const INDENT = '&emsp;';

const SEVERITY_ICON: Record<Severity, string> = { critical: '🔴', warning: '🟠', info: '🔵' };

// Cross-table trimming order: a row's importance is its table's weight divided by its rank in that
// table, so every table shrinks in proportion (3 findings and 2 services kept per anomaly) and the
// least important row overall goes first; critical findings and the top services are essential.
const FINDINGS_WEIGHT = 3;
const SERVICES_WEIGHT = 2;
const ANOMALIES_WEIGHT = 1;
const ESSENTIAL_TOP_SERVICES = 3;

// Optional blocks, dropped lowest rank first when rows alone cannot make the report fit.
const DROP_REQUESTS_CHART = 1;
const DROP_COST_CHART = 2;
const DROP_METHOD_DETAILS = 3;
const DROP_ANOMALY_DETAILS = 4;

const SIZE_LIMIT_HINT = "to fit GitHub's size limit; see report.json";

// Paragraphs that describe the run rather than the data: two runs over the same data differ only here.
const THIS_RUN = '**This run**';
const CACHE = '**Cache.**';
const GENERATED = 'Generated';

/**
 * A rendered report without the paragraphs about the run itself (when, how much it scanned, what
 * the cache saved), so a rerun over the same data can tell that nothing a reader cares about changed.
 */
export function withoutRunDetails(markdown: string): string {
  return markdown
    .replace(/\r\n/g, '\n')
    .split(/\n{2,}/)
    .filter((p) => !p.startsWith(THIS_RUN) && !p.startsWith(CACHE) && !p.startsWith(`${GENERATED} `))
    .join('\n\n')
    .trim();
}

/** The hidden HTML comment that lets the publisher find its previous issue or comment. */
export function markerComment(key: string): string {
  if (!MARKER_KEY.test(key)) {
    throw new Error(
      `Report marker key must be 1-128 characters of A-Z, a-z, 0-9, '.', '_' or '-', got ${JSON.stringify(key)}`,
    );
  }
  return `<!-- lattice-cost-report:${key} -->`;
}

/** Renders `report` as GitHub Markdown, trimmed to `maxChars` when given, ending with the marker. */
export function renderMarkdown(report: Report, options: RenderOptions = {}): string {
  const suffix = options.marker === undefined ? '' : markerComment(options.marker);
  const maxChars = options.maxChars ?? Infinity;
  if (Number.isNaN(maxChars) || maxChars < 1) {
    throw new RangeError(`maxChars must be positive, got ${maxChars}`);
  }
  return fitToBudget(reportBlocks(report, options), {
    maxChars,
    suffix,
    droppedBlocksNote: `_Some charts or details were omitted ${SIZE_LIMIT_HINT}._`,
    truncatedNote: `_… truncated ${SIZE_LIMIT_HINT}._`,
  }).markdown;
}

function reportBlocks(report: Report, options: RenderOptions): BudgetBlock[] {
  const servicesByArn = new Map(report.services.map((service) => [service.arn, service]));
  const blocks: BudgetBlock[] = [
    { parts: [heading(report, options), headlineParts(report, (text) => `**${text}**`).join(' · ')] },
  ];
  const callout = coverageCallout(report);
  if (callout) blocks.push({ parts: [callout] });
  if (report.findings.length > 0) blocks.push({ parts: [findingsTable(report, servicesByArn)] });
  blocks.push({ parts: servicesSection(report) });
  const connections = connectionsSection(report);
  if (connections) blocks.push({ parts: [connections] });
  const costChart = dailyCostChart(report);
  if (costChart) blocks.push({ parts: [chartMarkdown(costChart)], dropRank: DROP_COST_CHART });
  const requestsChart = dailyRequestsChart(report);
  if (requestsChart) blocks.push({ parts: [chartMarkdown(requestsChart)], dropRank: DROP_REQUESTS_CHART });
  const callers = callersMarkdown(report);
  if (callers) blocks.push({ parts: [callers], dropRank: DROP_REQUESTS_CHART });
  if (report.anomalies.length > 0) {
    blocks.push({ parts: anomaliesDetails(report, servicesByArn), dropRank: DROP_ANOMALY_DETAILS });
  }
  blocks.push({ parts: methodDetails(report), dropRank: DROP_METHOD_DETAILS });
  return blocks;
}

function heading(report: Report, options: RenderOptions): string {
  const network = report.source.serviceNetwork;
  const title =
    options.title !== undefined
      ? markdownText(options.title, { maxLength: 120 })
      : network
        ? `${DEFAULT_TITLE}: ${codeSpan(network, { inTable: false })}`
        : DEFAULT_TITLE;
  return `### ${title} · ${formatWindow(report.window)}`;
}

/**
 * Which accounts and regions could not be read, and why, right under the headline: the totals below
 * then cover less than was asked. Reasons are AWS error text, escaped like log text.
 */
function coverageCallout(report: Report): string | undefined {
  const partial = coveragePhrase(report.coverage);
  if (partial === undefined || report.coverage === undefined) return undefined;
  const { unreachable } = report.coverage;
  const shown = unreachable.slice(0, MAX_WARNINGS).map((u) => {
    const where = u.region === undefined ? 'all regions' : markdownText(u.region, { maxLength: 30 });
    const title = accountTitle(u.account, u.label ?? accountLabel(report, u.account));
    return `> - **${title}**, ${where}: ${markdownText(u.reason, { maxLength: 300 })}`;
  });
  const more = unreachable.length - shown.length;
  if (more > 0) shown.push(`> - … and ${plural(more, 'more')} in report.json`);
  return [
    `> ⚠️ **Partial report: it ${partial}.** Its totals are what could be read, not the whole.${shown.length > 0 ? ' Not read:' : ''}`,
    ...(shown.length > 0 ? ['>', ...shown] : []),
  ].join('\n');
}

/** "payments (222222222222)", or the id alone; both escaped, as the label is user input. */
function accountTitle(account: string, label: string | undefined): string {
  const id = markdownText(account, { maxLength: 20 });
  return label ? `${markdownText(label, { maxLength: 60 })} (${id})` : id;
}

/** "payments · us-east-1": where a row's service lives, by the account's label when it has one. */
function whereText(report: Report, place: { account: string; region: string }): string {
  const account = place.account
    ? markdownText(accountLabel(report, place.account) ?? place.account, { maxLength: 40 })
    : '';
  const region = place.region ? markdownText(place.region, { maxLength: 30 }) : '';
  return [account, region].filter((text) => text !== '').join(' · ') || '–';
}

function findingWhere(report: Report, finding: Finding, servicesByArn: Map<string, ServiceReport>): string {
  const service = finding.service === undefined ? undefined : servicesByArn.get(finding.service);
  const fromService = service
    ? placeOf(service)
    : finding.service
      ? placeOf({ arn: finding.service })
      : undefined;
  const account = finding.account ?? fromService?.account ?? '';
  const region = finding.region ?? fromService?.region ?? '';
  if (account === '' && region === '') return '_all accounts_';
  return whereText(report, { account, region });
}

function findingsTable(report: Report, servicesByArn: Map<string, ServiceReport>): BudgetTable {
  const serviceName = (finding: Finding): string => {
    if (finding.service === undefined) return '';
    return servicesByArn.get(finding.service)?.name || finding.service;
  };
  const sorted = [...report.findings].sort(
    (a, b) =>
      severityRank(a.severity) - severityRank(b.severity) ||
      (b.estimatedMonthlySavings ?? 0) - (a.estimatedMonthlySavings ?? 0) ||
      compareText(serviceName(a), serviceName(b)) ||
      compareText(a.message, b.message),
  );
  // Over several accounts or regions, each finding also says where its service lives.
  const grouped = isGrouped(report);
  const where = (finding: Finding): string[] =>
    grouped ? [findingWhere(report, finding, servicesByArn)] : [];
  const rows = sorted.map((finding) => [
    SEVERITY_ICON[finding.severity],
    markdownText(finding.message, { maxLength: 200 }),
    finding.service === undefined ? '_all services_' : codeSpan(serviceName(finding)),
    ...where(finding),
    findingImpact(report, finding),
  ]);
  const header = ['', 'Finding', 'Service', ...(grouped ? ['Where'] : []), 'Impact'];
  return table(header, ['c', 'l', 'l', ...(grouped ? ['l'] : []), 'l'], rows, 0, {
    importance: (rank) => FINDINGS_WEIGHT / (rank + 1),
    essential: (rank) => sorted[rank]?.severity === 'critical',
    omittedNote: (omitted) => `_… and ${plural(omitted, 'more finding')}, omitted ${SIZE_LIMIT_HINT}._`,
  });
}

function findingImpact(report: Report, finding: Finding): string {
  if (finding.estimatedMonthlySavings !== undefined && finding.estimatedMonthlySavings > 0) {
    return `save **${money(report, finding.estimatedMonthlySavings)}/mo**`;
  }
  return finding.impact ? markdownText(finding.impact, { maxLength: 120 }) : '–';
}

function compareServices(a: ServiceReport, b: ServiceReport): number {
  return (
    b.cost.total - a.cost.total ||
    b.requests - a.requests ||
    compareText(a.name, b.name) ||
    compareText(a.arn, b.arn)
  );
}

function servicesSection(report: Report): Array<BudgetTable | string> {
  const { services, shared, totals } = report;
  if (services.length === 0 && !(shared.total > 0))
    return ['_No VPC Lattice services with traffic or cost in this window._'];
  const sorted = [...services].sort(compareServices);
  // The backend column appears only when cost-tag-key found backend costs.
  const withBackend = services.some((service) => service.backendCost !== undefined);
  const backend = (cell: string): string[] => (withBackend ? [cell] : []);
  const serviceRow = (service: ServiceReport, indent = ''): string[] => [
    `${indent}${codeSpan(service.name || service.id || service.arn)}`,
    formatInteger(service.requests),
    formatPercentNumber(service.errorRate),
    service.latencyMs ? `${formatMs(service.latencyMs.p50)} / ${formatMs(service.latencyMs.p99)}` : '–',
    formatGb(service.bytesIn + service.bytesOut),
    money(report, service.cost.total),
    ...backend(service.backendCost === undefined ? '–' : money(report, service.backendCost)),
    service.costPerMillionRequests === null ? '–' : money(report, service.costPerMillionRequests),
    costDelta(service),
  ];
  const costRow = (label: string, amount: number): string[] => [
    label,
    '',
    '',
    '',
    '',
    money(report, amount),
    ...backend(''),
    '',
    '',
  ];
  const sum = (pick: (s: ServiceReport) => number): number => services.reduce((t, s) => t + pick(s), 0);
  const answered = totals.requests - sum((s) => s.connections);
  const fleetErrorRate = errorRate(
    totals.requests,
    sum((s) => s.connections),
    sum(serverErrors),
  );
  const counts = coverageCounts(report.coverage);
  const modelled = report.costBasis.method === 'modelled';
  // A total that misses an account or region says so, so it is never taken for the whole bill.
  const totalLabel =
    counts !== undefined
      ? `partial total (${modelled ? 'modelled; ' : ''}${counts})`
      : modelled
        ? 'total (modelled)'
        : 'total (= Cost Explorer)';
  const totalRow = [
    `**${totalLabel}**`,
    `**${formatInteger(totals.requests)}**`,
    answered > 0 ? `**${formatPercentNumber(fleetErrorRate)}**` : '',
    '',
    `**${formatGb(totals.bytesIn + totals.bytesOut)}**`,
    `**${money(report, totals.cost)}**`,
    ...backend(''),
    totals.requests > 0 ? `**${money(report, (totals.cost / totals.requests) * 1_000_000)}**` : '',
    totals.previous ? `**${formatDelta(totals.cost, totals.previous.cost)}**` : '–',
  ];
  const header = [
    'Service',
    'Requests',
    'Errors %',
    'p50 / p99 ms',
    'GB',
    'Cost',
    ...backend('Backend $'),
    '$ / 1M req',
    'Δ cost',
  ];
  const align = ['l', 'r', 'r', 'r', 'r', 'r', ...backend('r'), 'r', 'r'];
  const importance = (rank: number): number => SERVICES_WEIGHT / (rank + 1);
  const essential = (rank: number): boolean => rank < ESSENTIAL_TOP_SERVICES;

  if (isGrouped(report)) {
    const rank = new Map(sorted.map((service, index) => [service, index]));
    const rows: TableRow[] = [];
    const pinned = (cells: string[]): void => {
      rows.push({ cells, importance: Infinity, essential: true, pinned: true });
    };
    const subtotal = (
      label: string,
      group: { requests: number; bytes: number; cost: number },
      style: (text: string) => string,
    ): string[] => [
      label,
      style(formatInteger(group.requests)),
      '',
      '',
      style(formatGb(group.bytes)),
      style(money(report, group.cost)),
      ...backend(''),
      group.requests > 0 ? style(money(report, (group.cost / group.requests) * 1_000_000)) : '',
      '',
    ];
    const notRead = (label: string): string[] => [label, '–', '', '', '–', '–', ...backend(''), '', ''];
    const groups = accountGroups(report, compareServices);
    const summarised = groups.some((g) => g.shared !== undefined);
    // One account known only from its services (local files) needs no row of its own.
    const accountRows = summarised || groups.length > 1;
    for (const group of groups) {
      const title = `**${accountTitle(group.account, group.label)}**`;
      if (group.status === 'unreachable') {
        pinned(notRead(`${title} · _not read_`));
        continue;
      }
      const status = group.status === 'partial' ? ' · _partial_' : '';
      if (accountRows) pinned(subtotal(`${title}${status}`, group, (text) => `**${text}**`));
      for (const region of group.regions) {
        const name = markdownText(region.region, { maxLength: 30 });
        if (!region.read) {
          pinned(notRead(`${INDENT}_${name}_ · not read`));
          continue;
        }
        pinned(
          subtotal(`${INDENT}_${name}_ · ${plural(region.count, 'service')}`, region, (text) => `_${text}_`),
        );
        for (const service of region.services) {
          const at = rank.get(service) ?? sorted.length;
          rows.push({
            cells: serviceRow(service, `${INDENT}${INDENT}`),
            importance: importance(at),
            essential: essential(at),
          });
        }
      }
      for (const line of group.shared ? sharedLines(group.shared) : []) {
        pinned(costRow(`${INDENT}_${line.label}_`, line.amount));
      }
    }
    // Without per-account summaries the report's shared line is not split by account.
    const foot = summarised ? [] : sharedLines(report.shared);
    return [
      tableOf(
        header,
        align,
        rows,
        [...foot.map((l) => costRow(`_${l.label}_`, l.amount)), totalRow],
        (omitted) =>
          `_… and ${plural(omitted, 'more service')}, omitted ${SIZE_LIMIT_HINT}; the account and region rows still count them._`,
      ),
      summarised
        ? "_Each account's row is its whole bill: its services, its shared & unallocated line and its credits. A region's row counts only that region's services._"
        : "_A region's row counts only that region's services; the shared & unallocated line and credits are the whole report's._",
    ];
  }

  const rows = sorted.map((service) => serviceRow(service));
  const footRows = [...sharedLines(report.shared).map((l) => costRow(`_${l.label}_`, l.amount)), totalRow];
  return [
    table(header, align, [...rows, ...footRows], footRows.length, {
      importance,
      essential,
      omittedNote: (omitted) => `_… and ${plural(omitted, 'more service')}, omitted ${SIZE_LIMIT_HINT}._`,
    }),
  ];
}

/** The shared line and the credits of a bill, when there are any. */
function sharedLines(shared: SharedCost): Array<{ label: string; amount: number }> {
  return [
    ...(shared.total > 0 ? [{ label: 'shared & unallocated', amount: shared.total }] : []),
    ...(shared.credits < 0 ? [{ label: 'credits & refunds', amount: shared.credits }] : []),
  ];
}

/**
 * TLS-passthrough connections and resource configurations: counts, lifetimes and data, apart from
 * request latency (a connection's duration is how long it stayed open). Absent when there are none.
 */
function connectionsSection(report: Report): BudgetTable | undefined {
  const lifetime = (l: ServiceReport['connectionMs']): string =>
    l ? `${formatLifetime(l.p50)} / ${formatLifetime(l.p99)}` : '–';
  const services = report.services
    .filter((s) => s.connections > 0)
    .sort((a, b) => b.connections - a.connections || compareText(a.name, b.name));
  const grouped = isGrouped(report);
  const where = (item: { arn: string; account?: string; region?: string }): string[] =>
    grouped ? [whereText(report, placeOf(item))] : [];
  const rows = [
    ...services.map((s) => [
      codeSpan(s.name || s.id),
      ...where(s),
      'TLS',
      formatInteger(s.connections),
      lifetime(s.connectionMs),
      '–',
      '–',
    ]),
    ...report.resourceConfigurations.map((r) => [
      codeSpan(r.name || r.id),
      ...where(r),
      'resource',
      formatInteger(r.connections),
      lifetime(r.connectionMs),
      formatGb(r.bytesIn + r.bytesOut),
      money(report, r.cost.total),
    ]),
  ];
  if (rows.length === 0) return undefined;
  return table(
    ['Connections to', ...(grouped ? ['Where'] : []), 'Kind', 'Connections', 'Open p50 / p99', 'GB', 'Cost'],
    ['l', ...(grouped ? ['l'] : []), 'l', 'r', 'r', 'r', 'r'],
    rows,
    0,
    {
      importance: (rank) => SERVICES_WEIGHT / (rank + 2),
      essential: () => false,
      omittedNote: (omitted) => `_… and ${plural(omitted, 'more')}, omitted ${SIZE_LIMIT_HINT}._`,
    },
  );
}

function costDelta(service: ServiceReport): string {
  if (service.previous === null) return '–';
  if (service.previous.cost.total === 0) return service.cost.total > 0 ? 'new' : '–';
  return formatDelta(service.cost.total, service.previous.cost.total);
}

function anomaliesDetails(
  report: Report,
  servicesByArn: Map<string, ServiceReport>,
): Array<string | BudgetTable> {
  const { anomalies } = report;
  const sorted = [...anomalies].sort(
    (a, b) =>
      anomalyUsd(b) - anomalyUsd(a) || Math.abs(b.score) - Math.abs(a.score) || compareText(b.date, a.date),
  );
  const rows = sorted.map((anomaly) => {
    const where = [
      ...(anomaly.where ? [codeSpan(anomaly.where, { maxLength: 60 })] : []),
      ...(anomaly.service ? [codeSpan(servicesByArn.get(anomaly.service)?.name || anomaly.service)] : []),
    ];
    return [
      formatDay(anomaly.date),
      where.length > 0 ? where.join(' · ') : '_account_',
      ANOMALY_METRIC_LABEL[anomaly.metric],
      anomalyValue(report, anomaly, anomaly.expected),
      anomalyValue(report, anomaly, anomaly.actual),
      anomalyImpact(report, anomaly),
      anomaly.source === 'aws-cad' ? 'AWS Cost Anomaly Detection' : 'our detector',
    ];
  });
  const onlyCost = anomalies.every((anomaly) => anomaly.metric === 'cost');
  const summary = `${onlyCost ? 'Cost anomalies' : 'Cost and usage anomalies'} (${formatInteger(anomalies.length)})`;
  return [
    `<details><summary>${summary}</summary>`,
    table(
      ['Date', 'Where', 'Metric', 'Expected', 'Actual', 'Impact', 'Source'],
      ['l', 'l', 'l', 'r', 'r', 'r', 'l'],
      rows,
      0,
      {
        importance: (rank) => ANOMALIES_WEIGHT / (rank + 1),
        essential: () => false,
        omittedNote: (omitted) =>
          `_… and ${plural(omitted, 'more anomaly', 'more anomalies')}, omitted ${SIZE_LIMIT_HINT}._`,
      },
    ),
    '</details>',
  ];
}

const ANOMALY_METRIC_LABEL: Record<Anomaly['metric'], string> = {
  cost: 'cost',
  requests: 'requests',
  p99: 'p99 latency',
  errorRate: 'error rate',
};

/** The anomaly's extra cost, which ranks anomalies of every metric on one scale. */
function anomalyUsd(anomaly: Anomaly): number {
  const usd = anomaly.impactUsd ?? (anomaly.metric === 'cost' ? anomaly.impact : 0);
  return Number.isFinite(usd) ? Math.abs(usd) : 0;
}

function anomalyValue(report: Report, anomaly: Anomaly, value: number): string {
  switch (anomaly.metric) {
    case 'cost':
      return money(report, value);
    case 'requests':
      return formatInteger(value);
    case 'p99':
      return `${formatMs(value)} ms`;
    case 'errorRate':
      return formatPercent(value);
  }
}

/** Differences of rates are percentage points, not percent. */
function anomalyDifference(report: Report, anomaly: Anomaly, difference: number): string {
  if (anomaly.metric === 'errorRate') return `${formatPercentNumber(difference)} pp`;
  return anomalyValue(report, anomaly, difference);
}

function anomalyImpact(report: Report, anomaly: Anomaly): string {
  const magnitude = (value: number): string => anomalyDifference(report, anomaly, value);
  let impact = formatSigned(anomaly.impact, magnitude);
  if (anomaly.expected > 0 && anomaly.metric !== 'errorRate') {
    impact += ` (${formatSigned(anomaly.impact / anomaly.expected, formatPercent)})`;
  }
  if (anomaly.metric !== 'cost' && anomaly.impactUsd !== undefined) {
    impact += ` · ${formatSigned(anomaly.impactUsd, (usd) => money(report, usd))}`;
  }
  return impact;
}

function methodDetails(report: Report): string[] {
  const { costBasis, source, run } = report;
  const paragraphs: string[] = ['<details><summary>How this was computed</summary>'];

  const metric = costBasis.metric ? ` (${codeSpan(costBasis.metric, { inTable: false })})` : '';
  const costText: Record<Report['costBasis']['method'], string> = {
    reconciled: `**Cost.** Each service's modelled charges (service-hours, GB processed, requests beyond the free tier) are scaled so that all services plus the shared line equal Cost Explorer's VPC Lattice total for the same days${metric}.`,
    'billed-per-resource': `**Cost.** On the days Cost Explorer gives per resource (${dayList(costBasis.billedPerResourceDays ?? [])}), each service's cost is what AWS billed for its ARN${metric}; on other days, and for services the bill does not name, modelled charges are scaled to Cost Explorer's VPC Lattice total.`,
    modelled:
      "**Cost.** Modelled from list prices and each service's own usage, not read from the bill, so it can differ from the invoice.",
  };
  paragraphs.push(
    `${costText[costBasis.method]} ${pricesSentence(costBasis.prices)}${usageTypesSentence(costBasis)}`,
  );
  const dayNotes: string[] = [];
  if (costBasis.estimatedDays.length > 0) {
    dayNotes.push(`Days still estimated by Cost Explorer: ${dayList(costBasis.estimatedDays)}.`);
  }
  if (costBasis.missingDays.length > 0) {
    dayNotes.push(`Days Cost Explorer did not cover, modelled instead: ${dayList(costBasis.missingDays)}.`);
  }
  if (dayNotes.length > 0) paragraphs.push(dayNotes.join(' '));

  paragraphs.push(
    '**Latency.** Percentiles come from a log-bucketed histogram and are within 1 % of the exact value. Requests denied by an auth policy are counted, but kept out of latency. A TLS-passthrough connection is counted with the requests (Lattice bills it the same way), but its duration is how long it stayed open, so it is shown under connections and never judged as latency.',
    '**Errors.** The error rate is 5xx responses plus gRPC calls that failed on the server side (status UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE or DATA_LOSS, the codes gRPC maps to 5xx), over requests and calls; connections have no status.',
  );

  const tls = report.services.some((service) => service.connections > 0);
  if (tls || report.resourceConfigurations.length > 0) {
    const resources =
      costBasis.method !== 'modelled'
        ? 'Cost Explorer does not split that charge by resource configuration, so the billed amount is in the shared line and the modelled one is not added to the total.'
        : 'It is included in the total.';
    paragraphs.push(
      [
        '**Connections.**',
        ...(tls
          ? [
              "Kind TLS: a service's TLS-passthrough connections; their data and cost are in the services table.",
            ]
          : []),
        ...(report.resourceConfigurations.length > 0
          ? [
              `Kind resource: a resource configuration, billed per hour and per GB processed; its cost is modelled from list prices. ${resources}`,
            ]
          : []),
      ].join(' '),
    );
  }

  const origin =
    source.kind === 'files'
      ? `${plural(source.files.length, 'log file')} ${filesListed(source.files)}`
      : `Logs Insights over ${plural(source.logGroups.length, 'log group')} (${listed(source.logGroups)})`;
  const malformed =
    source.malformed > 0
      ? `; ${plural(source.malformed, 'malformed line')} counted and skipped${source.malformedSamples.length > 0 ? ', for example:' : '.'}`
      : '; no malformed lines.';
  paragraphs.push(`**Data.** ${plural(source.records, 'record')} from ${origin}${malformed}`);
  if (source.malformed > 0 && source.malformedSamples.length > 0) {
    paragraphs.push(
      source.malformedSamples
        .slice(0, MAX_LISTED)
        .map(
          (sample) =>
            `- ${codeSpan(sample.file, { inTable: false })}:${Number.isFinite(sample.line) ? Math.trunc(sample.line) : '?'} — ${markdownText(sample.reason, { maxLength: 160 })}`,
        )
        .join('\n'),
    );
  }

  const calls: string[] = [];
  if (run.insights.queries > 0) {
    // Query ids change with every run, so they belong here rather than with the data.
    const ids = source.queryIds.length > 0 ? ` (${listed(source.queryIds)})` : '';
    calls.push(
      `scanned ${formatDataSize(run.insights.bytesScanned)} with Logs Insights in ${plural(run.insights.queries, 'query', 'queries')}${ids}`,
    );
  }
  if (run.costExplorer.requests > 0) {
    calls.push(`made ${plural(run.costExplorer.requests, 'Cost Explorer request')}`);
  }
  paragraphs.push(
    `${THIS_RUN} ${calls.length > 0 ? calls.join(' and ') : 'made no billed AWS requests'}: about ${formatUsd(run.estimatedRunCostUsd)}.`,
  );
  if (run.cache) {
    const c = run.cache;
    paragraphs.push(
      `${CACHE} ${plural(c.logDaysHit, 'settled day')} of logs came from earlier runs and ` +
        `${plural(c.logDaysScanned, 'day')} were scanned, avoiding ${formatDataSize(c.bytesAvoided)} of Logs Insights scans; ` +
        `${plural(c.costDaysHit, 'Cost Explorer day')} came from the cache and ${plural(c.costExplorerRequestsAvoided, 'request')} ` +
        `were not needed. Saved about ${formatUsd(c.savedUsd)}.`,
    );
  }

  if (report.warnings.length > 0) {
    const shown = report.warnings
      .slice(0, MAX_WARNINGS)
      .map((warning) => `- ${markdownText(warning, { maxLength: 300 })}`);
    const more = report.warnings.length - shown.length;
    if (more > 0) shown.push(`- … and ${plural(more, 'more warning')} in report.json`);
    paragraphs.push(`**Warnings**\n\n${shown.join('\n')}`);
  }

  paragraphs.push(
    `${GENERATED} ${markdownText(report.generatedAt, { maxLength: 40 })} by ${markdownText(`${report.tool.name} ${report.tool.version}`, { maxLength: 60 })}, report schema ${report.schemaVersion}.`,
  );
  paragraphs.push('</details>');
  return paragraphs;
}

const PRICE_SOURCES: Record<Report['costBasis']['prices'][string]['source'], string> = {
  'aws-price-list': 'the AWS Price List API',
  'price-list-file': 'the price-list file given',
  'price-file': 'the price file given',
  'built-in': "this tool's built-in table (the VPC Lattice pricing page)",
  'us-east-1-fallback': "us-east-1's built-in prices, as none are known for the region",
};

function pricesSentence(prices: Report['costBasis']['prices']): string {
  const regions = Object.keys(prices).sort(compareText);
  if (regions.length === 0) return '';
  const described = regions.map((region) => {
    const price = prices[region];
    if (price === undefined) return '';
    const published = price.published ? `, published ${formatDay(price.published)}` : '';
    return `${codeSpan(region, { inTable: false, maxLength: 30 })}: ${formatUnitPrice(price.serviceHour)} per service-hour, ${formatUnitPrice(price.perGB)} per GB, ${formatUnitPrice(price.perMillionRequests)} per million requests beyond ${formatInteger(price.freeRequestsPerHour)} free per service per hour, from ${PRICE_SOURCES[price.source]}${published}`;
  });
  return `Prices used: ${described.join('; ')}.`;
}

/** How the bill's usage types were told apart, when some were guessed from their names. */
function usageTypesSentence(costBasis: Report['costBasis']): string {
  const byName = (costBasis.usageTypes ?? []).filter((u) => u.from === 'name').map((u) => u.usageType);
  if (byName.length === 0) return '';
  return ` Usage types classified by their names, as no price list named them: ${listed(byName)}.`;
}

function dayList(days: string[]): string {
  const shown = days.slice(0, 10).map((day) => formatDay(day));
  return days.length > shown.length
    ? `${shown.join(', ')} and ${formatInteger(days.length - shown.length)} more`
    : shown.join(', ');
}

function listed(values: string[]): string {
  const shown = values.slice(0, MAX_LISTED).map((value) => codeSpan(value, { inTable: false }));
  if (values.length > shown.length) shown.push(`and ${formatInteger(values.length - shown.length)} more`);
  return shown.join(', ');
}

/** A few files by name; many files by the directory they share, since S3 names differ only at the end. */
function filesListed(files: string[]): string {
  if (files.length <= MAX_LISTED) return `(${listed(files)})`;
  const parts = files.map((f) => f.split('/'));
  const common: string[] = [];
  for (let i = 0; parts.every((p) => i < p.length - 1 && p[i] === parts[0]![i]); i++)
    common.push(parts[0]![i]!);
  return common.length > 0 && common.join('/') !== ''
    ? `under ${codeSpan(`${common.join('/')}/`, { inTable: false })}`
    : `(${listed(files)})`;
}

/** A table row with its own ranking, for tables whose rows are not in order of importance. */
interface TableRow {
  cells: string[];
  importance: number;
  essential: boolean;
  pinned?: boolean;
}

interface RowRanking {
  importance: (rank: number) => number;
  essential: (rank: number) => boolean;
  omittedNote: (omitted: number) => string;
}

/** A GFM table whose rows are ranked by their position: the first row is the most important. */
function table(
  header: string[],
  align: string[],
  rows: string[][],
  footRows: number,
  ranking: RowRanking,
): BudgetTable {
  const ranked = rows.slice(0, rows.length - footRows).map((cells, rank) => ({
    cells,
    importance: ranking.importance(rank),
    essential: ranking.essential(rank),
  }));
  return tableOf(header, align, ranked, rows.slice(rows.length - footRows), ranking.omittedNote);
}

/**
 * Builds a GFM table with markdown-table; the `foot` rows are always kept. Delimiters are not
 * padded, so each row's text stands alone and rows can be left out without re-rendering.
 */
function tableOf(
  header: string[],
  align: string[],
  rows: TableRow[],
  foot: string[][],
  omittedNote: (omitted: number) => string,
): BudgetTable {
  const lines = markdownTable([header, ...rows.map((row) => row.cells), ...foot], {
    align,
    alignDelimiters: false,
  }).split('\n');
  const bodyLines = lines.slice(2);
  const trimmableRows: BudgetRow[] = rows.map((row, index) => ({
    line: bodyLines[index] ?? '',
    importance: row.importance,
    essential: row.essential,
    ...(row.pinned ? { pinned: true } : {}),
  }));
  return {
    head: lines.slice(0, 2).join('\n'),
    rows: trimmableRows,
    ...(foot.length > 0 ? { foot: bodyLines.slice(rows.length).join('\n') } : {}),
    omittedNote,
  };
}
