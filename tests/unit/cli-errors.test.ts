/** What the CLIs print for an error, and their exit code (cli/args.ts). */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { exitOnError } from '../../cli/args.js';
import { UsageError } from '../../cli/report.js';
import { ClientStartError } from '../../sim/scenario/index.js';

afterEach(() => vi.restoreAllMocks());

function printed(e: unknown): { code: number; text: string } {
  let text = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    text += String(s);
    return true;
  });
  const code = exitOnError(e, 'usage: here');
  vi.restoreAllMocks();
  return { code, text };
}

describe('a command that fails', () => {
  it('exits_2_with_the_message_for_bad_input_and_for_a_client_that_cannot_start', () => {
    expect(printed(new UsageError('unknown option --x\u001b[31m'))).toEqual({ code: 2, text: 'error: unknown option --x[31m\n\nusage: here\n' });
    expect(printed(new ClientStartError('pool', 'backoff.maxMs must be >= initialMs (1000), got 500'))).toEqual({ code: 2, text: 'error: client "pool" cannot start: backoff.maxMs must be >= initialMs (1000), got 500\n' });
  });

  it('shows_the_stack_of_a_bug_with_exit_1', () => {
    const r = printed(new TypeError('boom'));
    expect(r.code).toBe(1);
    expect(r.text).toMatch(/^TypeError: boom\n\s+at /);
  });
});
