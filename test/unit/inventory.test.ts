/** The inventory's resource configurations: named from the API, and a failure only a warning. */
import { describe, expect, it } from '@jest/globals';
import { VPCLatticeClient } from '@aws-sdk/client-vpc-lattice';
import { readInventory } from '../../src/aws/inventory.js';

const NETWORK = {
  id: 'sn-0123456789abcdef0',
  arn: 'arn:aws:vpc-lattice:us-east-1:111122223333:servicenetwork/sn-0123456789abcdef0',
  name: 'mesh',
};
const RCFG = 'arn:aws:vpc-lattice:us-east-1:111122223333:resourceconfiguration/rcfg-0123456789abcdef0';

/** A real client whose requests are answered here, by command name. */
function lattice(resources: () => unknown): VPCLatticeClient {
  const client = new VPCLatticeClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  client.send = (async (command: { constructor: { name: string } }) => {
    switch (command.constructor.name) {
      case 'GetServiceNetworkCommand':
        return NETWORK;
      case 'ListServiceNetworkServiceAssociationsCommand':
        return { items: [] };
      case 'ListServiceNetworkResourceAssociationsCommand':
        return resources();
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
