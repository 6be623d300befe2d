/**
 * Orders two strings by UTF-16 code units, as `Array.prototype.sort` does by default: deterministic
 * across locales, and without `localeCompare`'s ICU collator, whose first use costs tens of
 * milliseconds per process.
 */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
