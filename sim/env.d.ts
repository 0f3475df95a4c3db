// sim/ is compiled without the DOM and Node libraries (tsconfig.sim.json) so that it cannot
// touch either. These are the only host globals it may use: both Node and Web Workers have them.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
  encodeInto(source: string, destination: Uint8Array): { read: number; written: number };
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}
