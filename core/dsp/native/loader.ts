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
 * Sources: DSPFN_NATIVE_PATH when set (and then only it: an explicit path that silently fell back
 * to another binary would hide the misconfiguration), else this repository's
 * layers/dsp/prebuilds/<platform>-<arch>/dspfn_dsp.node (not on Lambda), else the
 * `@dspfn/dsp-native` package, which on Lambda is the layer's /opt/nodejs/node_modules/@dspfn/dsp-native.
 * It is resolved with createRequire because ESM `import` ignores NODE_PATH, where Lambda puts
 * /opt/nodejs/node_modules.
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
export const NATIVE_PACKAGE = '@dspfn/dsp-native';
export const NATIVE_FILE = 'dspfn_dsp.node';

export interface NativeModule {
  addon: NativeAddon;
  /** Which source it came from: 'DSPFN_NATIVE_PATH', 'prebuild' or the package name. */
  source: string;
  file: string;
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Directory holding <platform>-<arch>/dspfn_dsp.node; defaults to this repository's prebuilds. */
  prebuildDir?: string;
  packageName?: string;
}

interface Attempt {
  source: string;
  where: string;
  cause: Error;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const defaultPrebuildDir = path.resolve(here, '../../../layers/dsp/prebuilds');
const requireFromHere = createRequire(import.meta.url);

function platformKey(): string {
  return `${process.platform}-${process.arch}`;
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

function loadError(attempts: Attempt[], env: NodeJS.ProcessEnv): NativeLoadError {
  const key = platformKey();
  const glibc = glibcVersion();
  const runtime = [`Node.js ${process.version}`, glibc ? `glibc ${glibc}` : process.platform === 'linux' ? 'no glibc (musl?)' : undefined]
    .filter(Boolean)
    .join(', ');
  const solutions: string[] = [];
  if (process.platform !== 'linux' || (process.arch !== 'x64' && process.arch !== 'arm64')) {
    solutions.push(`the native module is built for linux-x64 and linux-arm64 only; on ${key} run the TypeScript kernels: DSPFN_BACKEND=js`);
  } else if (!glibc) {
    solutions.push('the native module needs glibc ≥ 2.17 (Amazon Linux 2023, Debian, Ubuntu); on musl run DSPFN_BACKEND=js');
  }
  if (env.AWS_LAMBDA_FUNCTION_NAME) {
    solutions.push(`attach the dspfn DSP layer (layers/dsp/build/dspfn-dsp-layer.zip) to this function; it provides /opt/nodejs/node_modules/${NATIVE_PACKAGE}`);
    if (process.arch !== 'arm64') solutions.push(`the layer holds the arm64 build: set the function's architecture to arm64`);
  } else {
    solutions.push(`build it in this repository: npm run build:layer (writes layers/dsp/prebuilds/linux-x64 and linux-arm64)`);
    solutions.push(`on AWS Lambda, attach the dspfn DSP layer (layers/dsp/build/dspfn-dsp-layer.zip, arm64)`);
  }
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
  // prebuilds means nothing there, and could only pick up a binary that was never deployed.
  if (!onLambda) {
    const prebuild = path.join(options.prebuildDir ?? defaultPrebuildDir, platformKey(), NATIVE_FILE);
    try {
      return { addon: requireFile(prebuild), source: 'prebuild', file: prebuild };
    } catch (error) {
      attempts.push({ source: 'repository prebuild', where: prebuild, cause: asError(error) });
    }
  }
  const packageName = options.packageName ?? NATIVE_PACKAGE;
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

/**
 * The backend core uses by default. DSPFN_BACKEND=js: the TypeScript kernels; =native: the native
 * module or an error; unset: native when it loads, else TypeScript, except on Lambda
 * (AWS_LAMBDA_FUNCTION_NAME set), where a missing module is an error: a function silently running
 * ten times slower is worse than one that fails at init with the fix in its log.
 */
export function resolveBackend(env: RawEnv = process.env): DspBackend {
  const { DSPFN_BACKEND: forced, AWS_LAMBDA_FUNCTION_NAME } = readEnv(env, ['DSPFN_BACKEND', 'AWS_LAMBDA_FUNCTION_NAME']);
  if (forced === 'js') return jsBackend;
  if (forced === 'native' || AWS_LAMBDA_FUNCTION_NAME) return nativeBackend(nativeModule().addon);
  return isNativeAvailable() ? nativeBackend(nativeModule().addon) : jsBackend;
}
