// ISO/IEC 30146 beyond the live indicators: the whole catalogue, its measurement methods, roll-ups,
// PAS 181 maturity and composite indices. Pure: callers bring the figures and store the results.
export * from './composite.js';
export * from './hierarchy.js';
export * from './iso30146.js';
export * from './maturity.js';
export * from './methods.js';
export * from './problems.js';
export * from './rollup.js';
export * from './scores.js';
