// Which core the live scheduler runs. TEMPORARY stand-in until scheduler/core lands.
import type { CoreFactory } from './core-api.js';
import { StubCore } from './stub-core.js';

export const makeCore: CoreFactory = (config) => new StubCore(config);
