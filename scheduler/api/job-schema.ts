// JSON schema of a JobSpec body: it checks types only, so a wrong type is a 400 naming the
// field; what the values mean (known partition, sizes, consent) is the core's to judge.
const str = { type: 'string' } as const;
const nonNegInt = { type: 'integer', minimum: 0 } as const;

export const JOB_SPEC_SCHEMA = {
  type: 'object',
  required: ['name', 'owner', 'account', 'partition', 'qos', 'purpose', 'tasks'],
  properties: {
    name: str,
    owner: str,
    account: str,
    partition: str,
    qos: str,
    purpose: str,
    pseudonyms: { type: 'array', items: str, default: [] },
    tasks: {
      type: 'array',
      items: {
        type: 'object',
        required: ['cores', 'memMb'],
        properties: {
          name: str,
          cores: { type: 'integer' },
          memMb: { type: 'integer' },
          timeLimitMs: { type: 'integer' },
          after: { type: 'array', items: { type: 'integer' } },
          retries: { type: 'integer' },
          durationMs: nonNegInt,
          kernel: str,
        },
      },
    },
    dependencies: {
      type: 'array',
      items: { type: 'object', required: ['kind', 'jobId'], properties: { kind: str, jobId: { type: 'integer' } } },
    },
    singleton: { type: 'boolean' },
    array: str,
    class: str,
    command: {
      type: 'object',
      required: ['script', 'chdir'],
      properties: {
        script: { type: 'string', maxLength: 1_048_576 },
        chdir: { type: 'string', maxLength: 4096 },
        output: { type: 'string', maxLength: 4096 },
        error: { type: 'string', maxLength: 4096 },
      },
    },
  },
} as const;

export const CONSENT_SCHEMA = {
  type: 'object',
  required: ['pseudonym', 'status'],
  properties: { pseudonym: str, status: { type: 'string', enum: ['granted', 'restricted', 'withdrawn'] } },
} as const;

/** `/tasks/0/cores` (+ missing `memMb`) → `tasks[0].cores` / `tasks[0].memMb`. */
export function fieldOf(instancePath: string, missing?: unknown): string {
  const parts = instancePath.split('/').filter((p) => p !== '');
  if (typeof missing === 'string') parts.push(missing);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc === '' ? p : `${acc}.${p}`), '');
}
