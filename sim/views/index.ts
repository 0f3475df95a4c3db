export * from './types.js';
export { deriveLab, deriveWorld, faultViews } from './derive.js';
