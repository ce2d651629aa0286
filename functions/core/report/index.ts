export { buildMimeMessage, MimeError, type MimeImage, type MimeInput } from './mime';
export { type InlineImage, RenderError, type RenderedReport, renderReport } from './render';
export type { ReportInput } from './view';
