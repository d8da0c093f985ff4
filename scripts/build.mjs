// Bundles the action and the command line into dist/ with esbuild (about 2 s, so `npm test` can
// build before every end-to-end run). Each entry becomes one self-contained ESM file:
//   src/index.ts            -> dist/index.js        the action (action.yml: runs.main)
//   src/cli.ts              -> dist/cli.js          the CLI's small launcher (compile cache)
//   src/cli/main.ts         -> dist/cli-main.js     the CLI itself, loaded by the launcher
//   src/logs/scan-worker.ts -> dist/scan-worker.js  the scan threads
// Third-party licences of each bundle go to dist/<name>.licenses.txt.
import { readFileSync, readdirSync, rmSync, mkdirSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import * as esbuild from 'esbuild';

const ENTRIES = {
  index: 'src/index.ts',
  cli: 'src/cli.ts',
  'cli-main': 'src/cli/main.ts',
  'scan-worker': 'src/logs/scan-worker.ts',
};

// CommonJS dependencies call require() for Node's built-ins; an ESM bundle has no require of its own.
const BANNER =
  "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);";

/** The package a bundled file belongs to: its nearest package.json under node_modules. */
function packageOf(file) {
  if (!file.includes('node_modules/')) return undefined;
  for (let dir = dirname(file); dir.includes('node_modules'); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
    // Nested package.json files that only set "type" are not packages.
    if (pkg.name && pkg.version) return { dir, name: pkg.name, version: pkg.version, license: pkg.license };
  }
  return undefined;
}

function licenseText(dir) {
  const file = readdirSync(dir).find((name) => /^(licen[cs]e|copying)(\.|$)/i.test(name));
  return file ? readFileSync(join(dir, file), 'utf8').trim() : undefined;
}

/** One section per package: name, version, licence type and its licence file when it ships one. */
function licenses(inputs) {
  const packages = new Map();
  for (const file of inputs) {
    const pkg = packageOf(file);
    if (pkg) packages.set(`${pkg.name}@${pkg.version}`, pkg);
  }
  return [...packages.keys()]
    .sort()
    .map((key) => {
      const pkg = packages.get(key);
      const text = licenseText(pkg.dir);
      return [`${pkg.name} ${pkg.version}`, `License: ${pkg.license ?? 'see the package'}`, text ?? '']
        .filter(Boolean)
        .join('\n');
    })
    .join('\n\n----------------------------------------------------------------\n\n');
}

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist');
for (const [name, entry] of Object.entries(ENTRIES)) {
  const result = await esbuild.build({
    entryPoints: [entry],
    outfile: `dist/${name}.js`,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: BANNER },
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  const text = licenses(Object.keys(result.metafile.inputs).map((file) => relative('.', file)));
  if (text) writeFileSync(`dist/${name}.licenses.txt`, `${text}\n`);
}
writeFileSync('dist/package.json', '{ "type": "module" }\n');
chmodSync('dist/cli.js', 0o755);
