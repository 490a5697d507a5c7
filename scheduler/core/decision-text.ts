// What a schedule pass decided, as text: one line of text per decision, in the
// order the core returned them. Written by the live driver with each pass, read back by
// `gsched replay` to compare a replay's decisions with the live ones, pass by pass.
import type { Decision, PowerDecision } from './types.js';

/** One decision as a stable line of text (every field that matters to an agent or an account). */
export function decisionText(d: Decision): string {
  switch (d.type) {
    case 'start':
      return `start task ${d.taskId} of job ${d.jobId} on ${d.node}: ${d.cores} cores, ${d.memMb} MB, limit ${d.timeLimitMs} ms`;
    case 'preempt':
      return `preempt task ${d.taskId} of job ${d.jobId} on ${d.node}`;
    case 'kill':
      return `kill task ${d.taskId} of job ${d.jobId} on ${d.node} (${d.reason})`;
    case 'jobEnded':
      return `job ${d.jobId} ended ${d.state}`;
  }
}

export function decisionTexts(decisions: readonly Decision[]): string[] {
  return decisions.map(decisionText);
}

/** Where two passes' decision texts first differ (a missing line counts), or -1 when they agree. */
export function firstDifference(a: readonly string[], b: readonly string[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** A power-saving decision as a line of text. */
export function powerDecisionText(d: PowerDecision): string {
  return d.type === 'powerDown' ? `suspend ${d.node}` : `resume ${d.node}`;
}
