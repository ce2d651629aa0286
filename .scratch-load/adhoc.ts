import { writeFileSync } from 'node:fs';
import { loadExport } from '../functions/core/datasets/load';
import { Duck } from '../functions/core/duck/db';
import { createDatasetTables } from '../functions/core/duck/tables';
async function run(name: string, key: string, content: string | Buffer, dataset: any = 'events') {
  const path = `/tmp/dx/adhoc-${name}`;
  writeFileSync(path, content);
  const db = await Duck.open();
  await createDatasetTables(db);
  const rejects: any[] = [];
  try {
    const stats = await loadExport(db, { dataset, key, path }, 3, { timezone: 'Europe/Berlin', currency: 'EUR', columns: {} }, (r) => rejects.push(r));
    const rows = await db.all(`SELECT * FROM raw_${dataset} ORDER BY _rec`);
    console.log(name, JSON.stringify(stats), JSON.stringify(rows).slice(0, 400), JSON.stringify(rejects.map((r) => [r.line, r.column, r.reason.slice(0, 80)])));
  } catch (e) { console.log(name, 'THROWS', (e as Error).name, (e as Error).message.slice(0, 200), await db.all(`SELECT count(*) n FROM raw_${dataset}`)); }
  db.close();
}
const H = 'user_id,occurred_at,event_type,page\n';
await run('big3mb', 'e.csv', H + `u1,2026-11-02,login,"${'x'.repeat(3_000_000)}"\nu2,2026-11-02,login,/\n`);
await run('big17mb', 'e.csv', H + `u1,2026-11-02,login,"${'x'.repeat(17_000_000)}"\nu2,2026-11-02,login,/\n`);
await run('unclosed', 'e.csv', H + `u1,2026-11-02,login,"${'x'.repeat(100)}\nu2,2026-11-02,login,/\n`);
await run('loneCR', 'e.csv', H + `u1,2026-11-02,login,a\rb\nu2,x,login,/\n`);
await run('mixed', 'e.csv', H + `u1,2026-11-02,login,a\r\nu2,2026-11-02,login,/\nu3,bad,login,/\r\n`);
await run('spaceq', 'e.csv', H + `u1,2026-11-02,login,"q" \nu2,bad,login,/\n`);
await run('utf8', 'e.csv', Buffer.concat([Buffer.from(H + 'u1,2026-11-02,login,'), Buffer.from([0xff, 0xfe]), Buffer.from('\nu2,bad,login,/\n')]));
await run('jsonl-crlf', 'e.jsonl', '{"user_id":"u1","occurred_at":"2026-11-02","event_type":"a"}\r\n\r\n{"user_id":"u2","occurred_at":"bad","event_type":"a"}\r\n{"user_id":"u3","occurred_at":"2026-11-02","event_type":"a","page":12.50}\r\n');
await run('jsonl-types', 'e.jsonl', '{"user_id":12,"occurred_at":"2026-11-02","event_type":true,"page":{"a":[1]}}\n{"user_id":"u2","occurred_at":12,"event_type":"a"}\n');
await run('old', 'c.csv', 'customer_id,created_at\nc1,1850-06-01T12:00\nc2,2150-07-01\nc3,1899-12-31T23:30\n', 'customers');
await run('nums', 'o.csv', 'order_id,customer_id,ordered_at,amount\no1,c,2026-11-02,-0\no2,c,2026-11-02,+0.5\no3,c,2026-11-02,7.\no4,c,2026-11-02,.5\no5,c,2026-11-02,1e5\no6,c,2026-11-02,1_000\no7,c,2026-11-02, 5 \no8,c,2026-11-02,.\n', 'orders');
await run('counts', 's.csv', 'session_id,user_id,started_at,duration_seconds,pageviews\ns1,u,2026-11-02,1,3.0\ns2,u,2026-11-02,1,99999999999999999999\ns3,u,2026-11-02,1,-0\n', 'sessions');
