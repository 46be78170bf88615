/** What a rule reports: a stable rule id, how bad, what it saw, and what to do. */
import type { PlanReason } from '../plan/types.js';

export interface Finding extends PlanReason {
  app?: string;
  module?: string;
}
