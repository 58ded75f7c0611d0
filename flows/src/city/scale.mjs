// Function-node source shared by the gauges and the trend charts: how far a value's scale runs.
// Shares run 0 to 100; another unit to a round number above its highest value and threshold, so a value
// in ppm or points neither fills its gauge nor leaves it empty.
export const SCALE_MAX = `const scaleMax = (unit, values) => {
  const top = Math.max(0, ...values.filter((v) => typeof v === 'number'));
  if (unit === '%') return Math.max(100, Math.ceil(top));
  const step = Math.pow(10, Math.floor(Math.log10(top || 1)));
  // Rounded to 12 digits: 7 × 0.1 is 0.7000000000000001 in floating point, and would label an axis so.
  return +(Math.ceil(top / step) * step).toPrecision(12) || 1;
};
`;
