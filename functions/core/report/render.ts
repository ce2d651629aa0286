/**
 * Render a snapshot as the report email: subject, HTML (MJML), plain text, the trend
 * charts as inline PNG attachments referenced by `cid:`, and (config `email.attachCsv`)
 * the period's metrics as a CSV attachment.
 */
import { reportMjml } from '../../../templates/report';
import { renderHeatmap, renderTrendChart } from './chart';
import { metricsCsv, metricsCsvFilename } from './csv';
import { renderText } from './text';
import { buildReportView, type ReportInput } from './view';

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

export async function renderReport(input: ReportInput): Promise<RenderedReport> {
  const view = buildReportView(input);
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
  // MJML pads its output with blank lines and indentation, a fifth of the bytes, and Gmail
  // clips messages over 102 KB. Any whitespace run with a line break becomes one line
  // break, which keeps every word boundary (no <pre> or <textarea> in the email).
  const html = result.html.replace(/\s*\n\s*/g, '\n');
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
  return { subject: view.subject, html, text: renderText(view), images, attachments };
}
