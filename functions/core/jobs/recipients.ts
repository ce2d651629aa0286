import { createHash } from 'node:crypto';

/** Trimmed, lower-cased, de-duplicated and sorted: the same set always reads the same. */
export function normalizeRecipients(recipients: readonly string[]): string[] {
  return [...new Set(recipients.map((r) => r.trim().toLowerCase()).filter((r) => r !== ''))].sort();
}

/**
 * SHA-256 (hex) of the normalized recipient list, one address per line. The send ledger
 * keys on it, so `[b, a]` and `[A, b]` are the same send, and a different list (adding the
 * CFO) is a different one that may go out for the same period.
 */
export function recipientsHash(recipients: readonly string[]): string {
  return createHash('sha256').update(normalizeRecipients(recipients).join('\n')).digest('hex');
}
