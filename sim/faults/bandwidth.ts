import { ms } from '../kernel/time.js';
import { positive } from '../scenario/fields.js';
import { defineFault, forField } from './fault.js';

export const bandwidth = defineFault(
  'bandwidth',
  // Below 1 kbit/s one segment would take longer than a run could last.
  { mbps: positive('a number of Mbps > 0', 1_000_000, ' Mbps', 0.001).meta({ title: 'Bandwidth', unit: 'Mbps', description: 'each direction of every connection', sample: [0.05, 1, 10] }), forMs: forField },
  {
    label: 'Bandwidth limit',
    description: 'Both directions of every connection are capped at mbps for the window: big replies queue behind each other.',
    defaults: { mbps: 1, forMs: 200 },
    detail: (f) => ` ${f.mbps} Mbps`,
    sim: (f, w) => w.net.limitBandwidth(f.mbps, ms(f.forMs)),
    real: async (f, r) => r.proxy!.limitBandwidth(f.mbps, f.forMs),
    needs: { proxy: true },
    events: ['net.fault'],
  },
);
