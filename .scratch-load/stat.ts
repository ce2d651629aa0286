import { mulberry32 } from '../functions/core/models/simulate';
import { makeTimestampParser } from '../functions/core/time/timestamps';
const random = mulberry32(20261102);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const two = (n: number) => String(n).padStart(2, '0');
const texts: string[] = [];
const days = ['2026-03-08', '2026-03-29', '2026-10-25', '2026-11-01', '2026-04-05', '2026-02-28'];
for (let i = 0; i < 1500; i++) {
  const date = random() < 0.1 ? `${pick(['1850', '1899', '0001', '2150', '9999'])}-${two(1 + Math.floor(random() * 12))}-${two(1 + Math.floor(random() * 31))}` : pick(days);
  let text = date;
  if (random() < 0.85) {
    text += pick(['T', 't', ' ']);
    text += `${two(Math.floor(random() * 25))}:${two(Math.floor(random() * 61))}`;
    if (random() < 0.7) { text += `:${two(Math.floor(random() * 61))}`; if (random() < 0.5) text += `${pick(['.', ','])}${String(Math.floor(random() * 1e9)).slice(0, 1 + Math.floor(random() * 10))}`; }
    text += pick(['', '', 'Z', 'z', '+05:30', '-0330', '+01', '-12:00', '+24:00', 'ZZ', ' +01:00']);
  }
  if (random() < 0.05) text = `${text.slice(0, -1)}${pick(['x', ' ', '-', '.', ':'])}`;
  if (random() < 0.05) text = ` ${text}\t`;
  texts.push(text);
}
const p = makeTimestampParser('Europe/Berlin');
const ok = texts.filter((t) => p(t) !== null);
console.log(texts.length, ok.length, ok.filter((t) => /^\s*(1850|1899|0001|2150|9999)/.test(t)).length, ok.filter((t) => /[+-]\d\d(:?\d\d)?\s*$/.test(t)).length, ok.filter((t) => t.trim().length === 10).length);
