// Errors that stop the agent: the operator fixes a flag or a file, then starts it again.

export class AgentConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AgentConfigError';
  }
}

/** The scheduler refused this agent for good (wrong join token, unknown node). */
export class AgentRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AgentRejectedError';
  }
}
