import { describe, expect, it } from 'vitest';
import { catalogue, lockedKinds } from '../catalogue.ts';
import { artifacts, readArtifact } from './artifacts.ts';
import { lockProblems, withNewKinds } from './kinds.ts';

describe('files generated from the stage catalogue', () => {
  it('every catalogue stage has a kind id, and ids are append-only (1, 2, 3, … in file order)', () => {
    const lock = lockedKinds();
    expect(catalogue.filter((d) => lock[d.name] === undefined).map((d) => d.name), 'stages without a kind id: run npm run generate').toEqual([]);
    expect(lockProblems(lock)).toEqual([]);
  });

  it('are up to date (run npm run generate after changing the catalogue or a descriptor)', () => {
    const kinds = withNewKinds(lockedKinds(), catalogue.map((d) => d.name));
    for (const artifact of artifacts(kinds)) {
      const current = readArtifact(artifact);
      expect(current, `${artifact.file} is missing: run npm run generate`).toBeDefined();
      expect(current === artifact.expected(current), `${artifact.file} is out of date: run npm run generate`).toBe(true);
    }
  });

  it('appends a new stage after the highest id ever given, never reusing one', () => {
    expect(withNewKinds({ a: 1, b: 2, retired: 3 }, ['a', 'b', 'c', 'd'])).toEqual({ a: 1, b: 2, retired: 3, c: 4, d: 5 });
    expect(lockProblems({ a: 1, c: 3 })).toEqual(['c has kind 3, expected 2 (ids are appended in order and never change)']);
  });
});
