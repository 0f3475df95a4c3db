import {
  ByteStream,
  RESP_DEFAULTS,
  CR,
  LF,
  LEN_NULL,
  LEN_STREAMED,
  LEN_SYNTAX,
  decodeText,
  describeByte,
  excerpt,
  limitOption,
  parseBigNumber,
  parseDouble,
  parseInteger,
  parseLength,
  protocolError,
} from './bytes.js';
import { RespCommandDecoder } from './command.js';
import { RespProtocolError, type RespAttributes, type RespValue } from './types.js';

export { RESP_DEFAULTS };

export interface RespDecoderOptions {
  /**
   * `client` (default) decodes replies: every RESP2/RESP3 type. `server` decodes commands like
   * Redis's networking.c: multibulk arrays of bulk strings or inline lines, each yielded as an
   * array of bulk strings (see RespCommandDecoder).
   */
  mode?: 'client' | 'server';
  /** Longest bulk/blob/verbatim payload, and total of a streamed string. Default 512 MB. */
  maxBulkLength?: number;
  /** Most elements in one aggregate (pairs for maps). Default 2^32-1 client, 1024*1024 server. */
  maxMultibulkLength?: number;
  /** Most aggregates open at once; deeper input is an error, not a stack overflow. Default 128. */
  maxDepth?: number;
  /** Server mode: longest inline line. Default 64 KB. */
  maxInlineLength?: number;
  /** Client mode: longest `+`, `-`, `,` or `(` line. Default maxBulkLength. */
  maxLineLength?: number;
}

// Type bytes.
const PLUS = 43; // +
const MINUS = 45; // -
const COLON = 58; // :
const DOLLAR = 36; // $
const STAR = 42; // *
const UNDERSCORE = 95; // _
const HASH = 35; // #
const COMMA = 44; // ,
const LPAREN = 40; // (
const BANG = 33; // !
const EQUALS = 61; // =
const PERCENT = 37; // %
const TILDE = 126; // ~
const PIPE = 124; // |
const GT = 62; // >
const SEMI = 59; // ; streamed string part
const DOT = 46; // . end of streamed aggregate

/** Lines of numeric/length types are never legitimately long: fail fast instead of buffering. */
const SHORT_LINE_MAX = 64;
const CLASS_SHORT = 1;
const CLASS_LONG = 2;
const TYPE_CLASS = new Uint8Array(256);
for (const c of [COLON, DOLLAR, STAR, UNDERSCORE, HASH, BANG, EQUALS, PERCENT, TILDE, PIPE, GT, SEMI, DOT]) {
  TYPE_CLASS[c] = CLASS_SHORT;
}
for (const c of [PLUS, MINUS, COMMA, LPAREN]) TYPE_CLASS[c] = CLASS_LONG;

const TYPE_NAMES: Record<number, string> = {
  [DOLLAR]: 'bulk string',
  [BANG]: 'blob error',
  [EQUALS]: 'verbatim string',
  [SEMI]: 'streamed string part',
  [STAR]: 'array',
  [PERCENT]: 'map',
  [TILDE]: 'set',
  [PIPE]: 'attribute',
  [GT]: 'push',
};

/** An aggregate whose elements are still arriving. */
class Frame {
  items: RespValue[] = [];
  parts: Uint8Array[] | null = null;
  size = 0;
  constructor(
    readonly kind: number,
    /** Elements still expected (maps and attributes count keys and values); -1 until `.`. */
    public remaining: number,
    /** Attributes that preceded this aggregate. */
    readonly attrs: RespAttributes | null,
  ) {}
}

const STREAMED_STRING = -1; // Frame.kind of `$?`

/**
 * Streaming RESP2/RESP3 decoder. `feed` returns every value completed so far and keeps partial
 * input, so any split of the input gives the same values. Nested aggregates are built on an
 * explicit stack: a value arriving in pieces is never re-parsed from its start, and nesting
 * depth is a checked limit rather than recursion.
 *
 * Attributes (`|`) are attached, not skipped: the next value at the same level gets an
 * `attributes` field holding the attribute map's pairs (consecutive attribute maps are
 * concatenated). They do not count as aggregate elements. An attribute right before the `.`
 * ending a streamed aggregate is a protocol error; one at the end of the input waits for its value.
 *
 * Also decodes RESP3 streamed strings (`$?` + `;n` parts, to a bulk) and streamed aggregates
 * (`*?`, `~?`, `%?` ended by `.`), which the spec asks clients to support.
 *
 * After a RespProtocolError every later `feed` throws too: a client closes the connection.
 */
export class RespDecoder {
  private readonly impl: ReplyStream | ServerStream;

  constructor(options: RespDecoderOptions = {}) {
    this.impl = options.mode === 'server' ? new ServerStream(options) : new ReplyStream(options);
  }

  /** Every value completed so far, pushed onto `out` if given (else a new array). */
  feed(chunk: Uint8Array, out?: RespValue[]): RespValue[] {
    return this.impl.feed(chunk, out);
  }

  /** True after a protocol error. */
  get failed(): boolean {
    return this.impl.failed;
  }

  /** Bytes held for a value that is not complete yet. */
  get pendingBytes(): number {
    return this.impl.pendingBytes;
  }
}

function commandToValue(argv: Uint8Array[]): RespValue {
  return { type: 'array', value: argv.map((a) => ({ type: 'bulk', value: a })) };
}

class ServerStream {
  private readonly commands: RespCommandDecoder;
  constructor(options: RespDecoderOptions) {
    this.commands = new RespCommandDecoder(options);
  }
  feed(chunk: Uint8Array, out: RespValue[] = []): RespValue[] {
    try {
      for (const argv of this.commands.feed(chunk)) out.push(commandToValue(argv));
      return out;
    } catch (e) {
      if (e instanceof RespProtocolError) e.completed = (e.completed as Uint8Array[][]).map(commandToValue);
      throw e;
    }
  }
  get failed(): boolean {
    return this.commands.failed;
  }
  get pendingBytes(): number {
    return this.commands.pendingBytes;
  }
}

class ReplyStream extends ByteStream<RespValue> {
  private readonly maxBulk: number;
  private readonly maxElements: number;
  private readonly maxDepth: number;
  private readonly maxLine: number;
  private readonly stack: Frame[] = [];
  private top: Frame | null = null;
  private pendingAttrs: RespAttributes | null = null;
  /** Bytes parsed into aggregates and attributes that are still open (see pendingBytes). */
  private held = 0;
  /** Header length of the payload being copied straight (startBody). */
  private bodyHeader = 0;

  constructor(options: RespDecoderOptions) {
    super();
    this.maxBulk = limitOption(options.maxBulkLength, RESP_DEFAULTS.maxBulkLength, 'maxBulkLength');
    this.maxElements = limitOption(
      options.maxMultibulkLength,
      RESP_DEFAULTS.maxMultibulkLengthClient,
      'maxMultibulkLength',
    );
    this.maxDepth = limitOption(options.maxDepth, RESP_DEFAULTS.maxDepth, 'maxDepth');
    this.maxLine = limitOption(options.maxLineLength, this.maxBulk, 'maxLineLength');
  }

  feed(chunk: Uint8Array, out?: RespValue[]): RespValue[] {
    return this.feedItems(chunk, out);
  }

  protected parse(out: RespValue[]): void {
    const buf = this.buf;
    const end = this.end;
    let pos = this.pos;
    let scanned = this.scanned;
    this.scanned = 0;

    while (pos < end) {
      const t = buf[pos]!;
      const cls = TYPE_CLASS[t]!;
      if (cls === 0) throw protocolError(`got ${describeByte(t)} as reply type byte`);
      const top = this.top;
      if (top !== null && top.kind === STREAMED_STRING) {
        if (t !== SEMI) throw protocolError(`expected ';' part of a streamed string, got ${describeByte(t)}`);
      } else if (t === SEMI) {
        throw protocolError("';' streamed string part outside a streamed string");
      }

      const lineStart = pos + 1;
      const lineMax = cls === CLASS_SHORT ? SHORT_LINE_MAX : this.maxLine;
      let cr = lineStart + scanned;
      scanned = 0;
      while (cr < end && buf[cr] !== CR) cr++;
      if (cr + 1 >= end) {
        // No complete line yet.
        if (cr - lineStart > lineMax) throw lineTooLong(t, lineMax);
        this.scanned = cr - lineStart;
        break;
      }
      if (buf[cr + 1] !== LF) throw protocolError(`expected LF after CR in ${excerpt(buf, pos, cr + 2)}`);
      if (cr - lineStart > lineMax) throw lineTooLong(t, lineMax);
      const next = cr + 2;

      switch (t) {
        case PLUS:
          this.scalar({ type: 'simple', value: decodeText(buf, lineStart, cr) }, out);
          break;
        case MINUS:
          this.scalar({ type: 'error', value: decodeText(buf, lineStart, cr) }, out);
          break;
        case COLON: {
          const v = parseInteger(buf, lineStart, cr);
          if (v === null) throw protocolError(`bad integer value ${excerpt(buf, lineStart, cr)}`);
          this.scalar({ type: 'integer', value: v }, out);
          break;
        }
        case DOLLAR:
        case BANG:
        case EQUALS:
        case SEMI: {
          const len = parseLength(buf, lineStart, cr);
          if (len < 0) {
            if (len === LEN_NULL && t === DOLLAR) {
              this.scalar({ type: 'bulk', value: null }, out);
              break;
            }
            if (len === LEN_STREAMED && t === DOLLAR) {
              this.open(new Frame(STREAMED_STRING, -1, this.takeAttrs()));
              this.top!.parts = [];
              break;
            }
            throw badLength(t, buf, lineStart, cr, len);
          }
          if (t === SEMI) {
            if (top!.size + len > this.maxBulk) throw tooLong('streamed string', top!.size + len, this.maxBulk);
            if (len === 0) {
              this.closeStreamedString(out);
              break;
            }
          } else if (len > this.maxBulk) {
            throw tooLong(TYPE_NAMES[t]!, len, this.maxBulk);
          }
          if (t === EQUALS && len < 4) throw protocolError(`verbatim string of ${len} bytes has no format prefix`);
          const stop = next + len;
          if (stop + 2 <= end) {
            if (buf[stop] !== CR || buf[stop + 1] !== LF) {
              throw protocolError(`${TYPE_NAMES[t]} payload of ${len} bytes not followed by CRLF`);
            }
            this.blob(t, buf, next, stop, out);
            this.account(stop + 2 - pos);
            pos = stop + 2;
            continue;
          }
          this.pos = pos;
          this.bodyHeader = next - pos;
          if (this.startBody(t, len, next, out)) return;
          return; // wait for the whole (short) item
        }
        case STAR:
        case TILDE:
        case GT:
        case PERCENT:
        case PIPE: {
          const n = parseLength(buf, lineStart, cr);
          if (n === LEN_NULL && t === STAR) {
            this.scalar({ type: 'array', value: null }, out);
            break;
          }
          if (this.stack.length >= this.maxDepth) {
            throw protocolError(`${TYPE_NAMES[t]} nested deeper than maxDepth (${this.maxDepth})`);
          }
          if (n < 0) {
            if (n === LEN_STREAMED && (t === STAR || t === TILDE || t === PERCENT)) {
              this.open(new Frame(t, -1, this.takeAttrs()));
              break;
            }
            throw badLength(t, buf, lineStart, cr, n);
          }
          if (n > this.maxElements) throw tooLong(TYPE_NAMES[t]!, n, this.maxElements, 'elements');
          if (n === 0) {
            if (t === PIPE) this.pendingAttrs ??= [];
            else this.deliver(finish(new Frame(t, 0, this.takeAttrs())), out);
            break;
          }
          this.open(new Frame(t, t === PERCENT || t === PIPE ? 2 * n : n, this.takeAttrs()));
          break;
        }
        case UNDERSCORE:
          if (cr !== lineStart) throw protocolError(`bad nil value ${excerpt(buf, pos, cr)}`);
          this.scalar({ type: 'null' }, out);
          break;
        case HASH: {
          const c = buf[lineStart];
          if (cr !== lineStart + 1 || (c !== 116 /* t */ && c !== 102) /* f */) {
            throw protocolError(`bad bool value ${excerpt(buf, pos, cr)}`);
          }
          this.scalar({ type: 'boolean', value: c === 116 }, out);
          break;
        }
        case COMMA: {
          const v = parseDouble(buf, lineStart, cr);
          if (v === null) throw protocolError(`bad double value ${excerpt(buf, lineStart, cr)}`);
          this.scalar({ type: 'double', value: v }, out);
          break;
        }
        case LPAREN: {
          const v = parseBigNumber(buf, lineStart, cr);
          if (v === null) throw protocolError(`bad big number value ${excerpt(buf, lineStart, cr)}`);
          this.scalar({ type: 'bignum', value: v }, out);
          break;
        }
        case DOT:
          if (cr !== lineStart) throw protocolError(`bad end of aggregate ${excerpt(buf, pos, cr)}`);
          this.closeStreamedAggregate(out);
          break;
      }
      this.account(next - pos);
      pos = next;
    }
    this.pos = pos;
  }

  protected bodyDone(kind: number, data: Uint8Array, out: RespValue[]): void {
    this.blob(kind, data, 0, data.length, out);
    this.account(this.bodyHeader + data.length + 2);
  }

  /** Bytes of a value not complete yet: input not parsed, and what is parsed into open aggregates or attributes. */
  override get pendingBytes(): number {
    return super.pendingBytes + this.held;
  }

  /** An item of `n` bytes was parsed: held while it is part of a value still open. */
  private account(n: number): void {
    this.held = this.top !== null || this.pendingAttrs !== null ? this.held + n : 0;
  }

  /** A complete `$ ! = ;` payload in buf[a, b). */
  private blob(t: number, buf: Uint8Array, a: number, b: number, out: RespValue[]): void {
    switch (t) {
      case DOLLAR:
        this.scalar({ type: 'bulk', value: a === 0 && b === buf.length ? buf : buf.slice(a, b) }, out);
        return;
      case BANG:
        this.scalar({ type: 'error', value: decodeText(buf, a, b) }, out);
        return;
      case EQUALS:
        if (buf[a + 3] !== COLON) throw protocolError(`verbatim string without ':' after its format ${excerpt(buf, a, a + 4)}`);
        this.scalar({ type: 'verbatim', format: decodeText(buf, a, a + 3), value: decodeText(buf, a + 4, b) }, out);
        return;
      default: {
        // SEMI: a part of the streamed string on top of the stack.
        const f = this.top!;
        f.parts!.push(a === 0 && b === buf.length ? buf : buf.slice(a, b));
        f.size += b - a;
      }
    }
  }

  private takeAttrs(): RespAttributes | null {
    const a = this.pendingAttrs;
    this.pendingAttrs = null;
    return a;
  }

  private open(f: Frame): void {
    this.stack.push(f);
    this.top = f;
  }

  private pop(): Frame {
    const f = this.stack.pop()!;
    this.top = this.stack.length > 0 ? this.stack[this.stack.length - 1]! : null;
    return f;
  }

  private scalar(v: RespValue, out: RespValue[]): void {
    if (this.pendingAttrs !== null) {
      v.attributes = this.pendingAttrs;
      this.pendingAttrs = null;
    }
    this.deliver(v, out);
  }

  /** Adds a finished value to the open aggregate, closing every aggregate it completes. */
  private deliver(value: RespValue, out: RespValue[]): void {
    let v = value;
    for (;;) {
      const f = this.top;
      if (f === null) {
        out.push(v);
        return;
      }
      f.items.push(v);
      if (f.remaining < 0) {
        const limit = f.kind === PERCENT ? 2 * this.maxElements : this.maxElements;
        if (f.items.length > limit) throw tooLong(TYPE_NAMES[f.kind]!, f.items.length, limit, 'elements');
        return;
      }
      if (--f.remaining > 0) return;
      this.pop();
      if (f.kind === PIPE) {
        // Consecutive attribute maps add to one list in place: a copy per map was quadratic.
        const attrs = f.attrs ?? [];
        for (let i = 0; i < f.items.length; i += 2) attrs.push([f.items[i]!, f.items[i + 1]!]);
        this.pendingAttrs = attrs;
        return;
      }
      v = finish(f);
    }
  }

  private closeStreamedString(out: RespValue[]): void {
    const f = this.pop();
    const parts = f.parts!;
    let data: Uint8Array;
    if (parts.length === 1) {
      data = parts[0]!;
    } else {
      data = new Uint8Array(f.size);
      let at = 0;
      for (const p of parts) {
        data.set(p, at);
        at += p.length;
      }
    }
    const v: RespValue = { type: 'bulk', value: data };
    if (f.attrs !== null) v.attributes = f.attrs;
    this.deliver(v, out);
  }

  private closeStreamedAggregate(out: RespValue[]): void {
    const f = this.top;
    if (f === null || f.remaining !== -1) throw protocolError("'.' end marker outside a streamed aggregate");
    if (this.pendingAttrs !== null) throw protocolError("attribute not followed by a value before '.'");
    if (f.kind === PERCENT && f.items.length % 2 !== 0) throw protocolError('streamed map ended after a key without its value');
    this.pop();
    this.deliver(finish(f), out);
  }
}

function finish(f: Frame): RespValue {
  let v: RespValue;
  switch (f.kind) {
    case STAR:
      v = { type: 'array', value: f.items };
      break;
    case TILDE:
      v = { type: 'set', value: f.items };
      break;
    case GT:
      v = { type: 'push', value: f.items };
      break;
    default:
      v = { type: 'map', value: toPairs(f.items) };
  }
  if (f.attrs !== null) v.attributes = f.attrs;
  return v;
}

function toPairs(items: RespValue[]): Array<[RespValue, RespValue]> {
  const pairs = new Array<[RespValue, RespValue]>(items.length >> 1);
  for (let i = 0, j = 0; i < items.length; i += 2, j++) pairs[j] = [items[i]!, items[i + 1]!];
  return pairs;
}

function badLength(t: number, buf: Uint8Array, a: number, b: number, code: number) {
  const what = TYPE_NAMES[t] ?? 'aggregate';
  return code === LEN_SYNTAX
    ? protocolError(`invalid ${what} length ${excerpt(buf, a, b)}`)
    : protocolError(`${what} length out of range ${excerpt(buf, a, b)}`);
}

function tooLong(what: string, n: number, limit: number, unit = 'bytes') {
  const shown = Number.isFinite(n) ? String(n) : 'over 15 digits';
  return protocolError(`${what} length ${shown} exceeds the limit of ${limit} ${unit}`);
}

function lineTooLong(t: number, limit: number) {
  return protocolError(`${describeByte(t)} line longer than ${limit} bytes without CRLF`);
}
