/**
 * The Lattice changes of a pull request, as read from infrastructure code (CloudFormation, SAM,
 * CDK's synthesized templates, Terraform plans): what src/iac/ produces and analysis/ prices.
 */

/** The Lattice resource types the diff knows, one name for CloudFormation's and Terraform's. */
export type LatticeResourceKind =
  | 'service'
  | 'service-network'
  | 'service-association'
  | 'vpc-association'
  | 'resource-association'
  | 'listener'
  | 'rule'
  | 'target-group'
  | 'auth-policy'
  | 'access-log-subscription'
  | 'resource-configuration'
  | 'resource-gateway';

/** A reference from one resource to a service or network: whatever the code lets us resolve. */
export interface ResourceRef {
  kind: 'service' | 'service-network' | 'resource-configuration';
  /** The referenced resource's name, when the code states it (its Name property, resolved). */
  name?: string;
  /** A literal id (svc-…, sn-…) or ARN written in the code. */
  id?: string;
  arn?: string;
}

export interface IacResource {
  /** Where it is declared: the file, and the logical id (CloudFormation) or address (Terraform). */
  file: string;
  address: string;
  kind: LatticeResourceKind;
  /** `AWS::VpcLattice::Service`, `aws_vpclattice_service`, … */
  type: string;
  /** The resource's own name, when stated and resolvable (a literal, or a !Sub of parameters' defaults). */
  name?: string;
  /** What it attaches to: the service of a listener or auth policy, the network of an association, … */
  targets: ResourceRef[];
  /**
   * The settings the impact depends on, normalised: `authType` (NONE | AWS_IAM), `protocol`
   * (HTTP | HTTPS | TLS_PASSTHROUGH), `destination` (access-log destination ARN), `policy` (JSON text).
   */
  settings: { authType?: string; protocol?: string; destination?: string; policy?: string };
  /** True when a name or target could not be resolved (an !ImportValue, an unknown parameter, …). */
  unresolved: boolean;
  /** What could not be resolved, in words, for the reader (`Name of OrdersService is ⟨AWS::StackName⟩-orders`). */
  uncertain?: string[];
}

export interface LatticeChange {
  action: 'add' | 'remove' | 'modify';
  kind: LatticeResourceKind;
  type: string;
  before?: IacResource;
  after?: IacResource;
  /** For `modify`: the settings (or `name`, `targets`) that differ. */
  changed: string[];
}
