import { randomUUID } from 'node:crypto';
import { context, diag, SpanKind, SpanStatusCode, type Attributes, type AttributeValue, type Span } from '@opentelemetry/api';
import * as A from '../../semconv/attributes.js';
import { SPAN_NAME_RUN_START, spanNameAgent } from '../../semconv/spans.js';
import { recordInvocationMetrics } from './genaiMetrics.js';
import { INVOCATION_KEY, RUN_KEY, current, insideInvocation, runOf, type RunInfo } from './state.js';
import { safely, withAttribute, withSpan } from './withSpan.js';
import { artifactFacts, type ArtifactOptions } from '../governance/artifacts.js';
import { getGovernance } from '../governance/setup.js';

export interface AgentRunOptions {
  /** `gen_ai.agent.name`: low cardinality (it labels metrics). */
  agentName: string;
  /** `agent.run.kind`, e.g. `process_files`. */
  runKind?: string;
  /** `agent.run.id`, the id of this run; a UUID when omitted. */
  runId?: string;
  /**
   * `gen_ai.agent.id`: the stable identifier of the agent itself, the same on every run (a hosted
   * agent's provider-assigned id such as `asst_…` or a Bedrock agent ARN). Not a per-run or
   * per-process id: that is `runId` (`agent.run.id`). Usually left out for in-process agents.
   */
  agentId?: string;
  /** `gen_ai.agent.description`: what the agent does. */
  agentDescription?: string;
  /** `gen_ai.conversation.id`: a session or thread the run belongs to. */
  conversationId?: string;
  /** More span attributes, set at start. */
  attributes?: Attributes;
}

export interface ItemCounts { discovered?: number; succeeded?: number; failed?: number }

export interface AgentRun {
  readonly runId: string;
  readonly span: Span;
  /** Sets the run's item totals (`agent.items.*`); recorded as the `agent.items` metric at the end. */
  setItems(items: ItemCounts): void;
  /** Adds to the run's item totals. */
  addItems(items: ItemCounts): void;
  /** Ends the run as failed (`agent.run.status=failed`) without throwing; `reason` becomes the status message. */
  fail(reason: string, errorType?: string): void;
  setAttribute(key: string, value: AttributeValue): void;
  addEvent(name: string, attributes?: Attributes): void;
  /**
   * Records a file (or content) the run produced as an `agent.artifact` event: path, sha256, size, and
   * lines added/removed against the previous version. Query it with the `artifacts` view.
   */
  recordArtifact(path: string, options?: ArtifactOptions): void;
  /** Associates a git commit the run made (`agent.commit` event; `source` e.g. `llm`, `manual`, `ci`). */
  associateCommit(commit: string, details?: { source?: string; author?: string; message?: string }): void;
}

const ITEM_KEYS = [
  ['discovered', A.AGENT_ITEMS_DISCOVERED],
  ['succeeded', A.AGENT_ITEMS_SUCCEEDED],
  ['failed', A.AGENT_ITEMS_FAILED],
] as const;

function validCount(name: string, v: unknown): v is number {
  if (v === undefined) return false;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    diag.warn(`agent-otel: items.${name} must be a non-negative number, got ${String(v)}; ignored`);
    return false;
  }
  return true;
}

/**
 * Runs `fn` as one agent run: an `invoke_agent {agentName}` span that every span inside inherits
 * `agent.run.id` from, a run-start marker exported at once (so a crashed run is still visible), and
 * the run metrics (runs by status, duration, active runs, items).
 */
export function withAgentRun<T>(options: AgentRunOptions, fn: (run: AgentRun) => T | Promise<T>): Promise<T> {
  const parent = context.active();
  const info: RunInfo = {
    runId: options.runId ?? randomUUID(), agentName: options.agentName, inputTokens: 0, outputTokens: 0, costUsd: 0,
    llmCalls: 0, toolCalls: 0,
  };
  const outer = runOf(parent);
  const nested = insideInvocation(parent);
  let agentId = options.agentId;
  if (agentId !== undefined && agentId === info.runId) {
    diag.warn('agent-otel: withAgentRun agentId is the stable id of the agent, not of a run (that is runId); not recorded');
    agentId = undefined;
  }
  const attributes: Attributes = {
    [A.GEN_AI_OPERATION_NAME]: A.GenAiOperation.INVOKE_AGENT,
    [A.GEN_AI_AGENT_NAME]: options.agentName,
    [A.AGENT_RUN_ID]: info.runId,
    [A.AGENT_RUN_KIND]: options.runKind,
    [A.GEN_AI_AGENT_ID]: agentId,
    [A.GEN_AI_AGENT_DESCRIPTION]: options.agentDescription,
    [A.GEN_AI_INVOCATION_IS_NESTED]: nested,
    [A.GEN_AI_CONVERSATION_ID]: options.conversationId,
    [A.AGENT_RUN_PARENT_ID]: outer?.runId,
    ...getGovernance()?.git,
    ...options.attributes,
  };
  const items: Required<ItemCounts> = { discovered: 0, succeeded: 0, failed: 0 };
  let failure: { reason: string; errorType: string } | undefined;
  const { instruments } = current();
  const metricAttrs: Attributes = { [A.GEN_AI_AGENT_NAME]: options.agentName, [A.AGENT_RUN_KIND]: options.runKind };
  safely('counting active runs', () => instruments.runsActive.add(1, { [A.GEN_AI_AGENT_NAME]: options.agentName }));

  const makeHandle = (span: Span): AgentRun => {
    info.rootSpanId = span.spanContext().spanId;
    // The marker: a zero-length child ended now, so it reaches the files within the export delay.
    safely('writing the run-start marker', () => current().tracer.startSpan(SPAN_NAME_RUN_START, {
      attributes: {
        [A.AGENT_SPAN_TYPE]: A.SPAN_TYPE_RUN_START, [A.AGENT_RUN_ID]: info.runId,
        [A.GEN_AI_AGENT_NAME]: options.agentName, [A.AGENT_RUN_KIND]: options.runKind,
      },
    }, context.active()).end());
    const setItem = (add: boolean, counts: ItemCounts) => {
      for (const [k, attr] of ITEM_KEYS) {
        const v = counts[k];
        if (!validCount(k, v)) continue;
        items[k] = add ? items[k] + v : v;
        span.setAttribute(attr, items[k]);
      }
    };
    return {
      runId: info.runId,
      span,
      setItems: (c) => setItem(false, c),
      addItems: (c) => setItem(true, c),
      fail: (reason, errorType = 'run_failed') => { failure = { reason, errorType }; },
      setAttribute: (k, v) => { span.setAttribute(k, v); },
      addEvent: (name, attrs) => { span.addEvent(name, attrs); },
      recordArtifact: (file, opts) => safely(`recording artifact ${file}`, () => span.addEvent('agent.artifact', artifactFacts(file, opts))),
      associateCommit: (commit, details = {}) => safely('associating a commit', () => {
        if (!/^[0-9a-f]{7,64}$/i.test(commit)) throw new Error(`'${commit}' is not a git commit hash`);
        span.addEvent('agent.commit', {
          'vcs.ref.head.revision': commit, [A.AGENT_COMMIT_SOURCE]: details.source, [A.AGENT_COMMIT_AUTHOR]: details.author,
          'agent.commit.message': details.message,
        });
      }),
    };
  };

  return withSpan(spanNameAgent(options.agentName), SpanKind.INTERNAL, attributes, parent.setValue(RUN_KEY, info).setValue(INVOCATION_KEY, true),
    makeHandle, fn, ({ span, seconds, errorType }) => {
      const type = errorType ?? failure?.errorType;
      const status = type ? A.RunStatus.FAILED : A.RunStatus.SUCCESS;
      if (failure && !errorType) {
        span.setAttribute(A.ERROR_TYPE, failure.errorType);
        span.setStatus({ code: SpanStatusCode.ERROR, message: failure.reason });
      }
      span.setAttribute(A.AGENT_RUN_STATUS, status);
      if (info.inputTokens || info.outputTokens) {
        span.setAttribute(A.AGENT_RUN_INPUT_TOKENS, info.inputTokens);
        span.setAttribute(A.AGENT_RUN_OUTPUT_TOKENS, info.outputTokens);
      }
      if (outer) { outer.inputTokens += info.inputTokens; outer.outputTokens += info.outputTokens; }
      const attrs = withAttribute(metricAttrs, A.AGENT_RUN_STATUS, status);
      instruments.runsActive.add(-1, { [A.GEN_AI_AGENT_NAME]: options.agentName });
      instruments.runs.add(1, attrs);
      instruments.runDuration.record(seconds, attrs);
      recordInvocationMetrics(instruments, {
        operation: A.GenAiOperation.INVOKE_AGENT, name: options.agentName, nested, errorType: type, seconds, run: info,
      });
      for (const [k] of ITEM_KEYS) {
        if (items[k]) instruments.items.add(items[k], { [A.GEN_AI_AGENT_NAME]: options.agentName, [A.AGENT_ITEM_OUTCOME]: k });
      }
      if (type) instruments.errors.add(1, { [A.GEN_AI_AGENT_NAME]: options.agentName, [A.AGENT_OPERATION]: 'run', [A.ERROR_TYPE]: type });
    });
}
