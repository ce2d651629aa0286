import { describe, expect, it } from 'vitest';
import { StringCache } from '../../../functions/core/datasets/strings';

describe('StringCache', () => {
  it('returns the text of the bytes for repeated, colliding and non-ASCII values', () => {
    // Prepare: 3,000 distinct values (more than the 1,024 slots, so slots are shared and
    // overwritten), each seen several times, plus non-ASCII and long values.
    const values: string[] = [];
    for (let i = 0; i < 3000; i++) values.push(`v${i}`);
    values.push('café', 'x'.repeat(60), '', 'v1 ', ' v1');
    const cache = new StringCache();
    const seen: string[] = [];
    const wanted: string[] = [];

    // Act
    for (let round = 0; round < 3; round++) {
      for (const value of values) {
        const bytes = Buffer.from(`,${value},`);
        seen.push(cache.text(bytes, 1, bytes.length - 1));
        wanted.push(value);
      }
    }

    // Assess
    expect(seen).toEqual(wanted);
  });

  it('answers repeats of the value before and values whose hashes are equal', () => {
    // Prepare: the cache's hash (FNV-1a over the length and the bytes two at a time, as in
    // strings.ts), to find two different values of one length with the same hash by a
    // birthday search.
    const hash = (text: string): number => {
      let h = 0x811c9dc5 ^ text.length;
      let i = 0;
      for (; i + 1 < text.length; i += 2) {
        h = Math.imul(h ^ (text.charCodeAt(i) | (text.charCodeAt(i + 1) << 8)), 0x01000193);
      }
      if (i < text.length) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
      return h;
    };
    const byHash = new Map<number, string>();
    let pair: [string, string] | null = null;
    for (let i = 0; pair === null; i++) {
      const value = `k${i.toString(36).padStart(6, '0')}`;
      const other = byHash.get(hash(value));
      if (other !== undefined) pair = [other, value];
      else byHash.set(hash(value), value);
    }
    const [a, b] = pair;
    // Runs of one user, as in an export grouped by session, and the colliding pair in turn.
    const values = ['usr_01', 'usr_01', 'usr_02', 'usr_02', 'usr_01', a, a, b, b, a, b, 'usr_02'];
    const cache = new StringCache();
    const seen: string[] = [];
    for (let round = 0; round < 400; round++) {
      for (const value of values) {
        const bytes = Buffer.from(`"${value}"`);
        seen.push(cache.text(bytes, 1, bytes.length - 1));
      }
    }
    expect(a).not.toBe(b);
    expect(hash(a)).toBe(hash(b));
    expect(seen).toEqual(Array.from({ length: 400 }, () => values).flat());
    expect(cache.enabled).toBe(true);
  });

  it('turns itself off for values that do not repeat, and stays on for ones that do', () => {
    const labels = new StringCache();
    const ids = new StringCache();

    for (let i = 0; i < 10_000; i++) {
      const label = Buffer.from(['view', 'click', 'purchase'][i % 3] as string);
      const id = Buffer.from(`user-${i}`);
      expect(labels.text(label, 0, label.length)).toBe(label.toString());
      expect(ids.text(id, 0, id.length)).toBe(id.toString());
    }

    expect(labels.enabled).toBe(true);
    expect(ids.enabled).toBe(false);
  });
});
