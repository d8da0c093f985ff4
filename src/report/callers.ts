/**
 * "Who drives the cost": the callers of the network's services (report.callers and each service's
 * callers), as a narrow table and a Mermaid flowchart of the heaviest caller → service edges.
 *
 * A Mermaid block is code GitHub's renderer runs, so its labels are built only from validated
 * text: VPC ids, 12-digit accounts, service names that follow Lattice's naming rule (else the
 * service id), dollar amounts and fixed words; mermaidLabel() refuses anything else. Table cells go
 * through the escaping helpers like every other string of the report.
 */
import { markdownTable } from 'markdown-table';
import type { CallerReport, Report, ServiceReport } from '../model/report.js';
import { codeSpan } from './escape.js';
import { formatGb, formatInteger, formatPercentNumber, formatUsd, plural } from './format.js';
import { compareText } from '../model/compare.js';

/** Rows of the network table before the rest are summed into one row. */
const TOP_CALLERS = 10;
/** Rows of one service's table before the rest are summed into one row. */
const TOP_SERVICE_CALLERS = 5;
/** Caller → service edges in the flowchart. */
const TOP_EDGES = 12;

const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;
const ACCOUNT = /^[0-9]{12}$/;
/**
 * Lattice's service naming rule (VPC Lattice API reference, CreateService `name`: a-z, 0-9 and
 * hyphens, no hyphen first or last; 3-40 characters). A little looser than the documented rule
 * (it lets `--` through), which is still safe for Mermaid.
 */
const SERVICE_NAME = /^[a-z0-9]([a-z0-9-]{1,38}[a-z0-9])?$/;
const SERVICE_ID = /^svc-[0-9a-z]{1,32}$/;
const MERMAID_LABEL = /^[A-Za-z0-9 .$,()/-]+$/;

/**
 * Throws unless `label` is plain text Mermaid cannot read as syntax or markup: letters, digits,
 * space and `.$,()/-` only. The last guard before a label reaches the flowchart.
 * @testseam
 */
export function mermaidLabel(label: string): string {
  if (!MERMAID_LABEL.test(label)) {
    throw new Error(
      `Refusing a Mermaid label outside [A-Za-z0-9 .$,()/-]: ${JSON.stringify(label.slice(0, 40))}`,
    );
  }
  return label;
}

type CallerParts = Pick<CallerReport, 'key' | 'vpcId' | 'vpcAccount' | 'principalAccount'>;

const valid = (value: string | null, pattern: RegExp): string | null =>
  value !== null && pattern.test(value) ? value : null;

/**
 * A caller in words from its validated parts only (a report read back is checked again): its VPC
 * with the VPC's owner, and the principal's account when it differs from that owner.
 */
function callerWords(c: CallerParts): { vpc: string; principal: string } | null {
  if (c.key === 'other') return null;
  const vpcId = valid(c.vpcId, VPC_ID);
  const owner = valid(c.vpcAccount, ACCOUNT);
  const account = valid(c.principalAccount, ACCOUNT);
  return {
    vpc: vpcId ? (owner ? `${vpcId} (${owner})` : vpcId) : 'unknown VPC',
    principal: account === null ? 'unsigned' : account === owner ? '' : `as ${account}`,
  };
}

function callerCell(c: CallerParts): string {
  const words = callerWords(c);
  if (!words) return '_other callers_';
  return words.principal ? `${codeSpan(words.vpc)}, ${words.principal}` : codeSpan(words.vpc);
}

function serviceLabel(s: Pick<ServiceReport, 'name' | 'id'>): string {
  if (SERVICE_NAME.test(s.name)) return s.name;
  return SERVICE_ID.test(s.id) ? s.id : 'service';
}

/** Plain ASCII dollars for Mermaid: `$1,234.56`. */
function mermaidUsd(amount: number): string {
  const [whole, cents] = Math.abs(amount).toFixed(2).split('.') as [string, string];
  return `${amount < 0 ? '-' : ''}$${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents}`;
}

function errorPercent(c: Pick<CallerReport, 'requests' | 'errors'>): string {
  return c.requests > 0 ? formatPercentNumber(c.errors / c.requests) : '–';
}

interface Row {
  requests: number;
  bytes: number;
  errors: number;
  cost: number;
}

const sum = (rows: Row[]): Row =>
  rows.reduce(
    (t, r) => ({
      requests: t.requests + r.requests,
      bytes: t.bytes + r.bytes,
      errors: t.errors + r.errors,
      cost: Math.round((t.cost + r.cost) * 100) / 100,
    }),
    { requests: 0, bytes: 0, errors: 0, cost: 0 },
  );

const share = (cost: number, of: number): string => (of > 0 ? formatPercentNumber(cost / of) : '–');

/** Requests, GB, 5xx %, cost and share of `of`: the numbers of every caller row. */
const numbers = (r: Row, of: number, currency: string): string[] => [
  formatInteger(r.requests),
  formatGb(r.bytes),
  errorPercent(r),
  formatUsd(r.cost, currency),
  share(r.cost, of),
];

const NOTE =
  "A caller is a source VPC, with the principal's account when a signed request came from another " +
  "account (unsigned: no principal). Its cost is its share of each service's data and request charges, " +
  'by its bytes and requests; the hourly charge stays with the service owner. At most %BOUND% callers ' +
  'per service and day are kept, the rest counted as “other”.';

/** The "Who drives the cost" section, or '' when the report names no callers. */
export function callersMarkdown(report: Report): string {
  const network = report.callers;
  if (!network || network.callers.length === 0) return '';
  const currency = report.costBasis.currency;
  const total = network.variableCost;
  const named = network.callers.filter((c) => c.key !== 'other');
  const top = named.slice(0, TOP_CALLERS);
  const rest = network.callers.filter((c) => !top.includes(c));
  const rows: string[][] = top.map((c) => [
    callerCell(c),
    formatInteger(c.services),
    ...numbers(c, total, currency),
  ]);
  if (rest.length > 0) {
    const others = rest.filter((c) => c.key !== 'other').length;
    const label = others > 0 ? `_${plural(others, 'other caller')} and the rest_` : '_other callers_';
    rows.push([label, '', ...numbers(sum(rest), total, currency)]);
  }
  const all = sum(network.callers);
  rows.push([
    '**Total**',
    '',
    `**${formatInteger(all.requests)}**`,
    `**${formatGb(all.bytes)}**`,
    errorPercent(all),
    `**${formatUsd(all.cost, currency)}**`,
    total > 0 ? '**100**' : '–',
  ]);
  const table = markdownTable(
    [['Caller VPC (owner)', 'Services', 'Requests', 'GB', '5xx %', 'Cost', 'Share %'], ...rows],
    { align: ['l', 'r', 'r', 'r', 'r', 'r', 'r'], alignDelimiters: false },
  );
  const parts = ['### Who drives the cost', table, `_${NOTE.replace('%BOUND%', String(network.bound))}_`];
  const chart = callersFlowchart(report);
  if (chart) parts.push(`\`\`\`mermaid\n${chart}\n\`\`\``);
  return parts.join('\n\n');
}

/**
 * The heaviest caller → service edges by cost (then requests) as a Mermaid flowchart, or '' when
 * no edge drove a cent. Ids are generated; labels pass mermaidLabel().
 */
function callersFlowchart(report: Report): string {
  const edges = report.services
    // An edge that drove less than a cent would only crowd the ones that matter.
    .flatMap((s) =>
      (s.callers ?? []).filter((c) => c.key !== 'other' && c.cost >= 0.005).map((c) => ({ s, c })),
    )
    .sort(
      (a, b) =>
        b.c.cost - a.c.cost ||
        b.c.requests - a.c.requests ||
        compareText(a.c.key, b.c.key) ||
        compareText(a.s.arn, b.s.arn),
    )
    .slice(0, TOP_EDGES);
  if (edges.length === 0) return '';
  const callerIds = new Map<string, string>();
  const serviceIds = new Map<string, string>();
  const lines = ['flowchart LR'];
  for (const { s, c } of edges) {
    if (!callerIds.has(c.key)) {
      const id = `c${callerIds.size}`;
      callerIds.set(c.key, id);
      const words = callerWords(c)!;
      const label = words.principal ? `${words.vpc}, ${words.principal}` : words.vpc;
      lines.push(`  ${id}["${mermaidLabel(label)}"]`);
    }
    if (!serviceIds.has(s.arn)) {
      const id = `s${serviceIds.size}`;
      serviceIds.set(s.arn, id);
      lines.push(`  ${id}["${mermaidLabel(serviceLabel(s))}"]`);
    }
  }
  for (const { s, c } of edges) {
    lines.push(
      `  ${callerIds.get(c.key)} -->|"${mermaidLabel(mermaidUsd(c.cost))}"| ${serviceIds.get(s.arn)}`,
    );
  }
  return lines.join('\n');
}

/**
 * One service's heaviest callers (at most 5, the rest summed), for its collapsed detail; '' when
 * it has none.
 */
export function serviceCallersMarkdown(report: Report, service: ServiceReport): string {
  const callers = service.callers ?? [];
  if (callers.length === 0) return '';
  const currency = report.costBasis.currency;
  const variable = Math.round((service.cost.data + service.cost.requests) * 100) / 100;
  const top = callers.filter((c) => c.key !== 'other').slice(0, TOP_SERVICE_CALLERS);
  const rest = callers.filter((c) => !top.includes(c));
  const rows = top.map((c) => [callerCell(c), ...numbers(c, variable, currency)]);
  if (rest.length > 0) rows.push(['_other callers_', ...numbers(sum(rest), variable, currency)]);
  return markdownTable([['Caller VPC (owner)', 'Requests', 'GB', '5xx %', 'Cost', 'Share %'], ...rows], {
    align: ['l', 'r', 'r', 'r', 'r', 'r'],
    alignDelimiters: false,
  });
}
