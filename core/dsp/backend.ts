import { readEnv } from '../env/read-env.ts';
import { descriptorOf, type StageSpec } from './stages/catalogue.ts';
import type { StageKernel } from './stages/kernel.ts';

export type BackendName = 'js' | 'native';

/** Where a stage's kernel comes from: the TypeScript reference or the native layer. */
export interface DspBackend {
  readonly name: BackendName;
  createKernel(spec: StageSpec, inChannels: number): StageKernel;
}

/** The TypeScript kernels, straight from each stage's descriptor. */
export const jsBackend: DspBackend = {
  name: 'js',
  createKernel(spec, inChannels) {
    return descriptorOf(spec.name).kernel(spec.params, inChannels);
  },
};

let defaultBackend: DspBackend | undefined;
let backendResolver: (() => DspBackend) | undefined;

/**
 * The native loader registers itself here so core/dsp has no static dependency on the layer.
 * Without a resolver (or with DSPFN_BACKEND=js) the TypeScript reference runs.
 */
export function registerBackendResolver(resolve: () => DspBackend): void {
  backendResolver = resolve;
  defaultBackend = undefined;
}

export function getDefaultBackend(): DspBackend {
  if (defaultBackend) return defaultBackend;
  const forced = readEnv(process.env, ['DSPFN_BACKEND']).DSPFN_BACKEND;
  defaultBackend = forced === 'js' || !backendResolver ? jsBackend : backendResolver();
  return defaultBackend;
}

export function setDefaultBackend(backend: DspBackend | undefined): void {
  defaultBackend = backend;
}
