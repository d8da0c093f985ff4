/**
 * What exists: the service network, its associated services (billed even when silent) and the
 * log groups its access logs go to, all read from the VPC Lattice API at run time.
 */
import {
  GetServiceCommand,
  GetServiceNetworkCommand,
  paginateListAccessLogSubscriptions,
  paginateListServiceNetworks,
  paginateListServiceNetworkResourceAssociations,
  paginateListServiceNetworkServiceAssociations,
  type VPCLatticeClient,
} from '@aws-sdk/client-vpc-lattice';
import { type ServiceIdentity, identityFromArn } from '../model/aggregate.js';
import { DataError, UsageError } from '../errors.js';
import { awsCall, isAccessDenied } from './errors.js';

interface ServiceNetwork {
  id: string;
  arn: string;
  name: string;
}

export interface Inventory {
  network?: ServiceNetwork;
  services: ServiceIdentity[];
  /** Resource configurations associated with the network: billed per hour even when silent. */
  resources: ServiceIdentity[];
  /** Log group names of the CloudWatch Logs access-log destinations. */
  logGroups: string[];
  warnings: string[];
}

const NETWORK_ID = /^sn-[0-9a-z-]+$/;
const NETWORK_ARN = /^arn:aws[a-z-]*:vpc-lattice:[a-z0-9-]+:\d{12}:servicenetwork\/(sn-[0-9a-z-]+)$/;

/** Finds a service network by name, id or ARN. */
async function resolveServiceNetwork(lattice: VPCLatticeClient, identifier: string): Promise<ServiceNetwork> {
  const id = NETWORK_ID.test(identifier) ? identifier : NETWORK_ARN.exec(identifier)?.[1];
  if (id) {
    const found = await awsCall(
      'vpc-lattice:GetServiceNetwork',
      `Reading service network ${identifier}`,
      () => lattice.send(new GetServiceNetworkCommand({ serviceNetworkIdentifier: id })),
    ).catch((error: unknown) => {
      if ((error as { cause?: { name?: string } }).cause?.name === 'ResourceNotFoundException') {
        throw new UsageError(`service-network ${identifier} does not exist in this account and region.`);
      }
      throw error;
    });
    return { id: found.id!, arn: found.arn!, name: found.name ?? id };
  }
  const pages = paginateListServiceNetworks({ client: lattice }, {});
  const matches: ServiceNetwork[] = [];
  await awsCall('vpc-lattice:ListServiceNetworks', 'Listing service networks', async () => {
    for await (const page of pages) {
      for (const n of page.items ?? []) {
        if (n.name === identifier && n.id && n.arn) matches.push({ id: n.id, arn: n.arn, name: n.name });
      }
    }
  });
  if (matches.length === 0) {
    throw new UsageError(
      `service-network "${identifier}" was not found in this account and region; give its name, id (sn-…) or ARN.`,
    );
  }
  if (matches.length > 1) {
    throw new UsageError(
      `service-network "${identifier}" matches ${matches.length} networks (shared ones included); give its id or ARN.`,
    );
  }
  return matches[0]!;
}

async function associatedServices(
  lattice: VPCLatticeClient,
  network: ServiceNetwork,
): Promise<ServiceIdentity[]> {
  const services = new Map<string, ServiceIdentity>();
  await awsCall(
    'vpc-lattice:ListServiceNetworkServiceAssociations',
    `Listing the services of ${network.name}`,
    async () => {
      const pages = paginateListServiceNetworkServiceAssociations(
        { client: lattice },
        { serviceNetworkIdentifier: network.id },
      );
      for await (const page of pages) {
        for (const a of page.items ?? []) {
          if (a.status?.startsWith('DELETE')) continue;
          // The API returns the service's ARN and name; when it does not, GetService has them.
          const service =
            a.serviceArn || !a.serviceId
              ? { arn: a.serviceArn, name: a.serviceName }
              : await lattice.send(new GetServiceCommand({ serviceIdentifier: a.serviceId }));
          if (!service.arn) continue;
          services.set(service.arn, {
            ...identityFromArn(service.arn),
            ...(service.name ? { name: service.name } : {}),
          });
        }
      }
    },
  );
  return [...services.values()];
}

/**
 * The resource configurations associated with the network, with their names
 * (ListServiceNetworkResourceAssociations). Not being able to list them costs only their names and
 * their silent hours, so any failure is a warning.
 */
async function associatedResources(
  lattice: VPCLatticeClient,
  network: ServiceNetwork,
  warnings: string[],
): Promise<ServiceIdentity[]> {
  const resources = new Map<string, ServiceIdentity>();
  try {
    const pages = paginateListServiceNetworkResourceAssociations(
      { client: lattice },
      { serviceNetworkIdentifier: network.id },
    );
    for await (const page of pages) {
      for (const a of page.items ?? []) {
        if (a.status?.startsWith('DELETE') || !a.resourceConfigurationArn) continue;
        resources.set(a.resourceConfigurationArn, {
          ...identityFromArn(a.resourceConfigurationArn),
          ...(a.resourceConfigurationName ? { name: a.resourceConfigurationName } : {}),
        });
      }
    }
  } catch (error) {
    warnings.push(
      isAccessDenied(error)
        ? 'Resource configurations are shown by id, and only those with traffic: the role may not call vpc-lattice:ListServiceNetworkResourceAssociations.'
        : `The resource configurations of ${network.name} could not be listed (${(error as Error).name}); those with traffic are shown by id.`,
    );
  }
  return [...resources.values()];
}

/** `arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:*]` -> NAME. */
function logGroupName(destinationArn: string): string | undefined {
  const m = /^arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:(.+?)(?::\*)?$/.exec(destinationArn);
  return m?.[1];
}

async function accessLogDestinations(
  lattice: VPCLatticeClient,
  resourceId: string,
  what: string,
): Promise<string[]> {
  const destinations: string[] = [];
  await awsCall(
    'vpc-lattice:ListAccessLogSubscriptions',
    `Listing the access-log subscriptions of ${what}`,
    async () => {
      for await (const page of paginateListAccessLogSubscriptions(
        { client: lattice },
        { resourceIdentifier: resourceId },
      )) {
        for (const s of page.items ?? []) if (s.destinationArn) destinations.push(s.destinationArn);
      }
    },
  );
  return destinations;
}

export interface InventoryRequest {
  serviceNetwork?: string;
  logGroupNames: string[];
}

export async function readInventory(
  lattice: VPCLatticeClient,
  request: InventoryRequest,
): Promise<Inventory> {
  const warnings: string[] = [];
  if (!request.serviceNetwork) {
    if (request.logGroupNames.length === 0) {
      throw new UsageError('Set service-network (to find its log groups) or log-group-names.');
    }
    return { services: [], resources: [], logGroups: request.logGroupNames, warnings };
  }
  const network = await resolveServiceNetwork(lattice, request.serviceNetwork);
  const services = await associatedServices(lattice, network);
  const resources = await associatedResources(lattice, network, warnings);
  if (request.logGroupNames.length > 0)
    return { network, services, resources, logGroups: request.logGroupNames, warnings };

  const destinations = await accessLogDestinations(lattice, network.id, `service network ${network.name}`);
  if (destinations.length === 0) {
    // Access logs can also be enabled per service instead of on the network.
    for (const s of services)
      destinations.push(...(await accessLogDestinations(lattice, s.id, `service ${s.name ?? s.id}`)));
  }
  const logGroups = [
    ...new Set(destinations.map(logGroupName).filter((n): n is string => n !== undefined)),
  ].sort();
  if (logGroups.length === 0) {
    const elsewhere =
      destinations.length > 0
        ? ` Its access logs go only to ${destinations.map((d) => d.split(':')[2]).join(', ')}, which Logs Insights cannot query.`
        : ' It has no access-log subscription.';
    throw new DataError(
      `No CloudWatch Logs log group receives the access logs of service network ${network.name}.${elsewhere} ` +
        'Send them to a log group (provision/lattice-analytics.yaml does) or set log-group-names.',
    );
  }
  return { network, services, resources, logGroups, warnings };
}

/** Names for services seen only in logs, where the role may read them; ids otherwise. */
export async function nameServices(
  lattice: VPCLatticeClient,
  services: ServiceIdentity[],
  warnings: string[],
): Promise<void> {
  for (const s of services) {
    if (s.name) continue;
    try {
      const found = await lattice.send(new GetServiceCommand({ serviceIdentifier: s.id }));
      if (found.name) s.name = found.name;
    } catch (error) {
      if (isAccessDenied(error)) {
        warnings.push('Service names are shown as ids: the role may not call vpc-lattice:GetService.');
        return;
      }
      // A deleted service or one in another account keeps its id.
    }
  }
}
