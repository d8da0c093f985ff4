/** detectFormat on its own: which reader a file's first bytes send it to. */
import { describe, expect, it } from '@jest/globals';
import { type Format, PEEK_BYTES, detectFormat } from '../../src/logs/sniff.js';

const RECORD = {
  serviceArn: 'arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-0123456789abcdef0',
  startTime: '2026-11-20T10:00:00Z',
  responseCode: 200,
};
const LINE = JSON.stringify(RECORD);
const EXPORT = { events: [{ timestamp: 1, message: LINE }], searchedLogStreams: [] };

const detect = (text: string): Format => detectFormat(Buffer.from(text));

describe('detectFormat', () => {
  it.each<[string, string, Format]>([
    ['JSON lines', `${LINE}\n${LINE}\n`, 'jsonl'],
    ['a first line that is only `{`', `{\n${LINE}\n${LINE}\n`, 'jsonl'],
    ['a first line that is only `{`, CRLF and a BOM', `\uFEFF{\r\n\r\n${LINE}\r\n`, 'jsonl'],
    ['a cut first record', `${LINE.slice(0, 30)}\n${LINE}\n`, 'jsonl'],
    ['a record after four broken lines', `{\n{\n  {\n{ \n${LINE}\n`, 'jsonl'],
    ['a one-line file that is only `{`', '{', 'jsonl'],
    ['text that is not an object', 'GET / 200\n', 'jsonl'],
    ['a compact export', JSON.stringify(EXPORT), 'export'],
    ['a pretty-printed export', JSON.stringify(EXPORT, null, 4), 'export'],
    ['an export with compact events, one a line', `{\n"events": [\n${LINE},\n${LINE}\n]}`, 'export'],
    ['another JSON document', JSON.stringify({ results: [], status: 'Complete' }, null, 2), 'export'],
    ['a lone `{` and nothing like a record', '{\n{\n', 'export'],
    [
      'pretty-printed records',
      `${JSON.stringify(RECORD, null, 2)}\n${JSON.stringify(RECORD, null, 2)}`,
      'values',
    ],
    ['pretty-printed records, CRLF', JSON.stringify(RECORD, null, 2).replace(/\n/g, '\r\n'), 'values'],
  ])('%s', (_name, text, format) => {
    expect(detect(text)).toBe(format);
  });

  it('looks at no more than PEEK_BYTES, so a longer head decides as a shorter one does', () => {
    const text = `{\n${' '.repeat(PEEK_BYTES)}\n${LINE}\n`;
    expect(detect(text)).toBe('export');
    expect(detect(text.slice(0, PEEK_BYTES))).toBe('export');
  });

  it('looks at five non-blank lines', () => {
    expect(detect(`{\n\n{\n{\n\n{\n{\n${LINE}\n`)).toBe('export');
  });
});
