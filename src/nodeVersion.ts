/**
 * agent-otel 0.2 is built on the OpenTelemetry JS 3.x line, which needs Node.js ≥ 22.15. On an older Node
 * the import fails here, with what to do, instead of deep inside the SDK. agent-otel 0.1.x serves Node 20.
 */
export const MIN_NODE = [22, 15] as const;

export function nodeVersionProblem(version: string = process.versions.node): string | undefined {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1])) return undefined;
  return `agent-otel needs Node.js >= ${MIN_NODE.join('.')} (this is ${version}): upgrade Node, ` +
    `or use agent-otel@0.1 (npm install agent-otel@0.1), the last release that runs on Node 20.`;
}
