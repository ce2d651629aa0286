import { describe, expect, it } from 'vitest';
import { renderReport } from '../../../functions/core/report/render';
import { changedMetrics, shownMetrics } from '../../../functions/core/report/revision';
import { buildReportView } from '../../../functions/core/report/view';
import type { Snapshot } from '../../../functions/core/snapshot';
import { fixtureConfig, fixtureHistory, fixtureSnapshot } from '../../fixtures/report-snapshot';

function withValues(values: Record<string, number | null>): Snapshot {
  const s = fixtureSnapshot();
  for (const [id, value] of Object.entries(values)) {
    const metric = s.metrics[id];
    if (!metric) throw new Error(`fixture has no ${id}`);
    s.metrics[id] = { ...metric, value };
  }
  return s;
}

describe('changedMetrics', () => {
  const sent = shownMetrics(fixtureSnapshot());
  const options = { locale: 'en-US', minChange: 0 };

  it('lists the metrics whose shown value changed, in catalogue order', () => {
    // revenue 18,450.75 → 18,574.20; churn 2.3 → 2.5 (fixture values, by hand).
    const changes = changedMetrics(
      sent,
      withValues({ revenue: 18574.2, churn_rate: 2.5 }),
      options,
    );
    expect(changes.map((c) => [c.id, c.before.value, c.after.value])).toEqual([
      ['churn_rate', 2.3, 2.5],
      ['revenue', 18450.75, 18574.2],
    ]);
  });

  it('ignores a change the email cannot show (2.3% stays 2.3%)', () => {
    expect(changedMetrics(sent, withValues({ churn_rate: 2.3000001 }), options)).toEqual([]);
  });

  it('ignores changes under minChange, but never a value appearing or vanishing', () => {
    const loose = { locale: 'en-US', minChange: 0.01 };
    // 123.45 on 18,450.75 is 0.67 %: under 1 %.
    expect(changedMetrics(sent, withValues({ revenue: 18574.2 }), loose)).toEqual([]);
    expect(changedMetrics(sent, withValues({ revenue: null }), loose).map((c) => c.id)).toEqual([
      'revenue',
    ]);
  });
});

describe('a revised email', () => {
  const snapshot = { ...withValues({ revenue: 18574.2 }), revised: true };
  const revision = {
    number: 1,
    changes: changedMetrics(shownMetrics(fixtureSnapshot()), snapshot, {
      locale: 'en-US',
      minChange: 0,
    }),
  };

  it('is marked "Revised" in the subject and lists each change old → new', async () => {
    const input = { snapshot, history: fixtureHistory(), config: fixtureConfig(), revision };
    const view = buildReportView(input);
    expect(view.subject.startsWith('[Revised] ')).toBe(true);
    expect(view.changes).toEqual([
      { id: 'revenue', label: 'Revenue', before: '$18,450.75', after: '$18,574.20' },
    ]);
    const rendered = await renderReport(input);
    expect(rendered.html).toContain('Revenue: $18,450.75 → $18,574.20');
    expect(rendered.text).toContain('Revenue: $18,450.75 → $18,574.20');
  });

  it('escapes the listed values like every other value in the HTML', async () => {
    const hostile = {
      ...revision,
      changes: [
        {
          id: '<script>',
          before: { value: 1, unit: 'count' as const },
          after: { value: 2, unit: 'count' as const },
        },
      ],
    };
    const rendered = await renderReport({
      snapshot,
      history: [],
      config: fixtureConfig(),
      revision: hostile,
    });
    expect(rendered.html).toContain('&lt;script&gt;: 1 → 2');
    expect(rendered.html).not.toContain('<script>');
  });

  it('leaves an ordinary report unmarked', () => {
    const view = buildReportView({
      snapshot: fixtureSnapshot(),
      history: [],
      config: fixtureConfig(),
    });
    expect(view.subject.startsWith('[Revised]')).toBe(false);
    expect(view.changes).toEqual([]);
  });
});
