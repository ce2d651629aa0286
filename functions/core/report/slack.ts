/**
 * The short summary a report posts to a Slack-compatible incoming webhook (config `slack`)
 * after its emails went out: the report name, the period in words, the headline numbers with
 * their change, how many things need attention, and the archive link when there is one.
 *
 * The format is Slack's incoming-webhook message: `text` (the notification and the fallback
 * of clients that show no blocks) and `blocks`. Mattermost, Rocket.Chat and others accept
 * the same body. Every text is Slack mrkdwn, where `&`, `<` and `>` are control characters
 * (`<url|label>` is a link, `<!channel>` pings everyone), so every value from data or
 * config is escaped: a report named `<!channel>` must not ping anybody.
 */
import type { PeriodInfo } from '../snapshot';
import type { ArchiveHeadline } from './archive';
import { periodWords } from './period-words';
import type { MetricView, ReportView } from './view';

/** What the archive index and the webhook say about one sent report. */
export interface ReportDigest {
  reportName: string;
  periodKey: string;
  /** The period with its dates: `Week 47, Nov 16–22 2026`. */
  periodLabel: string;
  /** 0 for the period's first report, n for its n-th revised one. */
  revision: number;
  headline: ArchiveHeadline[];
  /** How many lines "What needs attention" has. */
  attention: number;
}

/** A headline metric as the email shows it: value, and its change with the arrow. */
export function headlineOf(metric: MetricView): ArchiveHeadline {
  const delta = [metric.delta.arrow, metric.delta.text].filter(Boolean).join(' ');
  return delta === ''
    ? { label: metric.label, value: metric.value }
    : { label: metric.label, value: metric.value, delta };
}

/** The digest of a rendered report's view (its own words and numbers, nothing recomputed). */
export function reportDigest(
  view: ReportView,
  period: PeriodInfo,
  locale: string,
  revision: number,
): ReportDigest {
  return {
    reportName: view.name,
    periodKey: period.key,
    periodLabel: periodWords(period, locale).dated,
    revision,
    headline: view.headline.map(headlineOf),
    attention: view.attention.length,
  };
}

/** Slack mrkdwn's three control characters as its documented entities. */
export function escapeMrkdwn(value: string | number): string {
  return String(value).replace(/[&<>]/g, (ch) =>
    ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : '&gt;',
  );
}

/** `3 things need attention`, `1 thing needs attention`, `Nothing needs attention`. */
export function attentionWords(count: number): string {
  if (count === 0) return 'Nothing needs attention';
  return count === 1 ? '1 thing needs attention' : `${count} things need attention`;
}

export interface SlackMessage {
  text: string;
  blocks: Record<string, unknown>[];
}

/** Slack shows at most 10 fields in one section block. */
const FIELDS_PER_SECTION = 10;

export function slackMessage(digest: ReportDigest, archiveUrl?: string): SlackMessage {
  const name = escapeMrkdwn(digest.reportName);
  const period = escapeMrkdwn(digest.periodLabel);
  const revised = digest.revision > 0 ? ' (revised)' : '';
  const attention = attentionWords(digest.attention);
  const text = `${name}: ${period}${revised}. ${attention}.`;

  const blocks: Record<string, unknown>[] = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `*${name}*\n${period}${revised}` },
    },
  ];
  const fields = digest.headline.map((h) => ({
    type: 'mrkdwn',
    text: `*${escapeMrkdwn(h.label)}*\n${escapeMrkdwn(h.value)}${h.delta ? `  ${escapeMrkdwn(h.delta)}` : ''}`,
  }));
  for (let i = 0; i < fields.length; i += FIELDS_PER_SECTION) {
    blocks.push({ type: 'section', fields: fields.slice(i, i + FIELDS_PER_SECTION) });
  }
  blocks.push({
    type: 'context',
    elements: [
      { type: 'mrkdwn', text: digest.attention > 0 ? `:warning: ${attention}` : attention },
    ],
  });
  if (archiveUrl !== undefined) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `<${escapeMrkdwn(archiveUrl)}|Open the report>` },
    });
  }
  return { text, blocks };
}
