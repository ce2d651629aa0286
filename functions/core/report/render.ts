/**
 * Render a snapshot as the report email: subject, HTML (MJML), plain text, the trend
 * charts as inline PNG attachments referenced by `cid:`, and (config `email.attachCsv`)
 * the period's metrics as a CSV attachment.
 */
import { reportMjml } from '../../../templates/report';
import { renderHeatmap, renderTrendChart } from './chart';
import { metricsCsv, metricsCsvFilename } from './csv';
import { renderText } from './text';
import { buildReportView, EMAIL_LAYOUTS, type ReportInput, type ReportView } from './view';

export interface InlineImage {
  /** Content-ID without angle brackets; the HTML refers to it as `cid:<cid>`. */
  cid: string;
  filename: string;
  contentType: 'image/png';
  content: Buffer;
  alt: string;
}

/** A file attached for download. */
export interface FileAttachment {
  filename: string;
  contentType: 'text/csv';
  content: Buffer;
}

export interface RenderedReport {
  subject: string;
  html: string;
  text: string;
  images: InlineImage[];
  /** `metrics-<period>.csv` when `email.attachCsv` is on, else none. */
  attachments: FileAttachment[];
}

export class RenderError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RenderError';
  }
}

type Mjml2Html = typeof import('mjml');
let mjmlLoading: Promise<Mjml2Html> | undefined;

/**
 * mjml takes about half a second to import; load it on the first render only, so the
 * engine and the command-line runner do not pay for it unless they render.
 */
function loadMjml(): Promise<Mjml2Html> {
  mjmlLoading ??= import('mjml').then((m) => m.default);
  return mjmlLoading;
}

/**
 * The HTML part's budget before each recipient's footer links are put in (they add under
 * 1.5 KB: links-size.test.ts). Gmail clips an HTML part over 102 KB, hiding the footer with
 * its unsubscribe link, so the email drops optional detail until it fits (EMAIL_LAYOUTS).
 */
export const HTML_BUDGET_BYTES = 100 * 1024;

export async function renderReport(input: ReportInput): Promise<RenderedReport> {
  const full = buildReportView(input);
  let view = full;
  let html = await toHtml(view);
  for (const layout of EMAIL_LAYOUTS.slice(1)) {
    if (Buffer.byteLength(html, 'utf8') <= HTML_BUDGET_BYTES) break;
    view = buildReportView(input, layout);
    html = await toHtml(view);
  }
  const images: InlineImage[] = view.trends.map((t) => ({
    cid: t.cid,
    filename: t.filename,
    contentType: 'image/png',
    content: renderTrendChart(t.values),
    alt: t.alt,
  }));
  const cohorts = view.cohorts;
  for (const h of cohorts?.heatmaps ?? []) {
    images.push({
      cid: h.cid,
      filename: h.filename,
      contentType: 'image/png',
      content: renderHeatmap({
        rows: h.values,
        rowLabels: cohorts?.imageLabels ?? [],
        columnLabels: cohorts?.ages ?? [],
      }),
      alt: h.alt,
    });
  }
  const { snapshot, config } = input;
  const attachments: FileAttachment[] = config.email.attachCsv
    ? [
        {
          filename: metricsCsvFilename(snapshot.period.key),
          contentType: 'text/csv',
          content: Buffer.from(metricsCsv(snapshot), 'utf8'),
        },
      ]
    : [];
  // The text part has no size limit that matters: it keeps every reason and the glossary.
  return { subject: view.subject, html, text: renderText(full), images, attachments };
}

async function toHtml(view: ReportView): Promise<string> {
  const mjml2html = await loadMjml();
  let result: Awaited<ReturnType<Mjml2Html>>;
  try {
    // No web fonts: a remote stylesheet would be fetched on open, like a remote image.
    result = await mjml2html(reportMjml(view), { validationLevel: 'strict', fonts: {} });
  } catch (error) {
    throw new RenderError(`the report template is not valid MJML: ${String(error)}`, {
      cause: error,
    });
  }
  if (result.errors.length > 0) {
    throw new RenderError(
      `the report template is not valid MJML: ${result.errors.map((x) => x.formattedMessage).join('; ')}`,
    );
  }
  // MJML pads its output with blank lines and indentation, a fifth of the bytes, and Gmail
  // clips messages over 102 KB. Any whitespace run with a line break becomes one line
  // break, which keeps every word boundary (no <pre> or <textarea> in the email).
  return result.html.replace(/\s*\n\s*/g, '\n');
}
