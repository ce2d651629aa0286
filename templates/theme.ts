/**
 * Colours and type shared by the report's MJML partials. Colours meet WCAG AA contrast on
 * white; a delta never relies on colour alone (it has an arrow and a sign).
 */
import { escapeHtml as e } from '../functions/core/report/escape';
import type { DeltaView, Tone } from '../functions/core/report/format';

export const FONT = "-apple-system, 'Segoe UI', Arial, sans-serif";
export const TEXT = '#222';
/** 5.7:1 on white. Short hex on purpose: these repeat hundreds of times (Gmail clips at 102 KB). */
export const MUTED = '#666';
export const RULE = '#ddd';
export const PAGE = '#f1f3f5';
export const PANEL = '#ffffff';
export const BANNER = '#fff8c5';

/**
 * Tables get their spacing from `cellpadding` (6px, so 12px between columns) rather than
 * a padding style on every cell: the rows repeat hundreds of times and Gmail clips at
 * 102 KB. Number cells also get the `nowrap` attribute.
 */
export const CELL_PADDING = 6;
export const CELL = `border-top:1px solid ${RULE}`;
export const TH = `font-size:12px;color:${MUTED}`;
/** Small print: `<small>` is about 11.5px at the 14px body size. */
export const SMALL = `color:${MUTED}`;
/**
 * The data tables' cell rules (`css-class="dt"` on an `mj-table`), once in the head instead
 * of a style on each of several hundred cells: Gmail, Apple Mail and Outlook apply a head
 * `<style>`; a client that drops it shows the same table without rules between the rows.
 * `.sg` is the segment tables (segments.ts): numbers right-aligned and unbroken, the
 * value cell `.v` left; `.st` a title row inside a table. Small print in a table cell and
 * the `.nw` spans of `keepTogether` are styled here too, for the same reason (a client
 * without the head style shows them in the body colour, or wrapped inside a part).
 */
export const TABLE_CSS = [
  `.dt td { ${CELL}; vertical-align: top; }`,
  `.dt th { ${TH}; }`,
  '.sg td, .sg th { text-align: right; white-space: nowrap; }',
  '.sg .v { text-align: left; white-space: normal; }',
  '.dt .st { border: 0; padding-top: 14px; text-align: left; }',
  `.dt small { ${SMALL}; }`,
  '.nw { white-space: nowrap; }',
].join(' ');

const TONES: Record<Tone, string> = { good: '#1a7f37', bad: '#cf222e', neutral: MUTED };

export function toneColor(tone: Tone): string {
  return TONES[tone];
}

/** Said in words for `title` attributes; colour alone is not enough. */
export function verdict(delta: DeltaView): string {
  switch (delta.state) {
    case 'change':
      return delta.tone === 'good' ? 'better' : 'worse';
    case 'from-zero':
      if (delta.tone === 'neutral') return 'no % change from zero';
      return `${delta.tone === 'good' ? 'better' : 'worse'}, no % change from zero`;
    case 'unchanged':
      return 'unchanged';
    case 'new':
      return 'no previous value';
    case 'none':
      return '';
  }
}

/**
 * `min $540.00 · max $650.00 · last $650.00` as escaped HTML that wraps between its parts,
 * never inside one, so a number and its label stay on the same line on a phone.
 */
export function keepTogether(text: string): string {
  return text
    .split(' · ')
    .map((part) => `<span class="nw">${e(part)}</span>`)
    .join(' · ');
}
