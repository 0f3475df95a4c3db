import { ms } from '../kernel/time.js';
import { defineFault, forField } from './fault.js';

/**
 * Redis stops serving for forMs, as CLIENT PAUSE <ms> ALL does (Redis 6.2+): connections are
 * still accepted and bytes still arrive, but no command runs until the pause ends; then the
 * backlog runs in order. Unlike server_down nothing is dropped, so only timeouts see it.
 */
export const serverPause = defineFault(
  'server_pause',
  { forMs: forField },
  {
    label: 'Redis pause',
    description: 'Redis runs no command for forMs (CLIENT PAUSE ALL): nothing is closed, replies just stop, then the backlog runs.',
    defaults: { forMs: 200 },
    detail: () => '',
    sim: (f, w) => w.redis.pause(ms(f.forMs)),
    // CLIENT PAUSE takes whole ms, and at least one.
    real: (f, r) => r.admin(['CLIENT', 'PAUSE', String(Math.max(1, Math.round(f.forMs))), 'ALL']),
    events: ['redis.pause'],
  },
);
