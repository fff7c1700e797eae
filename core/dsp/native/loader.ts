import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readEnv, type RawEnv } from '../../env/read-env.ts';
import { ConfigError, DspfnError, ErrorCode, InvalidSamplesError, NativeKernelError, NativeLoadError, SnapshotError } from '../../errors.ts';
import { jsBackend, type DspBackend } from '../backend.ts';
import { catalogue, descriptorOf, kindOf, lockedKinds, type StageSpec } from '../stages/catalogue.ts';
import type { StageKernel } from '../stages/kernel.ts';
import { packParams } from '../stages/params.ts';
import type { SimdPath } from './simd.ts';
import { useNativeJsonText, type NativeJsonText } from '../../codecs/native-json.ts';
import { useNativeSampleChecks, type NativeSampleChecks } from '../finite.ts';
import { useNativeCrc32c, type NativeCrc32c } from '../../kafka/native-crc32c.ts';

/**
 * Finds and loads the native DSP module (layers/dsp), sharp-style: each source is tried in order,
 * every failure is kept, and one error names the platform, what was tried, why it failed and how
 * to fix it.
 *
 * The module ships as one npm package per platform, `@dspfn/<os>-<arch>-<libc>` (e.g.
 * `@dspfn/linux-x64-gnu`), which dspfn lists as optional dependencies: npm installs the one for
 * the machine (esbuild's and sharp's scheme). On Lambda the layer provides
 * /opt/nodejs/node_modules/@dspfn/linux-arm64-gnu.
 *
 * Sources: DSPFN_NATIVE_PATH when set (and then only it: an explicit path that silently fell back
 * to another binary would hide the misconfiguration); else, when dspfn runs from its TypeScript
 * sources (this repository, not on Lambda), the build in layers/dsp/npm/<platform>/; else the
 * platform package, resolved with createRequire because ESM `import` ignores NODE_PATH, where
 * Lambda puts /opt/nodejs/node_modules.
 */

export type { SimdPath } from './simd.ts';

declare const nativeHandle: unique symbol;
/** An opaque kernel handle owned by the native module (freed when garbage-collected). */
export type NativeHandle = { readonly [nativeHandle]: true };

/** One entry of the native module's ops table. */
export interface NativeStage {
  readonly kind: number;
  readonly name: string;
  readonly stateVersion: number;
  /** An event stage (its C ops say `events = 1`). */
  readonly events: boolean;
}

/** The JS surface of layers/dsp/src/binding.c (stage-agnostic: stages are found by kind). */
export interface NativeAddon extends Partial<NativeJsonText>, Partial<NativeSampleChecks>, Partial<NativeCrc32c> {
  readonly abi: number;
  readonly version: string;
  readonly arch: string;
  create(kind: number, channels: number, params: Float64Array): NativeHandle;
  /** Returns the frames written; an event stage writes each event frame's sample index to `positions` (required for it). */
  process(handle: NativeHandle, input: Float32Array, output: Float32Array, positions?: Float64Array): number;
  maxOutputFrames(handle: NativeHandle, frames: number): number;
  /**
   * Where the last process call's first output frame lies, in input frames from its first input
   * frame; for an event stage, the index in the key's stream of that call's first input frame.
   */
  firstOutputOffset(handle: NativeHandle): number;
  snapshot(handle: NativeHandle): Uint8Array;
  /** The state's size in bytes; written at target[offset..] only when it fits there. */
  snapshotInto(handle: NativeHandle, target: Uint8Array, offset: number): number;
  restore(handle: NativeHandle, state: Uint8Array): void;
  /** The stages this binary was built with. */
  stages(): NativeStage[];
  /** A stage's own test hook (e.g. the moving window's output step on given sums), on the active path. */
  testHook(handle: NativeHandle, args: Float64Array, output: Float32Array): void;
  simd(): SimdPath;
  /** true: the best path for this CPU; false: scalar; or a path name. Returns the active path. */
  setSimd(mode: boolean | SimdPath | 'auto'): SimdPath;
  /** The paths this CPU can run, scalar first. */
  simdPaths(): SimdPath[];
}

/** Must equal DSPFN_NATIVE_ABI in binding.c; a mismatch means a stale build. */
export const NATIVE_ABI = 9;
export const NATIVE_FILE = 'dspfn_dsp.node';
/** The platforms with a prebuilt package; the Lambda layer holds the arm64 one. */
export const NATIVE_PLATFORMS = ['linux-x64-gnu', 'linux-arm64-gnu'] as const;
export const LAYER_PLATFORM = 'linux-arm64-gnu';

export interface NativeModule {
  addon: NativeAddon;
  /** Which source it came from: 'DSPFN_NATIVE_PATH', 'repository build' or the package name. */
  source: string;
  file: string;
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /**
   * Directory holding <platform>/dspfn_dsp.node; defaults to this repository's layers/dsp/npm
   * when dspfn runs from its sources, and to none in the published package.
   */
  prebuildDir?: string;
  /** Defaults to the platform package, `@dspfn/<platform>`. */
  packageName?: string;
}

interface Attempt {
  source: string;
  where: string;
  cause: Error;
}

const here = path.dirname(fileURLToPath(import.meta.url));
// Only this repository runs core from .ts files; the published package runs dist/*.js.
const defaultPrebuildDir = import.meta.url.endsWith('.ts') ? path.resolve(here, '../../../layers/dsp/npm') : undefined;
const requireFromHere = createRequire(import.meta.url);

/**
 * `linux-x64-gnu`, `darwin-arm64`: the platform package's suffix. Linux is taken to be glibc, the
 * only libc with builds: asking Node which libc runs costs ~5 ms of every cold start
 * (process.report), so only the error path does (see loadError); on musl npm does not install the
 * -gnu package, and the error says why.
 */
export function platformKey(): string {
  return process.platform === 'linux' ? `linux-${process.arch}-gnu` : `${process.platform}-${process.arch}`;
}

export function nativePackageName(key: string = platformKey()): string {
  return `@dspfn/${key}`;
}

/** dspfn's version, for install hints; unknown inside a function bundle. */
function dspfnVersion(): string | undefined {
  const file = path.resolve(here, '../../../package.json');
  if (!fs.existsSync(file)) return undefined;
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
  return manifest.name === 'dspfn' ? manifest.version : undefined;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function checkAddon(value: unknown, file: string): NativeAddon {
  const addon = value as Partial<NativeAddon> | null;
  if (addon === null || typeof addon !== 'object' || typeof addon.create !== 'function' || typeof addon.process !== 'function') {
    throw new Error(`${file} is not the dspfn native module (no create/process exports)`);
  }
  if (addon.abi !== NATIVE_ABI) {
    throw new Error(`${file} has native ABI ${String(addon.abi)}, this dspfn needs ${NATIVE_ABI} (a stale build)`);
  }
  const problems = catalogueProblems((addon as NativeAddon).stages());
  if (problems.length > 0) throw new Error(`${file} was built from another stage catalogue (a stale build): ${problems.join('; ')}`);
  return addon as NativeAddon;
}

/** Differences between the module's ops table and the catalogue (kind ids, names, state versions). */
export function catalogueProblems(stages: readonly NativeStage[]): string[] {
  const problems: string[] = [];
  const byKind = new Map(stages.map((s) => [s.kind, s]));
  for (const descriptor of catalogue) {
    const kind = lockedKinds()[descriptor.name];
    const native = kind === undefined ? undefined : byKind.get(kind);
    if (native === undefined) problems.push(`no ${descriptor.name} (kind ${kind})`);
    else if (native.name !== descriptor.name) problems.push(`kind ${kind} is ${native.name}, not ${descriptor.name}`);
    else if (native.stateVersion !== descriptor.stateVersion) {
      problems.push(`${descriptor.name} state version ${native.stateVersion}, not ${descriptor.stateVersion}`);
    } else if (native.events !== (descriptor.rate.kind === 'events')) {
      problems.push(`${descriptor.name} is ${native.events ? '' : 'not '}an event stage in C`);
    }
  }
  return problems;
}

function requireFile(file: string): NativeAddon {
  if (!fs.existsSync(file)) throw new Error(`${file} does not exist`);
  return checkAddon(requireFromHere(file), file);
}

function glibcVersion(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime;
}

function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? message;
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** Ways to get the native module here, most specific first. */
function solutionsFor(key: string, env: NodeJS.ProcessEnv): string[] {
  const solutions: string[] = [];
  const supported = (NATIVE_PLATFORMS as readonly string[]).includes(key);
  if (!supported) {
    solutions.push(`prebuilt native modules exist for ${NATIVE_PLATFORMS.join(' and ')} (glibc ≥ 2.17) only; on ${key} run the TypeScript kernels: DSPFN_BACKEND=js`);
  }
  if (env.AWS_LAMBDA_FUNCTION_NAME) {
    solutions.push(`attach the dspfn DSP layer to this function (\`dspfn deploy\` publishes it; \`dspfn layer\` writes its zip); it provides /opt/nodejs/node_modules/${nativePackageName(LAYER_PLATFORM)}`);
    if (key !== LAYER_PLATFORM) solutions.push(`the layer holds the ${LAYER_PLATFORM} build: set the function's architecture to arm64`);
  } else if (supported) {
    const version = dspfnVersion();
    solutions.push(
      `install the platform package: npm install ${nativePackageName(key)}${version ? `@${version}` : ''} ` +
        '(dspfn lists it as an optional dependency; installs with --omit=optional or --no-optional skip it)',
    );
    if (defaultPrebuildDir) solutions.push('in the dspfn repository, build it: npm run build:layer (or npm run build:native for this machine only)');
  }
  return solutions;
}

function loadError(attempts: Attempt[], env: NodeJS.ProcessEnv): NativeLoadError {
  const glibc = glibcVersion();
  const key = process.platform === 'linux' && !glibc ? `linux-${process.arch}-musl` : platformKey();
  const runtime = [`Node.js ${process.version}`, glibc ? `glibc ${glibc}` : process.platform === 'linux' ? 'no glibc (musl?)' : undefined]
    .filter(Boolean)
    .join(', ');
  const solutions = solutionsFor(key, env);
  if (env.DSPFN_NATIVE_PATH) solutions.push(`fix or unset DSPFN_NATIVE_PATH (it must name a ${NATIVE_FILE} built for ${key})`);
  solutions.push('or run the TypeScript kernels: DSPFN_BACKEND=js');
  const tried = attempts.map((a) => `  - ${a.source} (${a.where}): ${firstLine(a.cause.message)}`);
  const message =
    `dspfn: could not load the native DSP module for ${key} (${runtime}).\n` +
    `Tried:\n${tried.join('\n')}\n` +
    `Possible solutions:\n${solutions.map((s) => `  - ${s}`).join('\n')}`;
  return new NativeLoadError(message, { cause: new AggregateError(attempts.map((a) => a.cause), 'native module load failures') });
}

/** Loads the native module without caching; throws NativeLoadError listing every attempt. */
export function loadNative(options: LoadOptions = {}): NativeModule {
  const env = options.env ?? process.env;
  const { DSPFN_NATIVE_PATH: explicit, AWS_LAMBDA_FUNCTION_NAME: onLambda } = readEnv(env, ['DSPFN_NATIVE_PATH', 'AWS_LAMBDA_FUNCTION_NAME']);
  const attempts: Attempt[] = [];
  if (explicit) {
    let file = path.resolve(explicit);
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, NATIVE_FILE);
    try {
      return { addon: requireFile(file), source: 'DSPFN_NATIVE_PATH', file };
    } catch (error) {
      attempts.push({ source: 'DSPFN_NATIVE_PATH', where: file, cause: asError(error) });
      throw loadError(attempts, env);
    }
  }
  // On Lambda the layer is the only source: a bundle's relative path to this repository's
  // builds means nothing there, and could only pick up a binary that was never deployed.
  const prebuildDir = options.prebuildDir ?? defaultPrebuildDir;
  if (prebuildDir && !onLambda) {
    const prebuild = path.join(prebuildDir, platformKey(), NATIVE_FILE);
    try {
      return { addon: requireFile(prebuild), source: 'repository build', file: prebuild };
    } catch (error) {
      attempts.push({ source: 'repository build', where: prebuild, cause: asError(error) });
    }
  }
  const packageName = options.packageName ?? nativePackageName();
  try {
    const file = requireFromHere.resolve(packageName);
    return { addon: checkAddon(requireFromHere(packageName), file), source: packageName, file };
  } catch (error) {
    const where = env.NODE_PATH ? `node_modules and NODE_PATH=${env.NODE_PATH}` : 'node_modules';
    attempts.push({ source: packageName, where, cause: asError(error) });
  }
  throw loadError(attempts, env);
}

let cached: { module: NativeModule } | { error: NativeLoadError } | undefined;

/** The process-wide native module, loaded once (a failure is remembered too). */
export function nativeModule(): NativeModule {
  if (!cached) {
    try {
      cached = { module: loadNative() };
    } catch (error) {
      cached = { error: error instanceof NativeLoadError ? error : loadError([], process.env) };
    }
  }
  if ('error' in cached) throw cached.error;
  return cached.module;
}

export function isNativeAvailable(): boolean {
  try {
    nativeModule();
    return true;
  } catch {
    // The failure is kept in the cache and reported by nativeModule() when it is required.
    return false;
  }
}

function rethrow(error: unknown, stage: string): DspfnError {
  const cause = asError(error);
  const code = (error as { code?: unknown } | null)?.code;
  const options = { cause, stage };
  if (code === ErrorCode.Snapshot) return new SnapshotError(cause.message, options);
  if (code === ErrorCode.Config) return new ConfigError(cause.message, options);
  if (code === ErrorCode.InvalidSamples) return new InvalidSamplesError(cause.message, options);
  return new NativeKernelError(cause.message, options);
}

/** A StageKernel over a native handle; errors become dspfn errors with the caller's JS stack. */
class NativeKernel implements StageKernel {
  private readonly sameRate: boolean;
  /** Event stages: the binding writes each event's index here (grown to maxOutputFrames). */
  private positions: Float64Array | undefined;
  private written = 0;

  constructor(
    private readonly addon: NativeAddon,
    private readonly handle: NativeHandle,
    private readonly stage: string,
    readonly inChannels: number,
    readonly outChannels: number,
    rate: 'same' | 'ratio' | 'events',
  ) {
    this.sameRate = rate === 'same';
    if (rate === 'events') this.positions = new Float64Array(0);
  }

  maxOutputFrames(inFrames: number): number {
    return this.sameRate ? inFrames : this.addon.maxOutputFrames(this.handle, inFrames);
  }

  firstOutputOffset(): number {
    return this.sameRate ? 0 : this.addon.firstOutputOffset(this.handle);
  }

  eventIndices(): Float64Array {
    return (this.positions ?? new Float64Array(0)).subarray(0, this.written);
  }

  /** Event stages: the binding's `first` is the call's first input index. */
  firstInputIndex(): number {
    return this.addon.firstOutputOffset(this.handle);
  }

  process(input: Float32Array, output: Float32Array): number {
    // The binding reads any typed array's bytes (the cheapest Node-API call), so the element type
    // is checked here.
    if (!(input instanceof Float32Array) || !(output instanceof Float32Array)) {
      throw new InvalidSamplesError(`${this.stage}: input and output must be Float32Arrays`, { stage: this.stage });
    }
    try {
      if (this.positions === undefined) return this.addon.process(this.handle, input, output);
      const most = this.addon.maxOutputFrames(this.handle, input.length / this.inChannels);
      if (this.positions.length < most) this.positions = new Float64Array(most);
      this.written = 0;
      this.written = this.addon.process(this.handle, input, output, this.positions);
      return this.written;
    } catch (error) {
      throw rethrow(error, this.stage);
    }
  }

  snapshot(): Uint8Array {
    try {
      return this.addon.snapshot(this.handle);
    } catch (error) {
      throw rethrow(error, this.stage);
    }
  }

  snapshotInto(target: Uint8Array, offset: number): number {
    try {
      return this.addon.snapshotInto(this.handle, target, offset);
    } catch (error) {
      throw rethrow(error, this.stage);
    }
  }

  restore(state: Uint8Array): void {
    try {
      this.addon.restore(this.handle, state);
    } catch (error) {
      throw rethrow(error, this.stage);
    }
  }

  /** The stage's native test hook on the active SIMD path (tests only). */
  testHook(args: Float64Array, output: Float32Array): void {
    try {
      this.addon.testHook(this.handle, args, output);
    } catch (error) {
      throw rethrow(error, this.stage);
    }
  }
}

export type { NativeKernel };

/**
 * A stage's params as `create` takes them, packed once per spec: a handler creates a kernel per
 * stage per key per batch from the same few specs, and `create` only reads them.
 */
const packed = new WeakMap<object, Float64Array>();
function packedParams(descriptor: Parameters<typeof packParams>[0], params: object): Float64Array {
  let values = packed.get(params);
  if (values === undefined) {
    values = packParams(descriptor, params);
    packed.set(params, values);
  }
  return values;
}

/** The native backend over a loaded module (the process-wide one by default). */
export function nativeBackend(addon: NativeAddon = nativeModule().addon): DspBackend {
  // JSON sample text through the same module (identical results; see core/codecs/native-json.ts).
  if (typeof addon.formatF32 === 'function' && typeof addon.parseF32 === 'function') useNativeJsonText(addon as NativeJsonText);
  if (typeof addon.firstNonFinite === 'function') useNativeSampleChecks(addon as NativeSampleChecks);
  // Record batches' checksums through the same module (core/kafka/native-crc32c.ts).
  if (typeof addon.crc32c === 'function') useNativeCrc32c(addon as NativeCrc32c);
  return {
    name: 'native',
    createKernel(spec: StageSpec, inChannels: number): StageKernel {
      const descriptor = descriptorOf(spec.name);
      const outChannels = descriptor.channels.out(inChannels, spec.params);
      if (typeof outChannels !== 'number') throw new ConfigError(`${spec.name} ${outChannels.error}`, { stage: spec.name });
      let handle: NativeHandle;
      try {
        handle = addon.create(kindOf(spec.name), inChannels, packedParams(descriptor, spec.params));
      } catch (error) {
        throw rethrow(error, spec.name);
      }
      return new NativeKernel(addon, handle, spec.name, inChannels, outChannels, descriptor.rate.kind);
    },
  };
}

export type WarningEmitter = (warning: string, options: { code: string; detail: string }) => void;

const emitProcessWarning: WarningEmitter = (warning, options) => process.emitWarning(warning, options);
const warned = new WeakSet<WarningEmitter>();

/**
 * The one warning of a process that falls back to the TypeScript kernels: which platform, what
 * was tried, and how to fix it or to choose the TypeScript kernels (which silences it).
 */
function warnFallback(error: NativeLoadError, emit: WarningEmitter): void {
  if (warned.has(emit)) return;
  warned.add(emit);
  const [first, ...rest] = error.message.split('\n');
  emit(`${first} Running the TypeScript kernels instead (several times slower).`, {
    code: ErrorCode.Native,
    detail: `${rest.join('\n')}\nSet DSPFN_BACKEND=js to choose the TypeScript kernels without this warning.`,
  });
}

export interface ResolveBackendOptions {
  /** Where the fallback warning goes (once); process.emitWarning by default. */
  warn?: WarningEmitter;
  /** Load with these options instead of using the process-wide module (tests). */
  load?: LoadOptions;
}

/**
 * The backend core uses by default. DSPFN_BACKEND=js: the TypeScript kernels; =native: the native
 * module or an error; unset: native when it loads, else TypeScript with one warning per process,
 * except on Lambda (AWS_LAMBDA_FUNCTION_NAME set), where a missing module is an error: a function
 * silently running ten times slower is worse than one that fails at init with the fix in its log.
 */
export function resolveBackend(env: RawEnv = process.env, options: ResolveBackendOptions = {}): DspBackend {
  const { DSPFN_BACKEND: forced, AWS_LAMBDA_FUNCTION_NAME } = readEnv(env, ['DSPFN_BACKEND', 'AWS_LAMBDA_FUNCTION_NAME']);
  if (forced === 'js') return jsBackend;
  const load = options.load ? () => loadNative({ env, ...options.load }) : nativeModule;
  if (forced === 'native' || AWS_LAMBDA_FUNCTION_NAME) return nativeBackend(load().addon);
  let module: NativeModule;
  try {
    module = load();
  } catch (error) {
    if (!(error instanceof NativeLoadError)) throw error;
    warnFallback(error, options.warn ?? emitProcessWarning);
    return jsBackend;
  }
  return nativeBackend(module.addon);
}

/** "native (avx2, @dspfn/linux-x64-gnu)" or "js (TypeScript kernels)": what a run used, for its summary. */
export function describeBackend(backend: DspBackend): string {
  if (backend.name !== 'native' || !cached || !('module' in cached)) return backend.name === 'js' ? 'js (TypeScript kernels)' : backend.name;
  const { addon, source } = cached.module;
  return `native (${addon.simd()}, ${source})`;
}

