// Bundles @actions/workflow-parser (GitHub's own workflow and action.yml parser, the one behind the
// VS Code extension) into one ESM file that plain Node and Jest can import.
//
// Why: the package imports its JSON schemas without `with { type: 'json' }`, which Node refuses
// (ERR_IMPORT_ATTRIBUTE_MISSING). esbuild inlines the JSON; the createRequire banner gives the few
// CommonJS dependencies inside the bundle a working `require`.
//
// Run on its own (`node test/helpers/build-workflow-parser.mjs`) or through
// test/helpers/workflow-parser.ts. Prints the bundle's absolute path. The bundle is cached under
// node_modules/.cache/workflow-parser/, keyed by the parser's and esbuild's versions and this
// file's content, and written atomically, so parallel test workers never see half a file.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
// Under node_modules/.cache (the usual home of tool caches): ignored by git, ESLint and Prettier,
// and cleared with node_modules.
const OUT_DIR = join(ROOT, 'node_modules', '.cache', 'workflow-parser');

// The subpath `actions/index` holds parseAction and convertActionTemplate; the package's root
// export has only the workflow half. @actions/expressions (the parser's own expression engine, a
// dependency of it) lets tests evaluate `if:` conditions the way the runner does.
const ENTRY = `
export { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } from '@actions/workflow-parser';
export { parseAction, convertActionTemplate } from '@actions/workflow-parser/actions/index';
export { Lexer, Parser, Evaluator, data } from '@actions/expressions';
export { truthy } from '@actions/expressions/result';
`;

const BANNER =
  "import { createRequire as __workflowParserCreateRequire } from 'node:module';\n" +
  'const require = __workflowParserCreateRequire(import.meta.url);';

function packageVersion(name) {
  const require = createRequire(join(ROOT, 'package.json'));
  // Not every package exports ./package.json; find it next to the resolved entry instead.
  let dir = dirname(require.resolve(name));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const json = JSON.parse(readFileSync(file, 'utf8'));
      if (json.name === name) return json.version;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package.json of ${name} not found`);
    dir = parent;
  }
}

function parserVersion() {
  const file = join(ROOT, 'node_modules', '@actions', 'workflow-parser', 'package.json');
  return JSON.parse(readFileSync(file, 'utf8')).version;
}

export async function buildWorkflowParser() {
  const esbuild = await import('esbuild');
  const key = createHash('sha256')
    .update(readFileSync(fileURLToPath(import.meta.url)))
    .update(packageVersion('esbuild'))
    .digest('hex')
    .slice(0, 12);
  const outfile = join(OUT_DIR, `workflow-parser-${parserVersion()}-${key}.mjs`);
  if (existsSync(outfile)) return outfile;

  mkdirSync(OUT_DIR, { recursive: true });
  const tmp = `${outfile}.${process.pid}.tmp`;
  try {
    await esbuild.build({
      stdin: { contents: ENTRY, resolveDir: ROOT, sourcefile: 'workflow-parser-entry.mjs', loader: 'js' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: tmp,
      banner: { js: BANNER },
      logLevel: 'error',
      legalComments: 'none',
    });
    renameSync(tmp, outfile);
  } finally {
    rmSync(tmp, { force: true });
  }
  return outfile;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${await buildWorkflowParser()}\n`);
}
