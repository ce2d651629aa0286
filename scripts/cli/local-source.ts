/**
 * The exports in a local folder, as an `ExportSource` for the engine: the same shape the
 * S3 adapter gives, so the local runner computes exactly what the deployed job would.
 *
 * A folder holds, for each dataset, either one file named after it (`orders.csv`,
 * `orders.csv.gz`, `orders.jsonl`, `orders.jsonl.gz`, `orders.parquet`) or a folder named after it whose files
 * (at any depth) are all that dataset's exports, like `exports/<dataset>/` in S3. Names
 * starting with a dot are ignored (the sample generator's manifest, editors' files).
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { DatasetName } from '../../functions/core/config';
import { formatOf } from '../../functions/core/datasets/read';
import { compareKeys, type ExportFile, type ExportSource } from '../../functions/core/sources';
import { UsageError } from './io';

/** An export file with its size on disk, for progress. */
export interface LocalExportFile extends ExportFile {
  bytes: number;
}

/** The dataset a top-level file belongs to, when its name is `<dataset>.<supported suffix>`. */
function datasetOfFileName(name: string): DatasetName | null {
  const format = formatOf(name);
  if (!format) return null;
  const suffix = `.${format.syntax}${format.gzip ? '.gz' : ''}`;
  const parsed = DatasetName.safeParse(name.slice(0, name.length - suffix.length));
  return parsed.success ? parsed.data : null;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const found: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await filesUnder(path)));
    else if (entry.isFile()) found.push(path);
  }
  return found;
}

export class LocalExportSource implements ExportSource {
  /** Names in the folder that are no export, for a warning. */
  readonly skipped: string[] = [];

  constructor(readonly dir: string) {}

  /**
   * Every export file, sorted by key. Throws a UsageError when the folder does not exist
   * or is not a folder. Files inside a dataset folder are listed whatever their suffix:
   * the engine then records an unsupported one in the data quality, as it does in S3.
   */
  async list(): Promise<LocalExportFile[]> {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(this.dir);
    } catch {
      throw new UsageError(`--data folder "${this.dir}" does not exist`);
    }
    if (!info.isDirectory()) throw new UsageError(`--data "${this.dir}" is not a folder`);

    this.skipped.length = 0;
    const files: LocalExportFile[] = [];
    const entries = await readdir(this.dir, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(this.dir, entry.name);
      if (entry.isDirectory()) {
        const dataset = DatasetName.safeParse(entry.name);
        if (!dataset.success) {
          this.skipped.push(`${entry.name}/`);
          continue;
        }
        for (const file of await filesUnder(path)) files.push(await localFile(dataset.data, file));
      } else if (entry.isFile()) {
        const dataset = datasetOfFileName(entry.name);
        if (dataset === null) this.skipped.push(entry.name);
        else files.push(await localFile(dataset, path));
      }
    }
    files.sort((a, b) => compareKeys(a.key, b.key));
    return files;
  }
}

async function localFile(dataset: DatasetName, path: string): Promise<LocalExportFile> {
  const { size } = await stat(path);
  return {
    dataset,
    key: path,
    bytes: size,
    path,
    open: async (): Promise<Readable> => createReadStream(path, { highWaterMark: 1 << 20 }),
  };
}
