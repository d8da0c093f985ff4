/**
 * readDayObjects (src/logs/day-objects.ts) over objects held in memory: read a few at a time, they
 * give what one pass over all their lines gives; gzip is told by its bytes; malformed lines are
 * counted as the Athena query counts them; the first failure stops the reads still running. That
 * it gives the Athena query's own result is tested on DuckDB (test/integration/athena-sql.test.ts,
 * s3-logs.test.ts).
 */
import { describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { DataError } from '../../src/errors.js';
import { type ObjectSource, readDayObjects } from '../../src/logs/day-objects.js';
import { type AggregateSet, dayToJSON } from '../../src/model/aggregate.js';

const arn = (k: number): string =>
  `arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-${k.toString(16).padStart(17, '0')}`;
const line = (k: number, fields: Record<string, unknown> = {}): string =>
  JSON.stringify({
    serviceArn: arn(k % 7),
    startTime: `2026-03-0${1 + (k % 3)}T${String(k % 24).padStart(2, '0')}:00:00Z`,
    responseCode: k % 5 === 0 ? 503 : 200,
    duration: k,
    bytesReceived: k * 3,
    bytesSent: k * 7,
    sourceVpcArn: `arn:aws:ec2:us-east-1:111122223333:vpc/vpc-0000000${k % 4}`,
    ...fields,
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Objects by key; each opens after `delay(key)` ms and arrives in chunks of 100 bytes. */
function memory(
  objects: ReadonlyMap<string, Buffer>,
  delay: (key: string) => number = () => 0,
): ObjectSource {
  return {
    name: (key) => `mem://${key}`,
    open: async (key, signal) => {
      await sleep(delay(key));
      signal?.throwIfAborted();
      const bytes = objects.get(key)!;
      const chunks = Array.from({ length: Math.ceil(bytes.length / 100) }, (_, i) =>
        bytes.subarray(i * 100, (i + 1) * 100),
      );
      return Readable.from(chunks);
    },
  };
}

const snapshot = (set: AggregateSet) => ({
  days: [...set.days.values()].map(dayToJSON),
  services: [...set.services.keys()],
});

describe('readDayObjects', () => {
  it('gives one pass’s aggregates, in its order, however the objects arrive; gzip or not', async () => {
    const lines = Array.from({ length: 600 }, (_, k) => line(k));
    const objects = new Map<string, Buffer>();
    for (let o = 0; o < 12; o++) {
      const text = lines.slice(o * 50, (o + 1) * 50).join('\n') + '\n';
      objects.set(`o${String(o).padStart(2, '0')}`, o % 2 ? gzipSync(text) : Buffer.from(text));
    }
    const keys = [...objects.keys()].map((key) => ({ key }));
    // Later objects open first.
    const read = await readDayObjects(
      memory(objects, (key) => 24 - 2 * Number(key.slice(1))),
      keys,
    );
    const once = await readDayObjects(memory(new Map([['all', Buffer.from(lines.join('\n'))]])), [
      { key: 'all' },
    ]);
    expect(snapshot(read.aggregates)).toEqual(snapshot(once.aggregates));
    expect(read.records).toBe(600);
    expect(read.bytes).toBe([...objects.values()].reduce((sum, b) => sum + b.length, 0));
  });

  it('counts malformed lines as the Athena query counts them; a BOM, an empty object and a blank line are nothing', async () => {
    const text = [
      '\uFEFF' + line(1),
      line(2, { startTime: 'soon' }),
      line(3, { startTime: 'soon', bytesSent: -1 }),
      line(4, { serviceArn: 'nope' }),
      'not json',
      '',
      line(5),
    ].join('\n');
    const objects = new Map([
      ['a', gzipSync(text)],
      ['empty', Buffer.alloc(0)],
    ]);
    const read = await readDayObjects(memory(objects), [{ key: 'a' }, { key: 'empty' }]);
    expect(read).toMatchObject({ records: 2, malformed: 4, problems: { noDay: 1, invalid: 3, noHour: 0 } });
  });

  it('passes the first failure on and stops the reads still running', async () => {
    const objects = new Map([
      ['bad', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0])],
      ['slow', Buffer.from(line(1))],
    ]);
    const aborted: string[] = [];
    const source = memory(objects, (key) => (key === 'slow' ? 50 : 0));
    const watched: ObjectSource = {
      name: source.name,
      open: (key, signal) => {
        signal?.addEventListener('abort', () => aborted.push(key));
        return source.open(key, signal);
      },
    };
    const error = await readDayObjects(watched, [{ key: 'slow' }, { key: 'bad' }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toBe(
      'mem://bad: the file is a zip archive; only plain or gzip-compressed logs can be read',
    );
    expect(aborted).toContain('slow');
  });

  it('stops with the caller’s abort reason', async () => {
    const controller = new AbortController();
    const pending = readDayObjects(
      memory(new Map([['a', Buffer.from(line(1))]]), () => 20),
      [{ key: 'a' }],
      {
        signal: controller.signal,
      },
    );
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
  });
});
