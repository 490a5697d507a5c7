// What a subscriber may see of an event: roles that do not see pseudonyms (viewer) get job
// events without them and consent events with the pseudonym blanked.
import type { EventData, EventKind } from '../../contract/index.js';
import type { BusEvent } from './bus.js';

export interface EventAudience {
  seesPseudonyms: boolean;
}

export function redactFor<K extends EventKind>(e: BusEvent<K>, who: EventAudience): EventData[K] {
  if (who.seesPseudonyms) return e.data;
  if (e.kind === 'job') {
    const { pseudonyms: _hidden, ...rest } = e.data as EventData['job'];
    return rest as EventData[K];
  }
  if (e.kind === 'consent') return { ...(e.data as EventData['consent']), pseudonym: null } as EventData[K];
  return e.data;
}
