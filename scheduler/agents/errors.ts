// Why an agent's stream was refused; each maps to a gRPC status the agent can act on.
import { status } from '@grpc/grpc-js';

export class AgentRefused extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
    this.name = 'AgentRefused';
  }
}
