// Bundles the action (src/index.ts -> dist/index.js) and the CLI (dist/cli.js and the files it loads) with ncc.
// ncc emits ESM because package.json has "type": "module"; each entry is one self-contained file.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// The CLI is a small launcher (cli.js) that loads its bundle (cli-main.js) through Node's compile
// cache; the scan workers have their own small bundle.
const entries = [
  ['src/index.ts', 'index.js'],
  ['src/cli.ts', 'cli.js'],
  ['src/cli/main.ts', 'cli-main.js'],
  ['src/logs/scan-worker.ts', 'scan-worker.js'],
];
const work = 'build/ncc';
rmSync('dist', { recursive: true, force: true });
rmSync(work, { recursive: true, force: true });
mkdirSync('dist');

for (const [source, target] of entries) {
  const out = join(work, target.replace(/\.js$/, ''));
  execFileSync(
    'npx',
    ['ncc', 'build', source, '-o', out, '--license', 'licenses.txt', '--quiet', '--target', 'es2022'],
    {
      stdio: 'inherit',
    },
  );
  const produced = readdirSync(out).sort();
  const unexpected = produced.filter((f) => !['index.js', 'licenses.txt', 'package.json'].includes(f));
  if (unexpected.length > 0)
    throw new Error(`ncc emitted extra files for ${source}: ${unexpected.join(', ')}`);
  copyFileSync(join(out, 'index.js'), join('dist', target));
  // Only bundles that include third-party packages get a licenses file.
  if (produced.includes('licenses.txt'))
    copyFileSync(join(out, 'licenses.txt'), join('dist', `${target.replace(/\.js$/, '')}.licenses.txt`));
}
writeFileSync('dist/package.json', '{ "type": "module" }\n');
chmodSync('dist/cli.js', 0o755);
rmSync(work, { recursive: true, force: true });
