// A node agent: hosts some nodes of the cluster, keeps one stream to the scheduler, runs
// the tasks it is assigned (holding their simulated cores for the modelled duration, running
// the kernel in a worker pool) and reports each completion until the scheduler acknowledges it.
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import {
  FEATURE_COMPLETIONS_ACK,
  JOIN_TOKEN_METADATA,
  channelCredentials,
  loadAgentProtocol,
  openAgentStream,
  refKey,
  type Ack,
  type AgentMessage,
  type AgentStream,
  type Assignment,
  type Completion,
  type NodeResources,
  type Outcome,
  type Power,
  type Refusal,
  type SchedulerMessage,
  type TaskRef,
  type TlsFiles,
  type Welcome,
} from '../proto/index.js';
import { GSCHED_VERSION } from '../common/index.js';
import { AgentRejectedError } from './errors.js';
import type { KernelRequest, KernelResult } from './kernel-types.js';
import type { KernelPool } from './pool.js';
import { HoldTimers } from './hold-timers.js';
import { runExec, type ExecHandle, type ExecOptions, type ExecResult } from './exec.js';

export interface AgentOptions {
  scheduler: string;
  name: string;
  container: string;
  nodes: NodeResources[];
  joinToken: string;
  /** Wall ms per modelled ms; null: use the scheduler's. */
  timeScale: number | null;
  /** Modelled duration of a task that names none. */
  defaultDurationMs: number;
  tls: TlsFiles;
  pool: KernelPool;
  /** How the `exec` kernel runs commands; null: this agent refuses to run them (they fail). */
  exec: ExecOptions | null;
  log: Logger;
  /** Reconnect backoff bounds. */
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** Least wall ms between two reports (REPORT_GAP_MS unless set: tests widen it). */
  reportGapMs?: number;
}

interface Running {
  ref: TaskRef;
  assignment: Assignment;
  acceptedAt: number;
  /** The hold on the task's cores has ended (its modelled duration is over). */
  held: boolean;
  /** The kernel's result, once it is in. */
  result: KernelResult | null;
  cancelReason: string | null;
  /** Reported (finished, failed or cancelled); later news of it is dropped. */
  done: boolean;
  /** The command of an `exec` attempt while it runs. */
  exec: ExecHandle | null;
}

export const AGENT_VERSION = GSCHED_VERSION;

/** The kernel name of a real command (`gsched submit script.sh`, `--wrap`). */
export const EXEC_KERNEL = 'exec';
/** Least wall ms between two reports, completions and acknowledgements (see queueReport). */
const REPORT_GAP_MS = 4;

function execSummary(r: ExecResult): Record<string, unknown> {
  return {
    exitCode: r.exitCode,
    ...(r.signal ? { signal: r.signal } : {}),
    output: r.output,
    ...(r.error !== r.output ? { error: r.error } : {}),
    cgroup: r.cgroup.applied,
    ...(r.cgroup.reason && r.cgroup.reason !== 'not started' ? { cgroupReason: r.cgroup.reason } : {}),
  };
}

function kernelRequest(a: Assignment): KernelRequest {
  return { kernel: a.kernel, taskId: a.task.taskId, attempt: a.task.attempt, jobId: a.jobId, cores: a.cores, memMb: a.memMb };
}

export class NodeAgent {
  private readonly client: grpc.Client;
  private stream: AgentStream | null = null;
  private welcome: Welcome | null = null;
  private readonly running = new Map<number, Running>();
  /** Completions not yet acknowledged by the scheduler, replayed in the next hello. */
  private readonly finished = new Map<string, Completion>();
  /** Completions to send in the next report. */
  private outbox: Completion[] = [];
  /** Assignments accepted or refused since the last report, sent with it (null: none). */
  private acks: Ack | null = null;
  /** The scheduler's welcome listed FEATURE_COMPLETIONS_ACK: acknowledgements may ride with completions. */
  private ackInReports = false;
  private flushQueued = false;
  private lastFlushAt = -Infinity;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private seq = 0;
  /** Completions sent in the current stream's hello (the scheduler acknowledges them after the welcome). */
  private inHello = new Set<string>();
  private stopped = false;
  private readonly nodeNames: Set<string>;
  /** Power saving: nodes the scheduler suspended or is booting (absent: on), and the boot timers. */
  private readonly power = new Map<string, 'suspended' | 'booting'>();
  private readonly bootTimers = new Map<string, NodeJS.Timeout>();
  private fatalHandler: ((err: Error) => void) | null = null;
  /** The running kernel tasks' holds on their cores. */
  private readonly holds = new HoldTimers<Running>((r) => this.holdEnded(r));
  /** Read once: a disabled debug line still cost an object per task. */
  private readonly debug: boolean;

  constructor(private readonly opts: AgentOptions) {
    const { Client } = loadAgentProtocol();
    this.client = new Client(opts.scheduler, channelCredentials(opts.tls), {
      'grpc.keepalive_time_ms': 10_000,
      'grpc.keepalive_timeout_ms': 5_000,
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 2_000,
    });
    this.nodeNames = new Set(opts.nodes.map((n) => n.name));
    this.debug = opts.log.isLevelEnabled('debug');
  }

  private registeredHandler: (() => void) | null = null;

  /** Called after each welcome from the scheduler. */
  onRegistered(handler: () => void): void {
    this.registeredHandler = handler;
  }

  /** Called once if the scheduler refuses this agent for good. */
  onFatal(handler: (err: Error) => void): void {
    this.fatalHandler = handler;
  }

  get runningCount(): number {
    return this.running.size;
  }

  get connected(): boolean {
    return this.welcome !== null;
  }

  start(): void {
    this.connect();
  }

  // ---------------------------------------------------------------- stream

  private connect(): void {
    if (this.stopped) return;
    const md = new grpc.Metadata();
    md.set(JOIN_TOKEN_METADATA, `Bearer ${this.opts.joinToken}`);
    const stream = openAgentStream(this.client, md);
    this.stream = stream;
    this.inHello = new Set(this.finished.keys());
    this.acks = null; // the last stream's: its attempts are in this hello, or were never accepted
    // A registration offers every node on; the scheduler sends its power marks again after the welcome.
    this.clearPower();
    stream.on('data', (msg: SchedulerMessage) => {
      try {
        this.onMessage(msg);
      } catch (err) {
        this.opts.log.error({ err, payload: msg.payload }, 'cannot handle a message from the scheduler; ignored');
      }
    });
    stream.on('error', (err: grpc.ServiceError) => this.onStreamEnd(stream, err));
    stream.on('end', () => this.onStreamEnd(stream, null));
    this.send({
      hello: {
        agent: this.opts.name,
        container: this.opts.container,
        nodes: this.opts.nodes,
        running: [...this.running.values()].map((r) => r.ref),
        finished: [...this.finished.values()],
        version: AGENT_VERSION,
      },
    });
  }

  private onStreamEnd(stream: AgentStream, err: grpc.ServiceError | null): void {
    if (this.stream !== stream) return;
    this.stream = null;
    this.welcome = null;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    if (this.stopped) return;
    if (err && (err.code === grpc.status.UNAUTHENTICATED || err.code === grpc.status.INVALID_ARGUMENT)) {
      this.fatalHandler?.(new AgentRejectedError(`scheduler at ${this.opts.scheduler} refused agent ${this.opts.name}: ${err.details}`));
      return;
    }
    const min = this.opts.backoffMinMs ?? 100;
    const max = this.opts.backoffMaxMs ?? 2_000;
    const delay = Math.min(max, min * 2 ** this.failures) * (0.5 + Math.random() / 2);
    this.failures++;
    this.opts.log.warn({ code: err?.code, reason: err?.details ?? 'stream ended', retryInMs: Math.round(delay) }, 'disconnected from scheduler');
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private send(msg: AgentMessage): void {
    try {
      this.stream?.write(msg);
    } catch (err) {
      this.opts.log.warn({ err }, 'write to scheduler failed');
    }
  }

  private onMessage(msg: SchedulerMessage): void {
    switch (msg.payload) {
      case 'welcome':
        if ('welcome' in msg) this.onWelcome(msg.welcome);
        break;
      case 'assign':
        if ('assign' in msg) this.onAssign(msg.assign.tasks);
        break;
      case 'cancel':
        if ('cancel' in msg) for (const ref of msg.cancel.tasks) this.stop(ref, msg.cancel.reason, msg.cancel.graceMs || undefined);
        break;
      case 'signal':
        if ('signal' in msg) for (const ref of msg.signal.tasks) this.signal(ref, msg.signal.signal);
        break;
      case 'drain':
        if ('drain' in msg) this.opts.log.info({ node: msg.drain.node, drained: msg.drain.drained }, 'drain changed');
        break;
      case 'completionAck':
        if ('completionAck' in msg) for (const ref of msg.completionAck.tasks) this.finished.delete(refKey(ref));
        break;
      case 'power':
        if ('power' in msg) this.onPower(msg.power);
        break;
      default:
        break;
    }
  }

  private onWelcome(w: Welcome): void {
    this.welcome = w;
    this.failures = 0;
    // A scheduler older than Completions.ack would drop acknowledgements sent there: to one,
    // every acknowledgement goes in an Ack message of its own (PROTOCOL.md section 4).
    this.ackInReports = w.features.includes(FEATURE_COMPLETIONS_ACK);
    this.opts.log.info({ running: this.running.size, unreported: this.finished.size, cancel: w.cancel.length, schedulerVersion: w.version || 'unknown', ackInReports: this.ackInReports }, 'registered with scheduler');
    for (const ref of w.cancel) this.stop(ref, 'unknown-task');
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => this.send({ heartbeat: { seq: ++this.seq, running: this.running.size } }), Math.max(10, w.heartbeatIntervalMs));
    // Completions that arrived between hello and welcome were kept; send them now.
    this.outbox = [...this.finished].filter(([key]) => !this.inHello.has(key)).map(([, c]) => c);
    this.flushReport();
    this.registeredHandler?.();
  }

  // ---------------------------------------------------------------- power saving

  /** The power state the agent holds for a node: on, suspended or booting. */
  powerOf(node: string): 'on' | 'suspended' | 'booting' {
    return this.power.get(node) ?? 'on';
  }

  /**
   * Suspends a node, or boots it: a booting node is reported on after the resume delay (modelled
   * ms times the time scale), as a real node's slurmd registers once it has booted.
   */
  private onPower(p: Power): void {
    if (!this.nodeNames.has(p.node)) {
      this.opts.log.warn({ node: p.node }, 'power request for a node this agent does not host; ignored');
      return;
    }
    const timer = this.bootTimers.get(p.node);
    if (timer) clearTimeout(timer);
    this.bootTimers.delete(p.node);
    if (p.suspend) {
      this.power.set(p.node, 'suspended');
      this.opts.log.info({ node: p.node }, 'node suspended');
      this.send({ power: { node: p.node, state: 'NODE_POWER_SUSPENDED' } });
      return;
    }
    this.power.set(p.node, 'booting');
    this.send({ power: { node: p.node, state: 'NODE_POWER_BOOTING' } });
    const scale = this.opts.timeScale ?? this.welcome?.timeScale ?? 1;
    const wallMs = Math.max(0, Math.round(p.resumeDelayMs * scale));
    this.bootTimers.set(
      p.node,
      setTimeout(() => {
        this.bootTimers.delete(p.node);
        this.power.delete(p.node);
        this.opts.log.info({ node: p.node }, 'node resumed');
        this.send({ power: { node: p.node, state: 'NODE_POWER_ON' } });
      }, wallMs),
    );
  }

  private clearPower(): void {
    for (const t of this.bootTimers.values()) clearTimeout(t);
    this.bootTimers.clear();
    this.power.clear();
  }

  // ---------------------------------------------------------------- tasks

  private onAssign(tasks: Assignment[]): void {
    const accepted: TaskRef[] = [];
    const refused: Refusal[] = [];
    const toRun: Assignment[] = [];
    for (const a of tasks) {
      const current = this.running.get(a.task.taskId);
      if (!this.nodeNames.has(a.node)) {
        refused.push({ task: a.task, reason: `node ${a.node} is not hosted by agent ${this.opts.name}` });
      } else if (this.power.has(a.node)) {
        refused.push({ task: a.task, reason: `node ${a.node} is ${this.power.get(a.node)} (power saving)` });
      } else if (current && current.ref.attempt >= a.task.attempt) {
        refused.push({ task: a.task, reason: `attempt ${current.ref.attempt} of this task already runs here` });
      } else {
        if (current) this.stop(current.ref, 'superseded');
        accepted.push(a.task);
        toRun.push(a);
      }
    }
    // The attempts are ours from here (a cancel or a later attempt in the same read finds
    // them). The acknowledgement goes with the next report; a lone one goes before the timers
    // and kernels start (the callback queued next), since the scheduler measures dispatch
    // latency up to it.
    const now = performance.now();
    const accepting = toRun.map((a) => this.register(a, now));
    if (this.acks === null) this.acks = { accepted, refused };
    else {
      for (const t of accepted) this.acks.accepted.push(t);
      for (const r of refused) this.acks.refused.push(r);
    }
    this.queueReport();
    if (accepting.length > 0) setImmediate(() => this.startAll(accepting));
  }

  private startAll(rs: Running[]): void {
    const pool = this.opts.pool;
    if (!pool.runNow) {
      for (const r of rs) this.run(r);
      return;
    }
    // Kernels that run at once (noop mode): one chunk for the message's tasks, no promise per task.
    const chunk: Running[] = [];
    for (const r of rs) {
      if (r.done || this.stopped) continue; // stopped before it started
      if (r.assignment.kernel === EXEC_KERNEL) this.runCommand(r);
      else chunk.push(r);
    }
    if (chunk.length === 0) return;
    const out = pool.runNow(chunk.map((r) => kernelRequest(r.assignment)));
    chunk.forEach((r, i) => {
      const res = out[i];
      if (res === undefined || res instanceof Error) {
        this.finish(r, 'OUTCOME_FAILED', 0, r.assignment.kernel, '', res?.message ?? 'the kernel returned no result');
        return;
      }
      r.result = res;
      this.hold(r);
    });
  }

  private register(a: Assignment, acceptedAt: number): Running {
    const r: Running = { ref: a.task, assignment: a, acceptedAt, held: false, result: null, cancelReason: null, done: false, exec: null };
    this.running.set(a.task.taskId, r);
    return r;
  }

  /** Holds the task's cores for its modelled duration while its kernel runs; done when both are. */
  private run(r: Running): void {
    if (r.done || this.stopped) return; // stopped before it started
    const a = r.assignment;
    if (a.kernel === EXEC_KERNEL) {
      this.runCommand(r);
      return;
    }
    this.hold(r);
    // A cancelled kernel is left to finish in its worker (kernels are bounded); its result is dropped.
    this.opts.pool.run(kernelRequest(a)).then(
      (res) => {
        r.result = res;
        this.maybeDone(r);
      },
      (err: Error) => this.finish(r, 'OUTCOME_FAILED', 0, a.kernel, '', err.message),
    );
  }

  /**
   * Holds the task's cores for its modelled duration, counted from the scheduler's start
   * decision: from its acceptance (the agent's own turns between reading the assignment and
   * starting the kernel are not the task's time), less what the scheduler says the assignment
   * waited before it was sent (`lateMs`, PROTOCOL.md section 10).
   */
  private hold(r: Running): void {
    const a = r.assignment;
    const scale = this.opts.timeScale ?? this.welcome?.timeScale ?? 1;
    const holdMs = (a.durationMs > 0 ? a.durationMs : this.opts.defaultDurationMs) * scale;
    const late = a.lateMs !== undefined && a.lateMs > 0 ? a.lateMs : 0;
    this.holds.add(r.acceptedAt + Math.max(0, holdMs - late), r);
  }

  private holdEnded(r: Running): void {
    if (r.done) return; // cancelled meanwhile
    r.held = true;
    this.maybeDone(r);
  }

  private maybeDone(r: Running): void {
    const res = r.result;
    if (r.held && res) this.finish(r, 'OUTCOME_COMPLETED', res.cpuMs, res.kernel, JSON.stringify(res.summary), '');
  }

  /**
   * A real command: it ends when its process does. Exit 0 is COMPLETED; a non-zero exit or a
   * signal is FAILED (the completion carries the code and signal); a command stopped by the
   * scheduler is CANCELLED once its process group is gone.
   */
  private runCommand(r: Running): void {
    const a = r.assignment;
    if (!this.opts.exec || !a.exec) {
      const why = !a.exec ? 'the assignment has no command' : `agent ${this.opts.name} does not run commands (started with --exec off)`;
      this.finish(r, 'OUTCOME_FAILED', 0, EXEC_KERNEL, '', why);
      return;
    }
    const handle = runExec(a, a.exec, this.opts.exec);
    r.exec = handle;
    if (r.cancelReason !== null) handle.stop(0);
    void handle.done.then((res) => {
      r.exec = null;
      const summary = JSON.stringify(execSummary(res));
      if (res.startError) this.finish(r, 'OUTCOME_FAILED', 0, EXEC_KERNEL, summary, res.startError, 0, '');
      else if (r.cancelReason !== null) this.finish(r, 'OUTCOME_CANCELLED', res.cpuMs, EXEC_KERNEL, summary, r.cancelReason, res.exitCode, res.signal);
      else if (res.signal !== '') this.finish(r, 'OUTCOME_FAILED', res.cpuMs, EXEC_KERNEL, summary, `the command was killed by ${res.signal}`, res.exitCode, res.signal);
      else if (res.exitCode !== 0) this.finish(r, 'OUTCOME_FAILED', res.cpuMs, EXEC_KERNEL, summary, `the command exited with code ${res.exitCode}`, res.exitCode, '');
      else this.finish(r, 'OUTCOME_COMPLETED', res.cpuMs, EXEC_KERNEL, summary, '', 0, '');
    });
  }

  private stop(ref: TaskRef, reason: string, graceMs?: number): void {
    const r = this.running.get(ref.taskId);
    if (!r || r.ref.attempt !== ref.attempt || r.done) return;
    r.cancelReason = reason;
    // A command is reported once its processes are gone (SIGTERM, then SIGKILL after the grace).
    if (r.exec) r.exec.stop(graceMs);
    else if (r.assignment.kernel !== EXEC_KERNEL || !this.opts.exec) this.finish(r, 'OUTCOME_CANCELLED', 0, r.assignment.kernel, '', reason);
    // else: an exec attempt not started yet; runCommand stops it as soon as it starts.
  }

  private signal(ref: TaskRef, name: string): void {
    const r = this.running.get(ref.taskId);
    if (!r || r.ref.attempt !== ref.attempt || r.done || !r.exec) return;
    if (!r.exec.signal(name)) this.opts.log.warn({ taskId: ref.taskId, signal: name }, 'unknown signal; not sent');
  }

  private finish(r: Running, outcome: Outcome, cpuMs: number, kernel: string, summaryJson: string, error: string, exitCode = 0, signal = ''): void {
    if (r.done) return;
    r.done = true; // its hold, if still pending, ends unseen
    if (this.running.get(r.ref.taskId) === r) this.running.delete(r.ref.taskId);
    const c: Completion = { task: r.ref, outcome, cpuMs, wallMs: Math.round(performance.now() - r.acceptedAt), kernel, summaryJson, error };
    // Left out at their defaults (the scheduler reads them so): two fields less to encode per task.
    if (exitCode !== 0) c.exitCode = exitCode;
    if (signal !== '') c.signal = signal;
    if (this.debug) this.opts.log.debug({ taskId: r.ref.taskId, attempt: r.ref.attempt, outcome }, 'task finished');
    this.finished.set(refKey(r.ref), c);
    if (!this.welcome) return; // replayed in the next hello
    this.outbox.push(c);
    this.queueReport();
  }

  /**
   * At most one report per REPORT_GAP_MS: a lone completion or acknowledgement goes at once, a
   * stream of them (thousands a second in a burst) goes in batches, one message carrying both
   * (PROTOCOL.md section 6), so the scheduler reads, records and acknowledges one message per
   * batch rather than one per few tasks and one per scheduling pass.
   */
  private queueReport(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    const wait = this.lastFlushAt + (this.opts.reportGapMs ?? REPORT_GAP_MS) - performance.now();
    if (wait <= 0) setImmediate(() => this.flushReport());
    else setTimeout(() => this.flushReport(), wait);
  }

  /** Sends the completions and acknowledgements gathered since the last report in one message. */
  private flushReport(): void {
    this.flushQueued = false;
    this.lastFlushAt = performance.now();
    if (!this.welcome) return;
    const ack = this.acks;
    this.acks = null;
    const rides = ack !== null && this.outbox.length > 0 && this.ackInReports;
    if (ack !== null && !rides) this.send({ ack }); // before the completions, as it would ride
    if (this.outbox.length > 0) {
      this.send({ completions: { items: this.outbox, ack: rides ? ack : null } });
      this.outbox = [];
    }
  }

  // ---------------------------------------------------------------- lifecycle

  async shutdown(): Promise<void> {
    this.stopped = true;
    this.clearPower();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.holds.clear();
    // Commands do not outlive their agent (a new one could not take them over): stop them and wait.
    const commands = [...this.running.values()].flatMap((r) => (r.exec ? [r.exec] : []));
    for (const c of commands) c.stop(Math.min(2_000, this.opts.exec?.killGraceMs ?? 0));
    await Promise.all(commands.map((c) => c.done));
    this.stream?.end();
    this.stream = null;
    this.client.close();
    await this.opts.pool.close();
  }
}
