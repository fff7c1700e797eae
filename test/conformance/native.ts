import { loadNative, nativeBackend, type NativeKernel, type SimdPath } from '../../core/dsp/native/loader.ts';
import type { StageSpec } from '../../core/dsp/stages/catalogue.ts';

/** The native module for native tests (conformance and stage-specific), loaded once per file. */
export const nativeModuleForTests = loadNative();
export const addon = nativeModuleForTests.addon;
export const native = nativeBackend(addon);
/** Every path this CPU runs, scalar first. */
export const paths: SimdPath[] = addon.simdPaths();

/** Runs body with the native module on `path`, then back on the best path. */
export function onPath<T>(path: SimdPath, body: () => T): T {
  addon.setSimd(path);
  try {
    return body();
  } finally {
    addon.setSimd(true);
  }
}

/** A native kernel, with its test hook reachable. */
export function nativeKernel(spec: StageSpec, channels: number): NativeKernel {
  return native.createKernel(spec, channels) as NativeKernel;
}
