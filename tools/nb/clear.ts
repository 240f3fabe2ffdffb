/**
 * `deno task notebooks:clear`: strip stored outputs and execution counts, as notebooks are
 * committed. Only cells that carry them change; the file keeps its key order and layout.
 *
 * @module
 */

import { type Notebook, type NotebookCell } from "./ipynb.ts";

/** The command that clears stored outputs (named by the check that complains about them). */
export const CLEAR_COMMAND = "deno task notebooks:clear";

/** Whether a code cell carries outputs or an execution count (it must not, when stored). */
export function hasStoredOutputs(cell: NotebookCell): boolean {
  return cell.cell_type === "code" &&
    ((cell.outputs ?? []).length > 0 || cell.execution_count != null);
}

/** Clears outputs and execution counts in place; returns how many cells changed. */
export function clearNotebook(nb: Notebook): number {
  let changed = 0;
  for (const cell of nb.cells) {
    if (!hasStoredOutputs(cell)) continue;
    cell.outputs = [];
    cell.execution_count = null;
    changed++;
  }
  return changed;
}

/** Clears one .ipynb file; rewrites it only when a cell changed. Returns that count. */
export async function clearOutputs(path: string): Promise<number> {
  const text = await Deno.readTextFile(path);
  const nb = JSON.parse(text) as Notebook;
  if (!Array.isArray(nb.cells)) throw new Error(`${path}: not a notebook (no cells)`);
  const changed = clearNotebook(nb);
  if (changed > 0) {
    const indent = text.match(/^\{\n( +)"/)?.[1].length ?? 1;
    await Deno.writeTextFile(path, JSON.stringify(nb, null, indent) + "\n");
  }
  return changed;
}
