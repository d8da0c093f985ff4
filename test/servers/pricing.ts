/**
 * A Price List Query API endpoint (service "pricing") for the tests: moto does not implement it.
 * It speaks AWS JSON 1.1 as botocore's data/pricing/2017-10-15/service-2.json describes it, and
 * answers DescribeServices and GetProducts from configured price-list items, each a JSON string in
 * PriceList as AWS sends it (https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetProducts.html).
 * Requests are counted per operation and faults can be injected, as on the Cost Explorer server.
 */
import { createHash } from 'node:crypto';
import {
  ApiError,
  isObject,
  optionalString,
  paginate,
  startJsonService,
  type JsonObject,
  type JsonService,
} from './aws-json.js';

export interface PriceDimension {
  unit: string;
  endRange: string;
  description: string;
  appliesTo: string[];
  rateCode: string;
  beginRange: string;
  pricePerUnit: Record<string, string>;
}

export interface OnDemandTerm {
  priceDimensions: Record<string, PriceDimension>;
  sku: string;
  effectiveDate: string;
  offerTermCode: string;
  termAttributes: Record<string, string>;
}

/** One product of a price list, the object each PriceList string of GetProducts holds. */
export interface PriceListItem {
  product: { productFamily?: string; attributes: Record<string, string>; sku: string };
  serviceCode: string;
  terms: { OnDemand: Record<string, OnDemandTerm> };
  version: string;
  publicationDate: string;
}

export interface PricingOptions {
  products?: PriceListItem[];
  /** Listed by DescribeServices besides the products' services; DEFAULT_SERVICE_CODES unless set. */
  serviceCodes?: string[];
}

/** Its faults answer ThrottlingException (HTTP 400) and InternalErrorException (HTTP 500). */
export interface PricingServer extends JsonService {
  setProducts(products: PriceListItem[], serviceCodes?: string[]): void;
}

const DEFAULT_SERVICE_CODES = ['AmazonEC2', 'AmazonVPC', 'AWSCostExplorer'];
const FORMAT_VERSION = 'aws_v1';
const MAX_RESULTS = 100;

export async function startPricingServer(options: PricingOptions = {}): Promise<PricingServer> {
  let products = options.products ?? [];
  let serviceCodes = options.serviceCodes ?? DEFAULT_SERVICE_CODES;
  const service = await startJsonService({
    targetPrefix: 'AWSPriceListService.',
    throttleCode: 'ThrottlingException',
    internalErrorCode: 'InternalErrorException',
    operations: {
      DescribeServices: (request) => describeServices(request, products, serviceCodes),
      GetProducts: (request) => getProducts(request, products, serviceCodes),
    },
  });
  return {
    ...service,
    setProducts: (items, codes) => {
      products = items;
      if (codes) serviceCodes = codes;
    },
  };
}

function describeServices(request: JsonObject, products: PriceListItem[], serviceCodes: string[]): unknown {
  const size = checkCommon(request);
  const code = optionalString(request.ServiceCode);
  const known = knownServices(products, serviceCodes);
  if (code !== undefined && !known.includes(code)) throw notFound(code);
  const services = (code === undefined ? known : [code]).map((serviceCode) => ({
    ServiceCode: serviceCode,
    AttributeNames: attributeNames(products.filter((p) => p.serviceCode === serviceCode)),
  }));
  const page = paginate(request, services, size, 'NextToken');
  return {
    Services: page.items,
    FormatVersion: FORMAT_VERSION,
    ...(page.next ? { NextToken: page.next } : {}),
  };
}

function getProducts(request: JsonObject, products: PriceListItem[], serviceCodes: string[]): unknown {
  const code = optionalString(request.ServiceCode);
  // The words AWS answers with, as quoted in https://github.com/aws/aws-sdk/issues/51.
  if (code === undefined) throw invalid('serviceCode cannot be null or empty');
  const size = checkCommon(request);
  const filters = checkFilters(request.Filters);
  if (!knownServices(products, serviceCodes).includes(code)) throw notFound(code);
  const matching = products.filter(
    (item) => item.serviceCode === code && filters.every((f) => fieldValue(item, f.field) === f.value),
  );
  const page = paginate(request, matching, size, 'NextToken');
  return {
    FormatVersion: FORMAT_VERSION,
    PriceList: page.items.map((item) => JSON.stringify(item)),
    ...(page.next ? { NextToken: page.next } : {}),
  };
}

/** FormatVersion and MaxResults, which both operations take; returns the page size. */
function checkCommon(request: JsonObject): number {
  if (request.FormatVersion !== undefined && request.FormatVersion !== FORMAT_VERSION) {
    throw invalid(`FormatVersion must be ${FORMAT_VERSION}`);
  }
  const max = request.MaxResults ?? MAX_RESULTS;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > MAX_RESULTS) {
    throw invalid(`MaxResults must be between 1 and ${MAX_RESULTS}`);
  }
  return max;
}

function checkFilters(value: unknown): Array<{ field: string; value: string }> {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalid('Filters must be a list');
  return value.map((filter: unknown) => {
    if (!isObject(filter)) throw invalid('Each filter must be an object');
    // The API also has EQUALS, CONTAINS, ANY_OF and NONE_OF; this server knows TERM_MATCH only.
    if (filter.Type !== 'TERM_MATCH') throw invalid(`Filter Type ${String(filter.Type)} is not supported`);
    const field = optionalString(filter.Field);
    if (field === undefined || typeof filter.Value !== 'string') {
      throw invalid('Each filter needs a Field and a Value');
    }
    return { field, value: filter.Value };
  });
}

/** What a TERM_MATCH on `field` compares: a product attribute, or the family or service code. */
function fieldValue(item: PriceListItem, field: string): string | undefined {
  if (field.toLowerCase() === 'servicecode') return item.serviceCode;
  if (field === 'productFamily') return item.product.productFamily;
  return item.product.attributes[field];
}

function knownServices(products: PriceListItem[], serviceCodes: string[]): string[] {
  return [...new Set([...serviceCodes, ...products.map((p) => p.serviceCode)])].sort();
}

function attributeNames(products: PriceListItem[]): string[] {
  const names = new Set<string>();
  for (const { product } of products) {
    if (product.productFamily !== undefined) names.add('productFamily');
    for (const name of Object.keys(product.attributes)) names.add(name);
  }
  return [...names].sort();
}

function invalid(detail: string): ApiError {
  return new ApiError('InvalidParameterException', `Input Parameters are invalid. ${detail}`);
}

// Unverified: what AWS answers for an unknown service code. botocore lists NotFoundException.
function notFound(code: string): ApiError {
  return new ApiError('NotFoundException', `Service ${code} was not found`);
}

// ---- VPC Lattice's items, shaped like the real answer ----

export interface LatticePrices {
  /** USD per service hour, per GB processed, per million requests. */
  serviceHour: number;
  perGB: number;
  perMillionRequests: number;
  /** USD per resource (configuration) hour and per GB processed for resources. */
  resourceHour: number;
  resourcePerGB: number;
}

/** AWS Region billing codes, the usage types' prefix (https://docs.aws.amazon.com/cur/latest/userguide/Region-billing-codes.html). */
const REGIONS: Record<string, { prefix: string; location: string }> = {
  'us-east-1': { prefix: 'USE1', location: 'US East (N. Virginia)' },
  'us-west-2': { prefix: 'USW2', location: 'US West (Oregon)' },
  'eu-central-1': { prefix: 'EUC1', location: 'EU (Frankfurt)' },
  'ap-northeast-1': { prefix: 'APN1', location: 'Asia Pacific (Tokyo)' },
};

/** The on-demand term and rate codes every price list uses. */
const ON_DEMAND = 'JRTCKXETXF';
const RATE = '6YS6EN2CT7';

interface ItemSpec {
  usagetype: string;
  unit: string;
  price: number;
  description: string;
  group: string;
  groupDescription: string;
  operation: string;
  productFamily: string;
  endRange?: string;
}

/**
 * The AmazonVPC items of one region: the six of VPC Lattice, then two of other VPC features, so
 * consumers must filter. Usage types from the VPC Lattice section of
 * https://docs.aws.amazon.com/vpc/latest/userguide/vpc-billing-usage-reports.html: Service-Hourly,
 * DataProcessing-Bytes, RequestCount-Free, Service-Network-Resource-Hours. Assumptions, not on that
 * page: the paid RequestCount and the resource data usage types, every operation and group name,
 * and that Lattice is priced under the service code AmazonVPC.
 */
export function latticePriceListItems(
  region: string,
  prices: LatticePrices,
  options: { publicationDate?: string } = {},
): PriceListItem[] {
  const known = REGIONS[region];
  if (!known) throw new Error(`No billing code for ${region}; add it to REGIONS in test/servers/pricing.ts`);
  const p = known.prefix;
  const lattice = (spec: Omit<ItemSpec, 'productFamily'>): ItemSpec => ({
    ...spec,
    productFamily: 'VPC Lattice',
  });
  const specs: ItemSpec[] = [
    lattice({
      usagetype: `${p}-VPCLattice-Service-Hourly`,
      unit: 'Hrs',
      price: prices.serviceHour,
      description: 'per VPC Lattice service hour',
      group: 'VpcLattice',
      groupDescription: 'VPC Lattice service hours',
      operation: 'VPCLatticeService',
    }),
    lattice({
      usagetype: `${p}-VPCLattice-DataProcessing-Bytes`,
      unit: 'GB',
      price: prices.perGB,
      description: 'per GB of data processed by VPC Lattice services',
      group: 'VpcLattice',
      groupDescription: 'VPC Lattice service data processing',
      operation: 'VPCLatticeService',
    }),
    lattice({
      usagetype: `${p}-VPCLattice-RequestCount-Free`,
      unit: 'Count',
      price: 0,
      description: 'for the first 300,000 VPC Lattice requests an hour',
      group: 'VpcLattice',
      groupDescription: 'VPC Lattice free requests',
      operation: 'VPCLatticeService',
      endRange: '300000',
    }),
    lattice({
      usagetype: `${p}-VPCLattice-RequestCount`,
      unit: 'Requests',
      price: prices.perMillionRequests / 1e6,
      description: 'per VPC Lattice request beyond the free requests',
      group: 'VpcLattice',
      groupDescription: 'VPC Lattice requests',
      operation: 'VPCLatticeService',
    }),
    lattice({
      usagetype: `${p}-VpcLattice-Service-Network-Resource-Hours`,
      unit: 'Hrs',
      price: prices.resourceHour,
      description: 'per VPC Lattice resource hour',
      group: 'VpcLattice-Resource',
      groupDescription: 'VPC Lattice resource hours in a service network',
      operation: 'VPCLatticeResource',
    }),
    lattice({
      usagetype: `${p}-VpcLattice-Resource-DataProcessing-Bytes`,
      unit: 'GB',
      price: prices.resourcePerGB,
      description: 'per GB of data processed for VPC Lattice resources',
      group: 'VpcLattice-Resource',
      groupDescription: 'VPC Lattice resource data processing',
      operation: 'VPCLatticeResource',
    }),
    {
      usagetype: `${p}-VpcEndpoint-Hours`,
      unit: 'Hrs',
      price: 0.01,
      description: 'per VPC Endpoint Hour',
      group: 'VpcEndpoint',
      groupDescription: 'Hourly charge for VPC Endpoints',
      operation: 'VpcEndpoint',
      productFamily: 'VpcEndpoint',
    },
    {
      usagetype: `${p}-PublicIPv4:IdleAddress`,
      unit: 'Hrs',
      price: 0.005,
      description: 'per Idle public IPv4 address per hour',
      group: 'VPCPublicIPv4Address',
      groupDescription: 'Hourly charge for Idle Public IPv4 Addresses',
      operation: 'IdleAddress',
      productFamily: 'VPC Public IPv4 Address',
    },
  ];
  const publicationDate = options.publicationDate ?? '2025-01-01T00:00:00Z';
  return specs.map((spec) => priceListItem(region, known.location, spec, publicationDate));
}

function priceListItem(
  region: string,
  location: string,
  spec: ItemSpec,
  publicationDate: string,
): PriceListItem {
  const sku = createHash('sha256').update(spec.usagetype).digest('hex').slice(0, 16).toUpperCase();
  const price = spec.price.toFixed(10);
  return {
    product: {
      productFamily: spec.productFamily,
      attributes: {
        regionCode: region,
        servicecode: 'AmazonVPC',
        usagetype: spec.usagetype,
        locationType: 'AWS Region',
        location,
        servicename: 'Amazon Virtual Private Cloud',
        operation: spec.operation,
        group: spec.group,
        groupDescription: spec.groupDescription,
      },
      sku,
    },
    serviceCode: 'AmazonVPC',
    terms: {
      OnDemand: {
        [`${sku}.${ON_DEMAND}`]: {
          priceDimensions: {
            [`${sku}.${ON_DEMAND}.${RATE}`]: {
              unit: spec.unit,
              endRange: spec.endRange ?? 'Inf',
              description: `$${price.replace(/\.?0+$/, '')} ${spec.description}`,
              appliesTo: [],
              rateCode: `${sku}.${ON_DEMAND}.${RATE}`,
              beginRange: '0',
              pricePerUnit: { USD: price },
            },
          },
          sku,
          effectiveDate: publicationDate,
          offerTermCode: ON_DEMAND,
          termAttributes: {},
        },
      },
    },
    version: publicationDate.replace(/\D/g, '').slice(0, 14),
    publicationDate,
  };
}
