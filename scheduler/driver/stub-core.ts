// TEMPORARY: a minimal FCFS first-fit stand-in for SchedulerCore, used only until the lead's
// core lands on main. Not a scheduler: no priorities, arrays, dependencies, consent or preemption.
import type { ClusterConfig, ClusterView, CoreEvent, Decision, EventResult, JobState, JobView, Ms, NodeView, StepResult, TaskView, JobSpec } from '../core/index.js';
import type { CoreApi, RunningTask } from './core-api.js';

interface T { id: number; jobId: number; index: number; cores: number; memMb: number; limit: number; state: TaskView['state']; node: string | null; startedAt: Ms | null; endedAt: Ms | null; durationMs: number | null; kernel: string | null; requeues: number }
interface J { id: number; spec: JobSpec; state: JobState; submittedAt: Ms; endedAt: Ms | null; tasks: T[]; cancelled: boolean }
interface N { name: string; container: string; kind: string; cooling: NodeView['cooling']; cores: number; memMb: number; used: number; mem: number; down: boolean; drain: boolean }

export class StubCore implements CoreApi {
  private nextJob = 1; private nextTask = 1;
  private jobsM = new Map<number, J>(); private tasksM = new Map<number, T>(); private nodesM = new Map<string, N>();
  private pendingEnded: Decision[] = [];
  constructor(readonly config: ClusterConfig) {
    for (const n of config.nodes) this.nodesM.set(n.name, { name: n.name, container: n.container, kind: n.kind, cooling: n.cooling, cores: n.cores, memMb: n.memMb, used: 0, mem: 0, down: false, drain: false });
  }
  apply(e: CoreEvent, now: Ms): EventResult {
    switch (e.type) {
      case 'submit': {
        const s = e.job;
        const part = this.config.partitions.find((p) => p.name === s.partition);
        if (!part) return { ok: false, error: { code: 'UNKNOWN_PARTITION', field: 'partition', message: `no partition ${s.partition}` } };
        if (!Array.isArray(s.tasks) || s.tasks.length === 0) return { ok: false, error: { code: 'INVALID_JOB', field: 'tasks', message: 'no tasks' } };
        const j: J = { id: this.nextJob++, spec: s, state: 'PENDING', submittedAt: now, endedAt: null, tasks: [], cancelled: false };
        s.tasks.forEach((t, i) => { const tk: T = { id: this.nextTask++, jobId: j.id, index: i, cores: t.cores, memMb: t.memMb, limit: t.timeLimitMs ?? part.defaultTimeMs, state: 'PENDING', node: null, startedAt: null, endedAt: null, durationMs: t.durationMs ?? null, kernel: t.kernel ?? null, requeues: 0 }; j.tasks.push(tk); this.tasksM.set(tk.id, tk); });
        this.jobsM.set(j.id, j);
        return { ok: true, jobIds: [j.id] };
      }
      case 'cancel': {
        const j = this.jobsM.get(e.jobId);
        if (!j) return { ok: false, error: { code: 'UNKNOWN_JOB', message: 'no job' } };
        if (j.state !== 'PENDING' && j.state !== 'RUNNING') return { ok: false, error: { code: 'INVALID_STATE', message: 'ended' } };
        j.cancelled = true; return { ok: true };
      }
      case 'taskEnded': {
        const t = this.tasksM.get(e.taskId);
        if (!t) return { ok: false, error: { code: 'UNKNOWN_TASK', message: 'no task' } };
        if (t.state !== 'RUNNING') return { ok: false, error: { code: 'INVALID_STATE', message: 'not running' } };
        this.free(t); t.state = e.outcome === 'completed' ? 'COMPLETED' : 'FAILED'; t.endedAt = now; return { ok: true };
      }
      case 'nodeDown': case 'nodeUp': case 'drain': case 'resume': {
        const n = this.nodesM.get(e.node);
        if (!n) return { ok: false, error: { code: 'UNKNOWN_NODE', message: 'no node' } };
        if (e.type === 'nodeDown') { n.down = true; for (const t of this.tasksM.values()) if (t.state === 'RUNNING' && t.node === n.name) this.requeue(t); }
        if (e.type === 'nodeUp') n.down = false;
        if (e.type === 'drain') n.drain = true;
        if (e.type === 'resume') n.drain = false;
        return { ok: true };
      }
      case 'requeue': {
        const t = this.tasksM.get(e.taskId);
        if (!t || t.state !== 'RUNNING') return { ok: false, error: { code: 'INVALID_STATE', message: 'not running' } };
        this.requeue(t); return { ok: true };
      }
      case 'forget': { const j = this.jobsM.get(e.jobId); if (j) { for (const t of j.tasks) this.tasksM.delete(t.id); this.jobsM.delete(e.jobId); } return { ok: true }; }
      default: return { ok: true };
    }
  }
  private free(t: T): void { const n = t.node ? this.nodesM.get(t.node) : undefined; if (n) { n.used -= t.cores; n.mem -= t.memMb; } }
  private requeue(t: T): void { this.free(t); t.state = 'PENDING'; t.node = null; t.requeues++; }
  schedule(now: Ms): StepResult {
    const d: Decision[] = [];
    let wake: Ms | null = null;
    for (const j of this.jobsM.values()) {
      if (j.state !== 'PENDING' && j.state !== 'RUNNING') continue;
      if (j.cancelled) {
        for (const t of j.tasks) { if (t.state === 'RUNNING') { this.free(t); d.push({ type: 'kill', taskId: t.id, jobId: j.id, node: t.node as string, reason: 'cancelled' }); } if (t.state === 'RUNNING' || t.state === 'PENDING') { t.state = 'CANCELLED'; t.endedAt = now; } }
        j.state = 'CANCELLED'; j.endedAt = now; d.push({ type: 'jobEnded', jobId: j.id, state: 'CANCELLED' }); continue;
      }
      for (const t of j.tasks) {
        if (t.state === 'RUNNING' && t.startedAt !== null && now >= t.startedAt + t.limit) { this.free(t); t.state = 'TIMEOUT'; t.endedAt = now; d.push({ type: 'kill', taskId: t.id, jobId: j.id, node: t.node as string, reason: 'timeout' }); }
        if (t.state === 'PENDING') {
          for (const n of this.nodesM.values()) {
            const part = this.config.partitions.find((p) => p.name === j.spec.partition);
            if (part && part.containers.length > 0 && !part.containers.includes(n.container)) continue;
            if (!n.down && !n.drain && n.cores - n.used >= t.cores && n.memMb - n.mem >= t.memMb) {
              n.used += t.cores; n.mem += t.memMb; t.state = 'RUNNING'; t.node = n.name; t.startedAt = now;
              d.push({ type: 'start', taskId: t.id, jobId: j.id, node: n.name, cores: t.cores, memMb: t.memMb, timeLimitMs: t.limit }); break;
            }
          }
        }
        if (t.state === 'RUNNING' && t.startedAt !== null) wake = Math.min(wake ?? Infinity, t.startedAt + t.limit);
      }
      const st = j.tasks.map((t) => t.state);
      const end: JobState | null = st.every((s) => s === 'COMPLETED') ? 'COMPLETED' : st.every((s) => s !== 'PENDING' && s !== 'RUNNING') ? (st.includes('TIMEOUT') ? 'TIMEOUT' : 'FAILED') : null;
      if (end) { j.state = end; j.endedAt = now; d.push({ type: 'jobEnded', jobId: j.id, state: end }); }
      else if (st.includes('RUNNING')) j.state = 'RUNNING';
    }
    void this.pendingEnded;
    return { decisions: d, wakeAt: wake };
  }
  private view(j: J): JobView {
    const tv = (t: T): TaskView => ({ id: t.id, index: t.index, name: `t${t.index}`, state: t.state, cores: t.cores, memMb: t.memMb, timeLimitMs: t.limit, node: t.node, startedAt: t.startedAt, endedAt: t.endedAt, attempts: 0, preemptions: 0, requeues: t.requeues, durationMs: t.durationMs, kernel: t.kernel });
    return { id: j.id, displayId: String(j.id), name: j.spec.name, owner: j.spec.owner, account: j.spec.account, partition: j.spec.partition, qos: j.spec.qos, purpose: j.spec.purpose, class: j.spec.class ?? null, state: j.state, reason: 'None', queuePosition: null, priority: { age: 0, fairshare: 0, qos: 0, partition: 0, size: 0, total: 0 }, submittedAt: j.submittedAt, startedAt: null, endedAt: j.endedAt, cores: j.tasks.reduce((a, t) => a + t.cores, 0), pseudonyms: j.spec.pseudonyms, dependencies: [], arrayJobId: null, arrayIndex: null, tasks: j.tasks.map(tv), nodes: [...new Set(j.tasks.map((t) => t.node).filter((n): n is string => n !== null))] };
  }
  job(id: number): JobView | undefined { const j = this.jobsM.get(id); return j ? this.view(j) : undefined; }
  jobs(f?: { states?: JobState[] }): JobView[] { return [...this.jobsM.values()].filter((j) => !f?.states || f.states.includes(j.state)).map((j) => this.view(j)); }
  queue(): JobView[] { return this.jobs({ states: ['PENDING'] }); }
  nodes(): NodeView[] { return [...this.nodesM.values()].map((n) => ({ name: n.name, container: n.container, kind: n.kind, cooling: n.cooling, state: n.down ? 'DOWN' : n.drain ? 'DRAINED' : n.used === 0 ? 'IDLE' : n.used < n.cores ? 'MIXED' : 'ALLOCATED', cores: n.cores, coresUsed: n.used, memMb: n.memMb, memUsedMb: n.mem, tasks: 0 })); }
  cluster(): ClusterView {
    const ns = [...this.nodesM.values()]; const cs = [...new Set(ns.map((n) => n.container))];
    const js = [...this.jobsM.values()]; const ts = [...this.tasksM.values()];
    return { name: this.config.name, containers: cs.map((c) => { const x = ns.filter((n) => n.container === c); return { name: c, nodes: x.length, cores: x.reduce((a, n) => a + n.cores, 0), coresUsed: x.reduce((a, n) => a + n.used, 0), coresDown: x.filter((n) => n.down).reduce((a, n) => a + n.cores, 0) }; }), cores: ns.reduce((a, n) => a + n.cores, 0), coresUsed: ns.reduce((a, n) => a + n.used, 0), coresIdle: 0, coresDown: 0, pendingJobs: js.filter((j) => j.state === 'PENDING').length, runningJobs: js.filter((j) => j.state === 'RUNNING').length, pendingTasks: ts.filter((t) => t.state === 'PENDING').length, runningTasks: ts.filter((t) => t.state === 'RUNNING').length };
  }
  task(id: number): (TaskView & { jobId: number }) | undefined { const t = this.tasksM.get(id); if (!t) return undefined; const j = this.jobsM.get(t.jobId); const v = j ? this.view(j).tasks.find((x) => x.id === id) : undefined; return v ? { ...v, jobId: t.jobId } : undefined; }
  runningTasks(): RunningTask[] { return [...this.tasksM.values()].filter((t) => t.state === 'RUNNING').map((t) => ({ taskId: t.id, jobId: t.jobId, node: t.node as string, cores: t.cores, memMb: t.memMb, startedAt: t.startedAt as number, timeLimitMs: t.limit, durationMs: t.durationMs, kernel: t.kernel })); }
}
