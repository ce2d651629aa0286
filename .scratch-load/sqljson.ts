import { matchHeader, ruleQuery, type SourceColumn } from '../functions/core/datasets/rules';
const m = matchHeader('events', 'x', { timezone: 'UTC', currency: 'EUR', columns: {} }, ['user_id','occurred_at','event_type']);
const cols: SourceColumn[] = m.columns.map((column, i) => ({ column, sql: `e[${i + 1}]`, type: 'json' }));
console.log(ruleQuery({ dataset: 'events', source: 'src0', columns: cols, currency: 'EUR', mode: 'flag', unnumbered: true, localInstant: (w) => w }));
