/** GitHub's size limits and fitting a rendered report inside them. */
import { renderMarkdown, type RenderOptions } from '../report/markdown.js';
import type { Report } from '../model/report.js';

/** Issue and comment bodies: characters, as GitHub's 422 says. */
export const BODY_LIMIT_CHARS = 65_536;
/** A step's job summary: bytes. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024;

/** Renders within `maxBytes` of UTF-8: starts from the same number of characters and shrinks. */
export function renderWithinBytes(
  report: Report,
  maxBytes: number,
  options: Omit<RenderOptions, 'maxChars'> = {},
): string {
  let maxChars = maxBytes;
  for (;;) {
    const text = renderMarkdown(report, { ...options, maxChars });
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes <= maxBytes) return text;
    maxChars = Math.floor((maxChars * maxBytes) / bytes) - 64;
  }
}
