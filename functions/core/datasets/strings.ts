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

type Slice = (this: Buffer, start: number, end: number) => string;
/**
 * Node's own Latin-1 decoder of a Buffer range, the one `toString('latin1', start, end)`
 * ends in: calling it directly skips that method's argument handling and encoding look-up,
 * about half the cost of decoding a short cell. It is not in Node's documented API, so its
 * absence falls back on `toString`.
 */
const nativeLatin1 = (Buffer.prototype as unknown as { latin1Slice?: Slice }).latin1Slice;

/** `bytes[start, end)` read as Latin-1 (so ASCII bytes as themselves): `0 ≤ start ≤ end ≤ length`. */
export const latin1Text: (bytes: Buffer, start: number, end: number) => string =
  typeof nativeLatin1 === 'function'
    ? (bytes, start, end) => nativeLatin1.call(bytes, start, end)
    : (bytes, start, end) => bytes.toString('latin1', start, end);

const SLOTS = 1024;
/** Longer values are rarely repeated labels; they skip the cache. */
export const MAX_CACHED_BYTES = 48;
/** Lookups between checks of the hit rate. */
const SAMPLE = 4096;

export class StringCache {
  private readonly strings: string[] = new Array<string>(SLOTS).fill('');
  /** Hash of the bytes of `strings[slot]`: a slot of another value is passed over unread. */
  private readonly hashes = new Int32Array(SLOTS);
  /**
   * The value returned last, and its hash. Exports grouped by user or session repeat a cell
   * of the row before (`user_id`, `session_id`), which this answers without a table look-up.
   */
  private last = '';
  private lastHash = 0;
  private lookups = 0;
  private hits = 0;
  /** False once the column's values are seen not to repeat enough to be worth caching. */
  enabled = true;

  /** `bytes[start, end)` decoded as UTF-8. */
  text(bytes: Buffer, start: number, end: number): string {
    const length = end - start;
    if (!this.enabled || length > MAX_CACHED_BYTES) return bytes.toString('utf8', start, end);
    // FNV-1a over the length and the bytes taken two at a time (half the chain of
    // multiplications, each waiting for the one before), an int32 throughout. A byte above
    // 127 means non-ASCII, which is not cached because the byte-to-char comparison below
    // holds only for ASCII.
    let hash = 0x811c9dc5 ^ length;
    let any = 0;
    let i = start;
    for (; i + 1 < end; i += 2) {
      const pair = (bytes[i] as number) | ((bytes[i + 1] as number) << 8);
      any |= pair;
      hash = Math.imul(hash ^ pair, 0x01000193);
    }
    if (i < end) {
      const code = bytes[i] as number;
      any |= code;
      hash = Math.imul(hash ^ code, 0x01000193);
    }
    if ((any & 0x8080) !== 0) return bytes.toString('utf8', start, end);
    if (hash === this.lastHash && sameText(this.last, bytes, start, length)) {
      this.hits++;
      if (++this.lookups === SAMPLE) this.sample();
      return this.last;
    }
    const slot = (hash ^ (hash >>> 15)) & (SLOTS - 1);
    let text = this.strings[slot] as string;
    if (this.hashes[slot] === hash && sameText(text, bytes, start, length)) {
      this.hits++;
    } else {
      text = latin1Text(bytes, start, end);
      this.strings[slot] = text;
      this.hashes[slot] = hash;
    }
    this.last = text;
    this.lastHash = hash;
    if (++this.lookups === SAMPLE) this.sample();
    return text;
  }

  private sample(): void {
    // Under one hit in four, hashing costs more than it saves.
    if (this.hits * 4 < this.lookups) this.enabled = false;
    this.lookups = 0;
    this.hits = 0;
  }
}

/** Whether the ASCII bytes `bytes[start, start + length)` spell `text`. */
function sameText(text: string, bytes: Buffer, start: number, length: number): boolean {
  if (text.length !== length) return false;
  for (let i = 0; i < length; i++) if (text.charCodeAt(i) !== bytes[start + i]) return false;
  return true;
}
