// The scheduler's events: a bus anything in the process publishes to, and the driver
// observer that keeps live job counts and publishes job, node and consent events.
export { EventBus, type BusEvent, type EventBusOptions } from './bus.js';
export { LiveState, type JobCountKey } from './live-state.js';
export { redactFor, type EventAudience } from './redact.js';
