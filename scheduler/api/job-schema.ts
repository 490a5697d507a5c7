// JSON schemas of request bodies: they check types and shapes only (so a wrong type is a 400
// naming the field and an unknown field is a 400 too); what the values mean (known partition,
// sizes, consent) is the core's to judge.
const str = { type: 'string', maxLength: 256 } as const;
const int = { type: 'integer' } as const;
const nonNegInt = { type: 'integer', minimum: 0 } as const;
const pseudonym = { type: 'string', maxLength: 64 } as const;

export const JOB_SPEC_SCHEMA = {
  type: 'object',
  required: ['name', 'account', 'partition', 'qos', 'purpose', 'tasks'],
  additionalProperties: false,
  properties: {
    name: str,
    /** Optional: the owner is the submitting token's identity. */
    owner: str,
    account: str,
    partition: str,
    qos: str,
    purpose: str,
    pseudonyms: { type: 'array', items: pseudonym, default: [] },
    tasks: {
      type: 'array',
      items: {
        type: 'object',
        required: ['cores', 'memMb'],
        additionalProperties: false,
        properties: {
          name: str,
          cores: int,
          memMb: int,
          timeLimitMs: int,
          after: { type: 'array', items: int },
          retries: int,
          durationMs: nonNegInt,
          kernel: str,
        },
      },
    },
    dependencies: {
      type: 'array',
      items: { type: 'object', required: ['kind', 'jobId'], additionalProperties: false, properties: { kind: str, jobId: int } },
    },
    singleton: { type: 'boolean' },
    array: str,
    class: str,
  },
} as const;

export const DRAIN_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: { reason: str },
} as const;

/** `/tasks/0/cores` (+ missing `memMb`) → `tasks[0].cores` / `tasks[0].memMb`. */
export function fieldOf(instancePath: string, missing?: unknown): string {
  const parts = instancePath.split('/').filter((p) => p !== '');
  if (typeof missing === 'string') parts.push(missing);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc === '' ? p : `${acc}.${p}`), '');
}
