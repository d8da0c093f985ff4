/**
 * Text for a person: the CLI's stdout and stderr, and the action's log. Messages quote file names,
 * log values and AWS names, so whatever could act on the reader's side is shown as a visible escape
 * instead of passing raw:
 * - controls that drive a terminal or break the encoding: ESC and CSI sequences, C1, DEL, bidi
 *   overrides and marks, lone UTF-16 halves, as `\x1b`, `\x9b`, `\u202e`, `\ud800`;
 * - workflow commands, which the Actions runner reads in any step's output, the CLI's too: it takes
 *   `::command::` at a line's start after blanks, and the legacy `##[command]` anywhere in a line
 *   (https://github.com/actions/runner/blob/main/src/Runner.Common/ActionCommand.cs); core.info()
 *   writes its text unescaped. The first character of each becomes `\x3a` or `\x23`.
 * Backslashes are left alone, so the result is for reading, not for decoding back; applying the
 * function twice changes nothing. Report JSON and Markdown files are data and do not come here.
 */

// C0 but \t and \n, DEL, C1, the Arabic letter mark, LRM/RLM, bidi embeddings, overrides and
// isolates, and UTF-16 halves without their pair.
const UNSAFE =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const BREAKS = /[\t\n]/g;
// The runner trims .NET white space before `::`; \s is the same set (and U+FEFF).
const COMMAND_AT_LINE_START = /^(\s*):(?=:)/gm;
const LEGACY_COMMAND = /#(?=#\[)/g;

interface TerminalTextOptions {
  /** Also escape \n and \t: for one value quoted inside a line, such as a file name. */
  oneLine?: boolean;
  /** `\u00XX` escapes only, which keep JSON text valid and its value unchanged. */
  json?: boolean;
}

function escape(char: string, json: boolean): string {
  const code = char.charCodeAt(0);
  const hex = code.toString(16);
  return code < 0x100 && !json ? `\\x${hex.padStart(2, '0')}` : `\\u${hex.padStart(4, '0')}`;
}

/** `text` with every control, bidi control, lone surrogate and workflow command made visible. */
export function terminalText(text: string, options: TerminalTextOptions = {}): string {
  const json = options.json === true;
  let safe = text.replace(UNSAFE, (char) => escape(char, json));
  if (options.oneLine) safe = safe.replace(BREAKS, (char) => escape(char, json));
  return safe
    .replace(COMMAND_AT_LINE_START, (_, blanks: string) => `${blanks}${escape(':', json)}`)
    .replace(LEGACY_COMMAND, () => escape('#', json));
}
