// `hagrade merge`: join the output directories of shards into one, with the same class files an
// unsharded batch would write. A student graded in two inputs must have identical results there.
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Text } from '../model/basics.js';
import {
  readStored,
  recordFromStored,
  studentPaths,
  writeClassFiles,
  type BatchFile,
  type OutputOptions,
  type StudentRecord,
} from './outputs.js';

/** Inputs that cannot be merged (exit code 2). */
export class MergeError extends Error {
  override name = 'MergeError';
}

export const MERGE_TEXT = {
  missingShards: {
    en: 'shards {missing} of {count} are not among the inputs: their students are missing from the summary',
    ru: 'части {missing} из {count} не переданы: их студентов нет в сводке',
  },
} satisfies Record<string, Text>;

export interface MergeWarning {
  text: Text;
  data: Record<string, string | number>;
}

function readBatchFile(dir: string): BatchFile {
  const file = join(dir, 'batch.json');
  if (!existsSync(file))
    throw new MergeError(`${dir} has no batch.json: is it the --out directory of 'hagrade batch'?`);
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as BatchFile;
    if (parsed.schemaVersion !== 1 || !Array.isArray(parsed.students))
      throw new Error('not a batch.json of this hagrade version');
    return parsed;
  } catch (e) {
    throw new MergeError(`${file}: ${(e as Error).message}`);
  }
}

/** The stored file of a student, byte for byte, to compare two inputs. */
function storedBytes(dir: string, studentDir: string): string | undefined {
  const paths = studentPaths(dir, studentDir);
  const file = [paths.report, paths.error].find((f) => existsSync(f));
  return file === undefined ? undefined : readFileSync(file, 'utf8');
}

function missingShards(batches: BatchFile[]): MergeWarning[] {
  const counts = new Set(batches.map((b) => b.shard?.count));
  const count = [...counts][0];
  if (counts.size !== 1 || count === undefined) return [];
  const present = new Set(batches.map((b) => b.shard!.index));
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !present.has(i));
  return missing.length ? [{ text: MERGE_TEXT.missingShards, data: { missing: missing.join(', '), count } }] : [];
}

export function mergeBatches(
  dirs: string[],
  outDir: string,
  output: OutputOptions,
): { records: StudentRecord[]; warnings: MergeWarning[] } {
  if (dirs.length === 0) throw new MergeError('give at least one batch output directory to merge');
  const batches = dirs.map(readBatchFile);
  const chosen = new Map<string, { record: StudentRecord; from: string }>();
  batches.forEach((batch, index) => {
    const from = dirs[index]!;
    for (const s of batch.students) {
      const record: StudentRecord = {
        ...recordFromStored(s.student, s.dir, readStored(from, s.dir), output.lang),
        ...(s.group !== undefined ? { group: s.group } : {}),
      };
      const earlier = chosen.get(s.student);
      if (!earlier || earlier.record.status === 'pending') {
        chosen.set(s.student, { record, from });
      } else if (
        record.status !== 'pending' &&
        storedBytes(earlier.from, earlier.record.dir) !== storedBytes(from, s.dir)
      ) {
        throw new MergeError(
          `student '${s.student}' has different results in ${earlier.from} and ${from}; remove one of them and merge again`,
        );
      }
    }
  });
  for (const { record, from } of chosen.values()) {
    const source = studentPaths(from, record.dir).root;
    const target = studentPaths(outDir, record.dir).root;
    if (!existsSync(source) || resolve(source) === resolve(target)) continue;
    rmSync(target, { recursive: true, force: true });
    cpSync(source, target, { recursive: true });
  }
  const records = [...chosen.values()].map((c) => c.record);
  writeClassFiles(outDir, records, { mergedFrom: dirs, finished: batches.every((b) => b.finished) }, output);
  return { records, warnings: missingShards(batches) };
}
