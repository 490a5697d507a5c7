// The scheduler's side of the agent protocol: authenticates and registers agent streams,
// routes decisions to the agent hosting each node (batched per agent per pass), acknowledges
// completions once journalled, and declares nodes silent past the heartbeat timeout.
import { timingSafeEqual } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import {
  FEATURE_COMPLETIONS_ACK,
  JOIN_TOKEN_METADATA,
  loadAgentProtocol,
  type Ack,
  type AgentMessage,
  type Assignment,
  type Completion,
  type Hello,
  type SchedulerMessage,
  type SchedulerSideStream,
  type TaskRef,
} from '../../proto/index.js';
import { GSCHED_VERSION, systemClock, type Clock, type Timer } from '../../common/index.js';
import type { ClusterConfig } from '../core/index.js';
import type { Dispatcher, LiveDriver } from '../driver/index.js';
import { AgentRefused } from './errors.js';

export interface HubOptions {
  joinToken: string;
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  /** After a restart, how long agents have to come back before their nodes are declared down. */
  startupGraceMs: number;
  timeScale: number;
  log: Logger;
  onHeartbeat?(agent: string): void;
  /** Clock and timers for heartbeat bookkeeping (default: the process's own); tests pass a FakeClock. */
  clock?: Clock;
}

interface Session {
  name: string;
  container: string;
  nodes: string[];
  /** The same nodes as a set, made once: each completions message checks its reports against it. */
  nodeSet: ReadonlySet<string>;
  call: SchedulerSideStream;
  /** `welcoming` until the hello is reconciled: decisions queue but are not written yet. */
  state: 'welcoming' | 'open' | 'closed';
  lastHeardAt: number;
  /** Attempts the agent said it runs in its last heartbeat. */
  running: number;
  assign: Assignment[];
  cancel: Map<string, TaskRef[]>;
  /** Completions recorded and not yet acknowledged (see recordCompletions). */
  acks: TaskRef[];
}

export interface AgentInfo {
  name: string;
  container: string;
  nodes: string[];
  connected: boolean;
  lastHeartbeatMs: number | null;
  /** Attempts running on the agent, as of its last heartbeat. */
  running: number;
}

export class AgentHub implements Dispatcher {
  private readonly sessions = new Map<string, Session>();
  /** Node → the agent currently serving it. */
  private readonly owner = new Map<string, Session>();
  /** Node → wall time it was last vouched for (heartbeat, or scheduler start). */
  private readonly lastHeard = new Map<string, number>();
  private readonly knownNodes: Map<string, ClusterConfig['nodes'][number]>;
  private readonly dirty = new Set<Session>();
  private readonly sweepTimer: Timer;
  private readonly sweepEveryMs: number;
  private readonly time: Clock;
  private lastSweepAt: number;
  private closed = false;
  private readonly token: Buffer;

  constructor(
    private readonly driver: LiveDriver,
    config: ClusterConfig,
    private readonly opts: HubOptions,
  ) {
    this.time = opts.clock ?? systemClock;
    this.lastSweepAt = this.time.now();
    this.token = Buffer.from(opts.joinToken);
    this.knownNodes = new Map(config.nodes.map((n) => [n.name, n]));
    // Nodes count as heard from until the grace has passed (reconnecting agents back off).
    const vouched = this.time.now() + Math.max(0, opts.startupGraceMs - opts.heartbeatTimeoutMs);
    for (const n of this.knownNodes.keys()) this.lastHeard.set(n, vouched);
    this.sweepEveryMs = Math.max(20, Math.floor(opts.heartbeatTimeoutMs / 4));
    this.sweepTimer = this.time.every(this.sweepEveryMs, () => this.sweep());
    driver.setDispatcher(this);
  }

  /** Adds the agent service to a gRPC server. */
  register(server: grpc.Server): void {
    server.addService(loadAgentProtocol().service, { Connect: (call: SchedulerSideStream) => this.connect(call) });
  }

  get connectedCount(): number {
    let n = 0;
    for (const s of this.sessions.values()) if (s.state === 'open') n++;
    return n;
  }

  agents(): AgentInfo[] {
    const now = this.time.now();
    return [...this.sessions.values()].map((s) => ({
      name: s.name,
      container: s.container,
      nodes: s.nodes,
      connected: s.state === 'open',
      lastHeartbeatMs: Math.round(now - s.lastHeardAt),
      running: s.running,
    }));
  }

  // ---------------------------------------------------------------- streams

  private connect(call: SchedulerSideStream): void {
    if (!this.authorized(call.metadata)) {
      this.refuse(call, new AgentRefused(grpc.status.UNAUTHENTICATED, 'join token rejected: pass the contents of <state>/join-token with --join-token-file'));
      return;
    }
    let session: Session | null = null;
    call.on('data', (msg: AgentMessage) => {
      try {
        this.onData(call, session, msg, (s) => (session = s));
      } catch (err) {
        // A message the scheduler cannot make sense of ends that stream, not the scheduler.
        this.opts.log.error({ err, agent: (session as Session | null)?.name }, 'bad message from agent');
        this.refuse(call, new AgentRefused(grpc.status.INVALID_ARGUMENT, `bad message: ${(err as Error).message}`));
      }
    });
    const closed = (): void => {
      if (session && this.sessions.get(session.name) === session && session.state !== 'closed') {
        session.state = 'closed';
        this.opts.log.warn({ agent: session.name }, 'agent stream closed');
      }
    };
    call.on('end', () => {
      closed();
      call.end();
    });
    call.on('error', closed);
    call.on('cancelled', closed);
    call.on('close', closed);
  }

  private onData(call: SchedulerSideStream, session: Session | null, msg: AgentMessage, opened: (s: Session) => void): void {
    if (session !== null) {
      this.onMessage(session, msg);
      return;
    }
    if (msg.payload !== 'hello' || !('hello' in msg)) {
      this.refuse(call, new AgentRefused(grpc.status.FAILED_PRECONDITION, 'the first message on a stream must be hello'));
      return;
    }
    try {
      opened(this.open(call, msg.hello));
    } catch (err) {
      if (err instanceof AgentRefused) this.refuse(call, err);
      else throw err;
    }
  }

  private authorized(md: grpc.Metadata): boolean {
    const value = md.get(JOIN_TOKEN_METADATA)[0];
    if (typeof value !== 'string' || !value.startsWith('Bearer ')) return false;
    const given = Buffer.from(value.slice(7));
    return given.length === this.token.length && timingSafeEqual(given, this.token);
  }

  private refuse(call: SchedulerSideStream, err: AgentRefused): void {
    this.opts.log.warn({ code: err.code, reason: err.message }, 'agent refused');
    call.emit('error', { code: err.code, details: err.message });
  }

  private open(call: SchedulerSideStream, hello: Hello): Session {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(hello.agent)) {
      throw new AgentRefused(grpc.status.INVALID_ARGUMENT, `agent name ${JSON.stringify(hello.agent)} is not a name of letters, digits, ".", "_" or "-"`);
    }
    const nodes = hello.nodes.map((n) => n.name);
    if (nodes.length === 0) throw new AgentRefused(grpc.status.INVALID_ARGUMENT, 'hello lists no nodes');
    if (hello.finished.some((c) => !c.task)) throw new AgentRefused(grpc.status.INVALID_ARGUMENT, 'hello lists a finished completion without its task');
    for (const r of hello.nodes) {
      const spec = this.knownNodes.get(r.name);
      if (spec && (spec.cores !== r.cores || spec.memMb !== r.memMb)) {
        // The scheduler's config is the truth for placement; say so rather than refuse.
        this.opts.log.warn({ agent: hello.agent, node: r.name, agentCores: r.cores, configCores: spec.cores, agentMemMb: r.memMb, configMemMb: spec.memMb }, 'agent reports other resources than the cluster config; using the config');
      }
    }
    for (const n of nodes) {
      if (!this.knownNodes.has(n)) throw new AgentRefused(grpc.status.INVALID_ARGUMENT, `node ${n} is not in the scheduler's cluster config`);
      const o = this.owner.get(n);
      if (o && o.name !== hello.agent && o.state !== 'closed') {
        throw new AgentRefused(grpc.status.ALREADY_EXISTS, `node ${n} is already served by connected agent ${o.name}`);
      }
    }
    const previous = this.sessions.get(hello.agent);
    if (previous) {
      // The same agent again (a reconnect, maybe over a half-open old stream): the new one wins.
      previous.state = 'closed';
      for (const n of previous.nodes) if (this.owner.get(n) === previous) this.owner.delete(n);
      if (previous.call !== call) previous.call.end();
    }
    const session: Session = {
      name: hello.agent,
      container: hello.container,
      nodes,
      nodeSet: new Set(nodes),
      call,
      state: 'welcoming',
      lastHeardAt: this.time.now(),
      running: hello.running.length,
      assign: [],
      cancel: new Map(),
      acks: [],
    };
    this.sessions.set(session.name, session);
    for (const n of nodes) {
      this.owner.set(n, session);
      this.lastHeard.set(n, session.lastHeardAt);
    }
    this.opts.log.info({ agent: session.name, nodes: nodes.length, running: hello.running.length, finished: hello.finished.length }, 'agent registered');
    // Nothing is written to the agent until the reconciliation is on disk and the welcome is out.
    this.driver
      .agentHello(nodes, hello.running, hello.finished)
      .then((cancel) => {
        if (this.sessions.get(session.name) !== session || session.state !== 'welcoming') return;
        session.state = 'open';
        this.write(session, {
          welcome: {
            heartbeatIntervalMs: this.opts.heartbeatIntervalMs,
            heartbeatTimeoutMs: this.opts.heartbeatTimeoutMs,
            timeScale: this.opts.timeScale,
            cancel,
            features: [FEATURE_COMPLETIONS_ACK],
            version: GSCHED_VERSION,
          },
        });
        const acks = hello.finished.map((c) => c.task);
        if (acks.length > 0) this.write(session, { completionAck: { tasks: acks } });
        // A registering agent offers its nodes on: tell it which the scheduler holds suspended or booting.
        for (const m of this.driver.powerMarks(nodes)) this.write(session, { power: m });
        this.flush();
        this.driver.requestPass();
      })
      .catch((err: Error) => this.opts.log.error({ err, agent: session.name }, 'agent reconciliation failed'));
    return session;
  }

  private onMessage(s: Session, msg: AgentMessage): void {
    if (this.sessions.get(s.name) !== s) return; // a replaced stream
    s.lastHeardAt = this.time.now(); // copied to its nodes at the next sweep, not per message
    if ('heartbeat' in msg && msg.payload === 'heartbeat') {
      s.running = msg.heartbeat.running;
      this.opts.onHeartbeat?.(s.name);
    } else if ('ack' in msg && msg.payload === 'ack') {
      this.recordAck(msg.ack);
    } else if ('power' in msg && msg.payload === 'power') {
      if (!s.nodes.includes(msg.power.node)) throw new Error(`a power report for node ${msg.power.node}, which agent ${s.name} does not host`);
      this.driver.agentPower(msg.power.node, msg.power.state);
    } else if ('completions' in msg && msg.payload === 'completions') {
      const { items, ack } = msg.completions;
      if (items.some((c) => !c.task)) throw new Error('a completion without its task');
      // The acknowledgements first: the agent accepted those assignments before these ended.
      if (ack) this.recordAck(ack);
      if (items.length > 0) this.recordCompletions(s, items);
    }
    // A backlog of messages is read back to back, the queued pass waiting behind them all.
    this.driver.passIfOverdue();
  }

  /** An agent's acknowledgement of assignments, alone or with its completions (PROTOCOL.md section 6). */
  private recordAck(ack: Ack): void {
    this.driver.agentAck(ack.accepted, ack.refused.map((r) => r.task));
  }

  /**
   * Records completions as soon as they are read: the freed cores count from here, and the pass
   * they ask for runs after this turn's reads. Queued to the check phase behind the turn's acks
   * instead, they waited 1.5-3.5 ms each in a live burst (15-35 modelled s at 1e-4), the cores
   * held meanwhile; an ack read behind them waits for a few journal appends.
   */
  private recordCompletions(s: Session, items: Completion[]): void {
    if (this.closed) return; // the agents replay unacknowledged completions to the next scheduler
    this.driver
      .agentCompletions(items, s.nodeSet)
      .then(() => this.acknowledge(s, items))
      .catch((err: Error) => this.opts.log.error({ err }, 'completions not recorded'));
  }

  /**
   * Acknowledges recorded completions, one message per agent for all that became durable
   * together: a journal group holds several of an agent's completions messages (it waits up to
   * the journal's gap), and each ack written alone cost an encode and an http2 write.
   */
  private acknowledge(s: Session, items: readonly Completion[]): void {
    const first = s.acks.length === 0;
    for (const c of items) s.acks.push(c.task);
    // The group's other reactions are queued already: this runs after them all.
    if (first) {
      queueMicrotask(() => {
        const tasks = s.acks;
        s.acks = [];
        if (tasks.length > 0) this.write(s, { completionAck: { tasks } });
      });
    }
  }

  private write(s: Session, msg: SchedulerMessage): void {
    if (s.state !== 'open') return;
    try {
      s.call.write(msg);
    } catch (err) {
      this.opts.log.warn({ err, agent: s.name }, 'write to agent failed');
      s.state = 'closed';
    }
  }

  // ---------------------------------------------------------------- Dispatcher

  assign(node: string, assignment: Assignment): boolean {
    const s = this.owner.get(node);
    if (!s || s.state === 'closed') return false; // reconciled at its hello, or requeued when the node is declared down
    s.assign.push(assignment);
    this.dirty.add(s);
    return true;
  }

  cancel(node: string, task: TaskRef, reason: string, graceMs = 0): void {
    const s = this.owner.get(node);
    if (!s || s.state === 'closed') return; // the agent will replay it at hello and be told to stop then
    const key = `${graceMs}\u0000${reason}`;
    const list = s.cancel.get(key) ?? [];
    list.push(task);
    s.cancel.set(key, list);
    this.dirty.add(s);
  }

  signal(node: string, task: TaskRef, signal: string): void {
    const s = this.owner.get(node);
    if (s) this.write(s, { signal: { tasks: [task], signal } });
  }

  drain(node: string, drained: boolean): void {
    const s = this.owner.get(node);
    if (s) this.write(s, { drain: { node, drained } });
  }

  power(node: string, suspend: boolean, resumeDelayMs: number): void {
    const s = this.owner.get(node);
    // Not open yet: the marks go out after its welcome (see open).
    if (s) this.write(s, { power: { node, suspend, resumeDelayMs } });
  }

  flush(): void {
    for (const s of this.dirty) {
      if (s.state === 'welcoming') continue; // written once the welcome is out
      if (s.cancel.size > 0) {
        for (const [key, tasks] of s.cancel) {
          const sep = key.indexOf('\u0000');
          this.write(s, { cancel: { tasks, reason: key.slice(sep + 1), graceMs: Number(key.slice(0, sep)) } });
        }
      }
      if (s.assign.length > 0) this.write(s, { assign: { tasks: s.assign } });
      s.assign = [];
      s.cancel = new Map();
      this.dirty.delete(s);
    }
  }

  // ---------------------------------------------------------------- liveness

  private sweep(): void {
    // After the event loop was blocked (a huge pass), heartbeats may sit unread in the sockets:
    // skip one round so they are read before anyone is judged silent.
    const now = this.time.now();
    const late = now - this.lastSweepAt > 2 * this.sweepEveryMs;
    this.lastSweepAt = now;
    if (late) return;
    for (const s of this.sessions.values()) {
      if (s.state === 'closed') continue;
      for (const n of s.nodes) {
        const at = this.lastHeard.get(n);
        if (this.owner.get(n) === s && at !== undefined && at < s.lastHeardAt) this.lastHeard.set(n, s.lastHeardAt);
      }
    }
    const cutoff = now - this.opts.heartbeatTimeoutMs;
    const silent: string[] = [];
    for (const [node, at] of this.lastHeard) {
      if (at >= cutoff) continue;
      silent.push(node);
      // Re-arm so the node is reported once per timeout period, not on every sweep.
      this.lastHeard.set(node, Number.POSITIVE_INFINITY);
      const s = this.owner.get(node);
      if (s && s.state !== 'closed') {
        s.state = 'closed';
        s.call.emit('error', { code: grpc.status.DEADLINE_EXCEEDED, details: 'no heartbeat within the timeout' });
      }
    }
    if (silent.length > 0) this.driver.nodesSilent(silent);
  }

  close(): void {
    this.closed = true;
    this.sweepTimer.cancel();
    for (const s of this.sessions.values()) {
      if (s.state !== 'closed') s.call.end();
      s.state = 'closed';
    }
  }
}
