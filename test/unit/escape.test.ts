import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Lexer, type Token, type Tokens } from 'marked';

import {
  codeSpan,
  htmlText,
  markdownText,
  sanitize,
  truncate,
  ZERO_WIDTH_SPACE,
} from '../../src/report/escape.js';
import { HOSTILE_STRINGS } from '../fixtures/report/reports.js';

const ZWSP = ZERO_WIDTH_SPACE;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROLS_AND_BIDI = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

/** Strings biased towards the characters that matter to Markdown, HTML and GitHub's linkers. */
const hostileText = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'`|\\<>[]()!@#:/.*_~$&-+= \n\raw'.split('')), maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom(...HOSTILE_STRINGS),
  fc
    .array(fc.constantFrom(...HOSTILE_STRINGS, '`', '|', '\\', ' '), { maxLength: 6 })
    .map((parts) => parts.join('')),
);

/** Inline tokens of `markdown` as one paragraph, by an independent GFM parser. */
function inlineTokens(markdown: string): Token[] {
  const tokens = new Lexer({ gfm: true }).lex(markdown).filter((token) => token.type !== 'space');
  if (tokens.length === 0) return [];
  expect(tokens).toHaveLength(1);
  const paragraph = tokens[0] as Tokens.Paragraph;
  expect(paragraph.type).toBe('paragraph');
  return paragraph.tokens;
}

/** Reads a code span back: strips the fence and the padding, then undoes the pipe escapes. */
function decodeCodeSpan(span: string, inTable: boolean): string {
  const fence = /^`+/.exec(span)?.[0] ?? '';
  let content = span.slice(fence.length, span.length - fence.length);
  if (content.length > 2 && content.startsWith(' ') && content.endsWith(' ')) content = content.slice(1, -1);
  return inTable ? content.replace(/\\\|/g, '|').replaceAll(`\\${ZWSP}`, '\\') : content;
}

describe('sanitize', () => {
  it('turns line breaks into spaces and drops control and bidi characters', () => {
    expect(sanitize('a\nb\r\nc\td')).toBe('a b c d');
    expect(sanitize('\u202Eevil\u202C \u2066x\u2069 \u200Fy \u0000z\u0085\u009B')).toBe('evil x y z');
  });

  it('caps the length in code points without splitting surrogate pairs', () => {
    expect(truncate('😀😀😀😀', 3)).toBe('😀😀…');
    expect(sanitize('x'.repeat(100))).toHaveLength(80);
    expect(sanitize('x'.repeat(100)).endsWith('…')).toBe(true);
  });
});

describe('codeSpan', () => {
  it('wraps plain names in single backticks', () => {
    expect(codeSpan('checkout-api')).toBe('`checkout-api`');
  });

  it('uses a fence longer than any backtick run inside, padded when the content touches a backtick', () => {
    expect(codeSpan('a`b')).toBe('``a`b``');
    expect(codeSpan('x```y')).toBe('````x```y````');
    expect(codeSpan('`edge`')).toBe('`` `edge` ``');
  });

  it('escapes pipes in tables (GFM splits cells before it sees code spans) and not elsewhere', () => {
    expect(codeSpan('a|b')).toBe('`a\\|b`');
    expect(codeSpan('a|b', { inTable: false })).toBe('`a|b`');
    // A literal backslash before a pipe must not turn our `\|` into an escaped backslash.
    expect(codeSpan('a\\|b')).toBe(`\`a\\${ZWSP}\\|b\``);
  });

  it('keeps every code span on one line, without controls, at most 80 characters', () => {
    const span = codeSpan(`x\ny\r\n${'z'.repeat(200)}\u202E`);
    expect(span).not.toMatch(/[\r\n]/);
    expect(span).not.toMatch(CONTROLS_AND_BIDI);
    expect(Array.from(decodeCodeSpan(span, true))).toHaveLength(80);
  });

  it('shows an empty name as a dash rather than an empty (invalid) code span', () => {
    expect(codeSpan('')).toBe('–');
    expect(codeSpan(' \n\u202E ')).toBe('–');
  });

  it('round-trips any string through a GFM parser as exactly one code span', () => {
    fc.assert(
      fc.property(hostileText, (value) => {
        const expected = sanitize(value, 1000);
        fc.pre(expected !== '');
        const span = codeSpan(value, { inTable: false, maxLength: 1000 });
        expect(decodeCodeSpan(span, false)).toBe(expected);
        const tokens = inlineTokens(`before ${span} after`);
        const codeSpans = tokens.filter((token) => token.type === 'codespan') as Tokens.Codespan[];
        expect(codeSpans).toHaveLength(1);
        expect(tokens.some((token) => token.type === 'html' || token.type === 'link')).toBe(false);
      }),
      { numRuns: 400 },
    );
  });

  it('keeps any string inside its table cell', () => {
    fc.assert(
      fc.property(hostileText, (value) => {
        fc.pre(sanitize(value, 1000) !== '');
        const span = codeSpan(value, { maxLength: 1000 });
        const tokens = new Lexer({ gfm: true }).lex(`| a | b |\n| - | - |\n| ${span} | tail |\n`);
        const tableToken = tokens[0] as Tokens.Table;
        expect(tableToken.type).toBe('table');
        expect(tableToken.rows).toHaveLength(1);
        const [cell, tail] = tableToken.rows[0] ?? [];
        expect(tail?.text).toBe('tail');
        expect(cell?.tokens.map((token) => token.type)).toEqual(['codespan']);
        // cmark-gfm's rule: a pipe is a cell delimiter unless the byte before it is a backslash.
        expect(span.replace(/\\\|/g, '')).not.toContain('|');
      }),
      { numRuns: 400 },
    );
  });
});

describe('markdownText', () => {
  it('renders HTML as text', () => {
    expect(markdownText('<img src=x onerror=alert(1)>')).toBe('&lt;img src=x onerror=alert(1)&gt;');
    expect(markdownText('a & b')).toBe('a &amp; b');
  });

  it('cannot create links, images or emphasis', () => {
    expect(markdownText('[x](javascript:alert(1))')).toBe('\\[x\\](javascript:alert(1))');
    expect(markdownText('![](http://x)')).toBe(`\\!\\[\\](http:${ZWSP}//x)`);
    expect(markdownText('**b** _e_ ~~s~~ `c` $m$')).toBe(
      '\\*\\*b\\*\\* \\_e\\_ \\~\\~s\\~\\~ \\`c\\` \\$m\\$',
    );
  });

  it('breaks mentions, references, e-mail addresses and autolinks with a zero-width space', () => {
    expect(markdownText('@octocat and @org/team')).toBe(`@${ZWSP}octocat and @${ZWSP}org/team`);
    expect(markdownText('owner/repo#1')).toBe(`owner/repo#${ZWSP}1`);
    expect(markdownText('https://evil.example')).toBe(`https:${ZWSP}//evil.example`);
    expect(markdownText('WWW.evil.example')).toBe(`WWW${ZWSP}.evil.example`);
    expect(markdownText('x@evil.example')).toBe(`x@${ZWSP}evil.example`);
  });

  it('escapes block syntax at the start, where the text may open a list item', () => {
    expect(markdownText('# h')).toBe(`\\#${ZWSP} h`);
    expect(markdownText('- item')).toBe('\\- item');
    expect(markdownText('+ item')).toBe('\\+ item');
    expect(markdownText('12. item')).toBe('12\\. item');
    expect(markdownText('> quote')).toBe('&gt; quote');
  });

  it('escapes pipes so that table cells stay intact, even after a backslash', () => {
    expect(markdownText('a|b')).toBe('a\\|b');
    expect(markdownText('a\\|b')).toBe('a\\\\\\|b');
  });

  it('never yields anything but text for any input, by an independent GFM parser', () => {
    fc.assert(
      fc.property(hostileText, (value) => {
        const text = markdownText(value, { maxLength: 1000 });
        expect(text).not.toMatch(/[\r\n]/);
        expect(text).not.toMatch(CONTROLS_AND_BIDI);
        expect(text).not.toMatch(/@(?!\u200B)|:\/\/|www\.|#(?!\u200B)|</i);
        for (const token of inlineTokens(`x ${text}`)) {
          expect(['text', 'escape']).toContain(token.type);
        }
        if (text === '') return;
        const list = new Lexer({ gfm: true }).lex(`- ${text}`);
        expect(list.map((token) => token.type).filter((type) => type !== 'space')).toEqual(['list']);
        const item = (list[0] as Tokens.List).items[0];
        expect(item?.tokens.map((token) => token.type)).toEqual(['text']);
      }),
      { numRuns: 400 },
    );
  });
});

describe('htmlText', () => {
  it('encodes HTML and breaks links without backslashes, for raw HTML such as <summary>', () => {
    expect(htmlText('<b>"x" & \'y\'</b>')).toBe('&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;');
    expect(htmlText('@octocat https://x www.y #1')).toBe(
      `@${ZWSP}octocat https:${ZWSP}//x www${ZWSP}.y #${ZWSP}1`,
    );
  });
});
