/** The lab's 100k budget scenario (bench:web and bench:derive): ~100k requests in all, 100 callers at ~20k requests/s for 2.5 s, on a pool and on a multiplexed connection. */
export const budgetScenario = {
  name: 'budget-100k',
  durationMs: 2500,
  network: { latencyMs: 0.25 },
  workload: { callers: 100, thinkMs: 4, mix: { GET: 0.8, SET: 0.2 } },
  clients: [
    { label: 'pool', kind: 'pool', size: 20 },
    { label: 'multiplex', kind: 'multiplex' },
  ],
};
