import { zoneOffsetMs } from '../functions/core/time/timestamps';
const t0 = performance.now();
let x = 0;
for (let d = 0; d < 365 * 76; d += 7) x += zoneOffsetMs(d * 86400000, 'Europe/Berlin');
console.log('weekly 76y', performance.now() - t0, 'ms');
const t1 = performance.now();
for (let d = 0; d < 365 * 76; d += 1) x += zoneOffsetMs(d * 86400000, 'America/New_York');
console.log('daily 76y', performance.now() - t1, 'ms', x);
