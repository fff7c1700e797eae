import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractZip, readZip, writeZip } from './zip.ts';

describe('zip', () => {
  const entries = [
    { name: 'functions/a/handler.mjs', data: Buffer.from('export const handler = 1;\n'.repeat(50)) },
    { name: 'functions/a/chunks/x.mjs', data: Buffer.from([0, 1, 2, 255]) },
  ];

  it('reads back what it wrote, byte for byte, and writes the same bytes twice', () => {
    const zip = writeZip(entries);
    expect(writeZip(entries).equals(zip)).toBe(true);
    const files = readZip(zip);
    expect([...files.keys()].sort()).toEqual(entries.map((e) => e.name).sort());
    for (const e of entries) expect(files.get(e.name)!.equals(e.data)).toBe(true);
  });

  it('extracts into a folder as Lambda unpacks a function, and refuses entries that escape it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dspfn-zip-'));
    try {
      const zipFile = path.join(dir, 'fn.zip');
      fs.writeFileSync(zipFile, writeZip(entries));
      extractZip(zipFile, path.join(dir, 'task'));
      for (const e of entries) expect(fs.readFileSync(path.join(dir, 'task', e.name)).equals(e.data)).toBe(true);

      const evil = path.join(dir, 'evil.zip');
      fs.writeFileSync(evil, writeZip([{ name: '../outside.txt', data: Buffer.from('x') }]));
      expect(() => extractZip(evil, path.join(dir, 'task'))).toThrow(/entry \.\.\/outside\.txt points outside/);
      expect(fs.existsSync(path.join(dir, 'outside.txt'))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
