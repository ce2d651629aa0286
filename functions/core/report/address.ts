/**
 * The one check of an email address, used by the report configuration, the deploy
 * configuration, the on-demand invocation, the SES adapter and the MIME builder, so an
 * address is accepted or refused the same way (with the same reason) everywhere.
 *
 * What is accepted is a strict subset of an RFC 5321 §4.1.2 `Mailbox`, the form SES takes
 * in `Source` and `Destinations`:
 * - local part: a `Dot-string` of ASCII `atext` (letters, digits and
 *   ``!#$%&'*+/=?^_`{|}~-``), dots only between characters, at most 64 characters
 *   (§4.5.3.1.1). Quoted local parts (`"x"@example.com`) are refused: legal, but nobody
 *   needs one for a report and they are where parsers disagree. SES takes only 7-bit
 *   ASCII in the local part anyway.
 * - domain: at least two dot-separated labels of letters, digits and hyphens (RFC 1035
 *   §2.3.1 preferred syntax), each 1–63 characters, not starting or ending with a hyphen,
 *   and a top-level label that is alphabetic (`com`) or an IDNA A-label (`xn--p1ai`).
 *   Refused: address literals (`a@[192.0.2.1]`), bare hosts (`a@b`), a trailing dot,
 *   all-numeric top-level labels (`a@1.2.3.4`), Unicode domains (write the `xn--` form).
 * - the whole address at most 254 characters (a 256-character RFC 5321 path minus `<>`).
 * - no display name, comment, space or control character: a `Name <a@b>` form is the
 *   MIME builder's business, not a configured value's.
 */
import { z } from 'zod';

export const MAX_ADDRESS_LENGTH = 254;
const MAX_LOCAL_LENGTH = 64;
const MAX_LABEL_LENGTH = 63;

const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const TOP_LABEL = /^(?:[A-Za-z]{2,}|xn--[A-Za-z0-9-]*[A-Za-z0-9])$/;
/**
 * True when `value` contains a character that must never reach a mail header: a C0
 * control (CR, LF, NUL, TAB …), DEL, a C1 control (U+0085 is a line break to some
 * parsers), or the Unicode line and paragraph separators.
 */
export function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}

/**
 * Why `value` is not an address the report sends from or to, in plain English, or
 * undefined when it is one.
 * @example emailAddressProblem('team@example.com') // undefined
 * @example emailAddressProblem('a@b') // 'the domain "b" needs a dot, e.g. example.com'
 */
export function emailAddressProblem(value: string): string | undefined {
  if (value === '') return 'it is empty';
  if (hasControlCharacter(value)) return 'it contains a line break or another control character';
  if (/\s/.test(value)) return 'it contains a space';
  if (value.length > MAX_ADDRESS_LENGTH) {
    return `it is ${value.length} characters long; at most ${MAX_ADDRESS_LENGTH} are allowed`;
  }
  const at = value.lastIndexOf('@');
  if (at < 0) return 'it has no "@"';
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.startsWith('"')) return 'quoted local parts ("x"@example.com) are not accepted';
  if (local.includes('@')) return 'it has more than one "@"';
  if (local === '') return 'nothing comes before the "@"';
  if (/[^\x20-\x7e]/.test(local)) return 'the part before the "@" must be plain ASCII';
  if (local.length > MAX_LOCAL_LENGTH) {
    return `the part before the "@" is ${local.length} characters long; at most ${MAX_LOCAL_LENGTH} are allowed`;
  }
  if (!local.split('.').every((atom) => ATEXT.test(atom))) {
    return local.split('.').some((atom) => atom === '')
      ? 'the part before the "@" cannot start or end with a dot or have two dots in a row'
      : 'the part before the "@" may hold only letters, digits, dots and !#$%&\'*+/=?^_`{|}~-';
  }
  if (domain === '') return 'nothing comes after the "@"';
  if (domain.startsWith('[')) return 'address literals (a@[192.0.2.1]) are not accepted';
  if (/[^\x20-\x7e]/.test(domain)) {
    return 'an international domain must be written in its xn-- form (e.g. xn--bcher-kva.example)';
  }
  const labels = domain.split('.');
  if (labels.length < 2) return `the domain "${domain}" needs a dot, e.g. example.com`;
  if (labels.some((label) => label === '')) {
    return `the domain "${domain}" cannot start or end with a dot or have two dots in a row`;
  }
  for (const label of labels) {
    if (label.length > MAX_LABEL_LENGTH) {
      return `the domain label "${label}" is ${label.length} characters long; at most ${MAX_LABEL_LENGTH} are allowed`;
    }
    if (!LABEL.test(label)) {
      return `the domain label "${label}" may hold only letters, digits and inner hyphens`;
    }
  }
  const top = labels[labels.length - 1] ?? '';
  if (!TOP_LABEL.test(top)) {
    return `the domain "${domain}" must end in a name such as .com or .de, not "${top}"`;
  }
  return undefined;
}

/** True when `value` passes `emailAddressProblem`. */
export function isEmailAddress(value: string): boolean {
  return emailAddressProblem(value) === undefined;
}

/**
 * `must be an email address such as reports@example.com: the domain "b" needs a dot …`.
 * The address itself is left out: the message may be logged, and a recipient list is
 * personal data (the field path or list position says which one is wrong).
 */
export function emailAddressMessage(problem: string): string {
  return `must be an email address such as reports@example.com: ${problem}`;
}

/** The zod schema of one address (config, deploy file and invoke payload). */
export const EmailAddress = z.string().superRefine((value, ctx) => {
  const problem = emailAddressProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: emailAddressMessage(problem) });
});
