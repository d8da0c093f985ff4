/**
 * Validates Mermaid text with Mermaid's own parser (mermaid 11). Mermaid sanitises labels with
 * DOMPurify, which needs a DOM even to parse, so a jsdom window is made the global `window` and
 * `document` before mermaid is imported.
 *
 * That happens in a worker thread: jsdom 27 `require`s ES modules, which Node 20.19+ supports but
 * Jest's module registry does not (before Node 24.9), and the worker keeps the DOM globals out of the
 * test's own global scope as a bonus.
 */
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { JSDOM } = require('jsdom');
const { window } = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true });
globalThis.window = window;
globalThis.document = window.document;
globalThis.DOMParser = window.DOMParser;
if (!('navigator' in globalThis)) globalThis.navigator = window.navigator;
const mermaid = import('mermaid').then((module) => module.default);
parentPort.on('message', async ({ id, text }) => {
  try {
    const result = await (await mermaid).parse(text);
    parentPort.postMessage({ id, ok: true, result: JSON.parse(JSON.stringify(result ?? null)) });
  } catch (error) {
    parentPort.postMessage({ id, ok: false, message: String((error && error.message) || error) });
  }
});
`;

interface ParseReply {
  id: number;
  ok: boolean;
  result?: unknown;
  message?: string;
}

let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();

function mermaidWorker(): Worker {
  if (worker) return worker;
  const started = new Worker(WORKER_SOURCE, { eval: true });
  started.on('message', (reply: ParseReply) => {
    const waiting = pending.get(reply.id);
    pending.delete(reply.id);
    if (pending.size === 0) started.unref();
    if (reply.ok) waiting?.resolve(reply.result);
    else waiting?.reject(new Error(reply.message ?? 'Mermaid parse failed'));
  });
  started.on('error', (error: Error) => {
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
    worker = undefined;
  });
  worker = started;
  return started;
}

/** Mermaid's parse result (diagram type and the frontmatter config it read); rejects on invalid text. */
export function parseMermaidConfig(text: string): Promise<unknown> {
  const id = nextId++;
  const target = mermaidWorker();
  // Referenced only while a parse is in flight, so an idle worker never keeps Jest from exiting.
  target.ref();
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    target.postMessage({ id, text });
  });
}

/** Resolves when Mermaid accepts `text`; rejects with Mermaid's parse error otherwise. */
export async function parseMermaid(text: string): Promise<void> {
  await parseMermaidConfig(text);
}

/** The contents of every ```mermaid fenced block in `markdown`, in order. */
export function extractMermaidBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  const fence = /^(`{3,}|~{3,})mermaid[ \t]*\n([\s\S]*?)\n\1[ \t]*$/gm;
  for (const match of markdown.matchAll(fence)) blocks.push(match[2] ?? '');
  return blocks;
}
