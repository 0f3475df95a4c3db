/**
 * Ready sweeps: each a scenario, the parameter it varies, the values, and what to look for.
 * `npm run sweep -- --preset NAME` and the lab's Sweep view both load them here.
 */
import type { ScenarioInput } from '../scenario/schema.js';

export interface SweepPreset {
  name: string;
  title: string;
  /** One sentence: what the sweep shows. */
  description: string;
  scenario: ScenarioInput;
  param: string;
  /** In the --values form (sweep.ts parseValues). */
  values: string;
}

export const sweepPresets: SweepPreset[] = [
  {
    name: 'pool-size',
    title: 'Pool size 1…64 against one multiplexed connection',
    description:
      'Thirty-two callers with no think time: the pool climbs along its bound c/D until it has a connection per caller, where it meets N/D, the line the multiplexer was on from the start with a single connection.',
    scenario: {
      name: 'sweep-pool-size',
      durationMs: 200,
      network: { latencyMs: 0.5 },
      workload: { callers: 32, thinkMs: 0, mix: { GET: 1 } },
      clients: [
        { label: 'pool', kind: 'pool', size: 4 },
        { label: 'multiplex', kind: 'multiplex' },
      ],
    },
    param: 'clients.pool.size',
    values: '1..64*2',
  },
  {
    name: 'value-size',
    title: 'Value size 16 B…1 MB',
    description:
      'With small values the multiplexer wins on round trips; as values grow, its one process decodes and copies every reply itself and becomes the bottleneck, while a pool spreads that work over its connections.',
    scenario: {
      name: 'sweep-value-size',
      durationMs: 100,
      network: { latencyMs: 0.25 },
      runtime: { schedulers: 8 },
      workload: { callers: 16, thinkMs: 0.2, mix: { GET: 0.9, SET: 0.1 }, keys: 50, valueBytes: 16 },
      clients: [
        { label: 'pool', kind: 'pool', size: 8 },
        { label: 'multiplex', kind: 'multiplex' },
      ],
    },
    param: 'workload.valueBytes',
    values: '16..1048576*4',
  },
  {
    name: 'round-trip',
    title: 'Round trip 0.05…20 ms with a pool of 4',
    description:
      'While the round trip is short, four connections serve twenty callers; as it grows each request holds a connection longer, the pool tops out at 4/D and callers queue, while the multiplexer keeps every caller in flight.',
    scenario: {
      name: 'sweep-round-trip',
      durationMs: 500,
      workload: { callers: 20, thinkMs: 1, mix: { GET: 0.8, SET: 0.2 } },
      clients: [
        { label: 'pool', kind: 'pool', size: 4 },
        { label: 'multiplex', kind: 'multiplex' },
      ],
    },
    param: 'network.latencyMs',
    values: '0.025,0.05,0.1,0.25,0.5,1,2.5,5,10',
  },
];

export function sweepPreset(name: string): SweepPreset | undefined {
  return sweepPresets.find((p) => p.name === name);
}
