/**
 * CloudFormation templates read as data: the YAML with its short-form intrinsic functions, an
 * evaluator that resolves a template for one set of parameter values, and IAM policy documents as
 * plain statements. Used by the provision tests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CFN_TAGS } from '../../src/iac/cfn-tags.js';

export type Obj = Record<string, unknown>;
export const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
export function obj(x: unknown, what: string): Obj {
  if (!isObj(x)) throw new Error(`${what} is not a mapping: ${JSON.stringify(x)}`);
  return x;
}

export interface Template {
  Parameters: Record<string, Obj>;
  Conditions: Record<string, unknown>;
  Resources: Record<string, Obj & { Type: string; Properties: Obj }>;
  Outputs: Record<string, Obj>;
  Rules?: Record<string, Obj>;
}

export function loadTemplate(file: string): Template {
  return parse(readFileSync(join(process.cwd(), file), 'utf8'), { customTags: CFN_TAGS }) as Template;
}

/**
 * Evaluates intrinsic functions for one set of parameter values, as CloudFormation would:
 * conditions, Ref (parameters and pseudo parameters), Sub, If, Join, Split, Select, GetAtt (as "<Id.Attr>")
 * and AWS::NoValue (dropped from lists and mappings).
 */
export class Evaluator {
  readonly params: Record<string, string>;
  private readonly pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': 'eu-west-1',
    'AWS::AccountId': '111122223333',
    'AWS::StackName': 'lattice-analytics',
  };

  constructor(
    readonly template: Template,
    overrides: Record<string, string> = {},
  ) {
    this.params = {};
    for (const [name, def] of Object.entries(template.Parameters)) {
      const value = overrides[name] ?? (def.Default === undefined ? undefined : String(def.Default));
      if (value === undefined) throw new Error(`parameter ${name} has no default and no value`);
      this.params[name] = value;
    }
    for (const name of Object.keys(overrides))
      if (!(name in template.Parameters)) throw new Error(`unknown parameter ${name}`);
  }

  private ref(name: string): string {
    if (name in this.params) return this.params[name]!;
    if (name in this.pseudo) return this.pseudo[name]!;
    if (name in this.template.Resources) return `<${name}>`;
    throw new Error(`Ref to unknown ${name}`);
  }

  /** Fn::Sub: `${Name}` replaced, `${!Literal}` written as `${Literal}`. */
  private sub(text: string, vars: Record<string, unknown>): string {
    return text.replace(/\$\{(!?)([^}]+)\}/g, (_, bang: string, name: string) => {
      if (bang) return `\${${name}}`;
      if (name in vars) return String(this.value(vars[name]));
      if (name.includes('.')) return `<${name}>`;
      return this.ref(name);
    });
  }

  condition(name: string): boolean {
    const def = this.template.Conditions[name];
    if (def === undefined) throw new Error(`unknown condition ${name}`);
    return this.truth(def);
  }

  private truth(x: unknown): boolean {
    const o = obj(x, 'condition');
    if ('Condition' in o) return this.condition(String(o.Condition));
    if ('Fn::Equals' in o) {
      const [a, b] = o['Fn::Equals'] as unknown[];
      return String(this.value(a)) === String(this.value(b));
    }
    if ('Fn::Not' in o) return !this.truth((o['Fn::Not'] as unknown[])[0]);
    if ('Fn::And' in o) return (o['Fn::And'] as unknown[]).every((c) => this.truth(c));
    if ('Fn::Or' in o) return (o['Fn::Or'] as unknown[]).some((c) => this.truth(c));
    throw new Error(`unsupported condition ${JSON.stringify(o)}`);
  }

  /** The value, with AWS::NoValue as undefined. */
  value(x: unknown): unknown {
    if (Array.isArray(x)) return x.map((v) => this.value(v)).filter((v) => v !== undefined);
    if (!isObj(x)) return x;
    const keys = Object.keys(x);
    if (keys.length === 1) {
      const [key] = keys as [string];
      const arg = x[key];
      if (key === 'Ref') return arg === 'AWS::NoValue' ? undefined : this.ref(String(arg));
      if (key === 'Condition') return this.condition(String(arg));
      if (key === 'Fn::Sub') {
        if (typeof arg === 'string') return this.sub(arg, {});
        const [text, vars] = arg as [string, Obj];
        return this.sub(text, vars);
      }
      if (key === 'Fn::If') {
        const [cond, a, b] = arg as [string, unknown, unknown];
        return this.value(this.condition(cond) ? a : b);
      }
      if (key === 'Fn::Join') {
        const [sep, list] = arg as [string, unknown];
        const items = this.value(list);
        return (Array.isArray(items) ? items : String(items).split(',')).join(sep);
      }
      if (key === 'Fn::Split') {
        const [sep, text] = arg as [string, unknown];
        return String(this.value(text)).split(sep);
      }
      if (key === 'Fn::Select') {
        const [index, list] = arg as [unknown, unknown];
        const items = this.value(list);
        if (!Array.isArray(items)) throw new Error(`Fn::Select of ${JSON.stringify(items)}`);
        return items[Number(this.value(index))];
      }
      if (key === 'Fn::GetAtt') return `<${(arg as string[]).join('.')}>`;
      if (key.startsWith('Fn::')) throw new Error(`unsupported function ${key}`);
    }
    const out: Obj = {};
    for (const [k, v] of Object.entries(x)) {
      const value = this.value(v);
      if (value !== undefined) out[k] = value;
    }
    return out;
  }

  /** Resources whose condition holds, with their properties evaluated. */
  resources(): Record<string, { Type: string; Properties: Obj; raw: Obj }> {
    const out: Record<string, { Type: string; Properties: Obj; raw: Obj }> = {};
    for (const [id, r] of Object.entries(this.template.Resources)) {
      if (typeof r.Condition === 'string' && !this.condition(r.Condition)) continue;
      out[id] = { Type: r.Type, Properties: obj(this.value(r.Properties ?? {}), id), raw: r };
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// IAM policy documents

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, unknown>>;
  Principal?: unknown;
}

export const list = (x: unknown): string[] =>
  Array.isArray(x) ? x.map(String) : x === undefined ? [] : [String(x)];

export function statements(document: unknown): Statement[] {
  const doc = obj(document, 'policy document');
  if (doc.Version !== '2012-10-17') throw new Error(`policy Version ${String(doc.Version)}, not 2012-10-17`);
  return (doc.Statement as Obj[]).map((s) => ({
    ...(s as unknown as Statement),
    Action: list(s.Action),
    Resource: list(s.Resource),
  }));
}

/** IAM wildcard matching: `*` any run of characters, `?` one; actions are case-insensitive. */
function wildcard(pattern: string, flags = ''): RegExp {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, flags);
}
export const allowsAction = (st: Statement, action: string): boolean =>
  st.Effect === 'Allow' && st.Action.some((a) => wildcard(a, 'i').test(action));
export const allowsResource = (st: Statement, arn: string): boolean =>
  st.Resource.some((r) => wildcard(r).test(arn));

/**
 * The trust and the permissions of an IAM role the template creates: its single inline policy
 * and the managed policies the template attaches to it (AWS::IAM::ManagedPolicy resources whose
 * Roles name it). `policy` is all of their statements; `inline` and `managed` (by logical ID) keep
 * them apart, as IAM's size quotas do.
 */
export function roleOf(
  ev: Evaluator,
  id: string,
): {
  trust: Statement[];
  policy: Statement[];
  inline: Statement[];
  managed: Record<string, Statement[]>;
  props: Obj;
} {
  const resources = ev.resources();
  const role = resources[id];
  if (!role) throw new Error(`${id} is not created`);
  if (role.Type !== 'AWS::IAM::Role') throw new Error(`${id} is a ${role.Type}`);
  const policies = role.Properties.Policies as Obj[];
  if (policies.length !== 1) throw new Error(`${id} has ${policies.length} inline policies, not 1`);
  if (role.Properties.ManagedPolicyArns !== undefined)
    throw new Error(`${id}: ManagedPolicyArns is not read here; attach with the policy's Roles`);
  const inline = statements(policies[0]!.PolicyDocument);
  const managed = Object.fromEntries(
    Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy' && list(r.Properties.Roles).includes(`<${id}>`))
      .map(([policyId, r]) => [policyId, statements(r.Properties.PolicyDocument)]),
  );
  return {
    trust: statements(role.Properties.AssumeRolePolicyDocument),
    policy: [...inline, ...Object.values(managed).flat()],
    inline,
    managed,
    props: role.Properties,
  };
}
