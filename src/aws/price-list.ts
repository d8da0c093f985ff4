/**
 * The region's VPC Lattice products from the AWS Price List Query API. The service code is found
 * at run time with DescribeServices: no AWS page names Lattice's. A code that names Lattice is
 * used; otherwise AmazonVPC, an assumption (Lattice's billing codes are on the Amazon VPC page,
 * https://docs.aws.amazon.com/vpc/latest/userguide/vpc-billing-usage-reports.html), whose other
 * products the parser leaves out. The API is free, so its requests are not budgeted like Cost Explorer's.
 */
import { type PricingClient, paginateDescribeServices, paginateGetProducts } from '@aws-sdk/client-pricing';
import { awsCall } from './errors.js';

const FALLBACK_SERVICE_CODE = 'AmazonVPC';

export interface PriceListItems {
  serviceCodes: string[];
  /** The products that mention Lattice, each the JSON string the API returns. */
  items: string[];
  requests: number;
}

/** The service codes that may hold Lattice's prices. */
async function serviceCodes(pricing: PricingClient): Promise<{ codes: string[]; requests: number }> {
  const lattice: string[] = [];
  let requests = 0;
  await awsCall('pricing:DescribeServices', 'Finding VPC Lattice in the AWS Price List', async () => {
    for await (const page of paginateDescribeServices(
      { client: pricing },
      { FormatVersion: 'aws_v1', MaxResults: 100 },
    )) {
      requests += 1;
      for (const s of page.Services ?? [])
        if (s.ServiceCode && /lattice/i.test(s.ServiceCode)) lattice.push(s.ServiceCode);
    }
  });
  return { codes: lattice.length > 0 ? lattice.sort() : [FALLBACK_SERVICE_CODE], requests };
}

/** Every product of `region` under the Lattice service codes that mentions Lattice. */
export async function readPriceListItems(pricing: PricingClient, region: string): Promise<PriceListItems> {
  const { codes, requests: described } = await serviceCodes(pricing);
  const items: string[] = [];
  let requests = described;
  for (const code of codes) {
    await awsCall(
      'pricing:GetProducts',
      `Reading the ${region} prices of ${code} from the AWS Price List`,
      async () => {
        const pages = paginateGetProducts(
          { client: pricing, pageSize: 100 },
          {
            ServiceCode: code,
            FormatVersion: 'aws_v1',
            Filters: [{ Type: 'TERM_MATCH', Field: 'regionCode', Value: region }],
          },
        );
        for await (const page of pages) {
          requests += 1;
          // Each item is a JSON document as a string (the SDK wraps it; String() unwraps it).
          for (const item of page.PriceList ?? []) {
            const text = String(item);
            if (/lattice/i.test(text)) items.push(text);
          }
        }
      },
    );
  }
  return { serviceCodes: codes, items, requests };
}
