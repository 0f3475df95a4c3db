import { ms } from '../kernel/time.js';
import { msPositive } from '../scenario/fields.js';
import { defineFault, forField } from './fault.js';

export const latency = defineFault(
  'latency',
  { addMs: msPositive().meta({ title: 'Added', unit: 'ms', description: 'one way, to every segment sent in the window' }), forMs: forField },
  {
    label: 'Latency spike',
    description: 'Every segment sent during the window takes addMs longer one way: a congested link, a GC pause in a proxy.',
    defaults: { addMs: 20, forMs: 200 },
    detail: (f) => ` +${f.addMs} ms`,
    addedLatencyMs: (f) => f.addMs,
    sim: (f, w) => w.net.addLatency(ms(f.addMs), ms(f.forMs)),
    real: async (f, r) => r.proxy!.addLatency(f.addMs, f.forMs),
    needs: { proxy: true },
    events: ['net.fault'],
  },
);
