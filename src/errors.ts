/** A bad option or env value; the message names it and what is accepted. */
export class AgentOtelConfigError extends Error {
  override name = 'AgentOtelConfigError';
}
