// The simulator's discrete-event engine: virtual time, simulated agents, the same core. Its own
// package (below sim/ and the scheduler's API) because the live scheduler forks it for forecasts.
export { SimEngine, fanOut, type SchedulingCore, type Submission, type SimObserver, type EngineOptions, type FailureModel, type SimOutcome, type Progress, type EndedJob, type JobLabel, type StopReason, type ResumedTask, type ResumedJob } from './engine.js';
export { EventHeap, type Timed } from './heap.js';
export { createRng, type Rng } from './prng.js';
export { SimError, SimOptionError, SimInvariantError } from './errors.js';
export { flatJob } from './testing.js';
export { forecast, type Forecast, type ForecastOptions, type JobForecast } from './forecast.js';
