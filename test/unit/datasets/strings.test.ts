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
