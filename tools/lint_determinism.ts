/**
 * A `deno lint` plugin with one rule, `distlab/no-nondeterminism`: inside lib/, no wall clocks,
 * no ambient randomness and no real timers (Math.random, Date, performance.now, setTimeout,
 * setInterval, crypto.getRandomValues / randomUUID). A run must be a pure function of
 * (code, seed, parameters); randomness comes from a node's `ctx.rng`, time from the simulator.
 */
const banned: Record<string, string[]> = {
  Math: ["random"],
  Date: ["now"],
  performance: ["now"],
  crypto: ["getRandomValues", "randomUUID"],
};
const bannedCalls = new Set(["setTimeout", "setInterval", "queueMicrotask"]);

const plugin: Deno.lint.Plugin = {
  name: "distlab",
  rules: {
    "no-nondeterminism": {
      create(context) {
        const inLib = /\/lib\//.test(context.filename);
        if (!inLib) return {};
        const report = (node: Deno.lint.Node, what: string) =>
          context.report({
            node,
            message: `${what} makes runs irreproducible`,
            hint: "use ctx.rng / ctx.nowMs() / ctx.setTimer (or the simulator's clock) instead",
          });
        return {
          MemberExpression(node) {
            if (node.object.type !== "Identifier" || node.property.type !== "Identifier") return;
            const props = Object.hasOwn(banned, node.object.name)
              ? banned[node.object.name]
              : undefined;
            if (props?.includes(node.property.name)) {
              report(node, `${node.object.name}.${node.property.name}`);
            }
          },
          NewExpression(node) {
            if (node.callee.type === "Identifier" && node.callee.name === "Date") {
              report(node, "new Date()");
            }
          },
          CallExpression(node) {
            if (node.callee.type === "Identifier" && bannedCalls.has(node.callee.name)) {
              report(node, `${node.callee.name}()`);
            }
          },
        };
      },
    },
  },
};
export default plugin;
