/**
 * Kind ids are append-only: a stage keeps its id forever (snapshots store it), a new stage gets the
 * next one, and a removed stage's id is never given to another (its entry stays in the lock).
 */
export function withNewKinds(lock: Readonly<Record<string, number>>, names: readonly string[]): Record<string, number> {
  const next: Record<string, number> = { ...lock };
  let top = Math.max(0, ...Object.values(lock));
  for (const name of names) if (next[name] === undefined) next[name] = ++top;
  return next;
}

/** What is wrong with a lock file, if anything: ids must be 1, 2, 3, … in file order (so nothing was renumbered or reused) and fit the snapshot's u8. */
export function lockProblems(lock: Readonly<Record<string, number>>): string[] {
  const problems: string[] = [];
  Object.entries(lock).forEach(([name, kind], i) => {
    if (kind !== i + 1) problems.push(`${name} has kind ${kind}, expected ${i + 1} (ids are appended in order and never change)`);
  });
  if (Object.keys(lock).length > 255) problems.push('more than 255 kinds: the snapshot stage header stores the kind in one byte');
  return problems;
}

export function formatLock(lock: Readonly<Record<string, number>>): string {
  return `${JSON.stringify(lock, null, 2)}\n`;
}
