/**
 * The Lattice changes of a pull request's infrastructure code (src/iac/): CloudFormation YAML with
 * short-form tags and its JSON form, a SAM template, a CDK-synthesized template and a Terraform
 * plan, from the realistic pairs in test/fixtures/iac/.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DEMO_TEMPLATE_BASE, DEMO_TEMPLATE_HEAD } from '../../src/demo/templates.js';
import { CFN_TAGS } from '../../src/iac/cfn-tags.js';
import { cloudFormationResources } from '../../src/iac/cloudformation.js';
import { diffResources, isIacPath, templateChanges } from '../../src/iac/diff.js';
import { terraformChanges } from '../../src/iac/terraform.js';
import type { IacResource, LatticeChange } from '../../src/model/changes.js';

const FIXTURES = join(process.cwd(), 'test/fixtures/iac');
const fixture = (path: string): string => readFileSync(join(FIXTURES, path), 'utf8');

/** A change in one line: action, kind, name (or address), what changed. */
const summary = (changes: LatticeChange[]): string[] =>
  changes.map((c) => {
    const r = (c.after ?? c.before)!;
    return `${c.action} ${c.kind} ${r.name ?? r.address}${c.changed.length ? ` [${c.changed.join(',')}]` : ''}`;
  });

const byAddress = (resources: IacResource[], address: string): IacResource => {
  const found = resources.find((r) => r.address === address);
  if (!found) throw new Error(`no resource ${address}`);
  return found;
};

/** A template of a few lines: Resources under a header the tests vary. */
const template = (resources: string, header = ''): string => `${header}\nResources:\n${resources}`;

describe('the demo templates (CloudFormation YAML with short-form tags)', () => {
  const base = fixture('cloudformation/analytics-mesh.base.yaml');
  const head = fixture('cloudformation/analytics-mesh.head.yaml');

  it('are the texts the demo writes', () => {
    expect(DEMO_TEMPLATE_BASE).toBe(base);
    expect(DEMO_TEMPLATE_HEAD).toBe(head);
  });

  it('remove the idle service, add orders-v2, change a protocol and a policy; a renamed logical id is no change', () => {
    const { changes, skipped } = templateChanges([{ path: 'infra/analytics-mesh.yaml', base, head }]);
    expect(skipped).toEqual([]);
    expect(summary(changes)).toEqual([
      'remove service legacy-reports',
      'remove service-association LegacyReportsNetworkAssociation',
      'remove listener http-80',
      'remove target-group legacy-reports-targets',
      'modify listener tls-443 [name,protocol]',
      'modify target-group partner-gateway-targets [protocol]',
      'modify auth-policy OrdersAuthPolicy [policy]',
      'add service orders-v2',
      'add service-association OrdersV2NetworkAssociation',
      'add listener https-443',
      'add target-group orders-v2-targets',
      'add auth-policy OrdersV2AuthPolicy',
    ]);
    const listener = changes.find((c) => c.kind === 'listener' && c.action === 'modify')!;
    expect([listener.before!.settings.protocol, listener.after!.settings.protocol]).toEqual([
      'HTTP',
      'TLS_PASSTHROUGH',
    ]);
    expect(changes.every((c) => !(c.after ?? c.before)!.unresolved)).toBe(true);
  });

  it('resolve names from !Sub and !Ref of parameter defaults, and targets from !Ref and !GetAtt', () => {
    const resources = cloudFormationResources(head, 'mesh.yaml');
    expect(byAddress(resources, 'MeshNetwork').name).toBe('analytics-mesh');
    expect(byAddress(resources, 'OrdersService').name).toBe('orders-api');
    expect(byAddress(resources, 'OrdersV2TargetGroup').name).toBe('orders-v2-targets');
    expect(byAddress(resources, 'CheckoutApiNetworkAssociation').targets).toEqual([
      { kind: 'service', name: 'checkout-api' },
      { kind: 'service-network', name: 'analytics-mesh' },
    ]);
    expect(byAddress(resources, 'OrdersAuthPolicy').targets).toEqual([
      { kind: 'service', name: 'orders-api' },
    ]);
    // A YAML alias shares the policy, !Ref inside it resolved.
    expect(byAddress(resources, 'OrdersV2AuthPolicy').settings.policy).toContain(
      '"aws:PrincipalOrgID":"o-a1b2c3d4e5"',
    );
    const logs = byAddress(resources, 'MeshAccessLogs');
    expect(logs.targets).toEqual([{ kind: 'service-network', name: 'analytics-mesh' }]);
    expect(logs.settings.destination).toBe('log-group:/aws/vpclattice/analytics-mesh');
    expect(resources.map((r) => r.type)).not.toContain('AWS::Logs::LogGroup');
  });

  it('read the same from the JSON form of the template (long-form intrinsics)', () => {
    const json = JSON.stringify(parse(base, { customTags: CFN_TAGS }), null, 2);
    expect(cloudFormationResources(json, 'mesh.yaml')).toEqual(cloudFormationResources(base, 'mesh.yaml'));
  });
});

describe('names and references', () => {
  const service = (name: string): string =>
    `  Svc:\n    Type: AWS::VpcLattice::Service\n    Properties:\n      Name: ${name}\n`;

  it('are literal, a !Ref to a default, a !Sub, a !Join, an !If on a condition of defaults, a !FindInMap', () => {
    const parameters = `Parameters:\n  Team: {Type: String, Default: billing}\n  Stage: {Type: String, Default: prod}\nConditions:\n  Prod: !Equals [!Ref Stage, prod]\nMappings:\n  Names: {prod: {svc: billing-api}}`;
    const nameOf = (expr: string): string | undefined =>
      cloudFormationResources(template(service(expr), parameters), 't.yaml')[0]!.name;
    expect(nameOf('billing-api')).toBe('billing-api');
    expect(nameOf('!Ref Team')).toBe('billing');
    expect(nameOf("!Sub '${Team}-api-${Stage}'")).toBe('billing-api-prod');
    expect(nameOf("!Join ['-', [!Ref Team, api]]")).toBe('billing-api');
    expect(nameOf("!If [Prod, billing-api, !Sub '${Team}-${Stage}']")).toBe('billing-api');
    expect(nameOf('!FindInMap [Names, !Ref Stage, svc]')).toBe('billing-api');
    expect(nameOf("!Select [1, !Split [',', 'a,billing-api']]")).toBe('billing-api');
  });

  it('are unresolved, and say why, when they depend on the deployment', () => {
    const parameters = 'Parameters:\n  Team: {Type: String}';
    const [stack] = cloudFormationResources(template(service("!Sub '${AWS::StackName}-orders'")), 't.yaml');
    expect(stack).toMatchObject({ unresolved: true, uncertain: ['Name of Svc is ⟨AWS::StackName⟩-orders'] });
    expect(stack!.name).toBeUndefined();
    const [noDefault] = cloudFormationResources(template(service('!Ref Team'), parameters), 't.yaml');
    expect(noDefault).toMatchObject({ unresolved: true, uncertain: ['Name of Svc is ⟨Team⟩'] });
    const unnamed = cloudFormationResources(
      template('  Svc:\n    Type: AWS::VpcLattice::Service\n    Properties: {AuthType: AWS_IAM}\n'),
      't.yaml',
    );
    expect(unnamed[0]).toMatchObject({ unresolved: true, settings: { authType: 'AWS_IAM' } });
  });

  it('resolve literal ids and ARNs, mark imports, and find a rule’s service through its listener', () => {
    const resources = cloudFormationResources(
      template(`  Assoc:
    Type: AWS::VpcLattice::ServiceNetworkServiceAssociation
    Properties:
      ServiceIdentifier: arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-0a9324418ee8fd358
      ServiceNetworkIdentifier: !ImportValue shared-mesh-id
  Policy:
    Type: AWS::VpcLattice::AuthPolicy
    Properties:
      ResourceIdentifier: !Sub arn:\${AWS::Partition}:vpc-lattice:\${AWS::Region}:\${AWS::AccountId}:servicenetwork/sn-0816a54961886fe55
      Policy: '{"Version": "2012-10-17", "Statement": []}'
  Listener:
    Type: AWS::VpcLattice::Listener
    Properties: {ServiceIdentifier: svc-0a9324418ee8fd358, Protocol: HTTPS, DefaultAction: {FixedResponse: {StatusCode: 404}}}
  Rule:
    Type: AWS::VpcLattice::Rule
    Properties: {Name: reports, ListenerIdentifier: !GetAtt Listener.Arn, Priority: 10}
`),
      't.yaml',
    );
    expect(byAddress(resources, 'Assoc')).toMatchObject({
      unresolved: true,
      uncertain: ['ServiceNetworkIdentifier is ⟨Fn::ImportValue shared-mesh-id⟩'],
      targets: [
        {
          kind: 'service',
          id: 'svc-0a9324418ee8fd358',
          arn: 'arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-0a9324418ee8fd358',
        },
        { kind: 'service-network' },
      ],
    });
    // The network is known by the id in its ARN, whatever the partition, region and account.
    expect(byAddress(resources, 'Policy')).toMatchObject({
      unresolved: false,
      targets: [{ kind: 'service-network', id: 'sn-0816a54961886fe55' }],
      settings: { policy: '{"Statement":[],"Version":"2012-10-17"}' },
    });
    expect(byAddress(resources, 'Rule').targets).toEqual([{ kind: 'service', id: 'svc-0a9324418ee8fd358' }]);
  });

  it('keep a resource whose condition is false with the defaults out', () => {
    const header =
      'Parameters:\n  Legacy: {Type: String, Default: "false"}\nConditions:\n  WithLegacy: !Equals [!Ref Legacy, "true"]';
    const text = template(`${service('legacy-reports')}    Condition: WithLegacy\n`, header);
    expect(cloudFormationResources(text, 't.yaml')).toEqual([]);
  });

  it('match a renamed logical id by its Name, and an unnamed association by what it attaches', () => {
    const stack = (svc: string, assoc: string): string =>
      template(`  ${svc}:
    Type: AWS::VpcLattice::Service
    Properties: {Name: checkout-api, AuthType: AWS_IAM}
  ${assoc}:
    Type: AWS::VpcLattice::ServiceNetworkServiceAssociation
    Properties: {ServiceIdentifier: !Ref ${svc}, ServiceNetworkIdentifier: sn-0816a54961886fe55}
`);
    const base = cloudFormationResources(stack('CheckoutService', 'CheckoutAssoc'), 'a.yaml');
    const head = cloudFormationResources(stack('CheckoutApiService', 'CheckoutApiAssoc'), 'a.yaml');
    expect(diffResources(base, head)).toEqual([]);
    // Moved to another file: still the same service.
    const moved = cloudFormationResources(stack('CheckoutApiService', 'CheckoutApiAssoc'), 'b.yaml');
    expect(diffResources(base, moved)).toEqual([]);
  });
});

describe('a SAM template', () => {
  it('reads through the transform: the service gets IAM auth, an auth policy and access logs', () => {
    const { changes, skipped } = templateChanges([
      {
        path: 'notifications/template.yaml',
        base: fixture('sam/notifications.base.yaml'),
        head: fixture('sam/notifications.head.yaml'),
      },
    ]);
    expect(skipped).toEqual([]);
    expect(summary(changes)).toEqual([
      'modify service notifications [authType]',
      'add auth-policy NotificationsAuthPolicy',
      'add access-log-subscription NotificationsAccessLogs',
    ]);
    expect(changes[0]!.after!.targets).toEqual([]);
    expect(changes[2]!.after).toMatchObject({
      targets: [{ kind: 'service', name: 'notifications' }],
      settings: { destination: 'log-group:/aws/vpclattice/notifications' },
    });
    const resources = cloudFormationResources(fixture('sam/notifications.base.yaml'), 'template.yaml');
    expect(byAddress(resources, 'NotificationsTargetGroup').name).toBe('notifications-prod-lambda');
    expect(byAddress(resources, 'NotificationsNetworkAssociation').targets).toEqual([
      { kind: 'service', name: 'notifications' },
      { kind: 'service-network', id: 'sn-0816a54961886fe55' },
    ]);
  });
});

describe('a CDK-synthesized template', () => {
  it('finds the changes behind generated logical ids; a construct moved keeps its Name and is no change', () => {
    const path = 'cdk.out/LatticeStack.template.json';
    const { changes, skipped } = templateChanges([
      { path, base: fixture(`cdk/base/${path}`), head: fixture(`cdk/head/${path}`) },
    ]);
    expect(skipped).toEqual([]);
    expect(summary(changes)).toEqual([
      'modify listener https-443 [name,protocol]',
      'modify access-log-subscription SearchApiAccessLogs0B1C2D3E [destination]',
      'add vpc-association DataVpcAssociation6E7F8091',
    ]);
    const logs = changes[1]!;
    expect([logs.before!.settings.destination, logs.after!.settings.destination]).toEqual([
      'log-group:/aws/vpclattice/search-api',
      's3:analytics-mesh-access-logs-111122223333',
    ]);
    expect(logs.after!.targets).toEqual([{ kind: 'service', name: 'search-api' }]);
  });
});

describe('a Terraform plan', () => {
  const changes = terraformChanges(fixture('terraform/lattice.tfplan.json'), 'lattice.tfplan.json');

  it('reports creates, deletes, updates and replacements; no-op, read, tags and other types are no change', () => {
    expect(summary(changes)).toEqual([
      'remove service legacy-reports',
      'remove service-association aws_vpclattice_service_network_service_association.legacy_reports',
      'modify service media-export [authType]',
      'modify listener media-export [protocol,replace]',
      'modify access-log-subscription aws_vpclattice_access_log_subscription.mesh [destination,replace]',
      'add service orders-v2',
      'add service-association aws_vpclattice_service_network_service_association.orders_v2',
      'add target-group orders-v2-targets',
      'add auth-policy aws_vpclattice_auth_policy.orders_v2',
    ]);
  });

  it('names what values known only after apply refer to, from the configuration', () => {
    const find = (address: string): IacResource => changes.find((c) => c.after?.address === address)!.after!;
    expect(find('aws_vpclattice_service_network_service_association.orders_v2')).toMatchObject({
      unresolved: false,
      targets: [
        { kind: 'service', name: 'orders-v2' },
        { kind: 'service-network', name: 'analytics-mesh' },
      ],
    });
    expect(find('aws_vpclattice_auth_policy.orders_v2').settings.policy).toBe(
      '{"Statement":[{"Action":"vpc-lattice-svcs:Invoke","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}},"Effect":"Allow","Principal":"*","Resource":"*"}],"Version":"2012-10-17"}',
    );
    expect(find('aws_vpclattice_access_log_subscription.mesh').settings.destination).toBe(
      's3:analytics-mesh-access-logs-111122223333',
    );
    const removed = changes.find((c) => c.action === 'remove' && c.kind === 'service-association')!.before!;
    expect(removed.targets).toEqual([
      { kind: 'service', id: 'svc-0e1d7a3c9b5f24680' },
      { kind: 'service-network', id: 'sn-0816a54961886fe55' },
    ]);
  });

  it('marks a value known only after apply that nothing names as unresolved', () => {
    const plan = JSON.parse(fixture('terraform/lattice.tfplan.json')) as { configuration?: unknown };
    delete plan.configuration;
    const bare = terraformChanges(JSON.stringify(plan), 'plan.json');
    const assoc = bare.find((c) => c.after?.address.endsWith('association.orders_v2'))!.after!;
    expect(assoc).toMatchObject({
      unresolved: true,
      uncertain: ['service_identifier is known only after apply'],
      targets: [{ kind: 'service' }, { kind: 'service-network', id: 'sn-0816a54961886fe55' }],
    });
  });

  it('names the file and what is wrong when the input is not a plan', () => {
    expect(() => terraformChanges('{"format_version"', 'plan.json')).toThrow(
      /^plan\.json is not valid JSON: /,
    );
    expect(() => terraformChanges('{"format_version": "1.0", "values": {}}', 'state.json')).toThrow(
      'state.json is not a Terraform plan in JSON (terraform show -json PLANFILE): it is the JSON of a state, not of a plan',
    );
    expect(() => terraformChanges('{"format_version": "2.0", "planned_values": {}}', 'p.json')).toThrow(
      /format_version 2\.0 is not 1\.x/,
    );
    expect(terraformChanges('{"format_version": "1.2", "planned_values": {}}', 'p.json')).toEqual([]);
  });
});

describe('files of a pull request', () => {
  const workflow = 'name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n';
  const service = template('  Svc:\n    Type: AWS::VpcLattice::Service\n    Properties: {Name: orders-v2}\n');

  it('skips a file that does not parse, with the parser’s message, and reads the others', () => {
    const { changes, skipped } = templateChanges([
      { path: 'infra/broken.yaml', base: service, head: 'Resources:\n  Svc: [unclosed\n' },
      { path: 'infra/new.yaml', head: service },
    ]);
    expect(summary(changes)).toEqual(['add service orders-v2']);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.path).toBe('infra/broken.yaml');
    expect(skipped[0]!.reason).toMatch(/^infra\/broken\.yaml is not valid YAML: .+ \(its head version\)$/s);
  });

  it('skips YAML and JSON that are not templates, saying what is missing', () => {
    const { changes, skipped } = templateChanges([
      { path: '.ci/workflow.yml', base: workflow, head: `${workflow}# more\n` },
      { path: 'config/settings.json', head: '["a", "b"]' },
      { path: 'k8s/deploy.yaml', head: 'Resources:\n  web:\n    replicas: 2\n' },
      { path: 'infra/gone.yaml', base: service },
    ]);
    expect(summary(changes)).toEqual(['remove service orders-v2']);
    expect(skipped).toEqual([
      {
        path: '.ci/workflow.yml',
        reason: '.ci/workflow.yml is not a CloudFormation template: it has no Resources mapping',
      },
      {
        path: 'config/settings.json',
        reason:
          'config/settings.json is not a CloudFormation template: its top level is a list, not a mapping',
      },
      {
        path: 'k8s/deploy.yaml',
        reason: 'k8s/deploy.yaml is not a CloudFormation template: resource web has no Type',
      },
    ]);
  });

  it('are infrastructure code by their path: templates yes, manifests and workflows no', () => {
    const yes = [
      'infra/mesh.yaml',
      'stacks/a.yml',
      'template.json',
      'cfn/app.template',
      'cdk.out/LatticeStack.template.json',
    ];
    const no = [
      'cdk.out/manifest.json',
      'cdk.out/LatticeStack.assets.json',
      'package.json',
      'tsconfig.build.json',
      '.github/workflows/ci.yml',
      'node_modules/x/template.yaml',
      'src/main.ts',
      'README.md',
    ];
    expect(yes.filter((p) => !isIacPath(p))).toEqual([]);
    expect(no.filter((p) => isIacPath(p))).toEqual([]);
  });
});
