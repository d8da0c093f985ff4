/**
 * Escaping of untrusted strings (service names, ARNs, file paths, reasons, warnings) for GitHub
 * Markdown. Anything that came from logs or AWS must go through one of these before it reaches the
 * report, so that it cannot mention people, inject HTML, create links or images, break a table or
 * close a code span early.
 */

/** Zero-width space: invisible, but splits the character sequences GitHub turns into mentions and links. @testseam */
export const ZERO_WIDTH_SPACE = '\u200B';

const DEFAULT_MAX_LENGTH = 80;

// C0 and C1 controls, DEL, bidi embeddings/overrides/isolates and bidi marks (Trojan Source style tricks).
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const INVISIBLE_CONTROLS = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g;
// Anything that ends a line in Markdown or in a table row; replaced by a space so words stay apart.
const LINE_BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]+/g;

export interface EscapeOptions {
  /** Maximum length in code points before `…` is appended; defaults to 80. */
  maxLength?: number;
}

export interface CodeSpanOptions extends EscapeOptions {
  /**
   * Escape `|` as `\|` (default true). GFM splits table cells before it parses code spans, so a pipe
   * inside a code span in a table must be escaped; outside a table the backslash would show.
   */
  inTable?: boolean;
}

/**
 * Removes controls and line breaks, collapses whitespace and caps the length. Also splits `<!--`, so
 * that a name cannot carry another report's hidden marker and mislead the publisher's search for it.
 * @testseam
 */
export function sanitize(value: string, maxLength = DEFAULT_MAX_LENGTH): string {
  const flattened = value
    .replace(LINE_BREAKS, ' ')
    .replace(INVISIBLE_CONTROLS, '')
    .replace(/ {2,}/g, ' ')
    .trim();
  return truncate(flattened, maxLength).replace(/<!--/g, `<${ZERO_WIDTH_SPACE}!--`);
}

/** Caps `value` at `maxLength` code points (never splitting a surrogate pair), ending with `…`. @testseam */
export function truncate(value: string, maxLength: number): string {
  const codePoints = Array.from(value);
  if (codePoints.length <= maxLength) return value;
  return `${codePoints
    .slice(0, Math.max(0, maxLength - 1))
    .join('')
    .trimEnd()}…`;
}

/**
 * Renders an identifier as an inline code span. Inside a code span GitHub renders no HTML, links,
 * autolinks or mentions, so this is the safest form for names, ARNs and paths.
 */
export function codeSpan(value: string, options: CodeSpanOptions = {}): string {
  let content = sanitize(value, options.maxLength ?? DEFAULT_MAX_LENGTH);
  if (content === '') return '–';
  if (options.inTable ?? true) {
    // A backslash right before our `\|` would read as `\\|` to parsers that count backslash parity.
    content = content.replace(/\\(?=\|)/g, `\\${ZERO_WIDTH_SPACE}`).replace(/\|/g, '\\|');
  }
  const longestBacktickRun = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestBacktickRun + 1);
  // GFM strips one space from each side when both are present, so padding keeps edge backticks intact.
  const padded = /^[` ]|[` ]$/.test(content) ? ` ${content} ` : content;
  return `${fence}${padded}${fence}`;
}

/**
 * Renders untrusted text as inline Markdown that displays literally, for prose such as warnings and
 * malformed-line reasons. Safe in paragraphs, list items and table cells.
 */
export function markdownText(value: string, options: EscapeOptions = {}): string {
  const text = breakReferences(sanitize(value, options.maxLength ?? DEFAULT_MAX_LENGTH));
  let escaped = '';
  for (const char of text) {
    escaped += escapeMarkdownChar(char);
  }
  // Block syntax only matters at the start (the text may open a list item): `# x`, `- x`, `1. x`.
  return escaped.replace(/^([#+=-])/, '\\$1').replace(/^(\d+)([.)])/, '$1\\$2');
}

/**
 * Renders untrusted text for raw HTML contexts such as `<summary>`, where Markdown is not parsed and
 * backslashes would show: HTML entities only, plus the mention and autolink breaks.
 */
export function htmlText(value: string, options: EscapeOptions = {}): string {
  // References are broken before encoding so that the `#` of `&#39;` is left alone.
  const text = breakReferences(sanitize(value, options.maxLength ?? DEFAULT_MAX_LENGTH));
  return text.replace(/[&<>"']/g, (char) => HTML_ENTITIES[char] ?? char);
}

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

// Characters that open inline syntax anywhere in a line: emphasis, code, links, strikethrough,
// math, escapes and table cells.
const MARKDOWN_INLINE_PUNCTUATION = new Set(['\\', '`', '*', '_', '[', ']', '~', '$', '|', '!']);

function escapeMarkdownChar(char: string): string {
  const entity = HTML_ENTITIES[char];
  if (entity !== undefined && char !== '"' && char !== "'") return entity;
  return MARKDOWN_INLINE_PUNCTUATION.has(char) ? `\\${char}` : char;
}

/**
 * GitHub links mentions (`@user`, `@org/team`), issue references (`#1`, `owner/repo#1`), e-mail
 * addresses and URLs after rendering, in any text node. A zero-width space inside each trigger
 * sequence stops all of them without changing what the reader sees.
 */
function breakReferences(text: string): string {
  return text
    .replace(/@/g, `@${ZERO_WIDTH_SPACE}`)
    .replace(/#/g, `#${ZERO_WIDTH_SPACE}`)
    .replace(/:(?=\/\/)/g, `:${ZERO_WIDTH_SPACE}`)
    .replace(/(www)(?=\.)/gi, `$1${ZERO_WIDTH_SPACE}`);
}
