/**
 * The Lattice changes of a Terraform plan, read from its JSON representation (`terraform show
 * -json PLANFILE`; "JSON Output Format", Terraform internals documentation): `resource_changes[]`
 * with `change.actions`, `before`, `after` and `after_unknown`, and the `configuration` whose
 * `references` tell which resource a value not yet known will come from.
 */
import type { IacResource, LatticeChange, LatticeResourceKind, ResourceRef } from '../model/changes.js';
import { compareChanges, diffResources } from './diff.js';
import {
  TERRAFORM_KINDS,
  isRecord,
  jsonOrText,
  literalRef,
  normaliseDestination,
  parseJsonFile,
  stableJson,
  type RefKind,
} from './identifiers.js';

const KINDS = TERRAFORM_KINDS;

/**
 * The arguments that attach a resource to a service, network or resource configuration (each
 * resource's Argument Reference), the first one set of each group: a listener takes
 * `service_identifier` or `service_arn`. A `resource_identifier` names a service or a network.
 */
const TARGET_ARGUMENTS: Partial<Record<LatticeResourceKind, Array<[string[], RefKind | undefined]>>> = {
  listener: [[['service_identifier', 'service_arn'], 'service']],
  rule: [[['service_identifier'], 'service']],
  'service-association': [
    [['service_identifier'], 'service'],
    [['service_network_identifier'], 'service-network'],
  ],
  'vpc-association': [[['service_network_identifier'], 'service-network']],
  'resource-association': [
    [['resource_configuration_identifier'], 'resource-configuration'],
    [['service_network_identifier'], 'service-network'],
  ],
  'auth-policy': [[['resource_identifier'], undefined]],
  'access-log-subscription': [[['resource_identifier'], undefined]],
};

/** Access-log destinations created in the same plan: the argument that names them, and our prefix. */
const DESTINATIONS: Record<string, [string, string]> = {
  aws_cloudwatch_log_group: ['name', 'log-group:'],
  aws_s3_bucket: ['bucket', 's3:'],
  aws_kinesis_firehose_delivery_stream: ['name', 'firehose:'],
};

const AFTER_APPLY = '⟨known after apply⟩';

type Values = Record<string, unknown>;
interface ResourceChange {
  address: string;
  mode?: string;
  type: string;
  deposed?: string;
  change: { actions: string[]; before?: unknown; after?: unknown; after_unknown?: unknown };
}
type Side = 'before' | 'after';

/** The plan's changes, or an error that names the file and says what is wrong with it. */
function readPlan(planJson: string, file: string): { changes: ResourceChange[]; configuration: unknown } {
  const plan = parseJsonFile(planJson, file);
  const notPlan = (why: string): Error =>
    new Error(`${file} is not a Terraform plan in JSON (terraform show -json PLANFILE): ${why}`);
  if (!isRecord(plan) || typeof plan.format_version !== 'string') throw notPlan('it has no format_version');
  // A new major version is not backward compatible: the documentation asks tools to reject it.
  const major = plan.format_version.split('.')[0];
  if (major !== '0' && major !== '1') throw notPlan(`format_version ${plan.format_version} is not 1.x`);
  if (!('planned_values' in plan) && 'values' in plan)
    throw notPlan('it is the JSON of a state, not of a plan');
  const changes = Array.isArray(plan.resource_changes) ? plan.resource_changes : [];
  for (const change of changes)
    if (!isRecord(change) || typeof change.address !== 'string' || !isRecord(change.change))
      throw notPlan(`a resource change has no address or change: ${JSON.stringify(change).slice(0, 120)}`);
  return { changes: changes as ResourceChange[], configuration: plan.configuration };
}

/**
 * Each configured resource's arguments that refer to other resources, by the resource's address
 * without instance keys (`module.a.aws_vpclattice_service.x`); references are made absolute.
 */
function configurationReferences(configuration: unknown): Map<string, Record<string, string[]>> {
  const out = new Map<string, Record<string, string[]>>();
  const walk = (module: unknown, prefix: string): void => {
    if (!isRecord(module)) return;
    for (const resource of Array.isArray(module.resources) ? module.resources : []) {
      if (!isRecord(resource) || !isRecord(resource.expressions)) continue;
      const references: Record<string, string[]> = {};
      for (const [argument, expression] of Object.entries(resource.expressions))
        if (isRecord(expression) && Array.isArray(expression.references))
          references[argument] = expression.references.map((r) => `${prefix}${String(r)}`);
      out.set(`${prefix}${String(resource.address)}`, references);
    }
    for (const [name, call] of Object.entries(isRecord(module.module_calls) ? module.module_calls : {}))
      if (isRecord(call)) walk(call.module, `${prefix}module.${name}.`);
  };
  walk(isRecord(configuration) ? configuration.root_module : undefined, '');
  return out;
}

const withoutKeys = (address: string): string => address.replace(/\[[^\]]*\]/g, '');

class PlanReader {
  private readonly references: Map<string, Record<string, string[]>>;

  constructor(
    private readonly changes: ResourceChange[],
    configuration: unknown,
    private readonly file: string,
  ) {
    this.references = configurationReferences(configuration);
  }

  /** The one resource change an argument's expression refers to, if the plan holds exactly one. */
  private referenced(change: ResourceChange, argument: string): ResourceChange | undefined {
    for (const reference of this.references.get(withoutKeys(change.address))?.[argument] ?? []) {
      const found = this.changes.filter((c) => c.mode !== 'data' && withoutKeys(c.address) === reference);
      if (found.length === 1) return found[0];
    }
    return undefined;
  }

  resource(change: ResourceChange, side: Side): IacResource {
    const kind = KINDS[change.type]!;
    const values = (isRecord(change.change[side]) ? change.change[side] : {}) as Values;
    const unknownAfter =
      side === 'after' && isRecord(change.change.after_unknown) ? change.change.after_unknown : {};
    const isUnknown = (argument: string): boolean => unknownAfter[argument] === true;
    const doubts: string[] = [];
    const resource: IacResource = {
      file: this.file,
      address: change.address,
      kind,
      type: change.type,
      targets: this.targets(change, kind, side, values, isUnknown, doubts),
      settings: this.settings(change, kind, side, values, isUnknown),
      unresolved: false,
    };
    if (typeof values.name === 'string') resource.name = values.name;
    else if (isUnknown('name')) doubts.push('name is known only after apply');
    if (doubts.length > 0) {
      resource.unresolved = true;
      resource.uncertain = doubts;
    }
    return resource;
  }

  private targets(
    change: ResourceChange,
    kind: LatticeResourceKind,
    side: Side,
    values: Values,
    isUnknown: (argument: string) => boolean,
    doubts: string[],
  ): ResourceRef[] {
    const targets: ResourceRef[] = [];
    for (const [arguments_, expected] of TARGET_ARGUMENTS[kind] ?? []) {
      const argument = arguments_.find((a) => typeof values[a] === 'string' || isUnknown(a));
      if (argument === undefined) continue;
      // A resource of the same configuration: its name, on the same side of the change.
      const source = this.referenced(change, argument);
      const sourceKind = source && KINDS[source.type];
      const refKind = sourceKind === 'service' || sourceKind === 'service-network' ? sourceKind : undefined;
      const sourceName = source && (source.change[side] as Values | null)?.name;
      if (refKind || sourceKind === 'resource-configuration') {
        const ref: ResourceRef = { kind: refKind ?? 'resource-configuration' };
        if (typeof sourceName === 'string') ref.name = sourceName;
        else doubts.push(`${argument} refers to ${source!.address}, whose name is not known`);
        targets.push(ref);
        continue;
      }
      const value = values[argument];
      const literal = typeof value === 'string' ? literalRef(value, expected) : undefined;
      if (literal) {
        targets.push(literal);
        continue;
      }
      doubts.push(
        typeof value === 'string'
          ? `${argument} ${value} is not a Lattice id or ARN`
          : `${argument} is known only after apply`,
      );
      if (expected) targets.push({ kind: expected });
    }
    return targets;
  }

  private settings(
    change: ResourceChange,
    kind: LatticeResourceKind,
    side: Side,
    values: Values,
    isUnknown: (argument: string) => boolean,
  ): IacResource['settings'] {
    const text = (argument: string): string | undefined =>
      typeof values[argument] === 'string'
        ? (values[argument] as string)
        : isUnknown(argument)
          ? AFTER_APPLY
          : undefined;
    switch (kind) {
      case 'service':
      case 'service-network':
        // NONE is the API's default auth type, also when the provider leaves it unset.
        return { authType: text('auth_type') ?? 'NONE' };
      case 'listener':
      case 'resource-configuration': {
        const protocol = text('protocol');
        return protocol === undefined ? {} : { protocol };
      }
      case 'target-group': {
        // A nested block is a list of one object in the JSON values representation.
        const config = Array.isArray(values.config) ? values.config[0] : undefined;
        return isRecord(config) && typeof config.protocol === 'string' ? { protocol: config.protocol } : {};
      }
      case 'access-log-subscription': {
        const destination = text('destination_arn');
        if (destination !== AFTER_APPLY) return { destination: normaliseDestination(destination ?? '') };
        const source = this.referenced(change, 'destination_arn');
        const [argument, prefix] = (source && DESTINATIONS[source.type]) ?? [];
        const name = argument && (source!.change[side] as Values | null)?.[argument];
        return { destination: typeof name === 'string' ? `${prefix}${name}` : AFTER_APPLY };
      }
      case 'auth-policy': {
        const policy = text('policy');
        if (policy === undefined || policy === AFTER_APPLY) return policy ? { policy } : {};
        const document = jsonOrText(policy);
        return { policy: typeof document === 'string' ? document : stableJson(document) };
      }
      default:
        return {};
    }
  }
}

/**
 * The Lattice changes a plan makes: creates, deletes and updates that change a name, a target or a
 * setting; a replacement (delete and create, either order) is a modify with `replace` among
 * `changed`. A resource whose address changes but whose name does not is no change, as in a
 * template. No-op and read actions, data sources and deposed objects are ignored.
 */
export function terraformChanges(planJson: string, file: string): LatticeChange[] {
  const { changes, configuration } = readPlan(planJson, file);
  const reader = new PlanReader(changes, configuration, file);
  const base: IacResource[] = [];
  const head: IacResource[] = [];
  const replaced = new Map<string, [IacResource, IacResource]>();
  for (const change of changes) {
    // A deposed object is the old instance a create_before_destroy replacement leaves behind: the
    // replacement is reported at the resource's own address.
    if (change.mode === 'data' || change.deposed !== undefined || !KINDS[change.type]) continue;
    const actions = change.change.actions;
    const before = actions.includes('delete') || actions.includes('update');
    const after = actions.includes('create') || actions.includes('update');
    const old = before ? reader.resource(change, 'before') : undefined;
    const next = after ? reader.resource(change, 'after') : undefined;
    if (old) base.push(old);
    if (next) head.push(next);
    if (old && next && actions.includes('delete')) replaced.set(change.address, [old, next]);
  }
  const result = diffResources(base, head);
  for (const [address, [before, after]] of replaced) {
    const found = result.find((c) => c.action === 'modify' && c.after?.address === address);
    if (found) found.changed.push('replace');
    else
      result.push({
        action: 'modify',
        kind: after.kind,
        type: after.type,
        before,
        after,
        changed: ['replace'],
      });
  }
  return result.sort(compareChanges);
}
