/**
 * The event-id set of the pass (`SeenIds`, `NarrowIdTable`): it must answer exactly like a
 * plain `Set<string>` — the reference here — for every sequence of ids, including ids with
 * equal hashes, ids beyond Latin-1, empty and long ids, and when tables chain.
 */
import { describe, expect, it } from 'vitest';
import { idHash, NarrowIdTable, SeenIds } from '../../../functions/core/metrics/pass';
import { mulberry32 } from '../../../functions/core/models/simulate';

/** Replays ids through SeenIds and a Set; returns how many answers agreed and how many were new. */
function compare(ids: readonly string[], seen: SeenIds): { agreed: number; fresh: number } {
  const reference = new Set<string>();
  let agreed = 0;
  let fresh = 0;
  for (const id of ids) {
    const expected = !reference.has(id);
    reference.add(id);
    if (seen.add(id) === expected) agreed++;
    if (expected) fresh++;
  }
  return { agreed, fresh };
}

/** Two different narrow ids with the same 32-bit hash, found by a birthday search. */
function collidingPair(): [string, string] {
  const byHash = new Map<number, string>();
  for (let i = 0; ; i++) {
    const id = `c${i.toString(36)}`;
    const h = idHash(id);
    const other = byHash.get(h);
    if (other !== undefined) return [other, id];
    byHash.set(h, id);
  }
}

describe('SeenIds', () => {
  it('says whether an id is new, like a Set, on a random sequence with repeats', () => {
    const random = mulberry32(7);
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-_é\u00ff';
    const ids: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      // Short ids from a small space repeat often; the lengths include 0 and 40.
      const length = Math.floor(random() * 4) === 0 ? Math.floor(random() * 41) : 3;
      let id = '';
      for (let j = 0; j < length; j++) id += alphabet[Math.floor(random() * alphabet.length)];
      ids.push(id);
    }
    const { agreed, fresh } = compare(ids, new SeenIds());
    expect(agreed).toBe(ids.length);
    // The sequence really has both repeats and new ids.
    expect(fresh).toBeGreaterThan(10_000);
    expect(fresh).toBeLessThan(ids.length - 10_000);
  });

  it('keeps ids apart whose hashes are equal', () => {
    const [a, b] = collidingPair();
    expect(a).not.toBe(b);
    expect(idHash(a)).toBe(idHash(b));
    const seen = new SeenIds();
    expect(seen.add(a)).toBe(true);
    expect(seen.add(b)).toBe(true);
    expect(seen.add(a)).toBe(false);
    expect(seen.add(b)).toBe(false);
    // Same length, same hash, same first character: only the byte comparison tells them apart.
    const table = new NarrowIdTable(10, 100);
    table.insert(a, idHash(a));
    expect(table.has(a, idHash(a))).toBe(true);
    expect(table.has(b, idHash(b))).toBe(false);
    // `add` (look-up and insertion in one probe) tells them apart the same way.
    const probing = new NarrowIdTable(10, 100);
    expect(probing.add(a, idHash(a))).toBe(true);
    expect(probing.add(b, idHash(b))).toBe(true);
    expect(probing.add(a, idHash(a))).toBe(false);
    expect(probing.add(b, idHash(b))).toBe(false);
    expect(probing.size).toBe(2);
  });

  it('answers like a Set through add, across its growth', () => {
    const random = mulberry32(11);
    const table = new NarrowIdTable(1 << 24, 2 ** 31);
    const reference = new Set<string>();
    let agreed = 0;
    const n = 150_000;
    for (let i = 0; i < n; i++) {
      // 60,000 possible ids: about a third of the answers are repeats.
      const id = `e${Math.floor(random() * 60_000)}`;
      const expected = !reference.has(id);
      reference.add(id);
      if (table.add(id, idHash(id)) === expected) agreed++;
    }
    expect(agreed).toBe(n);
    expect(table.size).toBe(reference.size);
    for (const id of reference) expect(table.has(id, idHash(id))).toBe(true);
  });

  it('handles ids beyond Latin-1 apart from narrow ones, exactly', () => {
    const seen = new SeenIds();
    // 'Ā' is U+0100, the first code unit that does not fit in a byte; 'Ā'.charCodeAt(0) & 0xff
    // is 0x00, so a byte copy would have confused it with '\u0000'.
    expect(seen.add('evt_\u0000')).toBe(true);
    expect(seen.add('evt_Ā')).toBe(true);
    expect(seen.add('evt_\u0000')).toBe(false);
    expect(seen.add('evt_Ā')).toBe(false);
    expect(seen.add('😀')).toBe(true);
    expect(seen.add('😀')).toBe(false);
    expect(seen.add('')).toBe(true);
    expect(seen.add('')).toBe(false);
  });

  it('stays exact when full tables chain new ones (by id count and by bytes)', () => {
    const ids: string[] = [];
    for (let i = 0; i < 5_000; i++) ids.push(`evt_${i}`);
    // Every id a second time, in another order, then a third time in the first order.
    for (let i = 4_999; i >= 0; i--) ids.push(`evt_${i}`);
    for (let i = 0; i < 5_000; i++) ids.push(`evt_${i}`);
    const byCount = compare(ids, new SeenIds(300, 2 ** 31));
    expect(byCount).toEqual({ agreed: 15_000, fresh: 5_000 });
    // 64 bytes a table: ids of 5–8 characters, so 8–12 ids per table; and one id longer
    // than a whole table still gets a table of its own.
    const long = 'x'.repeat(100);
    const byBytes = compare([...ids, long, long], new SeenIds(1 << 20, 64));
    expect(byBytes).toEqual({ agreed: 15_002, fresh: 5_001 });
  });

  it('grows its table and arena past their first sizes', () => {
    // 100,000 ids of 12 characters: 1.2 MB of bytes, 2^18 slots — far past 2^10 and 2^14.
    const table = new NarrowIdTable(1 << 24, 2 ** 31);
    for (let i = 0; i < 100_000; i++) {
      const id = `id_${String(i).padStart(9, '0')}`;
      table.insert(id, idHash(id));
    }
    expect(table.size).toBe(100_000);
    let found = 0;
    for (let i = 0; i < 100_000; i++) {
      const id = `id_${String(i).padStart(9, '0')}`;
      if (table.has(id, idHash(id))) found++;
    }
    expect(found).toBe(100_000);
    expect(table.has('id_000100000', idHash('id_000100000'))).toBe(false);
    expect(table.has('id_00000000', idHash('id_00000000'))).toBe(false);
  });
});
