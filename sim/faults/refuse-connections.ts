import { ms } from '../kernel/time.js';
import { defineFault, forField } from './fault.js';

export const refuseConnections = defineFault(
  'refuse_connections',
  { forMs: forField },
  {
    label: 'Refuse connections',
    description: 'New connections are refused (RST on SYN) for a while; open ones go on: a listener gone, a firewall rule.',
    defaults: { forMs: 200 },
    detail: () => '',
    sim: (f, w) => w.net.refuseConnections(ms(f.forMs)),
    // The proxy stops listening; resolves when it listens again.
    real: (f, r) => r.proxy!.refuse(f.forMs),
    needs: { proxy: true },
    events: ['net.fault'],
  },
);
