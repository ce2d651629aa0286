import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../../functions/core/report/escape';

describe('escapeHtml', () => {
  it('escapes the five characters that can end text or an attribute value', () => {
    expect(escapeHtml(`"><img src=x onerror='alert(1)'> & co`)).toBe(
      '&quot;&gt;&lt;img src=x onerror=&#39;alert(1)&#39;&gt; &amp; co',
    );
  });

  it('escapes an ampersand once, so existing entities stay visible as typed', () => {
    expect(escapeHtml('&lt;b&gt;')).toBe('&amp;lt;b&amp;gt;');
  });

  it('turns numbers into text and leaves other characters alone', () => {
    expect(escapeHtml(42)).toBe('42');
    expect(escapeHtml('Zoë · 2.3% ▲ —')).toBe('Zoë · 2.3% ▲ —');
  });
});
