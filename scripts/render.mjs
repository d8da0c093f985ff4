#!/usr/bin/env node
/* global document, window -- the page.evaluate callbacks run in Chromium, not Node */
// Renders a report as GitHub shows it, to PNGs a reviewer can look at: GitHub-flavoured Markdown
// (marked), GitHub's stylesheet (github-markdown-css) and Mermaid's own renderer, in a real
// Chromium, in GitHub's light and dark themes at comment width (760 px) and wide (1280 px).
//
//   npm run render -- [report.md] [--out dir]
//
// Defaults: demo-output/report.md into demo-output/render/. Long pages are cut between blocks into
// PNGs at most 1600 px high: <theme>-<width>-page-<n>.png.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { Marked } from 'marked';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const WIDTHS = [760, 1280];
const THEMES = [
  // GitHub's canvas colours and the Mermaid theme it picks for each.
  { name: 'light', canvas: '#ffffff', mermaidTheme: 'default' },
  { name: 'dark', canvas: '#0d1117', mermaidTheme: 'dark' },
];
const MAX_PAGE_HEIGHT = 1600;
const PADDING = 16;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string', default: 'demo-output/render' }, help: { type: 'boolean', short: 'h' } },
});
if (values.help) {
  console.log(
    'Usage: npm run render -- [report.md] [--out dir]   (CHROMIUM_PATH overrides /usr/bin/chromium)',
  );
  process.exit(0);
}
const input = resolve(positionals[0] ?? 'demo-output/report.md');
const outDir = resolve(values.out);
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

if (!existsSync(input))
  fail(`No report at ${input}. Run \`npm run build && npm run demo\` first, or pass a path.`);
if (!existsSync(chromiumPath)) {
  fail(
    `No Chromium at ${chromiumPath}. Install it with \`sudo apt-get install chromium\` (Debian/Ubuntu), ` +
      'or point CHROMIUM_PATH at a Chromium or Chrome binary.',
  );
}

const body = markdownToHtml(readFileSync(input, 'utf8'));
const mermaidScript = require.resolve('mermaid/dist/mermaid.min.js');
mkdirSync(outDir, { recursive: true });
// Old pages of a longer report would otherwise look like part of this one.
for (const file of readdirSync(outDir))
  if (/^(light|dark)-\d+-page-\d+\.png$/.test(file)) rmSync(join(outDir, file));

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
});
const written = [];
try {
  for (const theme of THEMES) {
    for (const width of WIDTHS) written.push(...(await renderPages(theme, width)));
  }
} finally {
  await browser.close();
}
for (const file of written) console.log(file);

async function renderPages(theme, width) {
  const css = readFileSync(require.resolve(`github-markdown-css/github-markdown-${theme.name}.css`), 'utf8');
  const page = await browser.newPage({ viewport: { width, height: 1000 }, deviceScaleFactor: 1 });
  try {
    await page.setContent(
      `<!doctype html><html><head><meta charset="utf-8"><style>${css}
      html, body { margin: 0; background: ${theme.canvas}; }
      .markdown-body { box-sizing: border-box; width: ${width}px; padding: ${PADDING}px; }
      </style></head><body><article class="markdown-body">${body}</article></body></html>`,
    );
    await page.addScriptTag({ path: mermaidScript });
    const errors = await page.evaluate(async (mermaidTheme) => {
      for (const details of document.querySelectorAll('details')) details.open = true;
      const found = [];
      window.mermaid.initialize({ startOnLoad: false, theme: mermaidTheme });
      for (const block of document.querySelectorAll('div.mermaid')) {
        try {
          await window.mermaid.run({ nodes: [block] });
        } catch (error) {
          found.push(String(error?.message ?? error));
        }
      }
      return found;
    }, theme.mermaidTheme);
    for (const error of errors) console.error(`Mermaid could not draw a block (${theme.name}): ${error}`);

    // Cut between top-level blocks, so a chart or table is not split across two pictures.
    const { height, bottoms } = await page.evaluate(() => {
      const article = document.querySelector('article');
      const children = [...article.children].map((child) => child.getBoundingClientRect().bottom);
      return { height: article.getBoundingClientRect().height, bottoms: children };
    });
    await page.setViewportSize({ width, height: Math.ceil(height) });
    const cuts = pageCuts(
      bottoms.map((bottom) => Math.ceil(bottom + PADDING / 2)),
      Math.ceil(height),
    );
    const files = [];
    for (const [index, [top, bottom]] of cuts.entries()) {
      const path = join(outDir, `${theme.name}-${width}-page-${index + 1}.png`);
      await page.screenshot({ path, clip: { x: 0, y: top, width, height: bottom - top } });
      files.push(path);
    }
    return files;
  } finally {
    await page.close();
  }
}

/** Page spans [top, bottom) no taller than MAX_PAGE_HEIGHT, ending at block bottoms where possible. */
function pageCuts(blockBottoms, height) {
  const cuts = [];
  let top = 0;
  while (top < height) {
    const limit = top + MAX_PAGE_HEIGHT;
    if (limit >= height) {
      cuts.push([top, height]);
      break;
    }
    const fits = blockBottoms.filter((bottom) => bottom > top && bottom <= limit);
    const bottom = fits.length > 0 ? Math.max(...fits) : limit;
    cuts.push([top, bottom]);
    top = bottom;
  }
  return cuts;
}

function markdownToHtml(markdown) {
  const marked = new Marked({ gfm: true });
  marked.use({
    renderer: {
      code({ text, lang }) {
        return lang === 'mermaid' ? `<div class="mermaid">${escapeHtml(text)}</div>\n` : false;
      },
    },
  });
  return marked.parse(markdown);
}

function escapeHtml(text) {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

function fail(message) {
  console.error(`render: ${message}`);
  process.exit(1);
}
