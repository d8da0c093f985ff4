/**
 * The Lattice changes between the base and head versions of a pull request's templates: the same
 * resource is found by what it is in the account (its kind and Name), not by where the code
 * declares it, so a renamed logical id or a resource moved to another file is no change.
 */
import type { IacResource, LatticeChange, LatticeResourceKind, ResourceRef } from '../model/changes.js';
import { cloudFormationResources } from './cloudformation.js';

/** Networks first, then what hangs off them: the order a reader follows. */
const KIND_ORDER: LatticeResourceKind[] = [
  'service-network',
  'service',
  'service-association',
  'vpc-association',
  'resource-association',
  'listener',
  'rule',
  'target-group',
  'auth-policy',
  'access-log-subscription',
  'resource-configuration',
  'resource-gateway',
];
const ACTION_ORDER: Record<LatticeChange['action'], number> = { remove: 0, modify: 1, add: 2 };

/** Listener and rule names are unique only within their service (Listener and Rule `Name`). */
const NAMED_WITHIN_SERVICE = new Set<LatticeResourceKind>(['listener', 'rule']);

const refKey = (ref: ResourceRef): string => `${ref.kind}:${ref.name ?? ref.id ?? ref.arn ?? '?'}`;
const targetsKey = (resource: IacResource): string => resource.targets.map(refKey).sort().join(' ');

/** The resource's identity in the account, when its name states it. */
function namedIdentity(resource: IacResource): string | undefined {
  if (resource.name === undefined) return undefined;
  const scope = NAMED_WITHIN_SERVICE.has(resource.kind) ? `|${targetsKey(resource)}` : '';
  return `${resource.kind}|${resource.name}${scope}`;
}

/** An unnamed association, policy or subscription is what it attaches, when that is known. */
function attachmentIdentity(resource: IacResource): string | undefined {
  if (resource.name !== undefined || resource.unresolved || resource.targets.length === 0) return undefined;
  return `${resource.kind}|${targetsKey(resource)}`;
}

const declaredAt = (resource: IacResource): string => `${resource.kind}|${resource.file}|${resource.address}`;

/** What differs between two versions of one resource: `name`, `targets`, then the settings' names. */
function differences(before: IacResource, after: IacResource): string[] {
  const changed: string[] = [];
  if (before.name !== after.name) changed.push('name');
  if (targetsKey(before) !== targetsKey(after)) changed.push('targets');
  const settings = new Set([...Object.keys(before.settings), ...Object.keys(after.settings)]);
  for (const key of [...settings].sort() as Array<keyof IacResource['settings']>)
    if (before.settings[key] !== after.settings[key]) changed.push(key);
  return changed;
}

const sortKey = (change: LatticeChange): string => {
  const resource = (change.after ?? change.before)!;
  return `${resource.name ?? ''}\u0000${resource.file}\u0000${resource.address}`;
};

/** Removes, modifies, adds; within each by kind (networks first), then name, file and address. */
export function compareChanges(a: LatticeChange, b: LatticeChange): number {
  const byAction = ACTION_ORDER[a.action] - ACTION_ORDER[b.action];
  if (byAction !== 0) return byAction;
  const byKind = KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind);
  if (byKind !== 0) return byKind;
  const [ka, kb] = [sortKey(a), sortKey(b)];
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * The changes from `base` to `head`. A resource is the same on both sides when, in turn: its kind
 * and name match (and its service, for listeners and rules); it is declared at the same file and
 * address; it is an unnamed attachment of the same things. Each match must be one to one.
 */
export function diffResources(base: IacResource[], head: IacResource[]): LatticeChange[] {
  const pairs: Array<[IacResource, IacResource]> = [];
  let restBase = base;
  let restHead = head;
  for (const identity of [namedIdentity, declaredAt, attachmentIdentity]) {
    const group = (list: IacResource[]): Map<string, IacResource[]> => {
      const groups = new Map<string, IacResource[]>();
      for (const resource of list) {
        const key = identity(resource);
        if (key !== undefined) groups.set(key, [...(groups.get(key) ?? []), resource]);
      }
      return groups;
    };
    const heads = group(restHead);
    const matched = new Set<IacResource>();
    for (const [key, befores] of group(restBase)) {
      const afters = heads.get(key);
      if (befores.length !== 1 || afters?.length !== 1) continue;
      pairs.push([befores[0]!, afters[0]!]);
      matched.add(befores[0]!).add(afters[0]!);
    }
    restBase = restBase.filter((r) => !matched.has(r));
    restHead = restHead.filter((r) => !matched.has(r));
  }
  const changes: LatticeChange[] = [
    ...restBase.map((before) => ({
      action: 'remove' as const,
      kind: before.kind,
      type: before.type,
      before,
      changed: [],
    })),
    ...pairs.flatMap(([before, after]) => {
      const changed = differences(before, after);
      return changed.length === 0
        ? []
        : [{ action: 'modify' as const, kind: after.kind, type: after.type, before, after, changed }];
    }),
    ...restHead.map((after) => ({
      action: 'add' as const,
      kind: after.kind,
      type: after.type,
      after,
      changed: [],
    })),
  ];
  return changes.sort(compareChanges);
}

/** Files that are certainly not templates, whatever their extension. */
const NOT_TEMPLATES =
  /^(package(-lock)?\.json|npm-shrinkwrap\.json|tsconfig(\..+)?\.json|cdk(\.context)?\.json|pnpm-lock\.yaml)$/;

/**
 * Whether a changed file may hold infrastructure code to read: YAML, JSON or `.template` files
 * (the extensions CloudFormation accepts for a template file), and in a CDK cloud assembly only
 * the `*.template.json` files (its manifest, tree and asset files are not templates).
 */
export function isIacPath(path: string): boolean {
  const normal = path.replace(/\\/g, '/');
  const name = normal.slice(normal.lastIndexOf('/') + 1);
  if (/(^|\/)(node_modules|\.github)\//.test(normal)) return false;
  if (/(^|\/)cdk\.out\//.test(normal)) return name.endsWith('.template.json');
  return !NOT_TEMPLATES.test(name) && /\.(ya?ml|json|template)$/i.test(name);
}

/**
 * The Lattice changes of a pull request's changed files, given each file's base and head text
 * (absent: added or deleted by the pull request). All files are compared together, so a resource
 * moved between templates is no change. A file that is not a template, or that does not parse on
 * either side, is skipped with the reason and read on neither side.
 */
export function templateChanges(files: Array<{ path: string; base?: string; head?: string }>): {
  changes: LatticeChange[];
  skipped: Array<{ path: string; reason: string }>;
} {
  const base: IacResource[] = [];
  const head: IacResource[] = [];
  const skipped: Array<{ path: string; reason: string }> = [];
  for (const file of files) {
    const sides = [file.base, file.head].map((text) => {
      try {
        return text === undefined ? [] : cloudFormationResources(text, file.path);
      } catch (error) {
        return error as Error;
      }
    });
    const [before, after] = sides as [IacResource[] | Error, IacResource[] | Error];
    if (before instanceof Error || after instanceof Error) {
      // Say which version fails when the other one is there and reads: the file is a template.
      const error = before instanceof Error ? before : (after as Error);
      const other = before instanceof Error ? [file.head, after] : [file.base, before];
      const only =
        other[0] === undefined || other[1] instanceof Error ? '' : before instanceof Error ? 'base' : 'head';
      skipped.push({
        path: file.path,
        reason: only ? `${error.message} (its ${only} version)` : error.message,
      });
      continue;
    }
    base.push(...before);
    head.push(...after);
  }
  return { changes: diffResources(base, head), skipped };
}
