/**
 * VPC Lattice prices and usage types from the AWS Price List: the GetProducts answer of the Price
 * List Query API, as the SDK returns it or as `aws pricing get-products --service-code CODE
 * --filters Type=TERM_MATCH,Field=regionCode,Value=REGION` prints it. One parser serves both.
 *
 * Documented (AWS Price List API reference, GetProducts; "Price List file" in the Billing user
 * guide): `PriceList` is an array of JSON strings, one product each, with `product.attributes`
 * (`usagetype`, `regionCode`, …) and `terms.OnDemand.*.priceDimensions.*` (`unit`,
 * `pricePerUnit.USD`, `beginRange`, `endRange`), and `publicationDate`.
 * Assumed, because no AWS page shows Lattice's own products: that each Lattice product names
 * Lattice in one of its attributes; that resource-configuration products say "resource"; and that
 * units read as hours, GB and requests. A product that fits none of these is left out with a
 * warning, so a wrong guess shows as a warning and a built-in price, never as a wrong price.
 */
import { DataError } from '../errors.js';
import type { ChargeType, PriceTable, ResourcePriceTable } from '../model/costs.js';
import { isRegionName } from '../model/names.js';

/** Prices one region's price list gave; a charge it did not give is absent. */
interface ListedPrices {
  service: Partial<Omit<PriceTable, 'freeRequestsPerHour'>>;
  resource: Partial<ResourcePriceTable>;
}

export interface PriceList {
  /** Where it came from, for the report: the API, or a file's path. */
  origin: 'aws-price-list' | 'price-list-file';
  regions: Map<string, ListedPrices>;
  /** Each Lattice usage type the price list names, and the charge it is. */
  usageTypes: Map<string, ChargeType>;
  /** The newest publication date of its products (YYYY-MM-DD), when they carry one. */
  published?: string;
  warnings: string[];
}

type Charge = 'hours' | 'data' | 'requests';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Price List prices are decimal strings ("0.0250000000"). */
const DECIMAL = /^\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Whether a GetProducts answer (or an array of its pages) is what `json` holds. */
export function isPriceList(json: unknown): boolean {
  const pages = Array.isArray(json) ? json : [json];
  return pages.length > 0 && pages.every((p) => isObject(p) && Array.isArray(p.PriceList));
}

/**
 * Which charge a price dimension's unit is, and how many units its price is for. The Amazon VPC
 * billing-codes page gives Lattice's units as Hours, GB and Count (`region-VPCLattice-RequestCount-Free`),
 * so a count is a request count when the product speaks of requests or connections.
 */
function unitCharge(unit: string, text: string): { charge: Charge; per: number } | undefined {
  const u = unit.trim().toLowerCase();
  if (/^counts?$/.test(u) && /request|connection/i.test(text)) return { charge: 'requests', per: 1 };
  if (/^(hrs?|hours?)$/.test(u) || /\bhours?\b/.test(u)) return { charge: 'hours', per: 1 };
  if (/^(gb|gigabytes?)$/.test(u) || /\bgb\b/.test(u)) return { charge: 'data', per: 1 };
  if (/request|connection/.test(u)) {
    const scaled = /(?:^|\s)(\d+)\s*m\b|million/.exec(u);
    return { charge: 'requests', per: scaled ? Number(scaled[1] ?? 1) * 1e6 : 1 };
  }
  return undefined;
}

interface Dimension {
  unit: string;
  usd: number;
  begin: number;
}

/** The paid price of a product: the first tier that costs something (a free first tier is the allowance). */
function firstPaidTier(dimensions: Dimension[]): Dimension | undefined {
  return [...dimensions].sort((a, b) => a.begin - b.begin).find((d) => d.usd > 0);
}

function dimensionsOf(terms: unknown, fail: (why: string) => never): Dimension[] {
  const result: Dimension[] = [];
  const onDemand = isObject(terms) ? terms.OnDemand : undefined;
  for (const term of isObject(onDemand) ? Object.values(onDemand) : []) {
    const dims = isObject(term) ? term.priceDimensions : undefined;
    for (const dim of isObject(dims) ? Object.values(dims) : []) {
      if (!isObject(dim) || typeof dim.unit !== 'string' || !isObject(dim.pricePerUnit)) {
        fail('a price dimension has no unit or pricePerUnit');
      }
      const d = dim as { unit: string; pricePerUnit: Record<string, unknown>; beginRange?: unknown };
      const usd = d.pricePerUnit.USD;
      // Another currency (the China regions' CNY) is never mixed with the USD model.
      if (usd === undefined) continue;
      if (typeof usd !== 'string' || !DECIMAL.test(usd)) {
        fail(`a USD price is not a decimal number (${JSON.stringify(usd)})`);
      }
      const begin = Number(typeof d.beginRange === 'string' ? d.beginRange : 0);
      result.push({ unit: d.unit, usd: Number(usd), begin: Number.isFinite(begin) ? begin : 0 });
    }
  }
  return result;
}

/** Every string a product's attributes hold, to find the words "Lattice" and "resource" in. */
function attributeText(product: Record<string, unknown>): string {
  const attributes = isObject(product.attributes) ? product.attributes : {};
  return [product.productFamily, ...Object.values(attributes)]
    .filter((v): v is string => typeof v === 'string')
    .join(' ');
}

/**
 * Reads a GetProducts answer: one response, or an array of pages. `source` names it in errors.
 * Products that are not VPC Lattice's are skipped, so the whole Amazon VPC price list may be given.
 */
export function parsePriceList(
  json: unknown,
  source: string,
  origin: PriceList['origin'] = 'price-list-file',
): PriceList {
  const fail = (why: string): never => {
    throw new DataError(
      `${source}: not a usable AWS Price List answer: ${why}. Expected the output of ` +
        '`aws pricing get-products --region us-east-1 --service-code CODE --filters ' +
        'Type=TERM_MATCH,Field=regionCode,Value=REGION --output json`.',
    );
  };
  if (!isPriceList(json)) fail('it has no PriceList array');
  const list: PriceList = { origin, regions: new Map(), usageTypes: new Map(), warnings: [] };
  const conflicts = new Set<string>();
  const odd = new Set<string>();
  const pages = (Array.isArray(json) ? json : [json]) as Array<{ PriceList: unknown[]; NextToken?: unknown }>;
  for (const page of pages) {
    for (const item of page.PriceList) {
      let entry: unknown = item;
      if (typeof item === 'string') {
        try {
          entry = JSON.parse(item);
        } catch {
          fail('a PriceList item is not JSON');
        }
      }
      if (!isObject(entry) || !isObject(entry.product)) fail('a PriceList item has no product');
      const { product, terms, publicationDate, serviceCode } = entry as Record<string, unknown> & {
        product: Record<string, unknown>;
      };
      const text = `${typeof serviceCode === 'string' ? serviceCode : ''} ${attributeText(product)}`;
      if (!/lattice/i.test(text)) continue;
      const attributes = (isObject(product.attributes) ? product.attributes : {}) as Record<string, unknown>;
      const usageType = attributes.usagetype;
      const region = attributes.regionCode;
      if (typeof usageType !== 'string' || typeof region !== 'string' || !isRegionName(region)) {
        odd.add(String(usageType ?? product.sku ?? '?'));
        continue;
      }
      const dimensions = dimensionsOf(terms, fail);
      // A product with only free tiers (the hourly request allowance) names a usage type, at no price.
      const tier = firstPaidTier(dimensions) ?? dimensions[0];
      const unit = tier ? unitCharge(tier.unit, attributeText(product)) : undefined;
      if (!tier || !unit) {
        odd.add(usageType);
        continue;
      }
      if (typeof publicationDate === 'string' && /^\d{4}-\d{2}-\d{2}/.test(publicationDate)) {
        const day = publicationDate.slice(0, 10);
        if (!list.published || day > list.published) list.published = day;
      }
      const isResource = /resource/i.test(attributeText(product));
      list.usageTypes.set(usageType, isResource ? 'other' : unit.charge);
      if (tier.usd === 0) continue;
      const prices = list.regions.get(region) ?? { service: {}, resource: {} };
      list.regions.set(region, prices);
      const put = <T extends object>(table: T, key: keyof T, value: number): void => {
        const had = table[key] as number | undefined;
        if (had !== undefined && Math.abs(had - value) > 1e-12) conflicts.add(`${region} ${String(key)}`);
        else table[key] = value as T[keyof T];
      };
      if (isResource) {
        if (unit.charge === 'hours') put(prices.resource, 'resourceHour', tier.usd);
        else if (unit.charge === 'data') put(prices.resource, 'perGB', tier.usd);
        else odd.add(usageType);
      } else if (unit.charge === 'hours') put(prices.service, 'serviceHour', tier.usd);
      else if (unit.charge === 'data') put(prices.service, 'perGB', tier.usd);
      // Twelve digits: a per-request price times a million is not exact in binary.
      else put(prices.service, 'perMillionRequests', Number(((tier.usd * 1e6) / unit.per).toPrecision(12)));
    }
  }
  const last = pages.at(-1);
  if (typeof last?.NextToken === 'string' && last.NextToken !== '') {
    list.warnings.push(`${source} is incomplete: its last page has a NextToken.`);
  }
  if (odd.size > 0) {
    list.warnings.push(
      `${source}: ${odd.size} VPC Lattice price-list products were left out: no region, no USD price, or a unit ` +
        `that is not hours, GB or requests (${[...odd].slice(0, 5).join(', ')}).`,
    );
  }
  for (const conflict of [...conflicts].sort()) {
    // Two different prices for one charge: keep the first, and say so rather than guess silently.
    list.warnings.push(
      `${source}: the price list gives ${conflict} more than one price; the first was used.`,
    );
  }
  if (list.regions.size === 0) {
    list.warnings.push(`${source} holds no VPC Lattice prices.`);
  }
  return list;
}
