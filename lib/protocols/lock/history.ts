/** Build a {@link LockHistory} from a run's protocol events (hold-begin/-end, resource-write). @module */
import type { EmittedEvent } from "../../sim/simulation.ts";
import type { NodeId } from "../../sim/types.ts";
import type { Hold, LockHistory, Write } from "./mutex_check.ts";

/**
 * Holds from `hold-begin` / `hold-end` events (a hold still open ends at the client's crash, if
 * listed in `crashedAtMs`, or at `endMs`), writes from `resource-write` events (true time).
 * @example
 * ```ts
 * const v = checkMutex(lockHistory(sim.events, sim.nowMs));
 * ```
 */
export function lockHistory(
  events: readonly EmittedEvent[],
  endMs: number,
  crashedAtMs: ReadonlyMap<NodeId, number> = new Map(),
): LockHistory {
  const open = new Map<
    string,
    { client: NodeId; hold: number; token: number | null; fromMs: number }
  >();
  const holds: Hold[] = [];
  const writes: Write[] = [];
  for (const e of events) {
    const ev = e.event as Record<string, unknown>;
    if (ev.type === "hold-begin") {
      const client = ev.client as NodeId, hold = ev.hold as number;
      open.set(`${client}#${hold}`, {
        client,
        hold,
        token: (ev.token ?? null) as number | null,
        fromMs: e.t,
      });
    } else if (ev.type === "hold-end") {
      const k = `${ev.client}#${ev.hold}`;
      const h = open.get(k);
      if (h) {
        holds.push({ ...h, toMs: e.t });
        open.delete(k);
      }
    } else if (ev.type === "resource-write") {
      writes.push({
        client: ev.client as NodeId,
        hold: ev.hold as number,
        token: (ev.token ?? null) as number | null,
        timeMs: e.t,
        accepted: ev.accepted as boolean,
      });
    }
  }
  for (const h of open.values()) {
    const crash = crashedAtMs.get(h.client);
    holds.push({ ...h, toMs: crash !== undefined && crash >= h.fromMs ? crash : endMs });
  }
  holds.sort((a, b) => a.fromMs - b.fromMs || (a.client < b.client ? -1 : 1));
  return { holds, writes };
}
