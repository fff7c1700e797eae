import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readEnv, type RawEnv } from '../../env/read-env.ts';
import { ConfigError, DspfnError, ErrorCode, InvalidSamplesError, NativeKernelError, NativeLoadError, SnapshotError } from '../../errors.ts';
import { jsBackend, type DspBackend } from '../backend.ts';
import { StageKind, outputChannels, type StageKernel, type StageName, type StageSpec } from '../stage.ts';

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

export type SimdPath = 'avx2' | 'sse2' | 'neon' | 'scalar';

declare const nativeHandle: unique symbol;
/** An opaque kernel handle owned by the native module (freed when garbage-collected). */
export type NativeHandle = { readonly [nativeHandle]: true };

/** The JS surface of layers/dsp/src/binding.c. */
export interface NativeAddon {
  readonly abi: number;
  readonly version: string;
  readonly arch: string;
  create(kind: number, channels: number, params: Float64Array): NativeHandle;
  process(handle: NativeHandle, input: Float32Array, output: Float32Array): void;
  snapshot(handle: NativeHandle): Uint8Array;
  restore(handle: NativeHandle, state: Uint8Array): void;
  simd(): SimdPath;
  /** true: the best path for this CPU; false: scalar; or a path name. Returns the active path. */
  setSimd(mode: boolean | SimdPath | 'auto'): SimdPath;
  /** Test hook: the moving stages' output step alone on given sums (active SIMD path). */
  testOutputs(sums: Float64Array, n: number, squared: boolean, output: Float32Array): void;
}

/** Must equal DSPFN_NATIVE_ABI in binding.c; a mismatch means a stale build. */
export const NATIVE_ABI = 2;
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
  return addon as NativeAddon;
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

function rethrow(error: unknown, stage: StageName): DspfnError {
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
  constructor(
    private readonly addon: NativeAddon,
    private readonly handle: NativeHandle,
    private readonly stage: StageName,
    readonly inChannels: number,
    readonly outChannels: number,
  ) {}

  process(input: Float32Array, output: Float32Array): void {
    // The binding reads any typed array's bytes (the cheapest Node-API call), so the element type
    // is checked here.
    if (!(input instanceof Float32Array) || !(output instanceof Float32Array)) {
      throw new InvalidSamplesError(`${this.stage}: input and output must be Float32Arrays`, { stage: this.stage });
    }
    try {
      this.addon.process(this.handle, input, output);
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

  restore(state: Uint8Array): void {
    try {
      this.addon.restore(this.handle, state);
    } catch (error) {
      throw rethrow(error, this.stage);
    }
  }
}

function stageParams(spec: StageSpec): Float64Array {
  switch (spec.name) {
    case 'movingAverage':
    case 'rms':
      return Float64Array.of(spec.params.window);
    case 'nlms':
    case 'lms':
      return Float64Array.of(spec.params.taps, spec.params.mu, spec.params.eps);
  }
}

/** The native backend over a loaded module (the process-wide one by default). */
export function nativeBackend(addon: NativeAddon = nativeModule().addon): DspBackend {
  return {
    name: 'native',
    createKernel(spec: StageSpec, inChannels: number): StageKernel {
      let handle: NativeHandle;
      try {
        handle = addon.create(StageKind[spec.name], inChannels, stageParams(spec));
      } catch (error) {
        throw rethrow(error, spec.name);
      }
      return new NativeKernel(addon, handle, spec.name, inChannels, outputChannels(spec, inChannels));
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

