/**
 * The clients' own TypeScript, as text, for the tour's code panel (Vite's `?raw`: the same files
 * the simulator runs, so the panel can never show code that is not the code running).
 */
import naive from '../../../sim/clients/naive.ts?raw';
import serial from '../../../sim/clients/serial.ts?raw';
import pool from '../../../sim/clients/pool.ts?raw';
import multiplex from '../../../sim/clients/multiplex.ts?raw';
import backoff from '../../../sim/clients/backoff.ts?raw';
import type { CodeFile } from './code-states.js';

export const SOURCES: Record<CodeFile, string> = { naive, serial, pool, multiplex, backoff };

export const SOURCE_PATHS: Record<CodeFile, string> = {
  naive: 'sim/clients/naive.ts',
  serial: 'sim/clients/serial.ts',
  pool: 'sim/clients/pool.ts',
  multiplex: 'sim/clients/multiplex.ts',
  backoff: 'sim/clients/backoff.ts',
};
