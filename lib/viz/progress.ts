/**
 * A live progress display for long work in a notebook (a seed sweep): one output that updates in
 * place through Jupyter's `update_display_data`, instead of a new line per step. Outside a Jupyter
 * kernel it prints a line to stderr every tenth of the work (or nothing when `quiet`). Updates are
 * throttled by count, not by wall clock, so library code stays free of real time.
 * @module
 */

type JupyterDisplay = (
  obj: unknown,
  options?: { raw?: boolean; update?: boolean; display_id?: string },
) => Promise<void>;

function jupyterDisplay(): JupyterDisplay | undefined {
  try {
    // Accessing Deno.jupyter outside a kernel throws; inside, display is a function.
    const j = (globalThis as { Deno?: { jupyter?: { display?: JupyterDisplay } } }).Deno?.jupyter;
    return typeof j?.display === "function" ? j.display : undefined;
  } catch {
    return undefined;
  }
}

let nextId = 0;

/** Options of {@link Progress}. */
export interface ProgressOptions {
  /** Updates shown over the whole run (default 50). */
  readonly updates?: number;
  /** Print nothing outside Jupyter. Default false. */
  readonly quiet?: boolean;
}

/**
 * A progress display. `await progress.tick()` after each unit of work: awaiting lets the kernel
 * send the update while the cell is still running.
 * @example
 * ```ts
 * const progress = new Progress("seeds", 200);
 * for (let seed = 1; seed <= 200; seed++) {
 *   runOne(seed);
 *   await progress.tick(`seed ${seed}`);
 * }
 * await progress.done("200 seeds, no violation");
 * ```
 */
export class Progress {
  /** Text shown before the bar. */
  readonly label: string;
  /** Units of work that fill the bar (> 0). */
  readonly total: number;
  #done = 0;
  #every: number;
  #id: string;
  #display = jupyterDisplay();
  #shown = false;
  #quiet: boolean;

  /** A display for `total` units of work labelled `label`. */
  constructor(label: string, total: number, options: ProgressOptions = {}) {
    if (!(total > 0)) throw new RangeError(`Progress: total must be > 0, got ${total}`);
    this.label = label;
    this.total = total;
    this.#every = Math.max(1, Math.floor(total / (options.updates ?? 50)));
    this.#id = `distlab-progress-${nextId++}`;
    this.#quiet = options.quiet ?? false;
  }

  /** Units done so far. */
  get completed(): number {
    return this.#done;
  }

  /** The MIME bundle of the current state. */
  bundle(note = ""): Record<string, string> {
    const frac = Math.min(1, this.#done / this.total);
    const width = 30;
    const full = Math.round(frac * width);
    const bar = "█".repeat(full) + "░".repeat(width - full);
    const text = `${this.label}: ${bar} ${this.#done}/${this.total}${note ? ` · ${note}` : ""}`;
    const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
    const html = `<div style="font-family:monospace">${esc(this.label)}: ` +
      `<progress value="${this.#done}" max="${this.total}" style="width:20em"></progress> ` +
      `${this.#done}/${this.total}${note ? ` · ${esc(note)}` : ""}</div>`;
    return { "text/plain": text, "text/html": html };
  }

  async #show(note: string): Promise<void> {
    if (this.#display) {
      await this.#display(this.bundle(note), {
        raw: true,
        display_id: this.#id,
        update: this.#shown,
      });
      this.#shown = true;
    } else if (!this.#quiet) {
      console.error(this.bundle(note)["text/plain"]);
    }
  }

  /** Record `n` more units of work; shows an update every `total / updates` units. */
  async tick(note = "", n = 1): Promise<void> {
    const before = Math.floor(this.#done / this.#every);
    this.#done += n;
    if (Math.floor(this.#done / this.#every) !== before || !this.#shown) await this.#show(note);
  }

  /** Show the final state (and a closing note). */
  async done(note = "done"): Promise<void> {
    this.#done = Math.max(this.#done, 0);
    await this.#show(note);
  }
}

/**
 * Run `work` for each item with a live progress display; returns the results in order.
 * @example
 * ```ts
 * const rows = await withProgress("seeds", seeds, (seed) => runOne(seed));
 * ```
 */
export async function withProgress<T, R>(
  label: string,
  items: readonly T[],
  work: (item: T, index: number) => R,
  options: ProgressOptions = {},
): Promise<R[]> {
  const p = new Progress(label, Math.max(1, items.length), options);
  const out: R[] = [];
  for (let i = 0; i < items.length; i++) {
    out.push(work(items[i], i));
    await p.tick();
  }
  await p.done(`${items.length} done`);
  return out;
}
