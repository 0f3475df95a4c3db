/**
 * RedisProcess.start on a port another server took first (another test file's, say): it must not
 * take that server for its own, and starts on another port.
 */
import { describe, expect, it } from 'vitest';
import { toText } from '../../sim/resp/index.js';
import { Admin } from '../../real/admin.js';
import { RedisProcess, freePort } from '../../real/redis-server.js';
import { useRedis } from './helpers.js';

const other = useRedis();

describe('RedisProcess.start', () => {
  it('gives_up_a_port_another_server_holds_and_never_uses_that_server', async () => {
    const taken = other.server.port;
    const a = await Admin.connect(other.server.address);
    await a.command(['SET', 'redis-server-test:mine', 'kept']);
    const picked: number[] = [];
    const ports = async () => {
      const p = picked.length === 0 ? taken : await freePort();
      picked.push(p);
      return p;
    };
    const r = await RedisProcess.start(undefined, ports);
    try {
      expect(picked[0]).toBe(taken);
      expect(r.port).not.toBe(taken);
      expect(picked[picked.length - 1]).toBe(r.port);
      const b = await Admin.connect(r.address);
      const info = await b.info('server');
      b.close();
      expect(Number(info.get('process_id'))).not.toBe(0);
      // The other server was left alone.
      expect(toText(await a.command(['GET', 'redis-server-test:mine']))).toBe('kept');
    } finally {
      a.close();
      await r.stop();
    }
  });
});
