import type { Scenario } from '../scenario.js';

/** The cheapest pages: the health check (a floor for the framework) and the home page. */
export const basicsScenario: Scenario = {
  name: 'basics',
  requests: [
    { label: 'GET /healthz', method: 'GET', path: '/healthz' },
    { label: 'GET / (home)', method: 'GET', path: '/' },
  ],
};
