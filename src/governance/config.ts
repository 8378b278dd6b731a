import { AgentOtelConfigError } from '../errors.js';
import { envValues, type EnvValues } from '../parse/env.js';
import { validateBudget, type BudgetOptions } from './budget.js';
import { PRIVACY_LEVELS, type PrivacyLevel } from './PrivacyProcessor.js';
import { loadPricingFile, validatePrices, type PriceTable } from './pricing.js';
import { Redactor, type RedactionOptions } from './redaction.js';

/**
 * AGENT_OTEL_AUDIT_KEY: the secret that makes the audit chain an HMAC-SHA256 (read by the audit log when
 * it is given no key, and by `agent-otel audit verify`); unset: plain SHA-256.
 */
export function auditKeyFromEnv(env: EnvValues = envValues()): string | undefined {
  return env.str('AGENT_OTEL_AUDIT_KEY');
}

/** The governance options of `registerTelemetry()`. */
export interface GovernanceOptions {
  /** `none` | `metadata` (default) | `full` (env AGENT_OTEL_PRIVACY). `full` records prompts and completions. */
  privacy?: PrivacyLevel;
  /** Redaction of secrets and personal data (built-ins on by default; env AGENT_OTEL_REDACTION=false turns them off). */
  redaction?: RedactionOptions | false;
  /** Prices added to or overriding the built-in table, or a JSON file of them (env AGENT_OTEL_PRICING_FILE). */
  pricing?: PriceTable | string;
  /** Spending limits (env AGENT_OTEL_BUDGET_PER_RUN_USD, _PER_DAY_USD, _PER_AGENT_DAY_USD, AGENT_OTEL_BUDGET_HARD). */
  budget?: BudgetOptions;
  /** Put the git commit, branch and remote of the working directory on run spans (default true; env AGENT_OTEL_GIT). */
  git?: boolean;
  /** HMAC key of the audit chain: an edit cannot be hidden by recomputing hashes (env AGENT_OTEL_AUDIT_KEY). */
  auditKey?: string;
}

export const GOVERNANCE_KEYS = ['privacy', 'redaction', 'pricing', 'budget', 'git', 'auditKey'] as const;

export interface ResolvedGovernance {
  privacy: PrivacyLevel;
  redactor: Redactor | undefined;
  prices: PriceTable;
  budget: BudgetOptions | undefined;
  git: boolean;
  auditKey?: string;
}

/**
 * Options over env over defaults, validated. `captureContent` (or its env var) is the same switch as
 * privacy `full`; asking for content with another privacy level is a contradiction and an error.
 * `env` is the config's reader (src/parse/env.ts).
 */
export function resolveGovernance(o: GovernanceOptions, captureContent: { value: boolean; explicit: boolean }, env: EnvValues = envValues()): ResolvedGovernance {
  const envPrivacy = env.str('AGENT_OTEL_PRIVACY')?.trim().toLowerCase() || undefined;
  const privacy = (o.privacy ?? envPrivacy ?? (captureContent.value ? 'full' : 'metadata')) as PrivacyLevel;
  if (!PRIVACY_LEVELS.includes(privacy)) {
    throw new AgentOtelConfigError(`${o.privacy !== undefined ? 'option privacy' : 'env AGENT_OTEL_PRIVACY'} must be one of ${PRIVACY_LEVELS.join(', ')}; got ${JSON.stringify(o.privacy ?? envPrivacy)}`);
  }
  if (captureContent.explicit && captureContent.value && privacy !== 'full') {
    throw new AgentOtelConfigError(`content capture is on but privacy is '${privacy}': use privacy 'full' (or turn captureContent off)`);
  }
  let redactor: Redactor | undefined;
  if (o.redaction !== false) {
    if (o.redaction !== undefined && (typeof o.redaction !== 'object' || o.redaction === null)) {
      throw new AgentOtelConfigError(`option redaction must be false or { builtins?, rules? }; got ${JSON.stringify(o.redaction)}`);
    }
    const builtins = o.redaction?.builtins ?? env.bool('AGENT_OTEL_REDACTION') ?? true;
    const rules = o.redaction?.rules ?? [];
    if (builtins || rules.length) redactor = new Redactor({ builtins, rules });
  }
  const pricingFile = typeof o.pricing === 'string' ? o.pricing : o.pricing === undefined ? env.str('AGENT_OTEL_PRICING_FILE') : undefined;
  const prices = pricingFile ? loadPricingFile(pricingFile)
    : o.pricing !== undefined ? validatePrices(o.pricing, 'option pricing') : {};
  const envBudget: BudgetOptions = {
    perRunUsd: env.num('AGENT_OTEL_BUDGET_PER_RUN_USD', 'USD'),
    perDayUsd: env.num('AGENT_OTEL_BUDGET_PER_DAY_USD', 'USD'),
    perAgentDayUsd: env.num('AGENT_OTEL_BUDGET_PER_AGENT_DAY_USD', 'USD'),
    hard: env.bool('AGENT_OTEL_BUDGET_HARD'),
  };
  const hasEnvBudget = Object.values(envBudget).some((v) => v !== undefined);
  const budget = validateBudget(o.budget ?? (hasEnvBudget ? envBudget : undefined));
  const git = o.git ?? env.bool('AGENT_OTEL_GIT') ?? true;
  if (typeof git !== 'boolean') throw new AgentOtelConfigError(`option git must be true or false; got ${JSON.stringify(git)}`);
  const auditKey = o.auditKey ?? auditKeyFromEnv(env);
  if (auditKey !== undefined && (typeof auditKey !== 'string' || auditKey === '')) {
    throw new AgentOtelConfigError(`option auditKey must be a non-empty string; got ${typeof auditKey}`);
  }
  return { privacy, redactor, prices, budget, git, auditKey };
}
