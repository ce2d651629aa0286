import { createHash } from 'node:crypto';

/** Trimmed, lower-cased, de-duplicated and sorted: the same set always reads the same. */
export function normalizeRecipients(recipients: readonly string[]): string[] {
  return [...new Set(recipients.map((r) => r.trim().toLowerCase()).filter((r) => r !== ''))].sort();
}

/**
 * SHA-256 (hex) of one normalized address. The send ledger keys on it, so `A@x.com` and
 * `a@x.com` are the same recipient, and the key holds no address.
 */
export function recipientHash(recipient: string): string {
  return createHash('sha256')
    .update(normalizeRecipients([recipient])[0] ?? '')
    .digest('hex');
}
