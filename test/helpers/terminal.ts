/** Checks that text for a terminal or the Actions log carries nothing that could act on the reader. */
import { expect } from '@jest/globals';

/** What must never pass raw: C0 but \t and \n, DEL, C1, bidi controls and marks. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The lines the Actions runner would read as a workflow command (its ActionCommand.cs). */
export function commandLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/).filter((line) => line.trimStart().startsWith('::') || line.includes('##['));
}

/** No raw control, no lone surrogate, no workflow command. */
export function expectInert(text: string): void {
  expect(text).not.toMatch(RAW_CONTROLS);
  expect(text).not.toMatch(LONE_SURROGATE);
  expect(commandLines(text)).toEqual([]);
}
