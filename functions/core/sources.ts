/**
 * What the core reads exports through, so that the same engine runs on a local folder,
 * on S3, and in tests. Adapters (functions/adapters) implement these for S3.
 */
import type { Readable } from 'node:stream';
import type { DatasetName } from './config';

/** One export file of one dataset. The format is taken from the key's extension. */
export interface ExportFile {
  dataset: DatasetName;
  /** Path or S3 key; used in every error message and in the snapshot's input list. */
  key: string;
  etag?: string;
  /** A fresh stream of the file's bytes as stored (gzip'd or not). */
  open(): Promise<Readable>;
  /**
   * The file on local disk, when it is one: the engine then reads it in place instead of
   * copying the stream to its scratch folder first.
   */
  path?: string;
}

export interface ExportSource {
  list(): Promise<ExportFile[]>;
}

/**
 * The order S3 lists keys in: by their UTF-8 bytes. It decides which file's row of a
 * repeated id wins (DATASETS.md), so local folders and S3 must agree on it. JavaScript's
 * `<` compares UTF-16 code units, which puts a character above U+FFFF (an emoji) before
 * one of U+E000–U+FFFF (`｡`); in UTF-8 it comes after.
 */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** A row that failed a rule: where, why, and what it held. */
export interface RejectedRow {
  dataset: DatasetName;
  file: string;
  /** 1-based physical line where the record starts (the header is line 1 in CSV). */
  line: number;
  /** Canonical column name, or null when the whole record is bad (e.g. broken JSON). */
  column: string | null;
  reason: string;
  /** The record as read: column → raw text for CSV, the parsed object or raw text for JSONL. */
  record: Record<string, unknown> | string;
}

/** Where rejected rows go (a JSONL file, S3 object, memory in tests). */
export type RejectSink = (row: RejectedRow) => void;
