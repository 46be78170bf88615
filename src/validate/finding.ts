/** What a rule reports: a stable rule id, how bad, what it saw, and what to do. */

/** Every rule id hotup's validation can report; docs/rules.md documents each. */
export const RULE_IDS = [
  'version/not-newer',
  'version/unordered',
  'relup/missing',
  'relup/wrong-version',
  'relup/no-up-path',
  'relup/no-down-path',
  'relup/restart-emulator',
  'relup/unknown-instruction',
  'relup/absent-module',
  'relup/absent-application',
  'release/missing-application',
  'release/no-sasl',
  'release/erts-changed',
  'release/core-app-changed',
  'release/old-facts-unavailable',
  'release/old-facts-from-build',
  'release/same-version-new-bytes',
  'app/version-not-bumped',
  'appup/missing',
  'appup/malformed',
  'appup/version-mismatch',
  'appup/no-up-entry',
  'appup/no-down-entry',
  'appup/unknown-instruction',
  'module/not-loaded',
  'module/not-removed',
  'module/process-load-only',
  'module/missing-code-change',
  'module/on-load-hot',
  'module/state-changed-load-only',
  'module/code-change-keeps-state',
  'module/code-facts-unavailable',
  'module/removed-still-called',
  'supervisor/child-not-started',
  'supervisor/child-not-stopped',
  'appup/restart-application',
  'nif/library-changed',
  'app/env-no-config-change',
  'live/brutal-purge-kills',
  'live/soft-purge-fails',
  'live/removed-module-running',
  'live/code-change-crashes',
  'live/code-change-no-clause',
  'live/long-pause',
  'live/shadowed-module',
  'live/not-checked',
  'host/installed-not-permanent',
  'host/node-down',
  'elixir/protocol-changed',
  'elixir/runtime-config',
] as const;

export type RuleId = (typeof RULE_IDS)[number];

export type Severity = 'error' | 'warning' | 'info';

/**
 * What a finding does to the decision: nothing, rules out a hot upgrade (a
 * restart still works), or blocks the upgrade (a restart would not fix it).
 * Severity says how bad; effect says what it changes.
 */
export type Effect = 'none' | 'restart' | 'block';

export interface Finding {
  rule: RuleId;
  severity: Severity;
  effect: Effect;
  /** Names the application, module and versions involved. */
  message: string;
  /** One sentence: what to do about it. */
  remedy: string;
  app?: string;
  module?: string;
}

const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Errors first, then warnings, then notes; stable within a severity. */
export function bySeverity(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
}
