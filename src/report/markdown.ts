/**
 * The Markdown report: what a platform lead reads on a phone. Order and density: headline,
 * findings, services, charts, then collapsed detail. Every string that
 * came from logs or AWS is escaped here (see escape.ts); numbers are formatted in format.ts.
 */
import { markdownTable } from 'markdown-table';

import { headlineParts, money } from './headline.js';
import { fitToBudget, type BudgetBlock, type BudgetRow, type BudgetTable } from './budget.js';
import { chartMarkdown, dailyCostChart, dailyRequestsChart } from './charts.js';
import { callersMarkdown, serviceCallersMarkdown } from './callers.js';
import { codeSpan, htmlText, markdownText } from './escape.js';
import { compareText } from '../model/compare.js';
import {
  accountGroups,
  accountLabel,
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
  formatPercentNumber,
  formatUnitPrice,
  formatUsd,
  formatWindow,
  plural,
} from './format.js';
import { type Severity, severityRank } from '../model/findings.js';
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
// Collapsed detail for the costliest services; a large estate's full list is in report.json.
const MAX_SERVICE_DETAILS = 20;

// Above this many services the tables list what a reader acts on and sum the rest: a row per
// service stops being read long before GitHub's limits are reached.
const LARGE_ESTATE_SERVICES = 50;
const MAX_TOP_SERVICES = 50;
const MAX_FINDING_SERVICES = 50;
// Critical findings are all listed; of the rest, this many, most severe and largest saving first.
const MAX_OTHER_FINDINGS = 50;

// Indents the rows of a group under its heading; GitHub trims plain spaces from table cells.
const INDENT = '&emsp;';

const SEVERITY_ICON: Record<Severity, string> = { critical: '🔴', warning: '🟠', info: '🔵' };

// Cross-table trimming order: a row's importance is its table's weight divided by its rank in that
// table, so every table shrinks in proportion (3 findings and 2 services kept per anomaly) and the
// least important row overall goes first; critical findings and the top services are essential.
const FINDINGS_WEIGHT = 3;
const SERVICES_WEIGHT = 2;
const ESSENTIAL_TOP_SERVICES = 3;

// Optional blocks, dropped lowest rank first when rows alone cannot make the report fit.
const DROP_SERVICE_DETAILS = 1;
const DROP_REQUESTS_CHART = 2;
const DROP_COST_CHART = 3;
const DROP_CALLERS = 4;
const DROP_METHOD_DETAILS = 5;

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
  return fitMarkdown(report, options).markdown;
}

/** A rendering and whether the budget had to leave anything out to fit it. */
export interface FittedMarkdown {
  markdown: string;
  trimmed: boolean;
}

/** renderMarkdown, also saying whether rows, blocks or the tail were left out to fit `maxChars`. */
export function fitMarkdown(report: Report, options: RenderOptions = {}): FittedMarkdown {
  const suffix = options.marker === undefined ? '' : markerComment(options.marker);
  const maxChars = options.maxChars ?? Infinity;
  if (Number.isNaN(maxChars) || maxChars < 1) {
    throw new RangeError(`maxChars must be positive, got ${maxChars}`);
  }
  const fitted = fitToBudget(reportBlocks(report, options), {
    maxChars,
    suffix,
    droppedBlocksNote: `_Some charts or details were omitted ${SIZE_LIMIT_HINT}._`,
    truncatedNote: `_… truncated ${SIZE_LIMIT_HINT}._`,
  });
  return {
    markdown: fitted.markdown,
    trimmed: fitted.omittedRows > 0 || fitted.droppedBlocks > 0 || fitted.truncated,
  };
}

/** Services with a row of their own in the services table (before any size budget), of how many. */
export function listedServiceCount(report: Report): { listed: number; total: number } {
  const listing = largeEstateListing(report, [...report.services].sort(compareServices));
  const total = report.services.length;
  return { listed: listing?.listed.size ?? total, total };
}

interface Listing {
  /** The services with a row of their own: the costliest, then those with findings. */
  listed: Set<ServiceReport>;
  top: number;
  withFindings: number;
}

/**
 * For a large estate, the services worth a row: the costliest, and those with the most severe
 * findings (then the costliest of them); undefined when every service gets a row.
 */
function largeEstateListing(report: Report, sorted: ServiceReport[]): Listing | undefined {
  if (sorted.length <= LARGE_ESTATE_SERVICES) return undefined;
  const worst = new Map<string, number>();
  for (const finding of report.findings) {
    if (finding.service === undefined) continue;
    const level = severityRank(finding.severity);
    worst.set(finding.service, Math.min(level, worst.get(finding.service) ?? level));
  }
  const top = sorted.slice(0, MAX_TOP_SERVICES);
  const listed = new Set(top);
  const flagged = sorted
    .filter((service) => !listed.has(service) && worst.has(service.arn))
    .sort((a, b) => (worst.get(a.arn) ?? 0) - (worst.get(b.arn) ?? 0) || compareServices(a, b))
    .slice(0, MAX_FINDING_SERVICES);
  for (const service of flagged) listed.add(service);
  return { listed, top: top.length, withFindings: flagged.length };
}

function reportBlocks(report: Report, options: RenderOptions): BudgetBlock[] {
  const servicesByArn = new Map(report.services.map((service) => [service.arn, service]));
  const byCost = [...report.services].sort(compareServices);
  const blocks: BudgetBlock[] = [
    { parts: [heading(report, options), headlineParts(report, (text) => `**${text}**`).join(' · ')] },
  ];
  const callout = coverageCallout(report);
  if (callout) blocks.push({ parts: [callout] });
  if (report.findings.length > 0) blocks.push({ parts: findingsSection(report, servicesByArn) });
  blocks.push({ parts: [periodNote(report)] });
  blocks.push({ parts: servicesSection(report, byCost) });
  const connections = connectionsSection(report);
  if (connections) blocks.push({ parts: [connections] });
  const details = serviceDetails(report, byCost);
  if (details.length > 0) blocks.push({ parts: details, dropRank: DROP_SERVICE_DETAILS });
  const costChart = dailyCostChart(report);
  if (costChart) blocks.push({ parts: [chartMarkdown(costChart)], dropRank: DROP_COST_CHART });
  const requestsChart = dailyRequestsChart(report);
  if (requestsChart) blocks.push({ parts: [chartMarkdown(requestsChart)], dropRank: DROP_REQUESTS_CHART });
  const callers = callersMarkdown(report);
  if (callers) blocks.push({ parts: [callers], dropRank: DROP_CALLERS });
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

function findingsSection(
  report: Report,
  servicesByArn: Map<string, ServiceReport>,
): Array<BudgetTable | string> {
  const serviceName = (finding: Finding): string => {
    if (finding.service === undefined) return '';
    return servicesByArn.get(finding.service)?.name || finding.service;
  };
  // report.findings is already in the one order of findings (analysis/findings.ts compareFindings).
  let sorted = report.findings;
  let rest: Finding[] = [];
  const critical = sorted.filter((finding) => finding.severity === 'critical');
  if (report.services.length > LARGE_ESTATE_SERVICES) {
    const others = sorted.filter((finding) => finding.severity !== 'critical');
    sorted = [...critical, ...others.slice(0, MAX_OTHER_FINDINGS)];
    rest = others.slice(MAX_OTHER_FINDINGS);
  }
  // Over several accounts or regions, each finding also says where its service lives.
  const grouped = isGrouped(report);
  const where = (finding: Finding): string[] =>
    grouped ? [findingWhere(report, finding, servicesByArn)] : [];
  // The service leads its finding's cell: a column of its own would wrap every name at ~760 px.
  const rows = sorted.map((finding) => [
    SEVERITY_ICON[finding.severity],
    `${finding.service === undefined ? '_all services_' : codeSpan(serviceName(finding))} · ${markdownText(finding.message, { maxLength: 200 })}`,
    ...where(finding),
    findingImpact(report, finding),
  ]);
  const header = ['', 'Finding', ...(grouped ? ['Where'] : []), 'Impact'];
  const findings = table(header, ['c', 'l', ...(grouped ? ['l'] : []), 'l'], rows, 0, {
    importance: (rank) => FINDINGS_WEIGHT / (rank + 1),
    essential: (rank) => sorted[rank]?.severity === 'critical',
    omittedNote: (omitted) => `_… and ${plural(omitted, 'more finding')}, omitted ${SIZE_LIMIT_HINT}._`,
  });
  if (rest.length === 0) return [findings];
  const listedFindings =
    critical.length > 0
      ? `Every critical finding and the ${formatInteger(MAX_OTHER_FINDINGS)} most pressing others are`
      : `The ${formatInteger(MAX_OTHER_FINDINGS)} most pressing findings are`;
  return [
    findings,
    `_${listedFindings} listed; ${plural(rest.length, 'more finding')} in report.json: ${findingKinds(report, rest)}._`,
  ];
}

/** The findings not listed, by kind, most first: how many, at the worst severity, and what they save. */
function findingKinds(report: Report, findings: Finding[]): string {
  const kinds = new Map<string, { count: number; worst: Severity; savings: number }>();
  for (const f of findings) {
    const k = kinds.get(f.kind) ?? { count: 0, worst: f.severity, savings: 0 };
    k.count += 1;
    if (severityRank(f.severity) < severityRank(k.worst)) k.worst = f.severity;
    k.savings += f.estimatedMonthlySavings ?? 0;
    kinds.set(f.kind, k);
  }
  return [...kinds]
    .sort(
      ([a, x], [b, y]) =>
        severityRank(x.worst) - severityRank(y.worst) || y.count - x.count || compareText(a, b),
    )
    .map(
      ([kind, k]) =>
        `${SEVERITY_ICON[k.worst]} ${formatInteger(k.count)} ${kind}` +
        (k.savings > 0 ? ` (save ${money(report, k.savings)}/mo in all)` : ''),
    )
    .join(', ');
}

/** Said once, and kept to: every amount is the window's unless it says /mo or names a day. */
function periodNote(report: Report): string {
  return `_Amounts are for the ${plural(report.window.days, 'day')} of the window; /mo marks a month at the same rate, and a day's amount names its day._`;
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

/** `sorted`: the report's services by compareServices. */
function servicesSection(report: Report, sorted: ServiceReport[]): Array<BudgetTable | string> {
  const { services, shared, totals } = report;
  if (services.length === 0 && !(shared.total > 0))
    return ['_No VPC Lattice services with traffic or cost in this window._'];
  // The backend column appears only when cost-tag-key found backend costs.
  const withBackend = services.some((service) => service.backendCost !== undefined);
  const backend = (cell: string): string[] => (withBackend ? [cell] : []);
  // The columns that decide, narrow enough for an issue comment (~760 px); the rest is per service below.
  const serviceRow = (service: ServiceReport, indent = ''): string[] => [
    `${indent}${codeSpan(service.name || service.id || service.arn)}`,
    money(report, service.cost.total),
    costDelta(service),
    ...backend(service.backendCost === undefined ? '–' : money(report, service.backendCost)),
    formatInteger(service.requests),
    service.requests - service.connections > 0 ? formatPercentNumber(service.errorRate) : '–',
    service.latencyMs ? formatMs(service.latencyMs.p99) : '–',
  ];
  const costRow = (label: string, amount: number): string[] => [
    label,
    money(report, amount),
    '',
    ...backend(''),
    '',
    '',
    '',
  ];
  const sumOf = (list: ServiceReport[], pick: (s: ServiceReport) => number): number =>
    list.reduce((t, s) => t + pick(s), 0);
  const connections = sumOf(services, (s) => s.connections);
  const answered = totals.requests - connections;
  const fleetErrorRate = errorRate(totals.requests, connections, sumOf(services, serverErrors));
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
    `**${money(report, totals.cost)}**`,
    totals.previous ? `**${formatDelta(totals.cost, totals.previous.cost)}**` : '–',
    ...backend(''),
    `**${formatInteger(totals.requests)}**`,
    answered > 0 ? `**${formatPercentNumber(fleetErrorRate)}**` : '',
    '',
  ];
  const header = ['Service', 'Cost', 'Δ cost', ...backend('Backend $'), 'Requests', '5xx %', 'p99 ms'];
  const align = ['l', 'r', 'r', ...backend('r'), 'r', 'r', 'r'];
  const importance = (rank: number): number => SERVICES_WEIGHT / (rank + 1);
  const essential = (rank: number): boolean => rank < ESSENTIAL_TOP_SERVICES;
  const listing = largeEstateListing(report, sorted);
  const isListed = (service: ServiceReport): boolean => listing === undefined || listing.listed.has(service);
  // Services without a row of their own, summed unrounded and rounded once, like every subtotal: the
  // amount is what they cost, not the sum of their rounded rows.
  const othersRow = (label: string, hidden: ServiceReport[]): string[] => {
    const add = (pick: (s: ServiceReport) => number): number => sumOf(hidden, pick);
    const cost = add((s) => s.cost.total);
    const previous = hidden.every((s) => s.previous !== null) ? add((s) => s.previous?.cost.total ?? 0) : 0;
    const requests = add((s) => s.requests);
    const connections = add((s) => s.connections);
    return [
      label,
      money(report, cost),
      previous > 0 ? formatDelta(cost, previous) : '–',
      ...backend(
        money(
          report,
          add((s) => s.backendCost ?? 0),
        ),
      ),
      formatInteger(requests),
      requests - connections > 0
        ? formatPercentNumber(errorRate(requests, connections, add(serverErrors)))
        : '–',
      '–',
    ];
  };
  const othersLabel = (count: number): string => `_${plural(count, 'other service')}_`;
  const listingNote = (where: string): string[] => {
    if (listing === undefined) return [];
    const hidden = services.length - listing.listed.size;
    const withFindings =
      listing.withFindings > 0 ? ` and ${plural(listing.withFindings, 'more service')} with findings` : '';
    return [
      `_Listed: the ${formatInteger(listing.top)} costliest services${withFindings}. The other ${formatInteger(hidden)} of ${formatInteger(services.length)} are summed ${where}; report.json has every service._`,
    ];
  };

  if (isGrouped(report)) {
    const rank = new Map(sorted.map((service, index) => [service, index]));
    const rows: TableRow[] = [];
    const pinned = (cells: string[]): void => {
      rows.push({ cells, importance: Infinity, essential: true, pinned: true });
    };
    const subtotal = (
      label: string,
      group: { requests: number; cost: number },
      style: (text: string) => string,
    ): string[] => [
      label,
      style(money(report, group.cost)),
      '',
      ...backend(''),
      style(formatInteger(group.requests)),
      '',
      '',
    ];
    const notRead = (label: string): string[] => [label, '–', '', ...backend(''), '–', '', ''];
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
        for (const service of region.services.filter(isListed)) {
          const at = rank.get(service) ?? sorted.length;
          rows.push({
            cells: serviceRow(service, `${INDENT}${INDENT}`),
            importance: importance(at),
            essential: essential(at),
          });
        }
        const hidden = region.services.filter((service) => !isListed(service));
        if (hidden.length > 0) pinned(othersRow(`${INDENT}${INDENT}${othersLabel(hidden.length)}`, hidden));
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
      ...listingNote('in an “other services” row under their account and region'),
    ];
  }

  const footRows = [...sharedLines(report.shared).map((l) => costRow(`_${l.label}_`, l.amount)), totalRow];
  const omittedNote = (omitted: number): string =>
    `_… and ${plural(omitted, 'more service')}, omitted ${SIZE_LIMIT_HINT}._`;
  if (listing === undefined) {
    const rows = sorted.map((service) => serviceRow(service));
    return [
      table(header, align, [...rows, ...footRows], footRows.length, { importance, essential, omittedNote }),
    ];
  }
  // Listed services by cost (those with findings are the cheaper ones, so they follow the costliest),
  // then the rest in one pinned row: ungrouped, the report has one account and one region.
  const rows: TableRow[] = sorted.filter(isListed).map((service, at) => ({
    cells: serviceRow(service),
    importance: importance(at),
    essential: essential(at),
  }));
  const hidden = sorted.filter((service) => !isListed(service));
  if (hidden.length > 0) {
    rows.push({
      cells: othersRow(othersLabel(hidden.length), hidden),
      importance: Infinity,
      essential: true,
      pinned: true,
    });
  }
  return [tableOf(header, align, rows, footRows, omittedNote), ...listingNote('in the “other services” row')];
}

/**
 * What the narrow table leaves out, one collapsed section per service, costliest first (`sorted`,
 * by compareServices): the cost split by charge, latency percentiles, responses, data, the
 * previous window and the top callers.
 */
function serviceDetails(report: Report, sorted: ServiceReport[]): string[] {
  const idle = new Set(
    report.findings.filter((f) => f.kind === 'idle-service' && f.service).map((f) => f.service!),
  );
  const days = plural(report.window.days, 'day');
  const more = sorted.length - MAX_SERVICE_DETAILS;
  const note = more > 0 ? [`_The other ${plural(more, 'service')} are detailed in report.json._`] : [];
  return sorted
    .slice(0, MAX_SERVICE_DETAILS)
    .map((service) => {
      const name = service.name || service.id || service.arn;
      const { cost } = service;
      const bytes = service.bytesIn + service.bytesOut;
      const perMillion = idle.has(service.arn)
        ? 'idle, so no cost per request'
        : service.costPerMillionRequests === null
          ? 'no requests'
          : `${money(report, service.costPerMillionRequests)} per million requests`;
      const lines = [
        `**Cost in ${days}** ${money(report, cost.total)}: ${money(report, cost.hours)} service-hours · ${money(report, cost.data)} data (${formatGb(bytes)} GB) · ${money(report, cost.requests)} requests; ${perMillion}`,
      ];
      const latency = service.latencyMs;
      if (latency) {
        lines.push(
          `**Latency** p50 ${formatMs(latency.p50)} ms · p90 ${formatMs(latency.p90)} ms · p99 ${formatMs(latency.p99)} ms`,
        );
      }
      const answered = service.requests - service.connections;
      if (answered > 0) {
        const { status } = service;
        const classes = (['2xx', '3xx', '4xx', '5xx'] as const)
          .filter((cls) => status[cls] > 0)
          .map((cls) => `${cls} ${formatInteger(status[cls])}`);
        if (service.grpcCalls > 0) {
          classes.push(
            `${plural(service.grpcCalls, 'gRPC call')}, ${formatInteger(service.grpcErrors)} failed on the server`,
          );
        }
        if (service.authDenied > 0)
          classes.push(`${formatInteger(service.authDenied)} denied by the auth policy`);
        if (classes.length > 0) lines.push(`**Responses** ${classes.join(' · ')}`);
      }
      if (service.connections > 0) {
        lines.push(`**Connections** ${formatInteger(service.connections)} (TLS passthrough)`);
      }
      const before = service.previous;
      if (before) {
        lines.push(
          `**Previous ${days}** ${money(report, before.cost.total)} · ${plural(before.requests, 'request')}` +
            (before.latencyMs ? ` · p99 ${formatMs(before.latencyMs.p99)} ms` : ''),
        );
      }
      const summary = `<code>${htmlText(name)}</code> · ${money(report, cost.total)} · ${plural(service.requests, 'request')}`;
      const callers = serviceCallersMarkdown(report, service);
      return [
        `<details><summary>${summary}</summary>`,
        '',
        ...lines.map((line) => `- ${line}`),
        ...(callers ? ['', callers] : []),
        '',
        '</details>',
      ].join('\n');
    })
    .concat(note);
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

function methodDetails(report: Report): string[] {
  const { costBasis, source, run } = report;
  const paragraphs: string[] = ['<details><summary>How this was computed</summary>'];

  const metric = costBasis.metric ? ` (${codeSpan(costBasis.metric, { inTable: false })})` : '';
  const costText: Record<Report['costBasis']['method'], string> = {
    reconciled: `**Cost.** Each service's modelled charges (service-hours, GB processed, requests beyond the free tier) are scaled so that all services${report.shared.total > 0 ? ' plus the shared & unallocated line' : ''} equal Cost Explorer's VPC Lattice total for the same days${metric}.`,
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

  const origins =
    source.kind === 'files'
      ? [`${plural(source.files.length, 'log file')} ${filesListed(source.files)}`]
      : [
          ...(source.logGroups.length > 0 || !source.s3
            ? [
                `Logs Insights over ${plural(source.logGroups.length, 'log group')} (${listed(source.logGroups)})`,
              ]
            : []),
          ...(source.s3 ?? []).map(
            (s) =>
              `${listed([s.location])} (${plural(s.roots.length, 'log root')}) through the Athena table ${listed([s.table])}`,
          ),
        ];
  const origin = origins.join(' and ');
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
  if (run.athena && run.athena.queries > 0) {
    calls.push(
      `scanned ${formatDataSize(run.athena.bytesScanned)} with Athena in ${plural(run.athena.queries, 'query', 'queries')}`,
    );
  }
  if (run.s3Direct && run.s3Direct.days > 0) {
    calls.push(
      `read ${plural(run.s3Direct.days, 'delivery day')} (${plural(run.s3Direct.objects, 'object')}, ${formatDataSize(run.s3Direct.bytesRead)}) from S3 itself`,
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
        `${plural(c.logDaysScanned, 'day')} were scanned, avoiding ${formatDataSize(c.bytesAvoided)} of ${run.athena ? 'Athena' : 'Logs Insights'} scans; ` +
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
