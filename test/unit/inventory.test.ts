/**
 * The inventory from a faked Lattice API: resource configurations named from the API, services'
 * names and creation times from GetService, and what a failure of either costs (only a warning).
 */
import { describe, expect, it } from '@jest/globals';
import { VPCLatticeClient } from '@aws-sdk/client-vpc-lattice';
import { describeServices, readInventory } from '../../src/aws/inventory.js';
import { identityFromArn } from '../../src/model/aggregate.js';

const NETWORK = {
  id: 'sn-0123456789abcdef0',
  arn: 'arn:aws:vpc-lattice:us-east-1:111122223333:servicenetwork/sn-0123456789abcdef0',
  name: 'mesh',
};
const RCFG = 'arn:aws:vpc-lattice:us-east-1:111122223333:resourceconfiguration/rcfg-0123456789abcdef0';

const SVC = 'arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-0123456789abcdef0';
const GONE = 'arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-00000000000000001';
const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });

type Input = { serviceIdentifier?: string };

/** A real client whose requests are answered here, by command name. */
function lattice(
  resources: () => unknown,
  options: { associations?: unknown[]; getService?: (input: Input) => unknown } = {},
): VPCLatticeClient {
  const client = new VPCLatticeClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  client.send = (async (command: { constructor: { name: string }; input: Input }) => {
    switch (command.constructor.name) {
      case 'GetServiceNetworkCommand':
        return NETWORK;
      case 'ListServiceNetworkServiceAssociationsCommand':
        return { items: options.associations ?? [] };
      case 'ListServiceNetworkResourceAssociationsCommand':
        return resources();
      case 'GetServiceCommand':
        if (options.getService) return options.getService(command.input);
        throw new Error('unexpected GetServiceCommand');
      default:
        throw new Error(`unexpected ${command.constructor.name}`);
    }
  }) as unknown as VPCLatticeClient['send'];
  return client;
}

describe('readInventory: resource configurations', () => {
  it('lists the associated ones with their names, skipping those being deleted', async () => {
    const inventory = await readInventory(
      lattice(() => ({
        items: [
          { resourceConfigurationArn: RCFG, resourceConfigurationName: 'orders-db', status: 'ACTIVE' },
          { resourceConfigurationArn: RCFG.replace('0123', '9999'), status: 'DELETE_IN_PROGRESS' },
          { id: 'snra-1' },
        ],
      })),
      { serviceNetwork: NETWORK.id, logGroupNames: ['/aws/vendedlogs/mesh'] },
    );
    expect(inventory.resources).toEqual([
      {
        arn: RCFG,
        id: 'rcfg-0123456789abcdef0',
        region: 'us-east-1',
        account: '111122223333',
        kind: 'resource-configuration',
        name: 'orders-db',
      },
    ]);
    expect(inventory.warnings).toEqual([]);
  });

  it('names the missing permission in a warning and goes on', async () => {
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
    const inventory = await readInventory(
      lattice(() => {
        throw denied;
      }),
      { serviceNetwork: NETWORK.id, logGroupNames: ['/aws/vendedlogs/mesh'] },
    );
    expect(inventory.resources).toEqual([]);
    expect(inventory.warnings).toEqual([
      expect.stringContaining('vpc-lattice:ListServiceNetworkResourceAssociations'),
    ]);
  });
});

describe('services: names and creation times from GetService', () => {
  const request = { serviceNetwork: NETWORK.id, logGroupNames: ['/aws/vendedlogs/mesh'] };
  const createdAt = new Date('2026-11-19T10:30:00Z');

  it('gives every associated service its creation time, asking by ARN', async () => {
    const asked: Input[] = [];
    const inventory = await readInventory(
      lattice(() => ({ items: [] }), {
        associations: [{ serviceArn: SVC, serviceName: 'orders', status: 'ACTIVE' }],
        getService: (input) => {
          asked.push(input);
          return { arn: SVC, name: 'orders', createdAt };
        },
      }),
      request,
    );
    expect(asked).toEqual([{ serviceIdentifier: SVC }]);
    expect(inventory.services).toEqual([
      { ...identityFromArn(SVC), name: 'orders', createdAt: '2026-11-19T10:30:00.000Z' },
    ]);
    expect(inventory.warnings).toEqual([]);
  });

  it('takes the ARN, name and creation time from one GetService when the association lacks the ARN', async () => {
    let calls = 0;
    const inventory = await readInventory(
      lattice(() => ({ items: [] }), {
        associations: [{ serviceId: 'svc-0123456789abcdef0', status: 'ACTIVE' }],
        getService: () => {
          calls += 1;
          return { arn: SVC, name: 'orders', createdAt };
        },
      }),
      request,
    );
    expect(calls).toBe(1);
    expect(inventory.services[0]).toMatchObject({
      arn: SVC,
      name: 'orders',
      createdAt: createdAt.toISOString(),
    });
  });

  it('names a denied GetService once, and leaves creation times unknown', async () => {
    const inventory = await readInventory(
      lattice(() => ({ items: [] }), {
        associations: [
          { serviceArn: SVC, serviceName: 'orders' },
          { serviceArn: GONE, serviceName: 'gone' },
        ],
        getService: () => {
          throw denied;
        },
      }),
      request,
    );
    expect(inventory.services.map((s) => s.createdAt)).toEqual([undefined, undefined]);
    expect(inventory.warnings).toEqual([expect.stringContaining('vpc-lattice:GetService')]);
    // The pipeline asks again for services seen only in logs: still one warning.
    const warnings = [...inventory.warnings];
    await describeServices(
      lattice(() => ({ items: [] }), {
        getService: () => {
          throw denied;
        },
      }),
      [identityFromArn(GONE)],
      warnings,
    );
    expect(warnings).toEqual(inventory.warnings);
  });

  it('describes services seen only in logs; a deleted one keeps its id, without a warning', async () => {
    const services = [identityFromArn(SVC), identityFromArn(GONE)];
    const warnings: string[] = [];
    await describeServices(
      lattice(() => ({ items: [] }), {
        getService: (input) => {
          if (input.serviceIdentifier === GONE)
            throw Object.assign(new Error('gone'), { name: 'ResourceNotFoundException' });
          return { arn: SVC, name: 'orders', createdAt };
        },
      }),
      services,
      warnings,
    );
    expect(services).toEqual([
      { ...identityFromArn(SVC), name: 'orders', createdAt: createdAt.toISOString() },
      identityFromArn(GONE),
    ]);
    expect(warnings).toEqual([]);
  });

  it('asks GetService once per service across runs that share what was described', async () => {
    const described = new Map<string, { name?: string; createdAt: string }>();
    const asked: string[] = [];
    const client = lattice(() => ({ items: [] }), {
      getService: (input) => {
        asked.push(input.serviceIdentifier!);
        if (input.serviceIdentifier === GONE)
          throw Object.assign(new Error('gone'), { name: 'ResourceNotFoundException' });
        return { arn: SVC, name: 'orders', createdAt };
      },
    });
    const first = [identityFromArn(SVC), identityFromArn(GONE)];
    await describeServices(client, first, [], described);
    expect([...described]).toEqual([[SVC, { name: 'orders', createdAt: createdAt.toISOString() }]]);
    const second = [identityFromArn(SVC), identityFromArn(GONE)];
    await describeServices(client, second, [], described);
    // The deleted one is asked again (it may be readable now); the described one is not.
    expect(asked).toEqual([SVC, GONE, GONE]);
    expect(second).toEqual(first);
  });
});
