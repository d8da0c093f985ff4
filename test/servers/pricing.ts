/**
 * A Price List Query API endpoint (service "pricing") for the tests: moto does not implement it.
 * It speaks AWS JSON 1.1 as botocore's data/pricing/2017-10-15/service-2.json describes it, and
 * answers DescribeServices and GetProducts from configured price-list items, each a JSON string in
 * PriceList as AWS sends it (https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetProducts.html).
 * Requests are counted per operation and faults can be injected, as on the Cost Explorer server.
 */
import {
  ApiError,
  isObject,
  optionalString,
  paginate,
  startJsonService,
  type JsonObject,
  type JsonService,
} from './aws-json.js';
import type { PriceListItem } from '../../src/demo/price-list.js';

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
