import { describe, expect, it } from 'vitest';
import { ModelInputError } from '../../../functions/core/models/errors';
import { type OrderDay, rfmOf } from './summaries';

describe('summarizeOrders (the RFM summary)', () => {
  it('summarises purchase days by hand for three customers', async () => {
    // Prepare: calibration end is day 125.
    // a: day 100 (10 + 5, merged), 107 (20), 121 (30) → x = 2, t_x = 21/7 = 3, T = 25/7,
    //    zbar = (20 + 30)/2 = 25, historic 65.
    // b: day 110 (40), refund on day 115 (−40) → one purchase day: x = 0, T = 15/7, historic 0.
    // c: day 90 (50); day 95 (30 − 30, refunded the same day: no purchase); day 99 (a free
    //    order, 0: a purchase); day 130 after the end → x = 1, t_x = 9/7, T = 35/7,
    //    zbar = 0, historic 50.
    // d: a refund only → no purchase day, no summary.
    const rows: OrderDay[] = [
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
    // Act
    const byId = new Map((await rfmOf(rows, [125])).summarize(125).map((s) => [s.customerId, s]));
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

  it('gives the same summary whatever the order of the rows', async () => {
    // 40 purchase days (every 3rd day from 0), two rows each; added forwards, backwards and
    // interleaved: no day may be lost or doubled.
    const rows: OrderDay[] = [];
    for (let k = 0; k < 40; k++) rows.push(['x', 3 * k, 1], ['x', 3 * k, 2]);
    const forwards = await rfmOf(rows, [200]);
    const backwards = await rfmOf([...rows].reverse(), [200]);
    const interleaved = await rfmOf(
      rows.map((_, i) => rows[(i * 37) % rows.length] as OrderDay),
      [200],
    );
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

  it('summarises the same data for two calibration ends', async () => {
    const rfm = await rfmOf(
      [10, 17, 24, 31].map((day): OrderDay => ['a', day, 10]),
      [20, 40],
    );
    // Through day 20: days 10, 17 → x = 1, T = 10/7. Through day 40: x = 3, t_x = 3, T = 30/7.
    expect(rfm.summarize(20)[0]).toMatchObject({ x: 1, tx: 1, T: 10 / 7, historicValue: 20 });
    expect(rfm.summarize(40)[0]).toMatchObject({ x: 3, tx: 3, T: 30 / 7, historicValue: 40 });
  });

  it('refuses a fractional day or a non-finite amount', async () => {
    await expect(rfmOf([['a', 1.5, 10]], [3])).rejects.toThrow(ModelInputError);
    await expect(rfmOf([['a', 1, Number.NaN]], [3])).rejects.toThrow(/finite/);
    const rfm = await rfmOf([['a', 1, 10]], [3]);
    expect(() => rfm.summarize(3.2)).toThrow(/integer/);
    await expect(rfmOf([['a', 1, 10]], [3.2])).rejects.toThrow(/integer/);
  });
});
