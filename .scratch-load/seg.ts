import { wallTimeSegments, localWallTimeToInstant } from '../functions/core/time/timestamps';
const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Africa/Casablanca', 'Pacific/Chatham', 'Pacific/Apia', 'UTC', 'America/Sao_Paulo', 'Europe/Dublin', 'Asia/Tehran'];
const from = Date.UTC(1900, 0, 1), to = Date.UTC(2100, 0, 1);
for (const tz of zones) {
  const t0 = performance.now();
  const s = wallTimeSegments(tz, from, to);
  const ms = performance.now() - t0;
  let bad = 0;
  const look = (w: number) => { let i = 0; while (i + 1 < s.walls.length && (s.walls[i + 1] as number) <= w) i++; return w - (s.offsets[i] as number); };
  const check = (w: number) => {
    const d = new Date(w);
    const ref = localWallTimeToInstant(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds(), tz);
    if (ref !== look(w)) { bad++; if (bad < 4) console.log(tz, d.toISOString(), ref - look(w)); }
  };
  for (let k = 0; k < 20000; k++) check(from + Math.floor(Math.random() * (to - from)));
  // around each wall boundary
  for (const w of s.walls) for (let dm = -120; dm <= 120; dm += 1) check(w + dm * 60000);
  console.log(tz, s.walls.length, ms.toFixed(1), 'ms', 'bad', bad);
}
