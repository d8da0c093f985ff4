/**
 * A VPC Lattice price list shaped like the AWS Price List Query API's GetProducts answer, for the
 * demo and the tests. The shape (product attributes, OnDemand price dimensions, prices as 10-decimal
 * strings, each product a JSON string) is the documented one. The usage types are those of the
 * Amazon VPC billing-codes page (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-billing-usage-reports.html),
 * except the paid request count, which that page does not list. The service code, product family
 * and attribute values are assumptions: no public Lattice price-list answer was found.
 */
import { DEFAULT_PRICES, DEFAULT_RESOURCE_PRICES } from '../analysis/prices.js';
import type { PriceTable, ResourcePriceTable } from '../model/costs.js';

/** AWS region billing codes (https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-region-billing-codes.html). */
const BILLING_CODES: Record<string, { code: string; location: string }> = {
  'us-east-1': { code: 'USE1', location: 'US East (N. Virginia)' },
  'us-west-2': { code: 'USW2', location: 'US West (Oregon)' },
  'eu-central-1': { code: 'EUC1', location: 'EU (Frankfurt)' },
  'ap-northeast-1': { code: 'APN1', location: 'Asia Pacific (Tokyo)' },
};

export type DemoPrices = Omit<PriceTable, 'freeRequestsPerHour'> & {
  resourceHour: ResourcePriceTable['resourceHour'];
  resourcePerGB: ResourcePriceTable['perGB'];
};

/** The built-in prices of `region` (the pricing page's us-east-1), as a price list would give them. */
export function builtInListPrices(region: string): DemoPrices {
  return {
    ...DEFAULT_PRICES[region]!,
    resourceHour: DEFAULT_RESOURCE_PRICES[region]!.resourceHour,
    resourcePerGB: DEFAULT_RESOURCE_PRICES[region]!.perGB,
  };
}

/** The usage type of a charge in `region`, as the billing-codes page writes it. */
export function latticeUsageType(
  region: string,
  charge: 'hours' | 'data' | 'requests' | 'freeRequests' | 'resourceHours',
): string {
  const code = BILLING_CODES[region]?.code ?? 'USE1';
  const names = {
    hours: 'VPCLattice-Service-Hourly',
    data: 'VPCLattice-DataProcessing-Bytes',
    requests: 'VPCLattice-RequestCount',
    freeRequests: 'VPCLattice-RequestCount-Free',
    resourceHours: 'VpcLattice-Service-Network-Resource-Hours',
  };
  return `${code}-${names[charge]}`;
}

/** One product of a price list, the object each PriceList string of GetProducts holds. */
export interface PriceListItem {
  product: { productFamily?: string; attributes: Record<string, string>; sku: string };
  serviceCode: string;
  terms: {
    OnDemand: Record<
      string,
      {
        priceDimensions: Record<
          string,
          {
            unit: string;
            endRange: string;
            description: string;
            appliesTo: string[];
            rateCode: string;
            beginRange: string;
            pricePerUnit: Record<string, string>;
          }
        >;
        sku: string;
        effectiveDate: string;
        offerTermCode: string;
        termAttributes: Record<string, string>;
      }
    >;
  };
  version: string;
  publicationDate: string;
}

function price(usd: number): string {
  return usd.toFixed(10);
}

interface Item {
  usageType: string;
  group: string;
  description: string;
  unit: string;
  usd: number;
  endRange?: string;
}

/** One region's Lattice products, and two of Amazon VPC's that are not Lattice's. */
export function latticePriceListItems(
  region: string,
  prices: DemoPrices,
  published = '2026-11-01',
): PriceListItem[] {
  const { code, location } = BILLING_CODES[region] ?? { code: 'USE1', location: region };
  const items: Item[] = [
    {
      usageType: latticeUsageType(region, 'hours'),
      group: 'VpcLattice-Service',
      description: 'VPC Lattice service hours',
      unit: 'Hrs',
      usd: prices.serviceHour,
    },
    {
      usageType: latticeUsageType(region, 'data'),
      group: 'VpcLattice-Service',
      description: 'VPC Lattice data processed by services',
      unit: 'GB',
      usd: prices.perGB,
    },
    {
      usageType: latticeUsageType(region, 'requests'),
      group: 'VpcLattice-Service',
      description: 'VPC Lattice requests',
      unit: 'Requests',
      usd: prices.perMillionRequests / 1e6,
    },
    {
      usageType: latticeUsageType(region, 'freeRequests'),
      group: 'VpcLattice-Service',
      description: 'VPC Lattice requests in the hourly free allowance',
      unit: 'Count',
      usd: 0,
      endRange: '300000',
    },
    {
      usageType: latticeUsageType(region, 'resourceHours'),
      group: 'VpcLattice-Resource',
      description: 'VPC Lattice resource configuration hours',
      unit: 'Hrs',
      usd: prices.resourceHour,
    },
    {
      usageType: `${code}-VpcLattice-Resource-DataProcessing-Bytes`,
      group: 'VpcLattice-Resource',
      description: 'VPC Lattice data processed by resource configurations',
      unit: 'GB',
      usd: prices.resourcePerGB,
      endRange: '1048576',
    },
    {
      usageType: `${code}-VpcEndpoint-Hours`,
      group: 'VpcEndpoint',
      description: 'VPC endpoint hours',
      unit: 'Hrs',
      usd: 0.01,
    },
    {
      usageType: `${code}-PublicIPv4:IdleAddress`,
      group: 'VPCPublicIPv4Address',
      description: 'Hourly charge for idle public IPv4 addresses',
      unit: 'Hrs',
      usd: 0.005,
    },
  ];
  return items.map((item, i) => {
    const sku = `DEMO${code}${String(i).padStart(4, '0')}`;
    const term = `${sku}.JRTCKXETXF`;
    return {
      product: {
        sku,
        attributes: {
          servicecode: 'AmazonVPC',
          regionCode: region,
          location,
          locationType: 'AWS Region',
          usagetype: item.usageType,
          operation: '',
          group: item.group,
          groupDescription: item.description,
        },
      },
      serviceCode: 'AmazonVPC',
      terms: {
        OnDemand: {
          [term]: {
            priceDimensions: {
              [`${term}.6YS6EN2CT7`]: {
                unit: item.unit,
                endRange: item.endRange ?? 'Inf',
                description: `$${price(item.usd)} per ${item.unit}: ${item.description}`,
                appliesTo: [],
                rateCode: `${term}.6YS6EN2CT7`,
                beginRange: '0',
                pricePerUnit: { USD: price(item.usd) },
              },
            },
            sku,
            effectiveDate: `${published}T00:00:00Z`,
            offerTermCode: 'JRTCKXETXF',
            termAttributes: {},
          },
        },
      },
      version: published.replaceAll('-', '') + '000000',
      publicationDate: `${published}T00:00:00Z`,
    };
  });
}

/** The answer `aws pricing get-products` prints: each product as a JSON string. */
export function priceListAnswer(items: PriceListItem[]): { FormatVersion: string; PriceList: string[] } {
  return { FormatVersion: 'aws_v1', PriceList: items.map((item) => JSON.stringify(item)) };
}
