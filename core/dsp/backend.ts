import { readEnv } from '../env/read-env.ts';
import { lmsKernel, nlmsKernel } from './stages/nlms.ts';
import { movingAverageKernel } from './stages/moving-average.ts';
import { rmsKernel } from './stages/rms.ts';
import type { StageKernel, StageSpec } from './stage.ts';

export type BackendName = 'js' | 'native';

/** Where a stage's kernel comes from: the TypeScript reference or the native layer. */
export interface DspBackend {
  readonly name: BackendName;
  createKernel(spec: StageSpec, inChannels: number): StageKernel;
}

export const jsBackend: DspBackend = {
  name: 'js',
  createKernel(spec, inChannels) {
    switch (spec.name) {
      case 'movingAverage':
        return movingAverageKernel(inChannels, spec.params);
      case 'rms':
        return rmsKernel(inChannels, spec.params);
      case 'nlms':
        return nlmsKernel(spec.params);
      case 'lms':
        return lmsKernel(spec.params);
    }
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
