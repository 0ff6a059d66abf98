import type { Scenario } from './scenario.js';
import { basicsScenario } from './scenarios/basics.js';
import { moderationPipelineScenario } from './scenarios/moderation-pipeline.js';
import { importWxrScenario } from './scenarios/import-wxr.js';
import { postCommentScenario } from './scenarios/post-comment.js';
import { thread1000Scenario, thread10000Scenario } from './scenarios/threads.js';

/**
 * Every scenario, in the order `npm run bench` runs them. Add new scenarios here. Writes come
 * last: tens of thousands of new comments change the server's memory (and its garbage
 * collector's behaviour), which would colour the read scenarios measured after them.
 */
export const scenarios: readonly Scenario[] = [
  basicsScenario,
  thread1000Scenario,
  thread10000Scenario,
  postCommentScenario,
  // In this process, not the server: its order among the others does not matter.
  moderationPipelineScenario,
  // Measured while seeding, in a process and a database of its own: it colours nothing else.
  importWxrScenario,
];
