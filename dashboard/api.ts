// Talking to the scheduler from the page: the viewer token (handed over in the URL fragment,
// kept in sessionStorage), JSON reads, and the event stream read with fetch so it can carry
// the Authorization and Last-Event-ID headers (EventSource can send neither).
import type { ClusterReply, NodeList } from '../contract/schemas.js';
import type { DashboardStats } from '../contract/stats.js';

const KEY = 'gsched-token';

/** Takes a token from `#token=…` (then removes it from the address bar) or from this tab's storage. */
export function takeToken(): string | null {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (m?.[1]) {
    sessionStorage.setItem(KEY, decodeURIComponent(m[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem(KEY);
}

export class Api {
  constructor(private readonly token: string) {}

  private async get<T>(path: string): Promise<T> {
    const res = await fetch(path, { headers: { authorization: `Bearer ${this.token}`, accept: 'application/json' } });
    if (!res.ok) {
      let detail = `HTTP ${res.status}`;
      try {
        detail = ((await res.json()) as { detail?: string }).detail ?? detail;
      } catch {
        // not problem+json
      }
      throw new Error(`${path}: ${detail}`);
    }
    return (await res.json()) as T;
  }

  cluster(): Promise<ClusterReply> {
    return this.get('/api/v1/cluster');
  }
  nodes(): Promise<NodeList> {
    return this.get('/api/v1/nodes');
  }
  stats(): Promise<DashboardStats> {
    return this.get('/api/v1/stats');
  }

  /**
   * Follows /api/v1/events until `stop` is aborted, reconnecting after a drop with the last
   * id seen. `onEvent` gets each event's name and parsed data; `onState` the connection state.
   */
  async follow(onEvent: (kind: string, data: unknown) => void, onState: (live: boolean) => void, stop: AbortSignal): Promise<void> {
    let lastId = '';
    while (!stop.aborted) {
      try {
        const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'text/event-stream' };
        if (lastId !== '') headers['last-event-id'] = lastId;
        const res = await fetch('/api/v1/events', { headers, signal: stop });
        if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
        onState(true);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let cut: number;
          while ((cut = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, cut);
            buf = buf.slice(cut + 2);
            let kind = '';
            let data = '';
            for (const line of block.split('\n')) {
              if (line.startsWith('id: ')) lastId = line.slice(4);
              else if (line.startsWith('event: ')) kind = line.slice(7);
              else if (line.startsWith('data: ')) data += line.slice(6);
            }
            if (kind !== '') onEvent(kind, data === '' ? null : (JSON.parse(data) as unknown));
          }
        }
      } catch {
        // dropped or refused: say so, wait, and resume from the last id
      }
      onState(false);
      if (!stop.aborted) await new Promise((r) => setTimeout(r, 2000));
    }
  }
}
