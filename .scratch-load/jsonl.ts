import { createWriteStream } from 'node:fs';
import { loadExport } from '../functions/core/datasets/load';
import { Duck } from '../functions/core/duck/db';
import { createDatasetTables } from '../functions/core/duck/tables';
const path = '/tmp/dx/ev.jsonl';
const n = Number(process.argv[2] ?? 1000000);
const out = createWriteStream(path);
for (let i = 0; i < n; i++) {
  const line = JSON.stringify({ event_id: `evt_${i}`, user_id: `u_${i % 50000}`, occurred_at: new Date(Date.UTC(2026, 6, 1) + i * 1000).toISOString(), event_type: 'page_view', page: '/x', session_id: `s_${i >> 3}` });
  if (!out.write(`${line}\n`)) await new Promise((r) => out.once('drain', r));
}
await new Promise((r) => out.end(r));
const db = await Duck.open();
await createDatasetTables(db);
const t0 = performance.now(); const c0 = process.cpuUsage();
const stats = await loadExport(db, { dataset: 'events', key: 'e.jsonl', path }, 0, { timezone: 'UTC', currency: 'EUR', columns: {} }, () => {});
const cu = process.cpuUsage(c0);
console.log(stats, ((performance.now() - t0) / 1000).toFixed(2), 's cpu', ((cu.user + cu.system) / 1e6).toFixed(2));
