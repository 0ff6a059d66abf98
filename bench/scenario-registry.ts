import type { Scenario } from './scenario.js';
import { basicsScenario } from './scenarios/basics.js';

/** Every scenario, in the order `npm run bench` runs them. Add new scenarios here. */
export const scenarios: readonly Scenario[] = [basicsScenario];
