import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { type Command, Option } from 'commander';
import { readEnv } from '../env/read-env.ts';
import { ConfigError } from '../errors.ts';
import { stateKeyOf } from '../handler/steps/load-state.ts';
import { indexKeyPrefixOf } from '../handler/windowed/state.ts';
import { stateStoreFromEnv } from '../state/from-url.ts';
import { details, exportFile, formatFence, importValues, listing, parseExport, type KeyDetails } from '../state/inspect.ts';
import { ScriptStateStore } from '../state/script-store.ts';
import type { StoredState } from '../state/store.ts';
import { formatWindowIndex, openWindowsByPartition, windowIndexListing } from '../state/window-indexes.ts';
import { formatDuration, parseDuration } from '../windows/duration.ts';

/**
 * `dspfn state list | show | reset | export | import`: the per-key state of one function in Redis
 * or Upstash, read and changed through the same layout and scripts as the functions use.
 */
interface StoreOptions {
  state?: string;
  function: string;
  json?: boolean;
}

function withStore(command: Command): Command {
  return command
    .option('--state <store>', 'state store, as DSPFN_STATE: redis://…, rediss://…, upstash, upstash+https://… (default: DSPFN_STATE)')
    .requiredOption('--function <name>', "the function's name (its state keys are <prefix><name>:<key>)")
    .addOption(new Option('--json', 'print JSON on stdout'));
}

async function openStore<T>(opts: StoreOptions, run: (store: ScriptStateStore) => Promise<T>): Promise<T> {
  const env = readEnv();
  const store = stateStoreFromEnv(env, opts.state ?? env.DSPFN_STATE);
  if (!(store instanceof ScriptStateStore)) {
    await store.close();
    throw new ConfigError('dspfn state works on Redis and Upstash (--state redis://…, rediss://…, upstash, upstash+https://…); memory state lives only inside a process');
  }
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

/** Every state key of the function: pipeline key → store key, sorted by pipeline key. */
async function keysOf(store: ScriptStateStore, functionName: string): Promise<Map<string, string>> {
  return scanSorted(store, stateKeyOf(functionName, ''));
}

/** Every key starting with `start`: the rest of its name → store key, sorted. */
async function scanSorted(store: ScriptStateStore, start: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for await (const page of store.scan(start)) for (const stateKey of page) found.set(stateKey.slice(start.length), stateKey);
  return new Map([...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Loads the keys 500 at a time (each one MGET), in the order given; keys gone meanwhile are left out. */
async function loadAll(store: ScriptStateStore, keys: ReadonlyMap<string, string>): Promise<Array<[string, StoredState]>> {
  const entries = [...keys];
  const out: Array<[string, StoredState]> = [];
  for (let at = 0; at < entries.length; at += 500) {
    const part = entries.slice(at, at + 500);
    const loaded = await store.load(part.map(([, stateKey]) => stateKey));
    for (const [key, stateKey] of part) {
      const stored = loaded.get(stateKey);
      if (stored) out.push([key, stored]);
    }
  }
  return out;
}

/** Asks on the terminal; without one, only --yes goes ahead (a script must say so explicitly). */
async function confirm(question: string, yes: boolean | undefined): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY) throw new ConfigError(`${question.replace(/\?$/, '')}: confirm in a terminal, or pass --yes`);
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim());
  } finally {
    prompt.close();
  }
}

function print(opts: StoreOptions, json: unknown, text: string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(json)}\n` : `${text}\n`);
}

/** Open windows, one line each: where, when, how many frames, and channel 0's statistics. */
function windowLines(windows: NonNullable<KeyDetails['windows']>): string[] {
  const stats = (c: Readonly<Record<string, number | undefined>>) =>
    (['mean', 'min', 'max'] as const).map((name) => `${name} ${Number((c[name] ?? Number.NaN).toPrecision(7))}`).join(', ');
  return [
    `windows      ${windows.open.length} open, window configuration hash ${windows.configHash}`,
    ...windows.open.map((w) => `  ${w.topic}/${w.partition}  [${w.start}, ${w.end})  ${w.count} frame(s)${w.count > 0 ? `, ${w.channels.map(stats).join(' | ')}` : ''}`),
  ];
}

export function registerStateCommands(cli: Command): void {
  const state = cli.command('state').description("inspect, reset, export and import a function's per-key state in Redis or Upstash");

  withStore(state.command('list').description("every key of the function: last commit time, fence offsets, snapshot size; then a windowed function's partitions: watermark, open windows"))
    .option('--allowed-lateness <duration>', "the function's window allowedLateness, which the watermark trails the largest event time by (e.g. 30s; milliseconds without a unit)", '0')
    .action(async (opts: StoreOptions & { allowedLateness: string }) => {
      const lateness = parseDuration(/^\d+$/.test(opts.allowedLateness) ? Number(opts.allowedLateness) : opts.allowedLateness, '--allowed-lateness');
      await openStore(opts, async (store) => {
        const loaded = await loadAll(store, await keysOf(store, opts.function));
        const rows = loaded.map(([key, stored]) => listing(key, stored));
        const open = openWindowsByPartition(loaded.map(([, stored]) => stored));
        const indexPrefix = indexKeyPrefixOf(opts.function);
        const partitions = (await loadAll(store, await scanSorted(store, indexPrefix)))
          .map(([name, stored]) => windowIndexListing(indexPrefix + name, stored, open, lateness))
          .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
        const text = [
          `${rows.length} key(s) of ${opts.function}`,
          ...rows.map((r) => `  ${r.key}  ${r.committedAt ?? '(commit time not stored)'}  ${formatFence(r.fence)}  ${r.bytes === 0 ? 'reset' : `${r.bytes} bytes`}`),
          ...(partitions.length > 0 ? [`${partitions.length} partition(s) with a window index (watermark with allowed lateness ${formatDuration(lateness)})`, ...partitions.map(formatWindowIndex)] : []),
        ].join('\n');
        print(opts, { keys: rows, windowIndexes: partitions }, text);
      });
    });

  withStore(state.command('show').description("one key's decoded snapshot: configuration hash, each stage's state, open windows, fence"))
    .argument('<key>', 'the pipeline key (e.g. a device id)')
    .action(async (key: string, opts: StoreOptions) => {
      await openStore(opts, async (store) => {
        const stateKey = stateKeyOf(opts.function, key);
        const stored = (await store.load([stateKey])).get(stateKey);
        if (!stored) throw new ConfigError(`no state for key ${key} of ${opts.function} in ${store.name}`);
        const shown = details(key, stored);
        const lines = [
          `key          ${shown.key}`,
          `committed    ${shown.committedAt ?? '(commit time not stored)'}`,
          `fence        ${formatFence(shown.fence)}`,
          shown.reset ? 'snapshot     none (reset: the next batch starts afresh behind the fence)' : `snapshot     ${shown.bytes} bytes, configuration hash ${shown.configHash}`,
          ...(shown.stages ?? []).map((s) => `  ${s.index}. ${s.stage}  state v${s.stateVersion}, ${s.bytes} bytes, sha256 ${s.sha256}`),
          ...(shown.windows ? windowLines(shown.windows) : []),
        ];
        print(opts, shown, lines.join('\n'));
      });
    });

  withStore(state.command('reset').description('drop the state of keys and keep their fences: the next batch starts afresh and still skips records already applied'))
    .argument('[keys...]', 'pipeline keys to reset')
    .option('--all', 'every key of the function')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (keys: string[], opts: StoreOptions & { all?: boolean; yes?: boolean }) => {
      if ((keys.length > 0) === Boolean(opts.all)) throw new ConfigError('name the keys to reset, or pass --all (not both)');
      await openStore(opts, async (store) => {
        const targets = opts.all ? [...(await keysOf(store, opts.function)).keys()] : keys;
        if (targets.length === 0) {
          print(opts, { reset: 0, deleted: 0, missing: 0 }, `no keys of ${opts.function} to reset`);
          return;
        }
        const what = opts.all ? `all ${targets.length} key(s) of ${opts.function}` : `${targets.length} key(s) of ${opts.function} (${targets.slice(0, 5).join(', ')}${targets.length > 5 ? ', …' : ''})`;
        if (!(await confirm(`delete the state of ${what}?`, opts.yes))) {
          process.stderr.write('nothing reset\n');
          return;
        }
        const outcome = await store.reset(targets.map((key) => stateKeyOf(opts.function, key)));
        print(opts, outcome, `reset ${outcome.reset} key(s) (fences kept), deleted ${outcome.deleted} without a fence, ${outcome.missing} not found`);
      });
    });

  withStore(state.command('export').description('write the snapshots and fences of keys (default: all) to a JSON file'))
    .argument('[keys...]', 'pipeline keys (default: every key of the function)')
    .requiredOption('-o, --out <file>', 'the file to write')
    .action(async (keys: string[], opts: StoreOptions & { out: string }) => {
      await openStore(opts, async (store) => {
        const chosen = keys.length > 0 ? new Map(keys.map((key) => [key, stateKeyOf(opts.function, key)])) : await keysOf(store, opts.function);
        const entries = await loadAll(store, chosen);
        const missing = keys.filter((key) => !entries.some(([found]) => found === key));
        if (missing.length > 0) throw new ConfigError(`no state for key(s) ${missing.slice(0, 5).join(', ')} of ${opts.function}`);
        mkdirSync(dirname(opts.out), { recursive: true });
        writeFileSync(opts.out, `${JSON.stringify(exportFile(opts.function, entries), null, 1)}\n`);
        print(opts, { exported: entries.length, file: opts.out }, `exported ${entries.length} key(s) of ${opts.function} to ${opts.out}`);
      });
    });

  withStore(state.command('import').description('write the keys of a file made by dspfn state export, replacing what they hold'))
    .argument('<file>', 'a file written by dspfn state export')
    .option('-y, --yes', 'do not ask before replacing keys that exist')
    .action(async (file: string, opts: StoreOptions & { yes?: boolean }) => {
      const values = importValues(parseExport(readFileSync(file, 'utf8'), file), opts.function);
      await openStore(opts, async (store) => {
        const existing = (await store.load(values.map((v) => v.key))).size;
        if (existing > 0 && !(await confirm(`replace the state of ${existing} existing key(s) of ${opts.function}?`, opts.yes))) {
          process.stderr.write('nothing imported\n');
          return;
        }
        await store.write(values);
        print(opts, { imported: values.length, replaced: existing }, `imported ${values.length} key(s) into ${opts.function} (${existing} replaced)`);
      });
    });
}
