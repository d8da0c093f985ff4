/**
 * The Price List Query API test server driven through the real SDK client: paging, TERM_MATCH
 * filters, PriceList items as JSON strings, the typed errors and the SDK's retries of injected
 * faults. moto does not implement this API, so nothing here needs moto.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DescribeServicesCommand,
  GetProductsCommand,
  type GetProductsCommandInput,
  InternalErrorException,
  InvalidNextTokenException,
  InvalidParameterException,
  NotFoundException,
  paginateDescribeServices,
  paginateGetProducts,
  PricingClient,
  ThrottlingException,
} from '@aws-sdk/client-pricing';
import { latticePriceListItems } from '../../src/demo/price-list.js';
import { startPricingServer, type PricingServer } from '../servers/pricing.js';
import { DUMMY_CREDENTIALS } from '../servers/moto.js';

const region = 'us-east-1';
const credentials = DUMMY_CREDENTIALS;

const USE1 = latticePriceListItems('us-east-1', {
  serviceHour: 0.025,
  perGB: 0.025,
  perMillionRequests: 0.1,
  resourceHour: 0.0125,
  resourcePerGB: 0.01,
});
const EUC1 = latticePriceListItems('eu-central-1', {
  serviceHour: 0.03,
  perGB: 0.03,
  perMillionRequests: 0.12,
  resourceHour: 0.015,
  resourcePerGB: 0.012,
});
const PRODUCTS = [...USE1, ...EUC1];
const ZERO = { serviceHour: 0, perGB: 0, perMillionRequests: 0, resourceHour: 0, resourcePerGB: 0 };

let server: PricingServer;
let pricing: PricingClient;

beforeAll(async () => {
  server = await startPricingServer({ products: PRODUCTS });
  pricing = new PricingClient({ endpoint: server.url, region, credentials });
});

afterAll(async () => {
  pricing?.destroy();
  await server?.close();
});

/** The SDK hands PriceList items over as String objects (LazyJsonString), not primitive strings. */
function parsed(priceList: unknown[] | undefined): unknown[] {
  return (priceList ?? []).map((item) => JSON.parse(String(item)) as unknown);
}

function usageTypes(items: unknown[]): string[] {
  return items.map((item) => (item as (typeof PRODUCTS)[number]).product.attributes.usagetype ?? '');
}

describe('Pricing: DescribeServices', () => {
  it('pages through the configured services and those of the products, with their attribute names', async () => {
    server.resetStats();
    const pages: string[][] = [];
    const services = [];
    for await (const page of paginateDescribeServices({ client: pricing, pageSize: 2 }, {})) {
      expect(page.FormatVersion).toBe('aws_v1');
      pages.push((page.Services ?? []).map((s) => s.ServiceCode ?? ''));
      services.push(...(page.Services ?? []));
    }
    expect(pages).toEqual([['AWSCostExplorer', 'AmazonEC2'], ['AmazonVPC']]);
    expect(services.find((s) => s.ServiceCode === 'AmazonEC2')?.AttributeNames).toEqual([]);
    expect(services.find((s) => s.ServiceCode === 'AmazonVPC')?.AttributeNames).toEqual([
      'group',
      'groupDescription',
      'location',
      'locationType',
      'operation',
      'regionCode',
      'servicecode',
      'usagetype',
    ]);
    expect(server.stats).toEqual({ total: 2, byOperation: { DescribeServices: 2 } });
  });

  it('describes one service, and answers NotFoundException for an unknown one', async () => {
    const one = await pricing.send(new DescribeServicesCommand({ ServiceCode: 'AmazonVPC' }));
    expect(one.Services?.map((s) => s.ServiceCode)).toEqual(['AmazonVPC']);
    expect(one.NextToken).toBeUndefined();
    await expect(pricing.send(new DescribeServicesCommand({ ServiceCode: 'AmazonNothing' }))).rejects.toThrow(
      NotFoundException,
    );
  });
});

describe('Pricing: GetProducts', () => {
  const byRegion = (regionCode: string): GetProductsCommandInput => ({
    ServiceCode: 'AmazonVPC',
    Filters: [{ Type: 'TERM_MATCH', Field: 'regionCode', Value: regionCode }],
  });

  it('returns exactly the items of the region filtered on, each a JSON string of the configured object', async () => {
    const result = await pricing.send(new GetProductsCommand(byRegion('eu-central-1')));
    expect(result.FormatVersion).toBe('aws_v1');
    expect(result.NextToken).toBeUndefined();
    // Quirk of the SDK: each item is a String object (typeof 'object'), not a primitive string.
    expect(((result.PriceList ?? []) as unknown[]).every((item) => item instanceof String)).toBe(true);
    expect(parsed(result.PriceList)).toEqual(EUC1);
  });

  it('pages with paginateGetProducts at MaxResults 2, one request a page', async () => {
    server.resetStats();
    const pages: number[] = [];
    const items: unknown[] = [];
    for await (const page of paginateGetProducts(
      { client: pricing },
      { ...byRegion(region), MaxResults: 2 },
    )) {
      pages.push(page.PriceList?.length ?? 0);
      items.push(...parsed(page.PriceList));
    }
    expect(pages).toEqual([2, 2, 2, 2]);
    expect(items).toEqual(USE1);
    expect(server.stats.byOperation).toEqual({ GetProducts: 4 });
  });

  it('matches every filter: attributes and ServiceCode', async () => {
    const matching = async (filters: Array<[string, string]>): Promise<string[]> => {
      const result = await pricing.send(
        new GetProductsCommand({
          ServiceCode: 'AmazonVPC',
          Filters: filters.map(([Field, Value]) => ({ Type: 'TERM_MATCH', Field, Value })),
        }),
      );
      return usageTypes(parsed(result.PriceList));
    };
    expect(await matching([['usagetype', 'EUC1-VPCLattice-RequestCount']])).toEqual([
      'EUC1-VPCLattice-RequestCount',
    ]);
    expect(
      await matching([
        ['ServiceCode', 'AmazonVPC'],
        ['group', 'VpcLattice-Service'],
        ['regionCode', region],
      ]),
    ).toEqual(usageTypes(USE1).slice(0, 4));
    expect(await matching([['regionCode', 'us-west-2']])).toEqual([]);
    // A known service without products answers an empty list.
    const ec2 = await pricing.send(new GetProductsCommand({ ServiceCode: 'AmazonEC2' }));
    expect(ec2.PriceList).toEqual([]);
  });

  it('answers the products set later', async () => {
    try {
      server.setProducts(latticePriceListItems('ap-northeast-1', ZERO));
      const result = await pricing.send(new GetProductsCommand({ ServiceCode: 'AmazonVPC' }));
      expect(usageTypes(parsed(result.PriceList))[0]).toBe('APN1-VPCLattice-Service-Hourly');
    } finally {
      server.setProducts(PRODUCTS);
    }
  });
});

describe('Pricing: errors come back as the typed exceptions', () => {
  it('InvalidParameterException for a missing ServiceCode, MaxResults out of 1..100 and other bad parameters', async () => {
    const missing = pricing.send(new GetProductsCommand({} as GetProductsCommandInput));
    await expect(missing).rejects.toThrow(InvalidParameterException);
    await expect(missing).rejects.toMatchObject({
      message: 'Input Parameters are invalid. serviceCode cannot be null or empty',
      $metadata: { httpStatusCode: 400 },
    });
    for (const input of [
      { ServiceCode: 'AmazonVPC', MaxResults: 0 },
      { ServiceCode: 'AmazonVPC', MaxResults: 101 },
      { ServiceCode: 'AmazonVPC', FormatVersion: 'aws_v2' },
      {
        ServiceCode: 'AmazonVPC',
        Filters: [{ Type: 'CONTAINS' as const, Field: 'usagetype', Value: 'Lattice' }],
      },
    ]) {
      await expect(pricing.send(new GetProductsCommand(input))).rejects.toThrow(InvalidParameterException);
    }
    await expect(pricing.send(new DescribeServicesCommand({ MaxResults: 101 }))).rejects.toThrow(
      InvalidParameterException,
    );
  });

  it('InvalidNextTokenException for garbage or a token from another request', async () => {
    const first = await pricing.send(new GetProductsCommand({ ServiceCode: 'AmazonVPC', MaxResults: 2 }));
    expect(first.NextToken).toBeTruthy();
    await expect(
      pricing.send(new GetProductsCommand({ ServiceCode: 'AmazonVPC', NextToken: 'nonsense' })),
    ).rejects.toThrow(InvalidNextTokenException);
    await expect(
      pricing.send(
        new GetProductsCommand({
          ServiceCode: 'AmazonVPC',
          Filters: [{ Type: 'TERM_MATCH', Field: 'regionCode', Value: region }],
          NextToken: first.NextToken,
        }),
      ),
    ).rejects.toThrow(InvalidNextTokenException);
  });

  it('NotFoundException for an unknown service code (unverified against AWS)', async () => {
    await expect(
      pricing.send(new GetProductsCommand({ ServiceCode: 'AmazonNothing' })),
    ).rejects.toMatchObject({
      name: 'NotFoundException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('answers in the JSON 1.1 protocol: PriceList as strings; errors as __type, message and x-amzn-ErrorType', async () => {
    const post = (body: object): Promise<Response> =>
      fetch(server.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AWSPriceListService.GetProducts',
        },
        body: JSON.stringify(body),
      });
    const ok = (await (await post({ ServiceCode: 'AmazonVPC', MaxResults: 1 })).json()) as {
      PriceList: unknown[];
    };
    expect(ok.PriceList).toEqual([JSON.stringify(PRODUCTS[0])]);
    const response = await post({ ServiceCode: 'AmazonVPC', MaxResults: 500 });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('InvalidParameterException');
    expect(await response.json()).toEqual({
      __type: 'InvalidParameterException',
      message: 'Input Parameters are invalid. MaxResults must be between 1 and 100',
    });
  });
});

describe('Pricing: injected faults and the SDK retries', () => {
  it('retries ThrottlingException with backoff and succeeds; every attempt is counted', async () => {
    server.resetStats();
    server.faults.throttle(2, 'GetProducts');
    const result = await pricing.send(new GetProductsCommand({ ServiceCode: 'AmazonVPC', MaxResults: 1 }));
    expect(result.$metadata.attempts).toBe(3);
    expect(server.stats.byOperation.GetProducts).toBe(3);
    expect(server.faults.pending()).toBe(0);
  });

  it('only fails the operation it was told to, and retries an InternalErrorException', async () => {
    server.faults.throttle(1, 'DescribeServices');
    const products = await pricing.send(new GetProductsCommand({ ServiceCode: 'AmazonVPC', MaxResults: 1 }));
    expect(products.$metadata.attempts).toBe(1);
    expect(server.faults.pending()).toBe(1);
    server.faults.clear();
    server.faults.serverError(1);
    const services = await pricing.send(new DescribeServicesCommand({}));
    expect(services.$metadata.attempts).toBe(2);
  });

  it('gives up after maxAttempts with the typed exception', async () => {
    server.resetStats();
    const impatient = new PricingClient({ endpoint: server.url, region, credentials, maxAttempts: 2 });
    try {
      server.faults.throttle(5);
      await expect(impatient.send(new DescribeServicesCommand({}))).rejects.toThrow(ThrottlingException);
      server.faults.clear();
      server.faults.serverError(5);
      await expect(impatient.send(new DescribeServicesCommand({}))).rejects.toMatchObject({
        name: 'InternalErrorException',
        $metadata: { httpStatusCode: 500, attempts: 2 },
      });
      await expect(impatient.send(new DescribeServicesCommand({}))).rejects.toThrow(InternalErrorException);
    } finally {
      impatient.destroy();
      server.faults.clear();
    }
    expect(server.stats.total).toBe(6);
  });
});
