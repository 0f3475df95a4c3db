import { ms } from '../kernel/time.js';
import { positive } from '../scenario/fields.js';
import { defineFault, forField } from './fault.js';

export const slowServer = defineFault(
  'slow_server',
  { factor: positive('a factor > 0', 10_000).meta({ title: 'Slower by', unit: '×', description: 'every command costs this many times as much', sample: { min: 2, max: 500 } }), forMs: forField },
  {
    label: 'Slow server',
    description: 'Every command costs factor times as much for the window: a slow disk, a noisy neighbour, a big KEYS.',
    defaults: { factor: 10, forMs: 200 },
    detail: (f) => ` ×${f.factor}`,
    sim: (f, w) => w.redis.slow(f.factor, ms(f.forMs)),
    // DEBUG SLEEP for forMs on a connection of its own (it holds the connection that sends it):
    // the server stalls, the extreme of slow; `factor` is not reproduced.
    real: (f, r) => r.alone(['DEBUG', 'SLEEP', String(f.forMs / 1000)], f.forMs),
    needs: { debug: true },
    events: ['redis.slow'],
  },
);
