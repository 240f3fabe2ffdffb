/**
 * Setup / doctor for the notebook runner: a Python with Jupyter, the Deno kernelspec, and
 * npm packages cached before kernels start.
 *
 * @module
 */

import { join } from "node:path";

/** What the runner needs to execute notebooks. */
export interface JupyterEnv {
  /** A Python interpreter that can import nbclient, nbconvert, nbformat and ipykernel. */
  python: string;
  nbclientVersion: string;
  /** The user's Jupyter data dir (kernelspecs live in `<dataDir>/kernels`). */
  dataDir: string;
}

/** The exact install command printed when Jupyter is missing. */
export const APT_PACKAGES = ["jupyter-nbconvert", "python3-nbclient", "python3-ipykernel"];

// find_spec checks that a module is installed without paying for its import (~0.3 s).
const PROBE = [
  "import importlib.util as u, sys",
  "missing = [m for m in ('nbclient', 'nbconvert', 'nbformat', 'ipykernel', 'jupyter_client')" +
  " if u.find_spec(m) is None]",
  "sys.exit(1) if missing else None",
  "from importlib.metadata import version",
  "from jupyter_core.paths import jupyter_data_dir",
  "print(version('nbclient'))",
  "print(jupyter_data_dir())",
].join("; ");

/** Message for a machine without a usable Jupyter; says exactly what to install. */
export function missingJupyterMessage(tried: readonly string[]): string {
  return [
    `Jupyter (nbclient, nbconvert, ipykernel) is not importable by any Python tried ` +
    `(${tried.join(", ")}).`,
    "The notebook runner executes notebooks with nbclient. Install it with:",
    `  sudo apt-get install -y ${APT_PACKAGES.join(" ")}`,
    "(Debian/Ubuntu; it installs them for /usr/bin/python3), or for another interpreter:",
    "  python3 -m pip install nbclient nbconvert ipykernel",
    "Set DISTLAB_PYTHON=/path/to/python to choose the interpreter.",
  ].join("\n");
}

async function probePython(python: string): Promise<JupyterEnv | null> {
  try {
    const out = await new Deno.Command(python, {
      args: ["-c", PROBE],
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!out.success) return null;
    const [version, dataDir] = new TextDecoder().decode(out.stdout).trim().split("\n");
    if (!version || !dataDir) return null;
    return { python, nbclientVersion: version.trim(), dataDir: dataDir.trim() };
  } catch {
    return null; // not found / not executable
  }
}

/** Interpreters tried in order: $DISTLAB_PYTHON alone if set, else /usr/bin/python3, python3. */
export function pythonCandidates(): string[] {
  const chosen = Deno.env.get("DISTLAB_PYTHON");
  return chosen ? [chosen] : ["/usr/bin/python3", "python3"];
}

/** Finds a Python that has Jupyter's execution stack. */
export async function findJupyter(candidates = pythonCandidates()): Promise<JupyterEnv | null> {
  for (const python of candidates) {
    const env = await probePython(python);
    if (env) return env;
  }
  return null;
}

async function onPath(cmd: string): Promise<boolean> {
  try {
    const out = await new Deno.Command("sh", {
      args: ["-c", `command -v ${cmd}`],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

async function runLoud(cmd: string, args: string[], log: (s: string) => void): Promise<void> {
  log(`$ ${cmd} ${args.join(" ")}`);
  const out = await new Deno.Command(cmd, {
    args,
    stdout: "inherit",
    stderr: "inherit",
    env: { DEBIAN_FRONTEND: "noninteractive" },
  }).output();
  if (!out.success) throw new Error(`${cmd} ${args.join(" ")} failed (exit ${out.code})`);
}

/**
 * Returns a Python with Jupyter. If none is found and we are root with apt-get (and
 * DISTLAB_NO_INSTALL is unset), installs Debian's packages first; otherwise throws with
 * {@link missingJupyterMessage}.
 */
export async function ensureJupyter(log: (s: string) => void): Promise<JupyterEnv> {
  const candidates = pythonCandidates();
  const found = await findJupyter(candidates);
  if (found) return found;
  const mayInstall = !Deno.env.get("DISTLAB_NO_INSTALL") && Deno.uid() === 0 &&
    await onPath("apt-get");
  if (!mayInstall) throw new Error(missingJupyterMessage(candidates));
  log("Jupyter not found; installing Debian's packages (we are root and apt-get exists):");
  await runLoud("apt-get", ["update"], log);
  await runLoud("apt-get", ["install", "-y", ...APT_PACKAGES], log);
  const after = await findJupyter(candidates);
  if (!after) throw new Error(missingJupyterMessage(candidates));
  return after;
}

/**
 * The Deno kernelspec: what `deno jupyter --install` writes (same argv) plus
 * `interrupt_mode: "message"` (an interrupt stops the cell instead of killing the kernel,
 * denoland/deno#24491) and `NO_COLOR` (no ANSI codes in `text/plain` results).
 */
export function denoKernelSpec(denoPath: string, extraEnv: Record<string, string> = {}) {
  return {
    argv: [denoPath, "jupyter", "--kernel", "--conn", "{connection_file}"],
    display_name: "Deno",
    language: "typescript",
    interrupt_mode: "message",
    env: { ...extraEnv, NO_COLOR: "1" },
  };
}

const LOGOS = ["logo-32x32.png", "logo-64x64.png", "logo-svg.svg"];

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Copies the kernel logos from a throw-away `deno jupyter --install` (cosmetic). */
async function installLogos(kernelDir: string, denoPath: string): Promise<void> {
  if (await exists(join(kernelDir, LOGOS[1]))) return;
  const home = await Deno.makeTempDir({ prefix: "distlab-kernelspec-" });
  try {
    const out = await new Deno.Command(denoPath, {
      args: ["jupyter", "--install"],
      env: { HOME: home, XDG_DATA_HOME: join(home, ".local", "share"), NO_COLOR: "1" },
      stdout: "null",
      stderr: "null",
    }).output();
    if (!out.success) return;
    for (const logo of LOGOS) {
      const src = join(home, ".local", "share", "jupyter", "kernels", "deno", logo);
      if (await exists(src)) await Deno.copyFile(src, join(kernelDir, logo));
    }
  } finally {
    await Deno.remove(home, { recursive: true }).catch(() => {});
  }
}

/**
 * Writes `<dataDir>/kernels/deno/kernel.json` pointing at `denoPath` (default: the running
 * deno). Keeps extra `env` entries of an existing spec. Returns the file and whether it
 * changed.
 */
export async function installKernelSpec(
  dataDir: string,
  denoPath = Deno.execPath(),
): Promise<{ path: string; changed: boolean }> {
  const dir = join(dataDir, "kernels", "deno");
  const path = join(dir, "kernel.json");
  await Deno.mkdir(dir, { recursive: true });
  let before = "";
  let extraEnv: Record<string, string> = {};
  try {
    before = await Deno.readTextFile(path);
    const env = (JSON.parse(before) as { env?: Record<string, string> }).env;
    if (env && typeof env === "object") extraEnv = env;
  } catch {
    // absent or unreadable: rewrite it
  }
  const text = JSON.stringify(denoKernelSpec(denoPath, extraEnv), null, 2) + "\n";
  const changed = text !== before;
  if (changed) {
    // Write-then-rename so a kernel starting in parallel never reads half a file.
    const tmp = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
    await Deno.writeTextFile(tmp, text);
    await Deno.rename(tmp, path);
  }
  await installLogos(dir, denoPath).catch(() => {});
  return { path, changed };
}

/** `deno install` in the repo so kernels never download npm packages mid-run. */
export async function cacheDependencies(repoRoot: string, denoPath = Deno.execPath()) {
  const out = await new Deno.Command(denoPath, {
    args: ["install", "--quiet"],
    cwd: repoRoot,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim();
    throw new Error(`deno install failed in ${repoRoot}:\n${err}`);
  }
}

/** Runs every setup step; logs what it did. */
export async function setup(
  repoRoot: string,
  log: (s: string) => void,
  opts: { verbose?: boolean } = {},
): Promise<JupyterEnv> {
  const [env] = await Promise.all([ensureJupyter(log), cacheDependencies(repoRoot)]);
  const spec = await installKernelSpec(env.dataDir);
  if (opts.verbose || spec.changed) {
    log(`python:     ${env.python} (nbclient ${env.nbclientVersion})`);
    log(`kernelspec: ${spec.path}${spec.changed ? " (written)" : " (up to date)"}`);
    log(`deno:       ${Deno.execPath()}`);
  }
  return env;
}
