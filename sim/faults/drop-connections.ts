import { defineFault } from './fault.js';

/** Every connection is reset at once: a proxy resetting its peers, a NAT table dropped. Real: CLIENT KILL of every normal client. */
export const dropConnections = defineFault(
  'drop_connections',
  {},
  {
    label: 'Drop connections',
    description: 'Every open connection is reset at once, as a proxy that resets its peers or a dropped NAT table does.',
    defaults: {},
    detail: () => '',
    sim: (_f, w) => w.net.dropConnections(),
    // Redis closes every client connection but ours.
    real: (_f, r) => r.admin(['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes']),
    events: ['net.fault'],
  },
);
