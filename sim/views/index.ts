export * from './types.js';
export { deriveLab, deriveWorld, faultViews } from './derive.js';
export { packWorld, unpackWorld, type PackedWorld } from './pack.js';
