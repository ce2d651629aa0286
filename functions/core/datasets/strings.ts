/**
 * Text cells as strings, reusing the string of a value seen recently.
 *
 * Making a string from a few bytes costs about 100 ns, most of a row's budget at a million
 * rows a second, while columns such as `event_type`, `page` or `channel` hold a handful of
 * values over millions of rows. A small direct-mapped cache keyed by a hash of the bytes
 * returns the earlier string instead (and lets consumers hold one copy). A column whose
 * values rarely repeat (ids) turns the cache off after a few thousand lookups, so it then
 * costs only one comparison per cell.
 */

const SLOTS = 1024;
/** Longer values are rarely repeated labels; they skip the cache. */
export const MAX_CACHED_BYTES = 48;
/** Lookups between checks of the hit rate. */
const SAMPLE = 4096;

export class StringCache {
  private readonly strings: (string | undefined)[] = new Array<string | undefined>(SLOTS);
  private lookups = 0;
  private hits = 0;
  /** False once the column's values are seen not to repeat enough to be worth caching. */
  enabled = true;

  /** `bytes[start, end)` decoded as UTF-8. */
  text(bytes: Buffer, start: number, end: number): string {
    const length = end - start;
    if (!this.enabled || length > MAX_CACHED_BYTES) return bytes.toString('utf8', start, end);
    // FNV-1a over the bytes; a byte above 127 means non-ASCII, which is not cached because
    // the byte-to-char comparison below holds only for ASCII.
    let hash = 0x811c9dc5;
    for (let i = start; i < end; i++) {
      const code = bytes[i] as number;
      if (code > 127) return bytes.toString('utf8', start, end);
      hash = Math.imul(hash ^ code, 0x01000193);
    }
    const slot = (hash ^ (hash >>> 15)) & (SLOTS - 1);
    const cached = this.strings[slot];
    if (cached !== undefined && cached.length === length) {
      let i = 0;
      while (i < length && cached.charCodeAt(i) === bytes[start + i]) i++;
      if (i === length) {
        this.hits++;
        this.count();
        return cached;
      }
    }
    const text = bytes.toString('latin1', start, end);
    this.strings[slot] = text;
    this.count();
    return text;
  }

  private count(): void {
    if (++this.lookups < SAMPLE) return;
    // Under one hit in four, hashing costs more than it saves.
    if (this.hits * 4 < this.lookups) this.enabled = false;
    this.lookups = 0;
    this.hits = 0;
  }
}
