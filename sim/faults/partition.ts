import { z } from 'zod';
import { ms } from '../kernel/time.js';
import { defineFault, forField } from './fault.js';

export const partition = defineFault(
  'partition',
  { forMs: forField, mode: z.enum(['hold', 'drop'], { error: 'expected "hold" or "drop"' }).optional().meta({ title: 'Mode', description: 'hold: bytes wait for the heal · drop: lost, sockets left half-open' }) },
  {
    label: 'Partition',
    description: 'No byte crosses and nobody is told: "hold" delivers them when it heals, "drop" loses them and leaves half-open sockets.',
    defaults: { forMs: 200, mode: 'hold' },
    detail: (f) => ` (${f.mode ?? 'hold'})`,
    sim: (f, w) => w.net.partition(f.mode ?? 'hold', ms(f.forMs)),
    real: async (f, r) => r.proxy!.partitionFor(f.mode ?? 'hold', f.forMs),
    needs: { proxy: true },
    events: ['net.fault'],
  },
);
