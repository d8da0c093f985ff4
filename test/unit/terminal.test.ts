import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import { terminalText } from '../../src/report/terminal.js';
import { HOSTILE_STRINGS } from '../fixtures/report/reports.js';
import { commandLines, expectInert } from '../helpers/terminal.js';

/** Strings rich in the characters that matter here, whole code points and lone halves alike. */
const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom(
      ...'\u001b[31m\u009b\u202e\u2066\u200f\u061c\u007f\r\n\t:#[ x\ud83d\ude00\ud800\udc00'.split(''),
    ),
    maxLength: 40,
  }),
  fc.constantFrom(...HOSTILE_STRINGS),
);

describe('terminalText', () => {
  it('shows ESC, CSI, C1, DEL and bidi controls as escapes', () => {
    expect(terminalText('\u001b[31mred\u001b[0m')).toBe('\\x1b[31mred\\x1b[0m');
    expect(terminalText('a\u009b2Jb\u0085c\u007f')).toBe('a\\x9b2Jb\\x85c\\x7f');
    expect(terminalText('\u202egnp.exe\u202c \u2066x\u2069 \u200e\u200f\u061c')).toBe(
      '\\u202egnp.exe\\u202c \\u2066x\\u2069 \\u200e\\u200f\\u061c',
    );
    expect(terminalText('bell\u0007 nul\u0000 cr\r')).toBe('bell\\x07 nul\\x00 cr\\x0d');
  });

  it('keeps newlines, tabs, printable text and surrogate pairs; escapes lone surrogates', () => {
    expect(terminalText('one\ttwo\nthree · ünïcode 😀')).toBe('one\ttwo\nthree · ünïcode 😀');
    expect(terminalText('a\ud800b\udc00c')).toBe('a\\ud800b\\udc00c');
    expect(terminalText('\udc00\ud800')).toBe('\\udc00\\ud800');
  });

  it('escapes newlines and tabs too for one value inside a line', () => {
    expect(terminalText('a\nb\tc\u001b', { oneLine: true })).toBe('a\\x0ab\\x09c\\x1b');
  });

  it('leaves nothing unsafe, and changes nothing the second time', () => {
    fc.assert(
      fc.property(hostileText, fc.boolean(), (text, oneLine) => {
        const safe = terminalText(text, { oneLine });
        expectInert(safe);
        if (oneLine) expect(safe).not.toMatch(/[\n\t]/);
        expect(terminalText(safe, { oneLine })).toBe(safe);
      }),
    );
  });

  it('keeps JSON valid and its value unchanged with json', () => {
    fc.assert(
      fc.property(fc.dictionary(hostileText, hostileText, { maxKeys: 4 }), (value) => {
        const text = terminalText(JSON.stringify(value, null, 2), { json: true });
        expectInert(text);
        expect(JSON.parse(text)).toEqual(value);
      }),
    );
  });
});

describe('terminalText: workflow commands', () => {
  it('keeps a log value from starting a workflow command on a new line', () => {
    const text = terminalText('service x\n::set-output name=ok::pwned\n  ::add-mask::secret\r::error::x');
    expect(text).toBe('service x\n\\x3a:set-output name=ok::pwned\n  \\x3a:add-mask::secret\\x0d::error::x');
    expect(commandLines(text)).toEqual([]);
  });

  it('breaks the legacy ##[command] form anywhere in a line', () => {
    expect(terminalText('a ##[stop-commands]token ##[set-output name=x;]y')).toBe(
      'a \\x23#[stop-commands]token \\x23#[set-output name=x;]y',
    );
  });

  it('leaves the runner no command in any text, and ordinary text as it was', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const safe = terminalText(text);
        expectInert(safe);
        expect(terminalText(safe)).toBe(safe);
      }),
    );
    const plain = 'Queried 3 log groups: 1.2 GB scanned; see https://example.com/a::b and C# [1]';
    expect(terminalText(plain)).toBe(plain);
  });
});
