/**
 * A disk cache for experiment results, so a notebook's Run All after a kernel restart takes
 * seconds instead of re-simulating everything (interrupting a cell that awaits hangs Deno's kernel,
 * upstream denoland/deno#24491, and a restart is then the only way out).
 *
 * A result is stored under `out/cache/` keyed by the library version (a SHA-256 of every file in
 * `lib/`, `deno.json`, `deno.lock` and the Deno version), the experiment's name, its inputs
 * (parameters, seed, anything else it reads) and the source text of the function that computes it.
 * Runs are pure functions of (code, seed, parameters), so a hit returns exactly what a fresh run
 * would. Values must be plain data (objects, arrays, strings, numbers including NaN, ±Infinity and
 * -0, booleans, null, undefined); anything else (Map, class instances, functions…) is refused with
 * the path to it, so a hit can never differ from a fresh run by a lost prototype.
 *
 * Set `DISTLAB_CACHE=off` to bypass it (nothing is read or written); `DISTLAB_CACHE_DIR` moves it.
 * This is the one module of `lib/` that does file I/O.
 * @module
 */

/** The environment variable that turns the cache off when set to `off`, `0` or `false`. */
export const CACHE_ENV = "DISTLAB_CACHE";
/** The environment variable naming another cache folder (default `<repo>/out/cache`). */
export const CACHE_DIR_ENV = "DISTLAB_CACHE_DIR";

const LIB_DIR = new URL("../", import.meta.url);
const REPO_DIR = new URL("../../", import.meta.url);
const SENTINEL = "$distlab";

/** Options of {@link cached} (mostly for tests). */
export interface CacheOptions {
  /** Cache folder (default `$DISTLAB_CACHE_DIR`, else `<repo>/out/cache`). */
  readonly dir?: string;
  /** Library version to key by (default {@link libraryVersion}). */
  readonly version?: string;
  /** Bypass the cache (default: `$DISTLAB_CACHE` is `off`, `0` or `false`). */
  readonly disabled?: boolean;
}

/** What the last {@link cached} call did, for a notebook to show. */
export interface CacheOutcome {
  /** `hit` (read from disk), `miss` (computed and stored) or `off` (computed, cache disabled). */
  readonly status: "hit" | "miss" | "off";
  /** The entry's file (undefined when off). */
  readonly file?: string;
}

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no --allow-env: behave as if unset
  }
}

/** Whether `DISTLAB_CACHE` turns the cache off. */
export function cacheDisabledByEnv(): boolean {
  const v = env(CACHE_ENV)?.trim().toLowerCase();
  return v === "off" || v === "0" || v === "false" || v === "no";
}

/** The cache folder: `$DISTLAB_CACHE_DIR`, else `<repo>/out/cache`. */
export function cacheDir(): string {
  return env(CACHE_DIR_ENV) ?? decodeURIComponent(new URL("out/cache", REPO_DIR).pathname);
}

async function sha256(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function listFiles(dir: URL, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const rel = prefix + e.name;
    if (e.isDirectory) out.push(...await listFiles(new URL(`${e.name}/`, dir), `${rel}/`));
    else if (e.isFile) out.push(rel);
  }
  return out;
}

let versionMemo: Promise<string> | undefined;

/**
 * The library version results are keyed by: a SHA-256 over every file under `lib/` (path and
 * contents, in sorted order), `deno.json`, `deno.lock` (npm versions) and the Deno version.
 * Computed once per process (edits to `lib/` need a kernel restart to be seen anyway).
 */
export function libraryVersion(): Promise<string> {
  return versionMemo ??= (async () => {
    const files = (await listFiles(LIB_DIR)).sort();
    const parts: string[] = [`deno ${Deno.version.deno}`];
    for (const f of files) {
      parts.push(`lib/${f}`, await sha256(await Deno.readFile(new URL(f, LIB_DIR))));
    }
    for (const f of ["deno.json", "deno.lock"]) {
      try {
        parts.push(f, await sha256(await Deno.readFile(new URL(f, REPO_DIR))));
      } catch {
        parts.push(f, "absent");
      }
    }
    return (await sha256(parts.join("\n"))).slice(0, 16);
  })();
}

/**
 * Encode plain data as JSON-safe data, exactly reversible by {@link decodeValue}: NaN, ±Infinity,
 * -0 and undefined become `{"$distlab": …}` markers. Throws a TypeError naming the path of
 * anything that is not plain data (so a cached value can never differ from a fresh one).
 */
export function encodeValue(value: unknown, path = "value"): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (Number.isNaN(value)) return { [SENTINEL]: "NaN" };
      if (value === Infinity) return { [SENTINEL]: "Infinity" };
      if (value === -Infinity) return { [SENTINEL]: "-Infinity" };
      if (Object.is(value, -0)) return { [SENTINEL]: "-0" };
      return value;
    case "undefined":
      return { [SENTINEL]: "undefined" };
    case "object": {
      if (value === null) return null;
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) break;
        const out = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) {
          if (!(i in value)) {
            throw new TypeError(`cache: ${path}[${i}] is a hole in a sparse array`);
          }
          out[i] = encodeValue(value[i], `${path}[${i}]`);
        }
        return out;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) break;
      if (Object.getOwnPropertySymbols(value).length > 0) {
        throw new TypeError(`cache: ${path} has symbol keys; cache plain data only`);
      }
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        if (k === SENTINEL) throw new TypeError(`cache: ${path} uses the reserved key ${SENTINEL}`);
        out[k] = encodeValue(v, `${path}.${k}`);
      }
      return out;
    }
  }
  const kind = typeof value === "object" && value !== null
    ? (value.constructor?.name ?? "object")
    : typeof value;
  throw new TypeError(
    `cache: ${path} is a ${kind}; cache plain data only (objects, arrays, strings, numbers, ` +
      `booleans, null, undefined)`,
  );
}

/** The inverse of {@link encodeValue}. */
export function decodeValue(data: unknown): unknown {
  if (Array.isArray(data)) return data.map(decodeValue);
  if (data === null || typeof data !== "object") return data;
  const rec = data as Record<string, unknown>;
  if (SENTINEL in rec) {
    switch (rec[SENTINEL]) {
      case "NaN":
        return NaN;
      case "Infinity":
        return Infinity;
      case "-Infinity":
        return -Infinity;
      case "-0":
        return -0;
      case "undefined":
        return undefined;
    }
    throw new TypeError(`cache: unknown marker ${JSON.stringify(rec[SENTINEL])}`);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rec)) out[k] = decodeValue(v);
  return out;
}

/** JSON with object keys sorted at every level, so equal inputs give equal keys. */
function canonicalJson(data: unknown): string {
  if (Array.isArray(data)) return `[${data.map(canonicalJson).join(",")}]`;
  if (data !== null && typeof data === "object") {
    const rec = data as Record<string, unknown>;
    return `{${
      Object.keys(rec).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(rec[k])}`).join(",")
    }}`;
  }
  return JSON.stringify(data);
}

/** The file a result is stored in: `<dir>/<name>/<hash of version, name, inputs, compute>.json`. */
export async function cacheFile(
  name: string,
  inputs: unknown,
  compute: (...args: never[]) => unknown,
  options: CacheOptions = {},
): Promise<string> {
  const version = options.version ?? await libraryVersion();
  const key = canonicalJson({
    version,
    name,
    inputs: encodeValue(inputs, "inputs"),
    compute: compute.toString(),
  });
  const safeName = name.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 80) || "experiment";
  return `${options.dir ?? cacheDir()}/${safeName}/${(await sha256(key)).slice(0, 32)}.json`;
}

let lastOutcome: CacheOutcome = { status: "off" };
let tmpCounter = 0;

/** What the most recent {@link cached} call in this process did. */
export function lastCacheOutcome(): CacheOutcome {
  return lastOutcome;
}

/**
 * Return `compute()`'s result, from disk when an earlier run with the same library version, name,
 * inputs and `compute` source stored it; otherwise compute, store and return it. `inputs` must hold
 * everything the computation depends on besides the library (parameters, seed, options).
 * @example
 * ```ts
 * const rows = await cached("06-detectors", { params }, () => compareDetectors(params));
 * ```
 */
export async function cached<T>(
  name: string,
  inputs: unknown,
  compute: () => T | Promise<T>,
  options: CacheOptions = {},
): Promise<T> {
  if (options.disabled ?? cacheDisabledByEnv()) {
    lastOutcome = { status: "off" };
    return await compute();
  }
  const file = await cacheFile(name, inputs, compute, options);
  let text: string | undefined;
  try {
    text = await Deno.readTextFile(file);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  if (text !== undefined) {
    try {
      const stored = JSON.parse(text) as { name: string; value: unknown };
      if (stored.name === name) {
        lastOutcome = { status: "hit", file };
        return decodeValue(stored.value) as T;
      }
    } catch {
      // a torn or foreign file: recompute and overwrite it
    }
  }
  const value = await compute();
  const body = JSON.stringify({ name, value: encodeValue(value) });
  const dir = file.slice(0, file.lastIndexOf("/"));
  await Deno.mkdir(dir, { recursive: true });
  // Write then rename, so a notebook running in parallel never reads half a file.
  const tmp = `${file}.${Deno.pid}.${tmpCounter++}.tmp`;
  await Deno.writeTextFile(tmp, body);
  await Deno.rename(tmp, file);
  lastOutcome = { status: "miss", file };
  return value;
}

/** Delete every cached result (the whole cache folder). */
export async function clearCache(options: Pick<CacheOptions, "dir"> = {}): Promise<void> {
  await Deno.remove(options.dir ?? cacheDir(), { recursive: true }).catch((err) => {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  });
}
