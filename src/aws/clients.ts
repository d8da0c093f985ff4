/**
 * SDK clients for one run. Endpoints are never set here: the SDK reads AWS_ENDPOINT_URL and
 * AWS_ENDPOINT_URL_<SERVICE> itself, which is how tests and private endpoints redirect calls.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { PricingClient } from '@aws-sdk/client-pricing';
import { STSClient } from '@aws-sdk/client-sts';
import { VPCLatticeClient } from '@aws-sdk/client-vpc-lattice';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export interface AwsClients {
  lattice: VPCLatticeClient;
  logs: CloudWatchLogsClient;
  costExplorer: CostExplorerClient;
  pricing: PricingClient;
  sts: STSClient;
  destroy(): void;
}

/** Cost Explorer has one endpoint per partition, in its home region. */
function costExplorerRegion(region: string): string {
  return region.startsWith('cn-') ? 'cn-northwest-1' : 'us-east-1';
}

/**
 * The Price List Query API answers in us-east-1, eu-central-1 and ap-south-1, and cn-northwest-1
 * in China (botocore endpoints.json, "api.pricing"; Billing user guide, "Using the AWS Price List
 * Query API"). Every endpoint serves every region's prices, so the nearest one is used.
 */
function pricingRegion(region: string): string {
  if (region.startsWith('cn-')) return 'cn-northwest-1';
  if (/^(eu|me|af|il)-/.test(region)) return 'eu-central-1';
  if (region.startsWith('ap-')) return 'ap-south-1';
  return 'us-east-1';
}

type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

/** What every client of a run shares: the retries, and the credentials when not the default chain. */
export function clientSettings(credentials?: Credentials): {
  maxAttempts: number;
  credentials?: Credentials;
} {
  // Standard retry mode backs off on throttling (LimitExceededException included) and 5xx.
  return { maxAttempts: 6, ...(credentials ? { credentials } : {}) };
}

export function createClients(region: string, credentials?: Credentials): AwsClients {
  const common = clientSettings(credentials);
  const clients = {
    lattice: new VPCLatticeClient({ region, ...common }),
    logs: new CloudWatchLogsClient({ region, ...common }),
    costExplorer: new CostExplorerClient({ region: costExplorerRegion(region), ...common }),
    pricing: new PricingClient({ region: pricingRegion(region), ...common }),
    sts: new STSClient({ region, ...common }),
  };
  return {
    ...clients,
    destroy: () => Object.values(clients).forEach((c) => c.destroy()),
  };
}

/**
 * For `accounts: organization`. Organizations has one endpoint per partition; the SDK's endpoint
 * rules map any region of the partition to it (us-east-1, cn-northwest-1, us-gov-west-1).
 */
export function createOrganizationsClient(region: string, credentials?: Credentials): OrganizationsClient {
  return new OrganizationsClient({ region, ...clientSettings(credentials) });
}
