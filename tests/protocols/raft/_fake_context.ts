/** The recording NodeContext for handler tests lives in lib/sim (learners use it too). */
export { FakeContext } from "../../../lib/sim/fake_context.ts";
