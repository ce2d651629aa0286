/**
 * Numbers as exports write them, parsed from bytes so that a CSV cell needs no string.
 */

/** 10^k for k = 0…15, all exactly representable as doubles. */
const POWERS_OF_TEN = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/** More significant digits than this could exceed 2^53, where the fast path stops being exact. */
const MAX_FAST_DIGITS = 15;

function isBlank(code: number): boolean {
  return code === 32 || code === 9;
}

/**
 * Parses `bytes[start, end)` as a plain decimal: optional sign, digits, optional point and
 * digits (`12.50`, `-3`, `+0.5`, `.5`, `7.`); surrounding spaces are ignored. Returns NaN
 * for anything else, including thousands separators, a decimal comma, exponents and empty
 * text, so that `1,234` or `12,50` is rejected rather than misread.
 *
 * The result is the double nearest the decimal, exactly what `Number(text)` gives: up to 15
 * digits the digits form an exact integer m and the value is m / 10^k, and one IEEE
 * division of two exact values is correctly rounded; longer inputs go through `Number`.
 */
export function parseDecimal(bytes: Uint8Array, start: number, end: number): number {
  let s = start;
  let e = end;
  while (s < e && isBlank(bytes[s] as number)) s++;
  while (e > s && isBlank(bytes[e - 1] as number)) e--;
  let i = s;
  let negative = false;
  if (i < e && (bytes[i] === 45 || bytes[i] === 43)) {
    negative = bytes[i] === 45;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = 0;
  let seenPoint = false;
  for (; i < e; i++) {
    const code = bytes[i] as number;
    const digit = code - 48;
    if (digit >= 0 && digit <= 9) {
      mantissa = mantissa * 10 + digit;
      digits++;
      if (seenPoint) fractionDigits++;
    } else if (code === 46 && !seenPoint) {
      seenPoint = true;
    } else {
      return Number.NaN;
    }
  }
  if (digits === 0) return Number.NaN;
  if (digits > MAX_FAST_DIGITS) {
    return Number(Buffer.from(bytes.buffer, bytes.byteOffset + s, e - s).toString('latin1'));
  }
  const value =
    fractionDigits === 0 ? mantissa : mantissa / (POWERS_OF_TEN[fractionDigits] as number);
  return negative && value !== 0 ? -value : value;
}

/**
 * Copies an ASCII string into `scratch` for the byte parsers and returns its length, or −1
 * when it is too long or not ASCII (then it is neither a number nor a timestamp).
 */
export function asciiInto(text: string, scratch: Uint8Array): number {
  const length = text.length;
  if (length > scratch.length) return -1;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code > 127) return -1;
    scratch[i] = code;
  }
  return length;
}
