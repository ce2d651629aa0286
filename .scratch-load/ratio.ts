import { loadExport } from '../functions/core/datasets/load';
import { Duck } from '../functions/core/duck/db';
import { createDatasetTables } from '../functions/core/duck/tables';
const path = process.argv[2] as string;
const plain = `SELECT count(DISTINCT user_id) FROM read_csv('${path}', header = true, types = {'user_id': 'VARCHAR', 'occurred_at': 'TIMESTAMPTZ'}) WHERE epoch_ms(occurred_at) >= 1792540800000`;
for (let k = 0; k < 2; k++) {
  const a = await Duck.open({ threads: 2 });
  let t0 = performance.now();
  await a.all(plain);
  const tp = (performance.now() - t0) / 1000;
  a.close();
  const db = await Duck.open({ threads: 2 });
  await createDatasetTables(db);
  t0 = performance.now();
  await loadExport(db, { dataset: 'events', key: path, path }, 0, { timezone: 'UTC', currency: 'EUR', columns: {} }, () => {});
  const tl = (performance.now() - t0) / 1000;
  t0 = performance.now();
  await db.all('SELECT count(DISTINCT user_id) FROM events WHERE occurred_at >= 1792540800000');
  const tq = (performance.now() - t0) / 1000;
  const floorDb = await Duck.open({ threads: 2 });
  await createDatasetTables(floorDb);
  t0 = performance.now();
  await floorDb.run(`INSERT INTO raw_events SELECT user_id, epoch_ms(occurred_at::TIMESTAMPTZ), event_type, event_id, feature, page, session_id, 0, 0 FROM read_csv('${path}', header = true, all_varchar = true)`);
  const tf = (performance.now() - t0) / 1000;
  console.log(`plain ${tp.toFixed(2)} s; load ${tl.toFixed(2)} s + view query ${tq.toFixed(2)} s; unchecked insert ${tf.toFixed(2)} s; load/plain ${(tl / tp).toFixed(2)}`);
  db.close(); floorDb.close();
}
