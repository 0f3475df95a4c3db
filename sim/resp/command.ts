import {
  ByteStream,
  CR,
  LF,
  LEN_NULL,
  RESP_DEFAULTS,
  describeByte,
  excerpt,
  limitOption,
  parseLength,
  protocolError,
} from './bytes.js';

export interface RespCommandDecoderOptions {
  /** proto-max-bulk-len. Default 512 MB. */
  maxBulkLength?: number;
  /** Most arguments in one multibulk command. Default 1024*1024. */
  maxMultibulkLength?: number;
  /** PROTO_INLINE_MAX_SIZE: longest inline line or unterminated count line. Default 64 KB. */
  maxInlineLength?: number;
}


const STAR = 42;
const DOLLAR = 36;

/** Arguments up to this long are handed out from `interned`. */
const INTERN_MAX = 32;
const INTERN_SLOTS = 4096;
/** Recently decoded short arguments by a hash of their bytes (direct-mapped). */
const interned: Uint8Array[] = new Array<Uint8Array>(INTERN_SLOTS).fill(new Uint8Array(0));

/**
 * Whether `b` is the argument interned at `slot` (FNV-1a of its bytes, folded: internArg's): such
 * an array is handed out again each time its bytes come and never written, so a reader may
 * remember what it found by its identity (the keyspace does: Keyspace.getBytes).
 */
export function isInterned(b: Uint8Array, slot: number): boolean {
  return interned[slot] === b;
}

/**
 * buf[a, b) as a short argument: the same array as the last time these bytes came (command
 * names and keys repeat command after command), else a copy that takes its slot. Hashing a few
 * bytes costs less than making an array, and nothing is left for the collector.
 */
function internArg(buf: Uint8Array, a: number, b: number): Uint8Array {
  const n = b - a;
  let h = 0x811c9dc5 ^ n;
  for (let i = a; i < b; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  const slot = (h ^ (h >>> 15)) & (INTERN_SLOTS - 1);
  const hit = interned[slot]!;
  if (hit.length === n) {
    let i = 0;
    while (i < n && hit[i] === buf[a + i]) i++;
    if (i === n) return hit;
  }
  const copy = buf.slice(a, b);
  interned[slot] = copy;
  return copy;
}

/**
 * Server side of the protocol, modelled on Redis networking.c processInputBuffer: input starting
 * with `*` is a multibulk command (processMultibulkBuffer: an array of bulk strings); anything
 * else is an inline command line (processInlineBuffer: split like sds.c sdssplitargs, so
 * redis-cli style quoting works). Each command comes out as its argument vector. Empty inline
 * lines and `*0`/`*-1` produce no command, as in Redis.
 *
 * Deliberately stricter than Redis, so a buggy simulated client is caught instead of silently
 * mis-framed: the bulk payload must be followed by CRLF (Redis skips two bytes unchecked), CR must
 * be followed by LF, a count below -1 is an error (Redis ignores `*-5`), and the inline limit
 * applies to complete lines too (Redis checks it only while no newline has arrived), so the
 * result never depends on how the input was split.
 */
export class RespCommandDecoder extends ByteStream<Uint8Array[]> {
  private readonly maxBulk: number;
  private readonly maxArgs: number;
  private readonly maxInline: number;
  /** Arguments of the multibulk command being read, or null between commands. */
  private argv: Uint8Array[] | null = null;
  private argsLeft = 0;

  constructor(options: RespCommandDecoderOptions = {}) {
    super();
    this.maxBulk = limitOption(options.maxBulkLength, RESP_DEFAULTS.maxBulkLength, 'maxBulkLength');
    this.maxArgs = limitOption(options.maxMultibulkLength, RESP_DEFAULTS.maxMultibulkLengthServer, 'maxMultibulkLength');
    this.maxInline = limitOption(options.maxInlineLength, RESP_DEFAULTS.maxInlineLength, 'maxInlineLength');
  }

  /**
   * Every command completed so far, each as its arguments, pushed onto `out` if given (else a
   * new array). Throws RespProtocolError on bad input. Arguments are read-only: a short one is
   * the same array each time its bytes come (see internArg).
   */
  feed(chunk: Uint8Array, out?: Uint8Array[][]): Uint8Array[][] {
    return this.feedItems(chunk, out);
  }

  /** An argument at buf[a, b). */
  private argOf(buf: Uint8Array, a: number, b: number): Uint8Array {
    return b - a <= INTERN_MAX ? internArg(buf, a, b) : this.bytesOf(buf, a, b);
  }

  protected parse(out: Uint8Array[][]): void {
    const buf = this.buf;
    const end = this.end;
    let pos = this.pos;
    let scanned = this.scanned;
    this.scanned = 0;

    while (pos < end) {
      if (this.argv === null && buf[pos] === STAR && scanned === 0) {
        const after = this.whole(buf, pos, end, out);
        if (after > 0) {
          pos = after;
          continue;
        }
      }
      if (this.argv === null && buf[pos] !== STAR) {
        // Inline command: up to LF, dropping one CR before it.
        let lf = pos + scanned;
        scanned = 0;
        while (lf < end && buf[lf] !== LF) lf++;
        if (lf - pos > this.maxInline) throw protocolError(`too big inline request (over ${this.maxInline} bytes)`);
        if (lf === end) {
          this.scanned = lf - pos;
          break;
        }
        const lineEnd = lf > pos && buf[lf - 1] === CR ? lf - 1 : lf;
        const args = splitInlineArgs(buf, pos, lineEnd);
        if (args === null) throw protocolError('unbalanced quotes in request');
        if (args.length > 0) out.push(args);
        pos = lf + 1;
        continue;
      }

      // `*<count>` or, inside a command, `$<len>`: one CRLF-terminated header line.
      const t = buf[pos]!;
      if (this.argv !== null && t !== DOLLAR) throw protocolError(`expected '$', got ${describeByte(t)}`);
      let cr = pos + 1 + scanned;
      scanned = 0;
      while (cr < end && buf[cr] !== CR) cr++;
      if (cr + 1 >= end) {
        if (end - pos > this.maxInline) {
          throw protocolError(`too big ${t === STAR ? 'mbulk' : 'bulk'} count string (over ${this.maxInline} bytes)`);
        }
        this.scanned = cr - pos - 1;
        break;
      }
      if (buf[cr + 1] !== LF) throw protocolError(`expected LF after CR in ${excerpt(buf, pos, cr + 2)}`);
      const n = parseLength(buf, pos + 1, cr);
      const next = cr + 2;

      if (t === STAR) {
        if (n === 0 || n === LEN_NULL) {
          pos = next;
          continue;
        }
        if (n < 0 || n > this.maxArgs) {
          throw protocolError(`invalid multibulk length ${excerpt(buf, pos + 1, cr)} (limit ${this.maxArgs})`);
        }
        this.argv = [];
        this.argsLeft = n;
        pos = next;
        continue;
      }

      if (n < 0 || n > this.maxBulk) {
        throw protocolError(`invalid bulk length ${excerpt(buf, pos + 1, cr)} (limit ${this.maxBulk})`);
      }
      const stop = next + n;
      if (stop + 2 <= end) {
        if (buf[stop] !== CR || buf[stop + 1] !== LF) {
          throw protocolError(`bulk argument of ${n} bytes not followed by CRLF`);
        }
        this.arg(this.argOf(buf, next, stop), out);
        pos = stop + 2;
        continue;
      }
      this.pos = pos;
      this.startBody(DOLLAR, n, next, out);
      return;
    }
    this.pos = pos;
  }

  /**
   * The usual case in one pass: a whole, well-formed multibulk command at buf[pos]. Pushes its
   * arguments and returns the offset after it, or -1 (nothing pushed) for anything else —
   * incomplete, empty, over a limit or malformed — which the general path then reads, errors
   * included, exactly as if this were not here. (An argument is handed out as the general path
   * hands it out when it is all in the buffer: argOf.)
   */
  private whole(buf: Uint8Array, pos: number, end: number, out: Uint8Array[][]): number {
    let cr = pos + 1;
    while (cr < end && buf[cr] !== CR) cr++;
    if (cr + 1 >= end || buf[cr + 1] !== LF) return -1;
    const n = parseLength(buf, pos + 1, cr);
    if (n <= 0 || n > this.maxArgs) return -1;
    let at = cr + 2;
    // Its exact size (pushing onto [] would make room for 17).
    const argv = new Array<Uint8Array>(n);
    for (let k = 0; k < n; k++) {
      if (at >= end || buf[at] !== DOLLAR) return -1;
      cr = at + 1;
      while (cr < end && buf[cr] !== CR) cr++;
      if (cr + 1 >= end || buf[cr + 1] !== LF) return -1;
      const len = parseLength(buf, at + 1, cr);
      if (len < 0 || len > this.maxBulk) return -1;
      const start = cr + 2;
      at = start + len;
      if (at + 2 > end || buf[at] !== CR || buf[at + 1] !== LF) return -1;
      argv[k] = this.argOf(buf, start, at);
      at += 2;
    }
    out.push(argv);
    return at;
  }

  protected bodyDone(_kind: number, data: Uint8Array, out: Uint8Array[][]): void {
    this.arg(data, out);
  }

  private arg(a: Uint8Array, out: Uint8Array[][]): void {
    const argv = this.argv!;
    argv.push(a);
    if (--this.argsLeft === 0) {
      out.push(argv);
      this.argv = null;
    }
  }
}

function isSpace(c: number): boolean {
  // C isspace(): space, \t, \n, \v, \f, \r.
  return c === 32 || (c >= 9 && c <= 13);
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

const encoder = new TextEncoder();
const BACKSLASH = 92;
const DQUOTE = 34;
const SQUOTE = 39;

/**
 * Splits one inline command line into arguments exactly like Redis sds.c sdssplitargs:
 * blanks separate words; "double quotes" take \n \r \t \b \a \xHH and \<any> escapes;
 * 'single quotes' take only \'; a closing quote must be followed by a blank or the end.
 * Returns null for unbalanced quotes. A NUL byte ends the line, as it ends the C string.
 */
export function splitInlineArgs(line: Uint8Array | string, start = 0, stop?: number): Uint8Array[] | null {
  let bytes: Uint8Array;
  let p: number;
  let end: number;
  if (typeof line === 'string') {
    bytes = encoder.encode(line);
    p = 0;
    end = bytes.length;
  } else {
    bytes = line;
    p = start;
    end = Math.min(stop ?? line.length, line.length);
  }
  const nul = bytes.indexOf(0, p);
  if (nul !== -1 && nul < end) end = nul;

  const out: Uint8Array[] = [];
  const tmp = new Uint8Array(Math.max(0, end - p));
  const at = (i: number): number => (i < end ? bytes[i]! : 0);
  for (;;) {
    while (p < end && isSpace(bytes[p]!)) p++;
    if (p >= end) return out;
    let len = 0;
    let inq = false;
    let insq = false;
    let done = false;
    while (!done) {
      const c = at(p);
      if (inq) {
        if (c === BACKSLASH && at(p + 1) === 120 /* x */ && hexValue(at(p + 2)) >= 0 && hexValue(at(p + 3)) >= 0) {
          tmp[len++] = hexValue(at(p + 2)) * 16 + hexValue(at(p + 3));
          p += 3;
        } else if (c === BACKSLASH && p + 1 < end) {
          p++;
          const e = bytes[p]!;
          tmp[len++] = e === 110 ? 10 : e === 114 ? 13 : e === 116 ? 9 : e === 98 ? 8 : e === 97 ? 7 : e;
        } else if (c === DQUOTE) {
          if (p + 1 < end && !isSpace(bytes[p + 1]!)) return null;
          done = true;
        } else if (p >= end) {
          return null;
        } else {
          tmp[len++] = c;
        }
      } else if (insq) {
        if (c === BACKSLASH && at(p + 1) === SQUOTE) {
          p++;
          tmp[len++] = SQUOTE;
        } else if (c === SQUOTE) {
          if (p + 1 < end && !isSpace(bytes[p + 1]!)) return null;
          done = true;
        } else if (p >= end) {
          return null;
        } else {
          tmp[len++] = c;
        }
      } else if (p >= end || c === 32 || c === 10 || c === 13 || c === 9) {
        done = true;
      } else if (c === DQUOTE) {
        inq = true;
      } else if (c === SQUOTE) {
        insq = true;
      } else {
        tmp[len++] = c;
      }
      if (p < end) p++;
    }
    out.push(tmp.slice(0, len));
  }
}
