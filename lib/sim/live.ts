/**
 * Live read-only fields (getters) on per-run objects, made with shared getter functions.
 *
 * Why not an object literal's `get x() { … }`: V8 keeps an object's accessor functions in its
 * hidden class (its map), and maps live in the old generation. A getter literal makes new
 * functions, so each such object gets a map of its own that holds its closures, and through
 * their scope the whole simulation they read. The young-generation collector treats what old
 * objects point at as live, so every finished run's simulation then survived each scavenge and
 * was promoted, until a full collection found it dead: in the PBFT sweep about 7 % of all bytes
 * allocated were promoted that way (see the README's sweep paragraph). Here the getters are the
 * same functions for every object, and what each object reads sits in a non-enumerable own data
 * property, which the map does not hold.
 * @module
 */

const READ: unique symbol = Symbol("distlab.live");

type Readers = Record<string, () => unknown>;

// one getter function per field name, shared by every object
const getters = new Map<string, (this: { [READ]: Readers }) => unknown>();

function getterFor(name: string): (this: { [READ]: Readers }) => unknown {
  let g = getters.get(name);
  if (g === undefined) {
    g = function (this: { [READ]: Readers }) {
      return this[READ][name]();
    };
    getters.set(name, g);
  }
  return g;
}

/**
 * Give `target` an own enumerable getter `name` for each entry of `read`, returning `read[name]()`
 * (as `get name() { return … }` in a literal would, without a map per object); returns `target`.
 * The getters also work through an object made with `Object.create(target)`, and a spread of
 * `target` copies their values, as it does for a literal's getters.
 * @example
 * ```ts
 * const slot = { up: true };
 * const view = defineLive({ id: "n0" }, { up: () => slot.up });
 * slot.up = false;
 * view.up; // false
 * ```
 */
export function defineLive<T extends object, R extends Readers>(
  target: T,
  read: R,
): T & { readonly [K in keyof R]: ReturnType<R[K]> } {
  Object.defineProperty(target, READ, { value: read });
  for (const name of Object.keys(read)) {
    Object.defineProperty(target, name, {
      get: getterFor(name),
      enumerable: true,
      configurable: true,
    });
  }
  return target as T & { readonly [K in keyof R]: ReturnType<R[K]> };
}
