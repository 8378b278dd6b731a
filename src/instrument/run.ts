import { millisToHrTime } from '@opentelemetry/core';
import { context, SpanKind, SpanStatusCode, type Attributes, type AttributeValue, type HrTime, type Span } from '@opentelemetry/api';
import * as A from '../../semconv/attributes.js';
import { spanNameAgent } from '../../semconv/spans.js';
import { recordInvocationMetrics } from '../metrics/genaiMetrics.js';
import { current } from '../metrics/instruments.js';
import { RUN_KEY, insideInvocation, newRunId, runOf, type RunInfo } from '../runContext.js';
import { spanName, withSpan } from './withSpan.js';
import { withAttribute } from '../metrics/attributes.js';
import { asAttributes, asString, field, put } from './options.js';
import { countError, warnOnce } from '../errorCounts.js';
import { artifactFacts, type ArtifactOptions } from '../governance/artifacts.js';
import { getGovernance } from '../governance/setup.js';
import { setValidAttribute } from '../pipeline/validAttribute.js';

const agentSpanName = (_: string, name: string): string => spanNameAgent(name);
/** The span's own start time (the SDK's spans have it), else now. */
const startTimeOf = (span: Span): HrTime => (span as { startTime?: HrTime }).startTime ?? millisToHrTime(Date.now());

export interface AgentRunOptions {
  /** `gen_ai.agent.name`: low cardinality (it labels metrics). */
  agentName: string;
  /** `agent.run.kind`, e.g. `process_files`. */
  runKind?: string;
  /** `agent.run.id`, the id of this run; 16 random letters and digits when omitted (`newRunId`). */
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
    warnOnce(`items.${name}`, `items.${name} must be a non-negative number, got ${typeof v === 'number' ? v : typeof v}; ignored`);
    return false;
  }
  return true;
}

/** The options as given, read once and checked (options.ts): a bad value never stops the run. */
function readOptions(o: unknown) {
  return {
    agentName: asString(field(o, 'agentName'), 'withAgentRun agentName'),
    runKind: asString(field(o, 'runKind'), 'withAgentRun runKind'),
    runId: asString(field(o, 'runId'), 'withAgentRun runId') || undefined,
    agentId: asString(field(o, 'agentId'), 'withAgentRun agentId'),
    agentDescription: asString(field(o, 'agentDescription'), 'withAgentRun agentDescription'),
    conversationId: asString(field(o, 'conversationId'), 'withAgentRun conversationId'),
    attributes: asAttributes(field(o, 'attributes'), 'withAgentRun attributes'),
  };
}

/**
 * Runs `fn` as one agent run: an `invoke_agent {agentName}` span that every span inside inherits
 * `agent.run.id` from, a run-start row in the local files (`runs/`, written within 500 ms, so a crashed
 * run is still visible; not a span), and the run metrics (runs by status, duration, active runs, items).
 */
export function withAgentRun<T>(runOptions: AgentRunOptions, fn: (run: AgentRun) => T | Promise<T>): Promise<T> {
  const options = readOptions(runOptions);
  const parent = context.active();
  const info: RunInfo = {
    runId: options.runId ?? newRunId(), agentName: options.agentName ?? '', inputTokens: 0, outputTokens: 0, costUsd: 0,
    llmCalls: 0, toolCalls: 0,
  };
  const outer = runOf(parent);
  const nested = insideInvocation(parent);
  let agentId = options.agentId;
  if (agentId !== undefined && agentId === info.runId) {
    warnOnce('withAgentRun agentId', 'withAgentRun agentId is the stable id of the agent, not of a run (that is runId); not recorded');
    agentId = undefined;
  }
  const attributes: Attributes = { [A.GEN_AI_OPERATION_NAME]: A.GenAiOperation.INVOKE_AGENT };
  put(attributes, A.GEN_AI_AGENT_NAME, options.agentName);
  attributes[A.AGENT_RUN_ID] = info.runId;
  put(attributes, A.AGENT_RUN_KIND, options.runKind);
  put(attributes, A.GEN_AI_AGENT_ID, agentId);
  put(attributes, A.GEN_AI_AGENT_DESCRIPTION, options.agentDescription);
  attributes[A.GEN_AI_INVOCATION_IS_NESTED] = nested;
  put(attributes, A.GEN_AI_CONVERSATION_ID, options.conversationId);
  put(attributes, A.AGENT_RUN_PARENT_ID, outer?.runId);
  Object.assign(attributes, options.attributes);
  const git = getGovernance()?.git;
  const items: Required<ItemCounts> = { discovered: 0, succeeded: 0, failed: 0 };
  let failure: { reason: string; errorType: string } | undefined;
  const { instruments, runStarts } = current();
  const metricAttrs: Attributes = { [A.GEN_AI_AGENT_NAME]: options.agentName, [A.AGENT_RUN_KIND]: options.runKind };
  const activeAttrs: Attributes = { [A.GEN_AI_AGENT_NAME]: options.agentName };
  try { instruments.runsActive.add(1, activeAttrs); } catch (err) { countError('helper.runs_active', err); }

  const makeHandle = (span: Span): AgentRun => {
    info.rootSpanId = span.spanContext().spanId;
    // The repository facts (strings and a boolean read once at registration), unless the caller set them:
    // written after the start, past the SDK's per-value checks.
    if (git) {
      const attrs = (span as { attributes?: Attributes }).attributes;
      for (const k in git) {
        const v = git[k as keyof typeof git];
        if (v !== undefined && attrs?.[k] === undefined) setValidAttribute(span, k, v);
      }
    }
    // The run start: a row for the local files (not a span), so a run killed before its span ends still shows.
    if (runStarts && span.isRecording()) {
      try {
        const sc = span.spanContext();
        runStarts.add(info.runId, sc.traceId, sc.spanId, startTimeOf(span), options.agentName ?? '', options.runKind);
      } catch (err) { countError('helper.run_start', err); }
    }
    const setItem = (add: boolean, counts: ItemCounts) => {
      for (const [k, attr] of ITEM_KEYS) {
        const v = field(counts, k);
        if (!validCount(k, v)) continue;
        items[k] = add ? items[k] + v : v;
        setValidAttribute(span, attr, items[k]);
      }
    };
    return {
      runId: info.runId,
      span,
      // Every method is guarded: whatever is passed, the run goes on (bad values are ignored, warned once).
      // The try/catch is written in each method: one closure per method, not a guard around a closure.
      setItems: (c: ItemCounts) => { try { setItem(false, c); } catch (err) { countError('helper.set_items', err); } },
      addItems: (c: ItemCounts) => { try { setItem(true, c); } catch (err) { countError('helper.add_items', err); } },
      fail: (reason: string, errorType?: string) => {
        try {
          failure = { reason: asString(reason, 'run.fail reason') ?? '', errorType: asString(errorType, 'run.fail errorType') || 'run_failed' };
        } catch (err) { countError('helper.fail', err); }
      },
      setAttribute: (k: string, v: AttributeValue) => { try { span.setAttribute(k, v); } catch (err) { countError('helper.set_attribute', err); } },
      addEvent: (name: string, attrs?: Attributes) => {
        try {
          span.addEvent(asString(name, 'run.addEvent name') ?? 'event', attrs === undefined ? undefined : asAttributes(attrs, 'run.addEvent attributes'));
        } catch (err) { countError('helper.add_event', err); }
      },
      recordArtifact: (file: string, opts?: ArtifactOptions) => {
        try { span.addEvent('agent.artifact', artifactFacts(file, opts)); } catch (err) { countError('helper.record_artifact', err); }
      },
      associateCommit: (commit: string, details: { source?: string; author?: string; message?: string } = {}) => {
        try {
          if (typeof commit !== 'string' || !/^[0-9a-f]{7,64}$/i.test(commit)) {
            warnOnce('associateCommit', `associateCommit: '${typeof commit === 'string' ? commit.slice(0, 100) : typeof commit}' is not a git commit hash (7 to 64 hex digits); ignored`);
            return;
          }
          span.addEvent('agent.commit', {
            'vcs.ref.head.revision': commit, [A.AGENT_COMMIT_SOURCE]: asString(field(details, 'source'), 'associateCommit source'),
            [A.AGENT_COMMIT_AUTHOR]: asString(field(details, 'author'), 'associateCommit author'),
            'agent.commit.message': asString(field(details, 'message'), 'associateCommit message'),
          });
        } catch (err) { countError('helper.associate_commit', err); }
      },
    };
  };

  const name = options.agentName ? spanName(A.GenAiOperation.INVOKE_AGENT, options.agentName, agentSpanName) : A.GenAiOperation.INVOKE_AGENT;
  // RUN_KEY alone marks the context as inside an invocation (insideInvocation reads either key): one context less per run.
  return withSpan(name, SpanKind.INTERNAL, attributes, parent.setValue(RUN_KEY, info),
    makeHandle, fn, ({ span, seconds, errorType }) => {
      const type = errorType ?? failure?.errorType;
      const status = type ? A.RunStatus.FAILED : A.RunStatus.SUCCESS;
      if (failure && !errorType) {
        span.setAttribute(A.ERROR_TYPE, failure.errorType);
        span.setStatus({ code: SpanStatusCode.ERROR, message: failure.reason });
      }
      setValidAttribute(span, A.AGENT_RUN_STATUS, status);
      if (info.inputTokens || info.outputTokens) {
        setValidAttribute(span, A.AGENT_RUN_INPUT_TOKENS, info.inputTokens);
        setValidAttribute(span, A.AGENT_RUN_OUTPUT_TOKENS, info.outputTokens);
      }
      if (outer) { outer.inputTokens += info.inputTokens; outer.outputTokens += info.outputTokens; }
      const attrs = withAttribute(metricAttrs, A.AGENT_RUN_STATUS, status);
      instruments.runsActive.add(-1, activeAttrs);
      instruments.runs.add(1, attrs);
      instruments.runDuration.record(seconds, attrs);
      recordInvocationMetrics(instruments, {
        operation: A.GenAiOperation.INVOKE_AGENT, name: options.agentName, nested, errorType: type, seconds, run: info,
      });
      for (const [k] of ITEM_KEYS) {
        if (items[k]) instruments.items.add(items[k], { [A.GEN_AI_AGENT_NAME]: options.agentName, [A.AGENT_ITEM_OUTCOME]: k });
      }
      if (type) instruments.errors.add(1, { [A.GEN_AI_AGENT_NAME]: options.agentName, [A.AGENT_OPERATION]: 'run', [A.ERROR_TYPE]: type });
    }, true);
}
