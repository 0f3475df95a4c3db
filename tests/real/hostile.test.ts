/**
 * npm run real against a --redis that is not a usable Redis (issue 15, item 6): a server that
 * accepts and never answers, one that answers HTTP, one that floods RESP3 attribute maps, one
 * that hangs up, one that answers PING and nothing else. Each is a UsageError (exit 2) naming
 * the address and what it did, within a few seconds; never a hang or a stack trace.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { join } from 'node:path';
import { main } from '../../cli/real-main.js';
import { UsageError } from '../../cli/report.js';

const root = join(import.meta.dirname, '..', '..');
const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();

/** A loopback server whose connections `behave` decides; closed after the file. */
function hostile(behave: (c: net.Socket) => void): Promise<string> {
  return new Promise((resolve) => {
    const s = net.createServer((c) => {
      sockets.add(c);
      c.on('error', () => undefined);
      behave(c);
    });
    servers.push(s);
    s.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(s.address() as net.AddressInfo).port}`));
  });
}

afterAll(async () => {
  for (const c of sockets) c.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

const silent = () => hostile(() => undefined);
const http = () =>
  hostile((c) =>
    c.once('data', () => {
      c.write('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nConnection: close\r\n\r\nBad Request');
      c.end();
    }),
  );
/** RESP3 attribute maps and never the value they annotate: 8 MB at most, in 64 kB writes. */
const flood = () =>
  hostile((c) => {
    const chunk = Buffer.from('|1\r\n+key-popularity\r\n:1\r\n'.repeat(2600));
    let sent = 0;
    const more = () => {
      while (!c.destroyed && sent < 8_000_000) {
        sent += chunk.length;
        if (!c.write(chunk)) return void c.once('drain', more);
      }
    };
    c.once('data', more);
  });
const hangUp = () => hostile((c) => c.once('data', () => c.destroy()));
/** Answers PING, and nothing after: the run's own INFO waits in vain. */
const pingOnly = () => hostile((c) => c.on('data', (d: Buffer) => d.toString().includes('PING') && c.write('+PONG\r\n')));

async function usageError(args: string[]): Promise<string> {
  const e = await main(args).then(
    () => null,
    (x: unknown) => x,
  );
  expect(e, args.join(' ')).toBeInstanceOf(UsageError);
  return (e as Error).message;
}

describe('npm run real --redis at a server that is not a usable Redis', () => {
  it('fails_naming_the_address_and_what_the_server_did', async () => {
    const [a, b, c, d, e] = await Promise.all([silent(), http(), flood(), hangUp(), pingOnly()]);
    const q = (addr: string) => addr.replace(/\./g, '\\.');
    const cases: Array<[string, RegExp]> = [
      [a, new RegExp(`^--redis: ${q(a)} did not answer PING within 2000 ms$`)],
      [b, new RegExp(`^--redis: ${q(b)} is not a Redis: it answered PING with "HTTP/1\\.1 400 Bad Request\\\\r\\\\n`)],
      [c, new RegExp(`^--redis: ${q(c)} sent \\d+ bytes without completing a reply to PING \\(it began "\\|1\\\\r\\\\n\\+key-popularity`)],
      [d, new RegExp(`^--redis: ${q(d)} closed the connection without answering PING$`)],
      [e, new RegExp(`^--redis: ${q(e)} did not answer INFO within 5000 ms$`)],
    ];
    const messages = await Promise.all(cases.map(([addr]) => usageError(['--preset', 'l4-multiplex', '--redis', addr])));
    messages.forEach((m, i) => expect(m).toMatch(cases[i]![1]));
  }, 30_000);

  it('the_command_exits_2_with_the_message_and_no_stack_trace', async () => {
    const addr = await http();
    const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
      const p = spawn(process.execPath, ['--import', 'tsx', join(root, 'cli', 'real.ts'), '--preset', 'l4-multiplex', '--redis', addr], { cwd: root, env: { ...process.env, FORCE_COLOR: '0' } });
      let err = '';
      p.stderr.on('data', (x: Buffer) => (err += x.toString()));
      p.on('close', (code) => resolve({ code, err }));
    });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`^error: --redis: ${addr.replace(/\./g, '\\.')} is not a Redis`));
    expect(r.err).not.toMatch(/\n\s+at /);
  }, 30_000);
});
