/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The report email in a real browser engine (headless Chromium): nothing overflows at
 * 600 px (desktop clients) or 375 px (phones), the headline numbers are visible, and
 * hostile data stays text. Screenshots go to test-artifacts/ for a person to look at.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RenderedReport, renderReport } from '../../functions/core/report/render';
import {
  fixtureConfig,
  fixtureHistory,
  fixtureSnapshotWithCohorts,
  HOSTILE,
  hostileSnapshot,
} from '../fixtures/report-snapshot';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = 'test-artifacts';

/** The page a mail client would show: `cid:` references resolved to the attached PNGs. */
function pageHtml(report: RenderedReport): string {
  let html = report.html;
  for (const image of report.images) {
    html = html.replaceAll(
      `cid:${image.cid}`,
      `data:${image.contentType};base64,${image.content.toString('base64')}`,
    );
  }
  return html;
}

describe('report email in Chromium', () => {
  let browser: Browser;
  let report: RenderedReport;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium`);
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    // Every section, the cohort heatmaps included.
    report = await renderReport({
      snapshot: fixtureSnapshotWithCohorts(),
      history: fixtureHistory(),
      config: fixtureConfig(),
      rejectedLocation: 's3://acme-reports/rejected/',
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
  });

  // Computed by hand from the fixture: customers_end 1234, churn 2.3, retention 97.7,
  // clv_predictive 650 (USD), cac 41.5 (USD), nps 42; en-US formatting.
  const headline = ['1,234', '2.3%', '97.7%', '$650.00', '$41.50', '42'];

  for (const width of [600, 375]) {
    it(`fits ${width} px without horizontal overflow and shows the headline numbers`, async () => {
      // Prepare
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      const requests: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith('data:')) requests.push(r.url());
      });

      // Act
      await page.setContent(pageHtml(report), { waitUntil: 'load' });
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      const cards = await page.$$eval('[class*="hl-"] .hl-value', (els) =>
        els.map((el) => {
          const box = el.getBoundingClientRect();
          return {
            // biome-ignore lint/performance/useDomNodeTextContent: the rendered, visible text is what is tested
            text: (el as HTMLElement).innerText,
            visible: el.checkVisibility({ opacityProperty: true, visibilityProperty: true }),
            fontSize: Number.parseFloat(getComputedStyle(el).fontSize),
            left: box.left,
            right: box.right,
            top: box.top,
            w: box.width,
            h: box.height,
          };
        }),
      );
      const images = await page.$$eval('img', (els) =>
        els.map((el) => ({
          ok: el.complete && el.naturalWidth > 0,
          right: el.getBoundingClientRect().right,
        })),
      );
      // biome-ignore lint/performance/useDomNodeTextContent: the rendered, visible text is what is tested
      const bodyText = await page.evaluate(() => document.body.innerText);
      await page.screenshot({ path: `${ARTIFACTS}/email-${width}.png`, fullPage: true });
      if (width === 600) {
        mkdirSync('docs', { recursive: true });
        await page.screenshot({ path: 'docs/report-sample.png', fullPage: true });
      }
      await page.close();

      // Assess
      expect(scrollWidth, `scrollWidth ${scrollWidth} at viewport ${width}`).toBeLessThanOrEqual(
        width,
      );
      expect(cards.map((c) => c.text)).toEqual(headline);
      for (const card of cards) {
        expect(card.visible).toBe(true);
        expect(card.fontSize).toBeGreaterThanOrEqual(20);
        expect(card.w).toBeGreaterThan(0);
        expect(card.h).toBeGreaterThan(0);
        expect(card.left).toBeGreaterThanOrEqual(0);
        expect(card.right).toBeLessThanOrEqual(width);
      }
      // Two cards to a row at both widths: pairs share a top edge, rows do not.
      for (let i = 0; i < cards.length; i += 2) {
        expect(cards[i + 1]?.top).toBe(cards[i]?.top);
        if (i > 0) expect(cards[i]?.top).toBeGreaterThan(cards[i - 2]?.top ?? 0);
      }
      for (const value of headline) expect(bodyText).toContain(value);
      expect(images).toHaveLength(report.images.length);
      for (const image of images) {
        expect(image.ok).toBe(true);
        expect(image.right).toBeLessThanOrEqual(width);
      }
      expect(requests).toEqual([]);
    });
  }

  for (const width of [600, 375]) {
    it(`shows the cohort heatmaps whole and unscaled at ${width} px`, async () => {
      // Prepare
      const page = await browser.newPage({ viewport: { width, height: 900 } });

      // Act
      await page.setContent(pageHtml(report), { waitUntil: 'load' });
      const maps = await page.$$eval('img.cohort-heatmap', (els) =>
        els.map((el) => {
          const img = el as HTMLImageElement;
          const box = img.getBoundingClientRect();
          return {
            alt: img.alt,
            ok: img.complete && img.naturalWidth > 0,
            naturalWidth: img.naturalWidth,
            left: box.left,
            right: box.right,
            width: box.width,
            height: box.height,
            visible: img.checkVisibility({ opacityProperty: true, visibilityProperty: true }),
          };
        }),
      );
      const section = await page.$('.section-cohorts');
      await section?.screenshot({ path: `${ARTIFACTS}/cohorts-${width}.png` });
      await page.close();

      // Assess: two maps, each drawn at 2× (13 × 48 = 624 device px) and shown at its full
      // 312 × 195 CSS px at both widths (375 − 2 × 24 px padding = 327 px leaves room), so
      // the 7.5 px digits are not scaled down.
      expect(maps.map((m) => m.alt.split(' by ')[0])).toEqual([
        'Customer retention',
        'Revenue retention',
      ]);
      for (const m of maps) {
        expect(m.ok).toBe(true);
        expect(m.visible).toBe(true);
        expect(m.naturalWidth).toBe(624);
        expect(m.width).toBe(312);
        expect(m.height).toBe(195);
        expect(m.left).toBeGreaterThanOrEqual(0);
        expect(m.right).toBeLessThanOrEqual(width);
      }
    });
  }

  it('shows hostile data as text and runs none of it', async () => {
    // Prepare
    const hostile = await renderReport({
      snapshot: hostileSnapshot(),
      history: fixtureHistory(),
      config: fixtureConfig({ name: HOSTILE.name }),
    });
    const page = await browser.newPage({ viewport: { width: 600, height: 900 } });
    const dialogs: string[] = [];
    page.on('dialog', async (d) => {
      dialogs.push(d.message());
      await d.dismiss();
    });

    // Act
    await page.setContent(pageHtml(hostile), { waitUntil: 'load' });
    await page.mouse.move(100, 100);
    const found = await page.evaluate(() => ({
      scripts: document.querySelectorAll('script').length,
      svg: document.querySelectorAll('svg').length,
      iframes: document.querySelectorAll('iframe').length,
      badImages: document.querySelectorAll('img[src="x"]').length,
      handlers: [...document.querySelectorAll('*')].filter((el) =>
        [...el.attributes].some((a) => a.name.startsWith('on')),
      ).length,
      // biome-ignore lint/performance/useDomNodeTextContent: the rendered, visible text is what is tested
      text: document.body.innerText,
    }));
    writeFileSync(`${ARTIFACTS}/email-hostile.html`, hostile.html);
    await page.close();

    // Assess
    expect(dialogs).toEqual([]);
    expect(found).toMatchObject({ scripts: 0, svg: 0, iframes: 0, badImages: 0, handlers: 0 });
    for (const value of [
      HOSTILE.name,
      HOSTILE.channel,
      HOSTILE.feature,
      HOSTILE.platform,
      HOSTILE.customer,
    ]) {
      expect(found.text).toContain(value);
    }
  });
});
