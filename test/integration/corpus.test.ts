/**
 * A representative subset of the bad-input corpus (test/corpus/cases.ts) dropped into
 * s3rver's `incoming/` and ingested by the ingest handler: a file read at all is kept byte
 * for byte under `exports/` with each bad row in `rejected/…rejected.jsonl`; a file that
 * cannot be read is kept byte for byte under `rejected/` with an `.error.json` naming the
 * file and the reason. No invocation fails, and the drop itself is left as it was.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ReportConfigInput } from '../../functions/core/config';
import type { RejectedRow } from '../../functions/core/sources';
import { createIngestHandler } from '../../functions/ingest';
import { CASES, type CorpusCase } from '../corpus/cases';
import { type Harness, startHarness } from '../support/harness';
import { bridgeS3Events, type S3EventBridge } from '../support/standins';

/** Monday 2 Nov 2026: 2026-W44 is closed. */
const NOW = Date.UTC(2026, 10, 2, 10);
const CONFIG: ReportConfigInput = {
  reportId: 'corpus',
  name: 'Corpus',
  timezone: 'UTC',
  currency: 'USD',
  period: 'week',
  email: { recipients: ['team@example.com'] },
};

const SUBSET = [
  'truncated gzip (CSV)',
  'wrong extension (.xlsx)',
  'UTF-16 text',
  'garbage bytes',
  'duplicated column in the header',
  'lone CR line ends',
  'unterminated quote at EOF',
  'mixed currencies',
  'NaN, Infinity and huge amounts',
  'lines that are not objects',
  'a subscription that ends before it starts',
  'tickets resolved before they were opened',
];

const picked: { c: CorpusCase; key: string; name: string; bytes: Buffer }[] = SUBSET.map(
  (title, n) => {
    const c = CASES.find((x) => x.name === title);
    if (!c || c.generate) throw new Error(`no small corpus case "${title}"`);
    const name = `${c.dataset}/${String(n).padStart(2, '0')}-${c.file}`;
    const bytes = Buffer.from(c.bytes ?? '');
    return { c, key: `incoming/${name}`, name, bytes };
  },
);

describe('bad-input corpus through the ingest handler', () => {
  let h: Harness;
  let bridge: S3EventBridge;

  const bytesOf = async (key: string): Promise<Buffer | undefined> => {
    try {
      const response = await h
        .runtime()
        .clients.s3.send(new GetObjectCommand({ Bucket: h.bucket, Key: key }));
      return Buffer.from((await response.Body?.transformToByteArray()) ?? []);
    } catch (error) {
      if (error instanceof Error && error.name === 'NoSuchKey') return undefined;
      throw error;
    }
  };

  beforeAll(async () => {
    h = await startHarness({ dynamodbEndpoint: inject('dynamodbEndpoint'), config: CONFIG });
    const ingest = createIngestHandler(() => h.runtime(), { now: () => NOW });
    bridge = bridgeS3Events(h.s3, ingest);
    for (const { key, bytes } of picked) await h.putObject(key, bytes);
    await bridge.idle();
  }, 120_000);

  afterAll(async () => {
    bridge?.stop();
    await h?.stop();
  });

  it('ingests every file without a failed invocation', () => {
    expect(bridge.errors).toEqual([]);
    expect(bridge.results).toHaveLength(picked.length);
  });

  for (const [n, title] of SUBSET.entries()) {
    it(title, async () => {
      const { c, key, name, bytes } = picked[n] as (typeof picked)[number];
      expect((await bytesOf(key))?.equals(bytes)).toBe(true);
      if (c.fileError !== undefined) {
        // Kept as it arrived under rejected/, never in exports/, with its reason.
        expect((await bytesOf(`rejected/${name}`))?.equals(bytes)).toBe(true);
        expect(await bytesOf(`exports/${name}`)).toBeUndefined();
        const error = JSON.parse((await h.getText(`rejected/${name}.error.json`)) ?? '{}') as {
          file: string;
          reason: string;
        };
        expect(error.file).toBe(key);
        expect(error.reason.startsWith(`${key}: `)).toBe(true);
        const reason = error.reason.slice(`${key}: `.length);
        if (c.fileError instanceof RegExp) expect(reason).toMatch(c.fileError);
        else expect(reason).toBe(c.fileError);
      } else {
        expect((await bytesOf(`exports/${name}`))?.equals(bytes)).toBe(true);
        const body = await h.getText(`rejected/${name}.rejected.jsonl`);
        const rows = (body ?? '')
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => JSON.parse(line) as RejectedRow);
        expect(rows.map((r) => [r.file, r.line, r.column, r.reason])).toEqual(
          (c.rejects ?? []).map(([line, column, reason]) => [key, line, column, reason]),
        );
      }
    });
  }
});
