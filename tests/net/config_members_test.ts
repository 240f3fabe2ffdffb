/** Node ids named in protocol configs must be servers of the cluster: refused before anything runs. */
import assert from "node:assert/strict";
import { ConfigError, Simulation } from "@lab/sim/mod.ts";
import { createCluster } from "@lab/net/mod.ts";
import { raftFactory, raftKvServer } from "@lab/protocols/raft/mod.ts";
import { paxosFactory, paxosKvFactory } from "@lab/protocols/paxos/mod.ts";
import { ntpFactory } from "@lab/clocks/ntp.ts";

const names = (field: string, id: string) => (e: unknown) =>
  e instanceof ConfigError && e.message.includes(field) && e.message.includes(`"${id}"`) &&
  e.message.includes("not a server of the cluster");

Deno.test("cluster: Raft servers that are not cluster members are refused at createCluster", () => {
  assert.throws(
    () =>
      createCluster({
        seed: 1,
        nodes: 3,
        factory: raftFactory({ servers: ["n0", "n1", "n5"] }),
      }),
    names("servers[2]", "n5"),
  );
  assert.throws(
    () =>
      createCluster({
        seed: 1,
        nodes: 3,
        factory: raftKvServer({ raft: { servers: ["n0", "x"] } }),
      }),
    names("raft.servers[1]", "x"),
  );
  // a subset of the members is a legal bootstrap configuration
  const ok = createCluster({ seed: 1, nodes: 5, factory: raftFactory({ servers: ["n0", "n1"] }) });
  ok.sim.run({ untilMs: 50 });
});

Deno.test("cluster: Paxos roles naming non-members are refused at createCluster", () => {
  assert.throws(
    () =>
      createCluster({
        seed: 1,
        nodes: 3,
        factory: paxosFactory({ acceptors: ["n0", "n1", "n3"] }),
      }),
    names("acceptors[2]", "n3"),
  );
  assert.throws(
    () =>
      createCluster({
        seed: 1,
        nodes: 3,
        factory: paxosFactory({ proposers: ["n9"], learners: ["n9", "n0"] }),
      }),
    (e: unknown) =>
      names("proposers[0]", "n9")(e) && (e as ConfigError).message.includes("learners[0]"),
  );
  assert.throws(
    () =>
      createCluster({
        seed: 1,
        nodes: 3,
        factory: paxosKvFactory({ paxos: { acceptors: ["a", "n1"] } }),
      }),
    names("paxos.acceptors[0]", "a"),
  );
});

Deno.test("cluster: an NTP server id that is not a member is refused at createCluster", () => {
  assert.throws(
    () => createCluster({ seed: 1, nodes: 3, factory: ntpFactory({ serverId: "n7" }) }),
    names("serverId", "n7"),
  );
  createCluster({ seed: 1, nodes: 3, factory: ntpFactory({ serverId: "n2" }) });
});

Deno.test("sim: a node added by hand is checked at its first boot, with a ConfigError", () => {
  const sim = new Simulation({ seed: 1 });
  sim.addNode("n0", raftFactory({ servers: ["n0", "n1", "zz"] }) as never);
  sim.addNode("n1", raftFactory({ servers: ["n0", "n1", "zz"] }) as never);
  assert.throws(() => sim.run({ untilMs: 10 }), names("servers[2]", "zz"));
  assert.equal(sim.nowMs, 0, "refused at the first boot, before any protocol step");
});

Deno.test("factories: a bad protocol config is refused when the factory is made", () => {
  const field = (f: string) => (e: unknown) => e instanceof ConfigError && e.message.includes(f);
  assert.throws(() => raftFactory({ electionTimeoutMsMin: -5 }), field("electionTimeoutMsMin"));
  assert.throws(
    () => raftFactory({ electionTimeoutMsMin: 300, electionTimeoutMsMax: 150 }),
    field("electionTimeoutMsMax"),
  );
  assert.throws(
    () => raftKvServer({ raft: { heartbeatIntervalMs: 500 } }),
    field("heartbeatIntervalMs"),
  );
  assert.throws(() => raftKvServer({ raft: { nope: 1 } as never }), field("nope"));
  assert.throws(() => paxosFactory({ electionTimeoutMsMax: 0 }), field("electionTimeoutMsMax"));
  assert.throws(() => paxosFactory({ pipeline: 0 }), field("pipeline"));
});
