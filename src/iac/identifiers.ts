/**
 * What CloudFormation and Terraform share once their syntax is read: Lattice ids and ARNs written
 * as literals, access-log destinations, policy documents as stable text.
 */
import type { LatticeResourceKind, ResourceRef } from '../model/changes.js';

export type RefKind = ResourceRef['kind'];

/**
 * Each kind's CloudFormation type ("Amazon VPC Lattice" in the CloudFormation Template Reference)
 * and Terraform type (the AWS provider's "VPC Lattice" resources in the Terraform Registry).
 * Resource policies (sharing), domain verifications and target group attachments are left out:
 * none moves traffic or changes the bill.
 */
const LATTICE_TYPES: Array<[LatticeResourceKind, string]> = [
  ['service', 'Service'],
  ['service-network', 'ServiceNetwork'],
  ['service-association', 'ServiceNetworkServiceAssociation'],
  ['vpc-association', 'ServiceNetworkVpcAssociation'],
  ['resource-association', 'ServiceNetworkResourceAssociation'],
  ['listener', 'Listener'],
  ['rule', 'Rule'],
  ['target-group', 'TargetGroup'],
  ['auth-policy', 'AuthPolicy'],
  ['access-log-subscription', 'AccessLogSubscription'],
  ['resource-configuration', 'ResourceConfiguration'],
  ['resource-gateway', 'ResourceGateway'],
];

/** `AWS::VpcLattice::ServiceNetwork` for CloudFormation. */
export const CLOUDFORMATION_KINDS: Record<string, LatticeResourceKind> = Object.fromEntries(
  LATTICE_TYPES.map(([kind, name]) => [`AWS::VpcLattice::${name}`, kind]),
);

/** `aws_vpclattice_service_network` for Terraform; a listener rule is `aws_vpclattice_listener_rule`. */
export const TERRAFORM_KINDS: Record<string, LatticeResourceKind> = Object.fromEntries(
  LATTICE_TYPES.map(([kind, name]) => [
    `aws_vpclattice_${name === 'Rule' ? 'listener_rule' : name.replace(/(?<=.)([A-Z])/g, '_$1').toLowerCase()}`,
    kind,
  ]),
);

/**
 * Id prefixes and ARN resource types of the three kinds a reference can name (Amazon VPC Lattice
 * API Reference: the `serviceIdentifier`, `serviceNetworkIdentifier` and
 * `resourceConfigurationIdentifier` patterns, e.g. `arn:…:service/svc-[0-9a-z]{17}`).
 */
const ID_PREFIX: Record<RefKind, string> = {
  service: 'svc-',
  'service-network': 'sn-',
  'resource-configuration': 'rcfg-',
};
const ARN_TYPE: Record<string, RefKind> = {
  service: 'service',
  servicenetwork: 'service-network',
  resourceconfiguration: 'resource-configuration',
};

/**
 * An ARN of one service: `arn:partition:service:region:account:resource`, where the partition,
 * region and account may be `⟨…⟩` (a pseudo parameter, whose name holds colons). S3 ARNs have
 * neither region nor account ("Amazon Resource Names", IAM User Guide).
 */
function arnOf(service: string, resource: string, global = false): RegExp {
  const part = '(?:⟨[^⟩]*⟩|[^:⟨])*';
  const where = global ? ':::' : `:${part}:${part}:`;
  return new RegExp(`^arn:${part}:${service}${where}${resource}$`);
}

/**
 * A literal id or ARN as a reference, with the id (an ARN's last part) always and the ARN when all
 * of it is known; `expected` when the property says what it names (a `ServiceIdentifier`), the id
 * or ARN otherwise (a `ResourceIdentifier` names a service or a network). Undefined when the text
 * is neither.
 */
export function literalRef(text: string, expected?: RefKind): ResourceRef | undefined {
  const arn = arnOf('vpc-lattice', '([a-z]+)/([a-z]+-[0-9a-z]+)').exec(text);
  if (arn) {
    const kind = ARN_TYPE[arn[1]!];
    if (!kind || !arn[2]!.startsWith(ID_PREFIX[kind])) return undefined;
    return text.includes('⟨') ? { kind, id: arn[2]! } : { kind, id: arn[2]!, arn: text };
  }
  for (const [kind, prefix] of Object.entries(ID_PREFIX) as Array<[RefKind, string]>)
    if (
      /^[a-z]+-[0-9a-z]+$/.test(text) &&
      text.startsWith(prefix) &&
      (expected === undefined || expected === kind)
    )
      return { kind, id: text };
  return undefined;
}

/**
 * An access-log destination as the kind and name of the store, whatever the account and region in
 * its ARN: `log-group:<name>`, `s3:<bucket>`, `firehose:<stream>` (the ARN formats of CloudWatch
 * Logs, S3 and Firehose in the Service Authorization Reference). Other text stays as it is.
 */
export function normaliseDestination(text: string): string {
  const logGroup = arnOf('logs', 'log-group:(.+?)(?::\\*)?').exec(text);
  if (logGroup) return `log-group:${logGroup[1]}`;
  const bucket = arnOf('s3', '([^/]+)/?', true).exec(text);
  if (bucket) return `s3:${bucket[1]}`;
  const stream = arnOf('firehose', 'deliverystream/(.+)').exec(text);
  if (stream) return `firehose:${stream[1]}`;
  return text;
}

/** JSON text with every object's keys sorted: the same document reads the same however written. */
export function stableJson(value: unknown): string {
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted);
    if (typeof v !== 'object' || v === null) return v;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) out[key] = sorted((v as Record<string, unknown>)[key]);
    return out;
  };
  return JSON.stringify(sorted(value));
}

export const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

/** JSON text as data, or an error that names the file. */
export function parseJsonFile(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** A policy written as a JSON string reads as the document; other text stays text. */
export function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
