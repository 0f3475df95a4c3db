/**
 * RESP decode throughput. Run: npx tsx bench/resp.ts
 * Prints figures only. Each case decodes a prebuilt byte stream cut into fixed-size chunks (as a
 * socket would deliver it); the best of several timed runs after a warm-up is reported.
 */
import {
  RespCommandDecoder,
  RespDecoder,
  array,
  bulkString,
  double,
  encode,
  encodeCommand,
  integer,
  map,
  simpleString,
  type RespValue,
} from '../sim/resp/index.js';
import { concatBytes } from '../sim/resp/testing.js';

const KB = 1024;
const MB = 1024 * 1024;

function chunk(input: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < input.length; i += size) out.push(input.subarray(i, i + size));
  return out;
}

/** Repeats encoded values until the stream is at least `target` bytes. */
function stream(values: RespValue[], target: number): { bytes: Uint8Array; count: number } {
  const one = concatBytes(values.map((v) => encode(v)));
  const reps = Math.max(1, Math.ceil(target / one.length));
  const parts: Uint8Array[] = new Array<Uint8Array>(reps).fill(one);
  return { bytes: concatBytes(parts), count: reps * values.length };
}

function run(
  name: string,
  bytes: Uint8Array,
  count: number,
  chunkSize: number,
  decode: (chunks: Uint8Array[]) => number,
  elementsPerItem = 0,
): void {
  const chunks = chunk(bytes, chunkSize);
  const got = decode(chunks); // warm-up, and a sanity check on the count
  if (got !== count) throw new Error(`${name}: decoded ${got} items, expected ${count}`);
  const times: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    decode(chunks);
    times.push(performance.now() - t0);
  }
  const best = Math.min(...times) / 1000;
  const mbps = bytes.length / MB / best;
  const perSec = count / best;
  const unit = name.startsWith('SET') ? 'commands/s' : 'replies/s';
  const elements = elementsPerItem > 0 ? `  ${fmt(perSec * elementsPerItem).padStart(8)} elements/s` : '';
  console.log(
    `${name.padEnd(50)} ${(bytes.length / MB).toFixed(0).padStart(3)} MB ${mbps.toFixed(0).padStart(6)} MB/s ${fmt(perSec).padStart(8)} ${unit}${elements}`,
  );
}

function fmt(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(1);
}

const replies = (chunks: Uint8Array[]): number => {
  const d = new RespDecoder();
  let n = 0;
  for (const c of chunks) n += d.feed(c).length;
  return n;
};

const commands = (chunks: Uint8Array[]): number => {
  const d = new RespCommandDecoder();
  let n = 0;
  for (const c of chunks) n += d.feed(c).length;
  return n;
};

console.log(`RESP decode benchmark (Node ${process.versions.node}), best of 10 passes`);
console.log('(a) many small replies, 16 KB chunks');
{
  const s = stream([simpleString('OK')], 16 * MB);
  run('+OK', s.bytes, s.count, 16 * KB, replies);
}
{
  const s = stream([integer(123)], 16 * MB);
  run(':123', s.bytes, s.count, 16 * KB, replies);
}
{
  const s = stream([bulkString('hello world')], 16 * MB);
  run('$11 bulk string', s.bytes, s.count, 16 * KB, replies);
}
{
  const s = stream([simpleString('OK'), integer(123), bulkString('x'.repeat(32)), bulkString(null), double(1.5)], 16 * MB);
  run('mix: +OK, :123, 32 B bulk, null bulk, double', s.bytes, s.count, 16 * KB, replies);
}
{
  const s = stream([map([[bulkString('field'), bulkString('value')], [bulkString('n'), integer(1)]])], 16 * MB);
  run('RESP3 map of 2 pairs', s.bytes, s.count, 16 * KB, replies);
}

console.log('(b) large replies');
{
  const payload = new Uint8Array(MB).map((_, i) => i & 0xff);
  const s = stream([bulkString(payload)], 64 * MB);
  run('1 MB bulk strings, 16 KB chunks', s.bytes, s.count, 16 * KB, replies);
  run('1 MB bulk strings, 64 KB chunks', s.bytes, s.count, 64 * KB, replies);
}
{
  const arr = array(Array.from({ length: 1000 }, (_, i) => bulkString(`member:${i}:${'v'.repeat(20)}`)));
  const s = stream([arr], 32 * MB);
  run('arrays of 1000 bulk strings (~30 B), 16 KB chunks', s.bytes, s.count, 16 * KB, replies, 1000);
}

console.log('(c) server side: commands');
{
  const cmd = encodeCommand(['SET', 'key:000123', 'x'.repeat(64)]);
  const s = concatBytes(new Array<Uint8Array>(Math.ceil((16 * MB) / cmd.length)).fill(cmd));
  run('SET key 64 B value, 16 KB chunks', s, Math.ceil((16 * MB) / cmd.length), 16 * KB, commands);
}
