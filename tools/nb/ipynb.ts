/**
 * The subset of nbformat 4 that the notebook runner reads and writes.
 *
 * @module
 */

/** One output of an executed code cell (nbformat 4). */
export interface CellOutput {
  output_type: "stream" | "display_data" | "execute_result" | "error" | string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  execution_count?: number | null;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

/** Cell metadata fields the runner understands; others are kept as they are. */
export interface CellMetadata {
  tags?: string[];
  distlab?: { schema?: string };
  [key: string]: unknown;
}

/** One notebook cell. `source` is a string or a list of lines, as in nbformat. */
export interface NotebookCell {
  cell_type: "code" | "markdown" | "raw";
  id?: string;
  source: string | string[];
  metadata: CellMetadata;
  outputs?: CellOutput[];
  execution_count?: number | null;
  attachments?: Record<string, unknown>;
}

/** A whole notebook. */
export interface Notebook {
  cells: NotebookCell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

/** Reads and minimally validates an .ipynb file. */
export async function readNotebook(path: string): Promise<Notebook> {
  const text = await Deno.readTextFile(path);
  let nb: Notebook;
  try {
    nb = JSON.parse(text) as Notebook;
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(nb.cells) || nb.nbformat !== 4) {
    throw new Error(`${path}: not an nbformat 4 notebook`);
  }
  for (const cell of nb.cells) cell.metadata ??= {};
  return nb;
}

/** Writes a notebook the way nbformat does (one-space indent, trailing newline). */
export async function writeNotebook(path: string, nb: Notebook): Promise<void> {
  await Deno.writeTextFile(path, JSON.stringify(nb, null, 1) + "\n");
}

/** The cell's source as one string. */
export function cellSource(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

/** The cell's tags (empty when it has none). */
export function cellTags(cell: NotebookCell): string[] {
  const tags = cell.metadata?.tags;
  return Array.isArray(tags) ? tags : [];
}

/** The first non-blank line of a source, trimmed and shortened to `max` characters. */
export function firstLine(source: string, max = 80): string {
  const line = source.split("\n").find((l) => l.trim() !== "")?.trim() ?? "";
  return line.length > max ? line.slice(0, max - 1) + "…" : line;
}

/** The text of the first markdown heading in the notebook, or `fallback`. */
export function notebookTitle(nb: Notebook, fallback: string): string {
  for (const cell of nb.cells) {
    if (cell.cell_type !== "markdown") continue;
    const m = cellSource(cell).match(/^\s*#{1,6}\s+(.+?)\s*#*\s*$/m);
    if (m) return m[1];
  }
  return fallback;
}

/** Index of the (first) cell tagged `tag`, or -1. */
export function findTaggedCell(nb: Notebook, tag: string): number {
  return nb.cells.findIndex((c) => c.cell_type === "code" && cellTags(c).includes(tag));
}

/** Human label of a cell: 1-based position among all cells plus its first line. */
export function cellLabel(nb: Notebook, index: number): string {
  const cell = nb.cells[index];
  const head = cell ? firstLine(cellSource(cell)) : "";
  return `cell ${index + 1} of ${nb.cells.length}${head ? ` (\`${head}\`)` : ""}`;
}

/** The file name without folder and `.ipynb`. */
export function notebookStem(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path;
  return base.replace(/\.ipynb$/, "");
}
