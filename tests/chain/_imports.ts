/** The chain API and ConfigError, as the tests import them. */
export * from "@lab/chain/mod.ts";
export { ConfigError as ConfigErrorForTest } from "@lab/sim/errors.ts";
