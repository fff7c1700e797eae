/** The native kernels' code paths: x64 runs scalar, sse2 and (when the CPU has it) avx2; arm64 scalar and neon. */
export type SimdPath = 'avx2' | 'sse2' | 'neon' | 'scalar';
