// Seeded randomness for the simulator (never Math.random): a run is a function of its seed.
// The generator is common/'s one Rng, seeded as the engine always was (splitmix32), so recorded
// runs stay exact.
import { Rng } from '../../common/index.js';

export type { Rng };

/** A generator for `seed` and an optional `stream` (e.g. a node index): independent sequences. */
export function createRng(seed: number, stream = 0): Rng {
  return Rng.splitmix(seed, stream);
}
