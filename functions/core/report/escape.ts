/**
 * The one HTML escape used for every value that comes from data or config (report name,
 * channel, feature, platform, customer id, file name, reason). It is safe in element text
 * and in double- or single-quoted attribute values, which is every place the templates
 * put data; MJML passes both through verbatim.
 */
const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (ch) => ENTITIES[ch] ?? ch);
}
