/**
 * distlab's public surface. Notebooks import an area's mod.ts (`@lab/net/mod.ts`, ...) or this
 * file; areas whose names would collide are re-exported as namespaces.
 * @module
 */
export * from "./sim/mod.ts";
export * from "./net/mod.ts";
export * from "./workload/mod.ts";
export * as clocks from "./clocks/mod.ts";
export * as checkers from "./checkers/mod.ts";
export * as viz from "./viz/mod.ts";
export * as claims from "./experiments/claims.ts";
export * as heartbeat from "./protocols/heartbeat/mod.ts";
export * as gossip from "./protocols/gossip/mod.ts";
export * as raft from "./protocols/raft/mod.ts";
export * as kv from "./protocols/kv/mod.ts";
export * as paxos from "./protocols/paxos/mod.ts";
export * as generals from "./protocols/generals/mod.ts";
export * as bft from "./protocols/bft/mod.ts";
export * as pbft from "./protocols/pbft/mod.ts";
export * as tendermint from "./protocols/tendermint/mod.ts";
export * as chain from "./chain/mod.ts";
export * as nakamoto from "./protocols/nakamoto/mod.ts";
export * as mining from "./protocols/mining/mod.ts";
export * as grandpa from "./protocols/grandpa/mod.ts";
export * as hotstuff from "./protocols/hotstuff/mod.ts";
export * as crdt from "./protocols/crdt/mod.ts";
export * as causal from "./protocols/causal/mod.ts";
export * as election from "./protocols/election/mod.ts";
export * as commit from "./protocols/commit/mod.ts";
export * as dynamo from "./protocols/dynamo/mod.ts";
export * as cops from "./protocols/cops/mod.ts";
export * as lock from "./protocols/lock/mod.ts";
