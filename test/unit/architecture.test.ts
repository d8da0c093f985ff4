/**
 * The import graph of src/, read with TypeScript's own pre-processor: no cycle, and no import
 * against the pipeline's direction. Run alone with `npm run test:unit -- architecture`.
 *
 * Layers, lowest first. A module imports its own folder and lower layers only:
 *   0 model/ (the domain types and day aggregates), errors.ts, version.ts: they import nothing else
 *   1 the sources: logs/ (local files), aws/ (the SDK), cache/ (settled days), iac/ (templates, plans)
 *   2 analysis/ (pure: numbers and findings as data)
 *   3 report/ (words: report JSON, Markdown, charts)
 *   4 publish/ (GitHub, files)
 *   5 pipeline/ (the stages wired together), demo/ (sample data)
 *   6 config.ts: the settings the entries share
 *   7 the entries: main.ts (the action) and cli/ (the command line)
 *   8 their launchers: index.ts (dist/index.js) and cli.ts (dist/cli.js)
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const SRC = resolve('src');

const LAYERS: string[][] = [
  ['model', 'errors.ts', 'version.ts'],
  ['logs', 'aws', 'cache', 'iac'],
  ['analysis'],
  ['report'],
  ['publish'],
  ['pipeline', 'demo'],
  ['config.ts'],
  ['main.ts', 'cli'],
  ['index.ts', 'cli.ts'],
];

/** Packages only one part of the code may know. */
const PACKAGE_OWNERS: Array<[RegExp, string[]]> = [
  [/^@aws-sdk\/|^@smithy\//, ['aws']],
  [/^@actions\/github$|^@octokit\//, ['publish']],
  [/^@actions\/core$/, ['main.ts']],
  [/^@actions\/cache$/, ['cache']],
];

/** Units that must stay pure: no Node built-ins and no packages. */
const PURE = new Set(['model', 'analysis']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'assembly' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The folder (or top-level file) a source file belongs to. */
function unitOf(file: string): string {
  return relative(SRC, file).split('/')[0]!;
}

function layerOf(unit: string): number {
  const layer = LAYERS.findIndex((units) => units.includes(unit));
  if (layer < 0) throw new Error(`src/${unit} is in no layer: add it to LAYERS in this test`);
  return layer;
}

interface Edge {
  from: string;
  to: string;
}

function graph(): { files: string[]; edges: Edge[]; packages: Array<{ from: string; name: string }> } {
  const files = sourceFiles(SRC);
  const edges: Edge[] = [];
  const packages: Array<{ from: string; name: string }> = [];
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of info.importedFiles) {
      if (fileName.startsWith('.')) {
        const target = resolve(dirname(file), fileName).replace(/\.js$/, '.ts');
        // JSON schemas and the like are data, not modules with imports of their own.
        if (target.endsWith('.ts')) edges.push({ from: file, to: target });
      } else {
        packages.push({ from: file, name: fileName.replace(/^node:/, 'node:') });
      }
    }
  }
  return { files, edges, packages };
}

const name = (file: string): string => relative(process.cwd(), file);

describe('the import graph of src/', () => {
  const { files, edges, packages } = graph();

  it('is read from every source file', () => {
    expect(files.length).toBeGreaterThan(40);
    for (const edge of edges) expect(existsSync(edge.to) ? edge.to : `missing: ${edge.to}`).toBe(edge.to);
  });

  it('has no cycle', () => {
    // Tarjan's strongly connected components; any component of two or more files is a cycle.
    const next = new Map<string, string[]>(files.map((f) => [f, []]));
    for (const e of edges) next.get(e.from)?.push(e.to);
    let index = 0;
    const order = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const visit = (v: string): void => {
      order.set(v, index);
      low.set(v, index++);
      stack.push(v);
      onStack.add(v);
      for (const w of next.get(v) ?? []) {
        if (!order.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, order.get(w)!));
      }
      if (low.get(v) === order.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(name(w));
        } while (w !== v);
        if (component.length > 1) cycles.push(component.sort());
      }
    };
    for (const f of files) if (!order.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it('never imports against the pipeline (a lower layer, or another unit of the same layer)', () => {
    const wrong = edges
      .filter((e) => {
        const from = unitOf(e.from);
        const to = unitOf(e.to);
        return from !== to && layerOf(to) >= layerOf(from);
      })
      .map((e) => `${name(e.from)} -> ${name(e.to)}`);
    expect(wrong).toEqual([]);
  });

  it('keeps model/ and analysis/ pure: no Node built-in, no package', () => {
    const wrong = packages
      .filter((p) => PURE.has(unitOf(p.from)))
      .map((p) => `${name(p.from)} imports ${p.name}`);
    expect(wrong).toEqual([]);
  });

  it('lets one part of the code talk to each outside system', () => {
    const wrong = packages
      .filter((p) =>
        PACKAGE_OWNERS.some(([pattern, owners]) => pattern.test(p.name) && !owners.includes(unitOf(p.from))),
      )
      .map((p) => `${name(p.from)} imports ${p.name}`);
    expect(wrong).toEqual([]);
  });
});

/** Every file under `dir` (no node_modules), for the comment check. */
function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) return [];
    const full = join(dir, entry.name);
    return entry.isDirectory() ? allFiles(full) : [full];
  });
}

/** The comments of a source file, found by TypeScript's parser (so never text inside a string). */
function comments(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found = new Map<number, string>();
  const take = (ranges: ts.CommentRange[] | undefined): void => {
    for (const r of ranges ?? []) found.set(r.pos, text.slice(r.pos, r.end));
  };
  const visit = (node: ts.Node): void => {
    take(ts.getLeadingCommentRanges(text, node.getFullStart()));
    take(ts.getTrailingCommentRanges(text, node.getEnd()));
    node.forEachChild(visit);
  };
  visit(source);
  return [...found.values()];
}

describe('comments in src/, scripts/ and test/', () => {
  // A repository path (src/..., test/..., scripts/...), or the bare name of a source file.
  const PATH =
    /(?<![\w@/.-])((?:src|test|scripts|provision|\.github|\.ci)\/[\w./-]+\.\w+|[\w-]+\.(?:ts|mjs))\b/g;
  const known = new Set(
    ['src', 'test', 'scripts'].flatMap((dir) => allFiles(resolve(dir))).map((f) => basename(f)),
  );

  it('name only files that exist', () => {
    const missing: string[] = [];
    for (const file of [...allFiles(SRC), ...allFiles(resolve('scripts')), ...allFiles(resolve('test'))]) {
      if (!/\.(ts|mjs)$/.test(file)) continue;
      if (/\.(validator|wasm)\.ts$/.test(file)) continue;
      const text = readFileSync(file, 'utf8');
      for (const comment of comments(file, text)) {
        for (const [, path] of comment.matchAll(PATH)) {
          const found = path!.includes('/') ? existsSync(resolve(path!)) : known.has(path!);
          if (!found) missing.push(`${name(file)}: ${path}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
