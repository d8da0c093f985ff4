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
import { type DescribedServices, type ServiceIdentity, identityFromArn } from '../model/aggregate.js';
import { DataError, UsageError } from '../errors.js';
import { awsCall, isAccessDenied } from './errors.js';
import { pool } from './pool.js';

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
  /** Every access-log destination ARN found (log groups, buckets, Firehose streams); empty when not looked up. */
  destinations: string[];
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
          const found =
            a.serviceArn || !a.serviceId
              ? undefined
              : await lattice.send(new GetServiceCommand({ serviceIdentifier: a.serviceId }));
          const arn = a.serviceArn || found?.arn;
          const name = found ? found.name : a.serviceName;
          const createdAt = isoTime(found?.createdAt);
          if (!arn) continue;
          services.set(arn, {
            ...identityFromArn(arn),
            ...(name ? { name } : {}),
            ...(createdAt ? { createdAt } : {}),
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
  /**
   * In a run over several accounts, a network shared in from its owner may have no access-log
   * subscription this account can see (assumed, not documented: subscriptions belong to the
   * network's owner). The owner's logs hold its traffic, so none is a note, not an error.
   */
  logsOptional?: boolean;
  /** Services described by earlier runs; gains those described now. */
  described?: DescribedServices;
  /**
   * cloudwatch (default): the destinations must include a log group. auto: any destination will
   * do, the caller picks. s3: the logs' place is known, so subscriptions are not listed.
   */
  logSource?: 'cloudwatch' | 'auto' | 's3';
}

export async function readInventory(
  lattice: VPCLatticeClient,
  request: InventoryRequest,
): Promise<Inventory> {
  const warnings: string[] = [];
  if (!request.serviceNetwork) {
    if (request.logGroupNames.length === 0 && request.logSource !== 's3') {
      throw new UsageError('Set service-network (to find its log groups) or log-group-names.');
    }
    return { services: [], resources: [], logGroups: request.logGroupNames, destinations: [], warnings };
  }
  const network = await resolveServiceNetwork(lattice, request.serviceNetwork);
  const services = await associatedServices(lattice, network);
  await describeServices(lattice, services, warnings, request.described);
  const resources = await associatedResources(lattice, network, warnings);
  if (request.logGroupNames.length > 0 || request.logSource === 's3')
    return { network, services, resources, logGroups: request.logGroupNames, destinations: [], warnings };

  const destinations = await accessLogDestinations(
    lattice,
    network.id,
    `service network ${network.name}`,
  ).catch((error: unknown) => {
    if (!request.logsOptional || !isAccessDenied((error as { cause?: unknown }).cause ?? error)) throw error;
    return [] as string[];
  });
  if (destinations.length === 0) {
    // Access logs can also be enabled per service instead of on the network.
    for (const s of services)
      destinations.push(...(await accessLogDestinations(lattice, s.id, `service ${s.name ?? s.id}`)));
  }
  const logGroups = [
    ...new Set(destinations.map(logGroupName).filter((n): n is string => n !== undefined)),
  ].sort();
  if (logGroups.length === 0 && request.logsOptional) {
    warnings.push(
      `No access-log group of ${network.name} is visible here; its traffic is read from the accounts whose logs hold it.`,
    );
    return { network, services, resources, logGroups, destinations, warnings };
  }
  if (request.logSource === 'auto' && destinations.length > 0)
    return {
      network,
      services,
      resources,
      logGroups,
      destinations: [...new Set(destinations)].sort(),
      warnings,
    };
  if (logGroups.length === 0) {
    const elsewhere =
      destinations.length > 0
        ? ` Its access logs go only to ${destinations.map((d) => d.split(':')[2]).join(', ')}, which Logs Insights cannot query: set log-source to auto (or to their s3:// location) to read them with Athena.`
        : ' It has no access-log subscription.';
    throw new DataError(
      `No CloudWatch Logs log group receives the access logs of service network ${network.name}.${elsewhere} ` +
        'Send them to a log group (provision/lattice-analytics.yaml does) or set log-group-names.',
    );
  }
  return { network, services, resources, logGroups, destinations, warnings };
}

/** A time from the API as ISO 8601; undefined when absent or not a time. */
function isoTime(date: Date | undefined): string | undefined {
  return date && !Number.isNaN(date.getTime()) ? date.toISOString() : undefined;
}

/** GetService calls at once. Assumed: a few stay within Lattice's request rate, and the SDK backs off if not. */
const DESCRIBE_CONCURRENCY = 4;

const GET_SERVICE_DENIED =
  'The role may not call vpc-lattice:GetService: services seen only in the logs are shown by id, and creation times are unknown.';

/**
 * Names (for services seen only in logs) and creation times (a service is billed from the hour it
 * was created) from GetService, for the services that lack either. A service that cannot be read
 * (deleted, or in an account the role cannot see) keeps its id and is billed all day.
 *
 * `described` answers for the services it holds and gains those read now: a service's name and
 * creation time never change (UpdateService, VPC Lattice API reference, takes only authType and
 * certificateArn; a service made again gets a new id), so an estate of thousands of services is
 * not described again on every run.
 */
export async function describeServices(
  lattice: VPCLatticeClient,
  services: ServiceIdentity[],
  warnings: string[],
  described?: DescribedServices,
): Promise<void> {
  let denied = false;
  const wanted = services.filter((s) => {
    if (s.name && s.createdAt) return false;
    const known = described?.get(s.arn);
    if (!known) return true;
    if (!s.name && known.name) s.name = known.name;
    s.createdAt = known.createdAt;
    return false;
  });
  await pool(wanted, DESCRIBE_CONCURRENCY, async (s) => {
    if (denied) return;
    try {
      // By ARN: it names the owner account too, for a service shared through AWS RAM.
      const found = await lattice.send(new GetServiceCommand({ serviceIdentifier: s.arn }));
      if (!s.name && found.name) s.name = found.name;
      const createdAt = isoTime(found.createdAt);
      if (createdAt) s.createdAt = createdAt;
      if (createdAt) described?.set(s.arn, { ...(found.name ? { name: found.name } : {}), createdAt });
    } catch (error) {
      if (isAccessDenied(error)) denied = true;
      // Otherwise a deleted service, or one in another account: it keeps what it has.
    }
  });
  if (denied && !warnings.includes(GET_SERVICE_DENIED)) warnings.push(GET_SERVICE_DENIED);
}
