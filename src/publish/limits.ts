/** GitHub's size limits and fitting a rendered report inside them. */
import { type FittedMarkdown, fitMarkdown, type RenderOptions } from '../report/markdown.js';
import type { Report } from '../model/report.js';

/** Issue and comment bodies: characters, as GitHub's 422 says. */
export const BODY_LIMIT_CHARS = 65_536;
/** A step's job summary: bytes. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024;

/**
 * Renders within `maxBytes` of UTF-8, saying whether anything was left out: starts from the same
 * number of characters and shrinks.
 */
export function fitWithinBytes(
  report: Report,
  maxBytes: number,
  options: Omit<RenderOptions, 'maxChars'> = {},
): FittedMarkdown {
  let maxChars = maxBytes;
  for (;;) {
    const fitted = fitMarkdown(report, { ...options, maxChars });
    const bytes = Buffer.byteLength(fitted.markdown, 'utf8');
    if (bytes <= maxBytes) return fitted;
    maxChars = Math.floor((maxChars * maxBytes) / bytes) - 64;
  }
}

/** fitWithinBytes' Markdown alone. */
export function renderWithinBytes(
  report: Report,
  maxBytes: number,
  options: Omit<RenderOptions, 'maxChars'> = {},
): string {
  return fitWithinBytes(report, maxBytes, options).markdown;
}
