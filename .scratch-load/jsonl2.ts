import { loadExport } from '../functions/core/datasets/load';
import { Duck } from '../functions/core/duck/db';
import { createDatasetTables } from '../functions/core/duck/tables';
const db = await Duck.open();
await createDatasetTables(db);
const t0 = performance.now();
await loadExport(db, { dataset: 'events', key: 'e.jsonl', path: '/tmp/dx/ev.jsonl' }, 0, { timezone: 'UTC', currency: 'EUR', columns: {} }, () => {});
console.log(((performance.now() - t0) / 1000).toFixed(2));
