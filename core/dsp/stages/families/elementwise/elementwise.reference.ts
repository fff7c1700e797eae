/**
 * A float64 definition's value as a float32 output can hold it: values beyond the float32 range
 * (they round to ±Infinity) become ±Infinity, everything else stays as it is, so the definition
 * bound still measures the kernel's rounding.
 */
export function asFloat32Output(value: number): number {
  const rounded = Math.fround(value);
  return Number.isFinite(rounded) ? value : rounded;
}
