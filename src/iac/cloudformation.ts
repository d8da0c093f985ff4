/**
 * The Lattice resources of a CloudFormation template (YAML with short-form tags, or JSON; SAM and
 * CDK's synthesized templates are the same format), with names, references and settings resolved
 * as far as the template alone allows: parameters' defaults, conditions over them, !Sub, !Join,
 * !Select, !If, !FindInMap and references between the template's own resources. What depends on
 * the deployment (pseudo parameters, imports, parameters without a default) stays visible as
 * `⟨…⟩` in the text and marks the resource unresolved.
 */
import { parseDocument } from 'yaml';
import type { IacResource, LatticeResourceKind, ResourceRef } from '../model/changes.js';
import { CFN_TAGS } from './cfn-tags.js';
import {
  CLOUDFORMATION_KINDS,
  isRecord,
  jsonOrText,
  literalRef,
  normaliseDestination,
  parseJsonFile,
  stableJson,
  type RefKind,
} from './identifiers.js';

const KINDS = CLOUDFORMATION_KINDS;

/** The kinds a reference can name. */
const REF_KINDS: Partial<Record<LatticeResourceKind, RefKind>> = {
  service: 'service',
  'service-network': 'service-network',
  'resource-configuration': 'resource-configuration',
};

/** Kinds a Name identifies in the account; without one CloudFormation generates a name we cannot know. */
const NAMED = new Set<LatticeResourceKind>([
  'service',
  'service-network',
  'target-group',
  'resource-configuration',
  'resource-gateway',
]);

/**
 * The properties that attach a resource to a service, network or resource configuration (the
 * resources' pages in the Template Reference). A `ResourceIdentifier` names a service or a network:
 * what it refers to decides which.
 */
const TARGET_PROPERTIES: Partial<Record<LatticeResourceKind, Array<[string, RefKind | undefined]>>> = {
  listener: [['ServiceIdentifier', 'service']],
  rule: [['ServiceIdentifier', 'service']],
  'service-association': [
    ['ServiceIdentifier', 'service'],
    ['ServiceNetworkIdentifier', 'service-network'],
  ],
  'vpc-association': [['ServiceNetworkIdentifier', 'service-network']],
  'resource-association': [
    ['ResourceConfigurationId', 'resource-configuration'],
    ['ServiceNetworkId', 'service-network'],
  ],
  'auth-policy': [['ResourceIdentifier', undefined]],
  'access-log-subscription': [['ResourceIdentifier', undefined]],
};

type Props = Record<string, unknown>;
interface TemplateResource {
  Type: string;
  Properties?: Props;
  Condition?: string;
}
interface Template {
  Parameters: Record<string, Props>;
  Conditions: Record<string, unknown>;
  Mappings: Record<string, unknown>;
  Resources: Record<string, TemplateResource>;
}

/** What the template alone cannot tell, kept visible in resolved text. */
const unknown = (what: string): string => `⟨${what}⟩`;
const isKnown = (text: string): boolean => !text.includes('⟨');

/** The template as data, or an error that names the file and says what is wrong with it. */
function readTemplate(text: string, file: string): Template {
  let data: unknown;
  if (text.trimStart().startsWith('{')) data = parseJsonFile(text, file);
  else {
    const doc = parseDocument(text, { customTags: CFN_TAGS });
    const [error] = doc.errors;
    if (error) throw new Error(`${file} is not valid YAML: ${error.message}`);
    data = doc.toJS();
  }
  const notTemplate = (why: string): Error => new Error(`${file} is not a CloudFormation template: ${why}`);
  if (!isRecord(data)) {
    const what = data === null || data === undefined ? 'empty' : Array.isArray(data) ? 'a list' : typeof data;
    throw notTemplate(`its top level is ${what}, not a mapping`);
  }
  if (!isRecord(data.Resources)) throw notTemplate('it has no Resources mapping');
  for (const [id, resource] of Object.entries(data.Resources))
    if (!isRecord(resource) || typeof resource.Type !== 'string')
      throw notTemplate(`resource ${id} has no Type`);
  const resources = data.Resources as Record<string, TemplateResource>;
  if (!Object.values(resources).some((r) => r.Type.startsWith('AWS::')))
    throw notTemplate('none of its Resources has an AWS:: type');
  const mapping = (x: unknown): Record<string, Props> => (isRecord(x) ? (x as Record<string, Props>) : {});
  return {
    Parameters: mapping(data.Parameters),
    Conditions: isRecord(data.Conditions) ? data.Conditions : {},
    Mappings: isRecord(data.Mappings) ? data.Mappings : {},
    Resources: resources,
  };
}

/**
 * Evaluates intrinsic functions as far as the template states them ("Intrinsic function
 * reference" and "Pseudo parameters reference", CloudFormation User Guide).
 */
class Resolver {
  private readonly conditions = new Map<string, boolean | undefined>();
  private depth = 0;

  constructor(private readonly template: Template) {}

  /** The value as plain data; unknown parts as `⟨…⟩` strings; AWS::NoValue as undefined. */
  value(node: unknown): unknown {
    if (++this.depth > 64) throw new Error('intrinsic functions nested more than 64 deep (a cycle?)');
    try {
      return this.evaluate(node);
    } finally {
      this.depth--;
    }
  }

  /** The value as text: lists joined with commas, objects as JSON. */
  text(node: unknown): string {
    const value = this.value(node);
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return value.map(String).join(',');
    if (isRecord(value)) return stableJson(value);
    return value === undefined ? '' : String(value);
  }

  /** Whether a condition holds with the parameters' defaults; undefined when that is not known. */
  condition(name: string): boolean | undefined {
    if (!this.conditions.has(name)) {
      this.conditions.set(name, undefined); // a condition that refers to itself stays unknown
      const definition = this.template.Conditions[name];
      this.conditions.set(name, definition === undefined ? undefined : this.truth(definition));
    }
    return this.conditions.get(name);
  }

  private truth(node: unknown): boolean | undefined {
    if (!isRecord(node)) return undefined;
    const [key] = Object.keys(node);
    const args = node[key!];
    const list = Array.isArray(args) ? args : [];
    if (key === 'Condition') return this.condition(String(args));
    if (key === 'Fn::Equals') {
      const [a, b] = list.map((x) => this.text(x));
      return a === undefined || b === undefined || !isKnown(a) || !isKnown(b) ? undefined : a === b;
    }
    if (key === 'Fn::Not') {
      const inner = this.truth(list[0]);
      return inner === undefined ? undefined : !inner;
    }
    const values = list.map((c) => this.truth(c));
    if (key === 'Fn::And')
      return values.includes(false) ? false : values.includes(undefined) ? undefined : true;
    if (key === 'Fn::Or')
      return values.includes(true) ? true : values.includes(undefined) ? undefined : false;
    return undefined;
  }

  private evaluate(node: unknown): unknown {
    if (Array.isArray(node)) return node.map((x) => this.value(x)).filter((x) => x !== undefined);
    if (!isRecord(node)) return node;
    const keys = Object.keys(node);
    if (keys.length === 1) {
      const key = keys[0]!;
      const args = node[key];
      const list = Array.isArray(args) ? args : [];
      switch (key) {
        case 'Ref':
          return this.ref(String(args));
        case 'Condition':
          return this.condition(String(args));
        case 'Fn::GetAtt': {
          const [resource, attribute] = Array.isArray(args) ? args.map(String) : String(args).split('.');
          return this.getAtt(resource ?? '', attribute ?? '');
        }
        case 'Fn::Sub':
          return typeof args === 'string' ? this.sub(args, {}) : this.sub(String(list[0]), list[1]);
        case 'Fn::Join': {
          const items = this.value(list[1]);
          return Array.isArray(items) ? items.map(String).join(String(list[0])) : unknown('Fn::Join');
        }
        case 'Fn::Select': {
          const items = this.value(list[1]);
          const index = Number(this.value(list[0]));
          return Array.isArray(items) && index in items ? items[index] : unknown('Fn::Select');
        }
        case 'Fn::Split': {
          const whole = this.text(list[1]);
          return isKnown(whole) ? whole.split(String(list[0])) : unknown('Fn::Split');
        }
        case 'Fn::If': {
          const holds = this.condition(String(list[0]));
          return holds === undefined ? unknown(`Fn::If ${String(list[0])}`) : this.value(list[holds ? 1 : 2]);
        }
        case 'Fn::FindInMap': {
          const [map, first, second] = list.map((x) => this.text(x));
          const table = this.template.Mappings[map ?? ''];
          const row = isRecord(table) ? table[first ?? ''] : undefined;
          const cell = isRecord(row) ? row[second ?? ''] : undefined;
          return cell === undefined
            ? unknown(`Fn::FindInMap ${list.map((x) => this.text(x)).join('.')}`)
            : cell;
        }
        case 'Fn::ImportValue':
          return unknown(`Fn::ImportValue ${this.text(args)}`);
      }
      if (key.startsWith('Fn::')) return unknown(key);
    }
    const out: Props = {};
    for (const [k, v] of Object.entries(node)) {
      const value = this.value(v);
      if (value !== undefined) out[k] = value;
    }
    return out;
  }

  private ref(name: string): unknown {
    if (name === 'AWS::NoValue') return undefined;
    // Region, account, stack name, partition: known only when the stack is deployed.
    if (name.startsWith('AWS::')) return unknown(name);
    const parameter = this.template.Parameters[name];
    if (parameter) {
      const type = String(parameter.Type ?? 'String');
      // An SSM parameter type's Default is the parameter's path, not its value.
      if (parameter.Default === undefined || type.startsWith('AWS::SSM::Parameter')) return unknown(name);
      const text = String(parameter.Default);
      return type === 'CommaDelimitedList' || type.startsWith('List<')
        ? text.split(',').map((s) => s.trim())
        : text;
    }
    const resource = this.template.Resources[name];
    // Ref of a log group, bucket or delivery stream returns its name (their Template Reference pages).
    const nameProperty = resource && NAME_PROPERTY[resource.Type];
    if (nameProperty) return this.resourceName(name, nameProperty);
    return unknown(name);
  }

  private resourceName(id: string, property: string): string {
    const value = this.template.Resources[id]?.Properties?.[property];
    return value === undefined ? unknown(id) : this.text(value);
  }

  /** The ARNs of access-log destinations, in the formats their Template Reference pages give. */
  private getAtt(id: string, attribute: string): unknown {
    const resource = this.template.Resources[id];
    const where = `${unknown('AWS::Region')}:${unknown('AWS::AccountId')}`;
    const partition = unknown('AWS::Partition');
    if (resource && attribute === 'Arn') {
      const property = NAME_PROPERTY[resource.Type];
      const name = property && this.resourceName(id, property);
      if (resource.Type === 'AWS::Logs::LogGroup')
        return `arn:${partition}:logs:${where}:log-group:${name}:*`;
      if (resource.Type === 'AWS::S3::Bucket') return `arn:${partition}:s3:::${name}`;
      if (resource.Type === 'AWS::KinesisFirehose::DeliveryStream')
        return `arn:${partition}:firehose:${where}:deliverystream/${name}`;
    }
    return unknown(`${id}.${attribute}`);
  }

  /** `${Name}` from the variables, parameters, pseudo parameters or resources; `${!Text}` is literal. */
  private sub(text: string, vars: unknown): string {
    const variables = isRecord(vars) ? vars : {};
    return text.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      if (name in variables) return this.text(variables[name]);
      const dot = name.indexOf('.');
      const value = dot < 0 ? this.ref(name) : this.getAtt(name.slice(0, dot), name.slice(dot + 1));
      return value === undefined ? '' : Array.isArray(value) ? value.join(',') : String(value ?? whole);
    });
  }
}

/** The property that holds a resource's own name, for resources an access log can go to. */
const NAME_PROPERTY: Record<string, string> = {
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::KinesisFirehose::DeliveryStream': 'DeliveryStreamName',
};

interface ResolvedName {
  name?: string;
  /** Why the name is not known, for `uncertain`. */
  doubt?: string;
}

/** Reads one template's Lattice resources; the resolver and the names are shared by all of them. */
class LatticeReader {
  private readonly names = new Map<string, ResolvedName>();
  private readonly resolver: Resolver;

  constructor(
    private readonly template: Template,
    private readonly file: string,
  ) {
    this.resolver = new Resolver(template);
  }

  resources(): IacResource[] {
    const out: IacResource[] = [];
    for (const [id, declared] of Object.entries(this.template.Resources)) {
      const kind = KINDS[declared.Type];
      if (!kind) continue;
      const doubts: string[] = [];
      if (declared.Condition !== undefined) {
        const holds = this.resolver.condition(declared.Condition);
        if (holds === false) continue; // not created with the parameters' defaults
        if (holds === undefined) doubts.push(`created only when condition ${declared.Condition} holds`);
      }
      const own = this.nameOf(id);
      if (own.doubt) doubts.push(own.doubt);
      const targets = this.targetsOf(id, kind, doubts);
      const resource: IacResource = {
        file: this.file,
        address: id,
        kind,
        type: declared.Type,
        targets,
        settings: this.settingsOf(kind, declared.Properties ?? {}),
        unresolved: doubts.length > 0,
      };
      if (own.name !== undefined) resource.name = own.name;
      if (doubts.length > 0) resource.uncertain = doubts;
      out.push(resource);
    }
    return out;
  }

  private nameOf(id: string): ResolvedName {
    let resolved = this.names.get(id);
    if (!resolved) {
      const declared = this.template.Resources[id]!;
      const kind = KINDS[declared.Type]!;
      const property = declared.Properties?.Name;
      if (property === undefined)
        resolved = NAMED.has(kind) ? { doubt: `${id} has no Name: CloudFormation generates one` } : {};
      else {
        const text = this.resolver.text(property);
        resolved = isKnown(text) ? { name: text } : { doubt: `Name of ${id} is ${text}` };
      }
      this.names.set(id, resolved);
    }
    return resolved;
  }

  private targetsOf(id: string, kind: LatticeResourceKind, doubts: string[]): ResourceRef[] {
    const props = this.template.Resources[id]!.Properties ?? {};
    const targets: ResourceRef[] = [];
    for (const [property, expected] of TARGET_PROPERTIES[kind] ?? []) {
      let node = props[property];
      // A rule may name only its listener: the listener's service is the rule's.
      if (node === undefined && kind === 'rule') {
        const listener = this.referencedId(props.ListenerIdentifier);
        const declared = listener === undefined ? undefined : this.template.Resources[listener];
        if (declared?.Type === 'AWS::VpcLattice::Listener') node = declared.Properties?.ServiceIdentifier;
      }
      if (node === undefined) continue;
      const ref = this.refOf(node, property, expected, doubts);
      if (ref) targets.push(ref);
    }
    return targets;
  }

  /** The logical id a !Ref or !GetAtt names, when it is one of the template's resources. */
  private referencedId(node: unknown): string | undefined {
    if (!isRecord(node)) return undefined;
    const id =
      'Ref' in node ? node.Ref : Array.isArray(node['Fn::GetAtt']) ? node['Fn::GetAtt'][0] : undefined;
    return typeof id === 'string' && id in this.template.Resources ? id : undefined;
  }

  private refOf(node: unknown, property: string, expected: RefKind | undefined, doubts: string[]) {
    const id = this.referencedId(node);
    if (id !== undefined) {
      const type = this.template.Resources[id]!.Type;
      const declaredKind = KINDS[type];
      const kind = declaredKind && REF_KINDS[declaredKind];
      if (!kind) {
        doubts.push(`${property} refers to ${id}, a ${type}`);
        return undefined;
      }
      const { name, doubt } = this.nameOf(id);
      if (name === undefined) {
        doubts.push(`${property} refers to ${id}, whose name is not known${doubt ? ` (${doubt})` : ''}`);
        return { kind };
      }
      return { kind, name };
    }
    const text = this.resolver.text(node);
    const literal = literalRef(text, expected);
    if (literal) return literal;
    doubts.push(`${property} is ${text}`);
    return expected ? { kind: expected } : undefined;
  }

  private settingsOf(kind: LatticeResourceKind, props: Props): IacResource['settings'] {
    const text = (x: unknown): string => this.resolver.text(x);
    switch (kind) {
      case 'service':
      case 'service-network':
        // NONE is the default (AuthType on the Service and ServiceNetwork pages).
        return { authType: props.AuthType === undefined ? 'NONE' : text(props.AuthType) };
      case 'listener':
        return props.Protocol === undefined ? {} : { protocol: text(props.Protocol) };
      case 'target-group': {
        const config = this.resolver.value(props.Config);
        const protocol = isRecord(config) ? config.Protocol : undefined;
        return protocol === undefined ? {} : { protocol: String(protocol) };
      }
      case 'resource-configuration':
        return props.ProtocolType === undefined ? {} : { protocol: text(props.ProtocolType) };
      case 'access-log-subscription':
        return { destination: normaliseDestination(text(props.DestinationArn)) };
      case 'auth-policy': {
        const policy = this.resolver.value(props.Policy);
        return { policy: stableJson(typeof policy === 'string' ? jsonOrText(policy) : policy) };
      }
      default:
        return {};
    }
  }
}

/**
 * The Lattice resources a template declares. Throws, naming the file, when the text is not valid
 * YAML or JSON or not a template.
 */
export function cloudFormationResources(text: string, file: string): IacResource[] {
  return new LatticeReader(readTemplate(text, file), file).resources();
}
