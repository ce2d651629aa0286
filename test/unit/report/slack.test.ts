import { describe, expect, it } from 'vitest';
import {
  attentionWords,
  escapeMrkdwn,
  type ReportDigest,
  reportDigest,
  slackMessage,
} from '../../../functions/core/report/slack';
import { buildReportView } from '../../../functions/core/report/view';
import { fixtureConfig, fixtureHistory, fixtureSnapshot } from '../../fixtures/report-snapshot';

const DIGEST: ReportDigest = {
  reportName: 'Zoë & <!channel> Co',
  periodKey: '2026-W47',
  periodLabel: 'Week 47, Nov 16–22 2026',
  revision: 0,
  headline: [
    { label: 'Customers', value: '1,234', delta: '▲ +2.1 %' },
    { label: 'Churn <rate>', value: '2.3%', delta: '▲ +0.4 pp' },
    { label: 'NPS', value: '—' },
  ],
  attention: 2,
};

describe('escapeMrkdwn', () => {
  it('turns the three control characters into entities and leaves the rest', () => {
    expect(escapeMrkdwn('a & b <@U123> > c *bold* 5')).toBe(
      'a &amp; b &lt;@U123&gt; &gt; c *bold* 5',
    );
  });
});

describe('attentionWords', () => {
  it('counts in words', () => {
    expect(attentionWords(0)).toBe('Nothing needs attention');
    expect(attentionWords(1)).toBe('1 thing needs attention');
    expect(attentionWords(3)).toBe('3 things need attention');
  });
});

describe('slackMessage', () => {
  it('says the name, the dated period and the attention count in the notification text', () => {
    const message = slackMessage(DIGEST);
    expect(message.text).toBe(
      'Zoë &amp; &lt;!channel&gt; Co: Week 47, Nov 16–22 2026. 2 things need attention.',
    );
  });

  it('puts each headline metric with its delta in a field, escaped', () => {
    const { blocks } = slackMessage(DIGEST);
    expect(blocks[0]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: '*Zoë &amp; &lt;!channel&gt; Co*\nWeek 47, Nov 16–22 2026' },
    });
    expect(blocks[1]).toEqual({
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: '*Customers*\n1,234  ▲ +2.1 %' },
        { type: 'mrkdwn', text: '*Churn &lt;rate&gt;*\n2.3%  ▲ +0.4 pp' },
        { type: 'mrkdwn', text: '*NPS*\n—' },
      ],
    });
    expect(blocks[2]).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: ':warning: 2 things need attention' }],
    });
    expect(blocks).toHaveLength(3); // no archive link given
    // Nothing from the data reaches Slack unescaped: no raw < or > anywhere in the body.
    expect(JSON.stringify(slackMessage(DIGEST))).not.toMatch(/[<>]/);
  });

  it('marks a revision, links the archive and splits more than ten fields', () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ label: `M${i}`, value: String(i) }));
    const { text, blocks } = slackMessage(
      { ...DIGEST, revision: 2, attention: 0, headline: many },
      'https://links.example.com/archive?t=a&b',
    );
    expect(text).toContain('Week 47, Nov 16–22 2026 (revised).');
    expect(text).toContain('Nothing needs attention');
    expect(blocks[1]?.fields).toHaveLength(10);
    expect(blocks[2]?.fields).toHaveLength(2);
    expect(blocks.at(-1)).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: '<https://links.example.com/archive?t=a&amp;b|Open the report>',
      },
    });
  });
});

describe('reportDigest', () => {
  it("quotes the email's own numbers for the fixture week", () => {
    const snapshot = fixtureSnapshot();
    const config = fixtureConfig({ email: { headline: ['customers_end', 'churn_rate'] } });
    const view = buildReportView({ snapshot, history: fixtureHistory(), config });
    const digest = reportDigest(view, snapshot.period, 'en-US', 0);
    expect(digest.periodKey).toBe('2026-W44');
    // Week 44 of 2026 is Monday 26 October to Sunday 1 November.
    expect(digest.periodLabel).toBe('Week 44, Oct 26 – Nov 1 2026');
    expect(digest.headline).toEqual([
      // 1,234 customers after 1,209: (1234 − 1209) / 1209 = +2.07 %, shown to one decimal.
      { label: expect.any(String), value: '1,234', delta: '▲ +2.1 %' },
      // Churn 2.3 % after 1.9 %: +0.4 percentage points.
      { label: expect.any(String), value: '2.3%', delta: '▲ +0.4 pp' },
    ]);
  });

  it('counts one more thing needing attention when a threshold is crossed', () => {
    const snapshot = fixtureSnapshot();
    const count = (flags: Record<string, unknown>) => {
      const config = fixtureConfig({ flags });
      const view = buildReportView({ snapshot, history: fixtureHistory(), config });
      return reportDigest(view, snapshot.period, 'en-US', 0).attention;
    };
    // Churn is 2.3 %: above a 2 % threshold, not above a 5 % one.
    expect(count({ thresholds: { churn_rate: { above: 2 } } })).toBe(
      count({ thresholds: { churn_rate: { above: 5 } } }) + 1,
    );
  });
});
