/**
 * FLP's valence argument, computed. Fischer, Lynch and Paterson (JACM 1985) model a protocol as
 * processes with a one-bit input and a write-once output, a message buffer, and steps: one process
 * receives one message from the buffer, changes state and sends finitely many messages. A
 * configuration is *bivalent* when both decision values are still reachable from it, *0-valent* or
 * *1-valent* when only one is. Lemma 2: a protocol that tolerates one crash has a bivalent initial
 * configuration. Lemma 3: from a bivalent configuration C and any event e = (p, m) applicable to
 * C, some configuration reached by applying e last (after steps that do not apply e) is bivalent
 * again. The theorem chains Lemma 3 forever: every message is delivered, nobody decides.
 *
 * This explorer enumerates every configuration of a tiny protocol on three processes and
 * computes each configuration's valence by exhaustive search (a configuration's reachable
 * decisions are the union of its successors'; the step graph is acyclic because every step
 * consumes a message). The protocol is Ben-Or's crash-tolerant round structure (1983) with the
 * coin replaced by "keep your estimate", so it is deterministic, as FLP requires:
 *
 * - round r, phase 1: send (1, r, estimate) to the others; wait for n − f = 2 reports (one's own
 *   and the first to arrive); propose v if both are v (a majority of 3 needs 2), else ⊥;
 * - phase 2: send (2, r, proposal); wait for 2 proposals; decide v if both are v (f + 1 = 2);
 *   adopt v if one is v; with no proposal at all, Ben-Or flips a coin: here the "coin" is the
 *   round's parity (1 in odd rounds, 0 in even), so the protocol stays deterministic.
 *
 * A message its addressee has already moved past would be received without effect; the explorer
 * drops it at once (FLP's model lets it be received any time later, with the same no-op effect).
 *
 * Agreement holds whatever the schedule (two proposals in one round cannot differ, and a decision
 * on v makes every other process adopt v); termination is what FLP takes away. Rounds are capped
 * at `rounds` (a process past the cap halts) so the configuration space is finite: the valence
 * computed is the valence within the cap, and a bivalent path can last at most until it.
 * @module
 */
import { type Claim, claim } from "./claims.ts";

/** A decision value or none. */
type Bit = 0 | 1;
/** A phase-2 proposal: a value or ⊥ (2). */
type Val = 0 | 1 | 2;

interface Proc {
  readonly r: number;
  readonly ph: 1 | 2;
  readonly est: Bit;
  /** Values received in the current (round, phase), by sender (null = none yet). */
  readonly got: readonly (Val | null)[];
  /** Messages for a later (round, phase), kept until the process gets there. */
  readonly early: readonly Msg[];
  readonly dec: Bit | null;
  readonly halted: boolean;
}

/** A message in flight: (from → to, round, phase, value). */
export interface Msg {
  readonly from: number;
  readonly to: number;
  readonly r: number;
  readonly ph: 1 | 2;
  readonly v: Val;
}

/** A configuration: the processes' states and the message buffer. */
export interface Config {
  readonly procs: readonly Proc[];
  /** The buffer, sorted by (round, phase, from, to): a multiset written as a list. */
  readonly buffer: readonly Msg[];
}

/** The protocol of the explorer, or a mutation of it. */
export type ValenceProtocol =
  /** Deterministic Ben-Or (see the module doc). */
  | "ben-or"
  /** Mutation: phase 2 decides 0 whatever it received (violates validity; no bivalence). */
  | "always-zero"
  /** Mutation: wait for all three reports instead of two (not crash tolerant). */
  | "wait-for-all";

/** Options of the explorer. */
export interface ValenceOptions {
  /** Round cap (default 2). */
  readonly rounds?: number;
  /** Which protocol (default "ben-or"). */
  readonly protocol?: ValenceProtocol;
  /** Longest bivalent path to look for, in steps (default 40). */
  readonly maxPathSteps?: number;
}

/** Valence of a configuration: the decisions reachable from it. */
export type Valence = "bivalent" | "0-valent" | "1-valent" | "none";

const N = 3;
const label = (v: Val) => (v === 2 ? "⊥" : String(v));

function msgKey(m: Msg): string {
  return `${m.r}.${m.ph}:${m.from}>${m.to}=${m.v}`;
}

function sortMsgs(ms: Msg[]): Msg[] {
  return ms.sort((a, b) => (msgKey(a) < msgKey(b) ? -1 : msgKey(a) > msgKey(b) ? 1 : 0));
}

function key(c: Config): string {
  return c.procs.map((p) =>
    `${p.r}${p.ph}${p.est}${p.got.map((g) => (g === null ? "-" : g)).join("")}` +
    `${p.dec ?? "-"}${p.halted ? "h" : ""}[${p.early.map(msgKey).join(",")}]`
  ).join("|") + "#" + c.buffer.map(msgKey).join(",");
}

function broadcast(from: number, r: number, ph: 1 | 2, v: Val): Msg[] {
  const out: Msg[] = [];
  for (let to = 0; to < N; to++) if (to !== from) out.push({ from, to, r, ph, v });
  return out;
}

/** Run a process's phase transitions as far as its received messages allow. */
function advance(
  id: number,
  p0: Proc,
  proto: ValenceProtocol,
  rounds: number,
): { p: Proc; sent: Msg[] } {
  let p = p0;
  const sent: Msg[] = [];
  const need = proto === "wait-for-all" ? N : N - 1;
  for (;;) {
    // absorb early messages of the current (round, phase)
    const now = p.early.filter((m) => m.r === p.r && m.ph === p.ph);
    if (now.length) {
      const got = p.got.slice();
      for (const m of now) got[m.from] = m.v;
      p = { ...p, got, early: p.early.filter((m) => !(m.r === p.r && m.ph === p.ph)) };
    }
    const vals = p.got.filter((g): g is Val => g !== null);
    if (p.halted || vals.length < need) return { p, sent };
    const count = (v: Val) => vals.filter((x) => x === v).length;
    if (p.ph === 1) {
      // propose v only if a majority of all n reported v
      const prop: Val = count(0) * 2 > N ? 0 : count(1) * 2 > N ? 1 : 2;
      const got: (Val | null)[] = [null, null, null];
      got[id] = prop;
      sent.push(...broadcast(id, p.r, 2, prop));
      p = { ...p, ph: 2, got };
      continue;
    }
    let est = p.est;
    let dec = p.dec;
    if (proto === "always-zero") {
      dec ??= 0;
      est = 0;
    } else {
      for (const v of [0, 1] as const) {
        if (count(v) >= 2) { // f + 1 proposals of v: decide v (Ben-Or)
          dec ??= v;
          est = v;
        } else if (count(v) >= 1) est = v; // adopt a proposal
      }
      // no proposal at all: Ben-Or flips a coin; FLP's protocols are deterministic, so the "coin"
      // is the round's parity (1 in odd rounds, 0 in even ones)
      if (count(0) === 0 && count(1) === 0) est = (p.r % 2) as Bit;
    }
    if (p.r + 1 > rounds) {
      return { p: { ...p, est, dec, halted: true, got: [null, null, null] }, sent };
    }
    const got: (Val | null)[] = [null, null, null];
    got[id] = est;
    sent.push(...broadcast(id, p.r + 1, 1, est));
    p = { ...p, r: p.r + 1, ph: 1, est, dec, got };
  }
}

/** The initial configuration for inputs (one bit per process). */
export function initialConfig(
  inputs: readonly Bit[],
  protocol: ValenceProtocol = "ben-or",
  rounds = 2,
): Config {
  const procs: Proc[] = [];
  const buffer: Msg[] = [];
  for (let i = 0; i < N; i++) {
    const got: (Val | null)[] = [null, null, null];
    got[i] = inputs[i];
    const a = advance(
      i,
      {
        r: 1,
        ph: 1,
        est: inputs[i],
        got,
        early: [],
        dec: null,
        halted: false,
      },
      protocol,
      rounds,
    );
    procs.push(a.p);
    buffer.push(...broadcast(i, 1, 1, inputs[i]), ...a.sent);
  }
  return { procs, buffer: sortMsgs(buffer) };
}

/** The events applicable to `c`: receipt of each distinct buffered message (by index). */
export function events(c: Config): number[] {
  const seen = new Set<string>();
  const out: number[] = [];
  c.buffer.forEach((m, i) => {
    const k = msgKey(m);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(i);
    }
  });
  return out;
}

/** Apply event `i` (receipt of buffer[i] by its addressee): FLP's e(C). */
export function step(
  c: Config,
  i: number,
  protocol: ValenceProtocol = "ben-or",
  rounds = 2,
): Config {
  const m = c.buffer[i];
  const buffer = c.buffer.filter((_, j) => j !== i);
  const p = c.procs[m.to];
  let q: Proc = p;
  if (!p.halted) {
    if (m.r === p.r && m.ph === p.ph) {
      const got = p.got.slice();
      got[m.from] = m.v;
      q = { ...p, got };
    } else if (m.r > p.r || (m.r === p.r && m.ph > p.ph)) q = { ...p, early: [...p.early, m] };
  }
  const a = advance(m.to, q, protocol, rounds);
  const procs = c.procs.slice();
  const np = a.p;
  procs[m.to] = np;
  // a message the addressee has moved past would be received without effect whenever it is
  // received: drop it now (the valence of every configuration is unchanged, the space shrinks)
  const live = [...buffer, ...a.sent].filter((x) =>
    x.to !== m.to ||
    (!np.halted && (x.r > np.r || (x.r === np.r && x.ph >= np.ph)))
  );
  return { procs, buffer: sortMsgs(live) };
}

/** Exhaustive valence computation with memoization. */
export class ValenceExplorer {
  readonly protocol: ValenceProtocol;
  readonly rounds: number;
  #memo = new Map<string, number>(); // bit 0: 0 reachable, bit 1: 1 reachable

  /** An explorer of `protocol` with `rounds` rounds at most. */
  constructor(options: ValenceOptions = {}) {
    this.protocol = options.protocol ?? "ben-or";
    this.rounds = options.rounds ?? 2;
  }

  /** Configurations whose valence has been computed so far. */
  get explored(): number {
    return this.#memo.size;
  }

  /** The decisions reachable from `c` (as bits: 1 = 0 reachable, 2 = 1 reachable). */
  reach(c: Config): number {
    const k = key(c);
    const m = this.#memo.get(k);
    if (m !== undefined) return m;
    let bits = 0;
    for (const p of c.procs) if (p.dec !== null) bits |= 1 << p.dec;
    if (bits !== 3) {
      for (const i of events(c)) {
        bits |= this.reach(step(c, i, this.protocol, this.rounds));
        if (bits === 3) break;
      }
    }
    this.#memo.set(k, bits);
    return bits;
  }

  /** The valence of `c`. */
  valence(c: Config): Valence {
    const b = this.reach(c);
    return b === 3 ? "bivalent" : b === 1 ? "0-valent" : b === 2 ? "1-valent" : "none";
  }

  /** Apply event `i` to `c`. */
  step(c: Config, i: number): Config {
    return step(c, i, this.protocol, this.rounds);
  }

  /**
   * FLP Lemma 3 at `c` for event `i`: among the configurations reached from `c` by steps that do
   * not receive buffer[i], then receiving it (the set D of the proof), is one bivalent? Returns
   * the number of steps taken before e in the first bivalent one found (−1 if none).
   */
  lemma3(c: Config, i: number): number {
    const e = msgKey(c.buffer[i]);
    const seen = new Set<string>();
    let frontier: Config[] = [c];
    for (let depth = 0; frontier.length; depth++) {
      const next: Config[] = [];
      for (const x of frontier) {
        const j = x.buffer.findIndex((m) => msgKey(m) === e);
        if (j < 0) continue;
        if (this.valence(this.step(x, j)) === "bivalent") return depth;
        for (const k of events(x)) {
          if (k === j) continue;
          const y = this.step(x, k);
          const ky = key(y);
          if (!seen.has(ky)) {
            seen.add(ky);
            next.push(y);
          }
        }
      }
      frontier = next;
    }
    return -1;
  }
}

/** One initial configuration and its valence. */
export interface InitialRow {
  readonly inputs: string;
  readonly valence: Valence;
}

/** One step of the bivalent path. */
export interface PathStep {
  readonly step: number;
  /** The event: "p1 receives (phase, round, value) from p0". */
  readonly event: string;
  /** Each process's (round, phase) after the step. */
  readonly progress: string;
  readonly valence: Valence;
  /** Lemma 3 at the configuration before the step, for the oldest buffered message. */
  readonly lemma3: boolean;
  /** Lowest round of a process before the step (Lemma 3 is claimed below the round cap only). */
  readonly round: number;
}

/** What the explorer found. */
export interface ValenceResult {
  readonly protocol: ValenceProtocol;
  readonly rounds: number;
  readonly initial: readonly InitialRow[];
  /** The first bivalent initial configuration's inputs (FLP Lemma 2), if any. */
  readonly bivalentInitial: string | undefined;
  /** A path from it along which every configuration is bivalent. */
  readonly path: readonly PathStep[];
  /** Highest round some process reached along the path. */
  readonly pathRounds: number;
  /** Configurations whose valence was computed. */
  readonly explored: number;
}

/**
 * Enumerate the initial configurations, find a bivalent one (Lemma 2), and follow a path of
 * bivalent configurations from it: at each step, take the oldest buffered message e (lowest
 * round and phase, so every message is eventually delivered); if receiving it now keeps the
 * configuration bivalent, do so; otherwise first take the steps Lemma 3 finds (configurations
 * that do not receive e) and then e.
 */
export function exploreValence(options: ValenceOptions = {}): ValenceResult {
  const x = new ValenceExplorer(options);
  const maxSteps = options.maxPathSteps ?? 40;
  const initial: InitialRow[] = [];
  let start: Config | undefined;
  let bivalentInitial: string | undefined;
  for (let k = 0; k < 2 ** N; k++) {
    const inputs = [0, 1, 2].map((i) => ((k >> (N - 1 - i)) & 1) as Bit);
    const c = initialConfig(inputs, x.protocol, x.rounds);
    const v = x.valence(c);
    initial.push({ inputs: inputs.join(""), valence: v });
    if (v === "bivalent" && !start) {
      start = c;
      bivalentInitial = inputs.join("");
    }
  }
  const path: PathStep[] = [];
  let c = start;
  while (c && path.length < maxSteps && c.buffer.length) {
    // the oldest message: the buffer is sorted by (round, phase, from, to)
    const e = 0;
    const ok = x.lemma3(c, e) >= 0;
    let nextI = -1;
    if (x.valence(x.step(c, e)) === "bivalent") nextI = e;
    else {
      // a bivalent successor that does not receive e yet (Lemma 3 says one leads to e)
      nextI = events(c).find((i) => i !== e && x.valence(x.step(c!, i)) === "bivalent") ?? -1;
    }
    if (nextI < 0) break;
    const m = c.buffer[nextI];
    const round = Math.min(...c.procs.map((p) => p.r));
    c = x.step(c, nextI);
    path.push({
      step: path.length + 1,
      event: `p${m.to} receives (phase ${m.ph}, round ${m.r}, ${label(m.v)}) from p${m.from}`,
      progress: c.procs.map((p) => (p.halted ? "halted" : `r${p.r}.${p.ph}`)).join(" "),
      valence: x.valence(c),
      lemma3: ok,
      round,
    });
  }
  const pathRounds = path.length && c ? Math.max(...c.procs.map((p) => p.r)) : 0;
  return {
    protocol: x.protocol,
    rounds: x.rounds,
    initial,
    bivalentInitial,
    path,
    pathRounds,
    explored: x.explored,
  };
}

/** What FLP's lemmas predict for the explored protocol, checked. */
export function checkValence(r: ValenceResult): Claim[] {
  const v = (inputs: string) => r.initial.find((x) => x.inputs === inputs)?.valence;
  const biv = r.initial.filter((x) => x.valence === "bivalent").map((x) => x.inputs);
  // every round below the cap has 2 phases of N − 1 receipts that matter; at least one step
  const minPath = Math.max(1, 2 * (r.rounds - 1) * (N - 1));
  return [
    claim(
      "validity: unanimous inputs 000 and 111 are 0-valent and 1-valent",
      v("000") === "0-valent" && v("111") === "1-valent",
      `000: ${v("000")}, 111: ${v("111")}`,
    ),
    claim(
      "FLP Lemma 2: some initial configuration is bivalent",
      biv.length > 0,
      biv.length
        ? `bivalent initial inputs: ${biv.join(", ")}`
        : "every initial configuration is univalent",
    ),
    claim(
      "FLP Lemma 3 at the bivalent initial configuration: for the oldest message e, some " +
        "configuration reached by other steps and then e is bivalent",
      r.path.length > 0 && r.path[0].lemma3,
      r.path.length
        ? `holds at the start; along the path ${r.path.filter((s) => s.lemma3).length} of ` +
          `${r.path.length} (the round cap truncates the futures Lemma 3 needs)`
        : "no bivalent configuration to start from",
    ),
    claim(
      `a schedule keeps it bivalent through ${r.rounds - 1} of the ${r.rounds} rounds ` +
        `(at least ${minPath} steps, every message delivered oldest first)`,
      r.path.length >= minPath && r.path.every((s) => s.valence === "bivalent"),
      `${r.path.length} steps, all bivalent, reaching round ${r.pathRounds}; ` +
        `${r.explored} configurations explored`,
    ),
  ];
}
