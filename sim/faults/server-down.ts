import { ms } from '../kernel/time.js';
import { defineFault, forField } from './fault.js';

export const serverDown = defineFault(
  'server_down',
  { forMs: forField },
  {
    label: 'Redis restart',
    description: 'Redis goes down for forMs: every connection drops, connects are refused, and it comes back empty.',
    defaults: { forMs: 300 },
    detail: () => '',
    sim: (f, w) => w.redis.restart(ms(f.forMs)),
    // SIGKILL the redis-server this command started, start it again after forMs.
    real: (f, r) => r.restart(f.forMs),
    needs: { ownServer: true },
    events: ['redis.down'],
  },
);
