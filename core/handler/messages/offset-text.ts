/**
 * The decimal text of a record offset, exactly as String(offset), made without V8's number-string
 * cache. String(n) remembers each number's string in a table the young-generation collector treats
 * as a root: every `dspfn-source-offset` header value (one new number per result) stayed alive in
 * it after its message was gone, and was copied by each scavenge until a later number took its
 * slot (measured: ~370 KB copied per scavenge for 10,000 fresh numbers between scavenges). Joining
 * the cached text of offset / 1000 (a few distinct values a batch) with one of 1,000 three-digit
 * texts makes a new, uncached string, and costs less than String(n) (15 vs 23 ns).
 */
export function offsetText(offset: number): string {
  // Small, negative, fractional or huge numbers: String's own text (String(1e21) is exponential).
  if (!(offset >= 1000 && offset <= Number.MAX_SAFE_INTEGER) || !Number.isInteger(offset)) return String(offset);
  const low = offset % 1000;
  // Exact: offset - low is a multiple of 1000 within the safe integers.
  return String((offset - low) / 1000) + THREE_DIGITS[low]!;
}

/** "000" … "999". */
const THREE_DIGITS: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
