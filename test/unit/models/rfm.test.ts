import { describe, expect, it } from 'vitest';
import { ModelInputError } from '../../../functions/core/models/errors';
import { RfmAccumulator } from '../../../functions/core/models/rfm';

describe('RfmAccumulator', () => {
  it('summarises purchase days by hand for three customers', () => {
    // Prepare: calibration end is day 125.
    // a: day 100 (10 + 5, merged), 107 (20), 121 (30) → x = 2, t_x = 21/7 = 3, T = 25/7,
    //    zbar = (20 + 30)/2 = 25, historic 65.
    // b: day 110 (40), refund on day 115 (−40) → one purchase day: x = 0, T = 15/7, historic 0.
    // c: day 90 (50); day 95 (30 − 30, refunded the same day: no purchase); day 99 (a free
    //    order, 0: a purchase); day 130 after the end → x = 1, t_x = 9/7, T = 35/7,
    //    zbar = 0, historic 50.
    // d: a refund only → no purchase day, no summary.
    const rows: [string, number, number][] = [
      ['c', 130, 99],
      ['a', 121, 30],
      ['b', 115, -40],
      ['a', 100, 10],
      ['c', 95, -30],
      ['c', 90, 50],
      ['a', 107, 20],
      ['d', 101, -12],
      ['b', 110, 40],
      ['c', 99, 0],
      ['a', 100, 5],
      ['c', 95, 30],
    ];
    const acc = new RfmAccumulator();
    for (const [id, day, amount] of rows) acc.add(id, day, amount);
    // Act
    const byId = new Map(acc.summarize(125).map((s) => [s.customerId, s]));
    // Assess
    expect([...byId.keys()].sort()).toEqual(['a', 'b', 'c']);
    expect(byId.get('a')).toEqual({
      customerId: 'a',
      x: 2,
      tx: 3,
      T: 25 / 7,
      zbar: 25,
      historicValue: 65,
      firstPurchaseDay: 100,
      lastPurchaseDay: 121,
    });
    expect(byId.get('b')).toEqual({
      customerId: 'b',
      x: 0,
      tx: 0,
      T: 15 / 7,
      zbar: 0,
      historicValue: 0,
      firstPurchaseDay: 110,
      lastPurchaseDay: 110,
    });
    expect(byId.get('c')).toEqual({
      customerId: 'c',
      x: 1,
      tx: 9 / 7,
      T: 5,
      zbar: 0,
      historicValue: 50,
      firstPurchaseDay: 90,
      lastPurchaseDay: 99,
    });
  });

  it('gives the same summary whatever the order of the rows', () => {
    // 40 purchase days (every 3rd day from 0), two rows each; added forwards, backwards and
    // interleaved: the merge-on-growth must not lose or double a day.
    const rows: [number, number][] = [];
    for (let k = 0; k < 40; k++) rows.push([3 * k, 1], [3 * k, 2]);
    const forwards = new RfmAccumulator();
    const backwards = new RfmAccumulator();
    const interleaved = new RfmAccumulator();
    for (const [day, amount] of rows) forwards.add('x', day, amount);
    for (const [day, amount] of [...rows].reverse()) backwards.add('x', day, amount);
    for (let i = 0; i < rows.length; i++) {
      const [day, amount] = rows[(i * 37) % rows.length] as [number, number];
      interleaved.add('x', day, amount);
    }
    // 40 days → x = 39, t_x = 117/7, each day 3, so zbar = 3; end at day 200.
    const expected = {
      customerId: 'x',
      x: 39,
      tx: 117 / 7,
      T: 200 / 7,
      zbar: 3,
      historicValue: 120,
      firstPurchaseDay: 0,
      lastPurchaseDay: 117,
    };
    expect(forwards.summarize(200)).toEqual([expected]);
    expect(backwards.summarize(200)).toEqual([expected]);
    expect(interleaved.summarize(200)).toEqual([expected]);
  });

  it('summarises the same data for two calibration ends', () => {
    const acc = new RfmAccumulator();
    for (const day of [10, 17, 24, 31]) acc.add('a', day, 10);
    // Through day 20: days 10, 17 → x = 1, T = 10/7. Through day 40: x = 3, t_x = 3, T = 30/7.
    expect(acc.summarize(20)[0]).toMatchObject({ x: 1, tx: 1, T: 10 / 7, historicValue: 20 });
    expect(acc.summarize(40)[0]).toMatchObject({ x: 3, tx: 3, T: 30 / 7, historicValue: 40 });
  });

  it('refuses a fractional day or a non-finite amount', () => {
    const acc = new RfmAccumulator();
    expect(() => acc.add('a', 1.5, 10)).toThrow(ModelInputError);
    expect(() => acc.add('a', 1, Number.NaN)).toThrow(/finite/);
    expect(() => acc.summarize(3.2)).toThrow(/integer/);
  });
});
