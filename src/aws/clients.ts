/**
 * SDK clients for one run. Endpoints are never set here: the SDK reads AWS_ENDPOINT_URL and
 * AWS_ENDPOINT_URL_<SERVICE> itself, which is how tests and private endpoints redirect calls.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { STSClient } from '@aws-sdk/client-sts';
import { VPCLatticeClient } from '@aws-sdk/client-vpc-lattice';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export interface AwsClients {
  lattice: VPCLatticeClient;
  logs: CloudWatchLogsClient;
  costExplorer: CostExplorerClient;
  cloudwatch: CloudWatchClient;
  sts: STSClient;
  destroy(): void;
}

/** Cost Explorer has one endpoint per partition, in its home region. */
export function costExplorerRegion(region: string): string {
  return region.startsWith('cn-') ? 'cn-northwest-1' : 'us-east-1';
}

export function createClients(
  region: string,
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider,
): AwsClients {
  // Standard retry mode backs off on throttling (LimitExceededException included) and 5xx.
  const common = { maxAttempts: 6, ...(credentials ? { credentials } : {}) };
  const clients = {
    lattice: new VPCLatticeClient({ region, ...common }),
    logs: new CloudWatchLogsClient({ region, ...common }),
    costExplorer: new CostExplorerClient({ region: costExplorerRegion(region), ...common }),
    cloudwatch: new CloudWatchClient({ region, ...common }),
    sts: new STSClient({ region, ...common }),
  };
  return {
    ...clients,
    destroy: () => Object.values(clients).forEach((c) => c.destroy()),
  };
}
