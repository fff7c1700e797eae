import FFT from 'fft.js';
import { nativeBackend, nativeModule } from '/work/wt/spectral/core/dsp/native/loader.ts';
import { jsBackend } from '/work/wt/spectral/core/dsp/backend.ts';
const { addon } = nativeModule(); const nb = nativeBackend(addon);
const N = 1024, F = 16;
const spec = { name: 'spectrum', params: { size: N, hop: N, window: 'rectangular', output: 'power' } } as never;
const input = new Float32Array(N * F).map(() => Math.random() * 2 - 1);
function time(label: string, fn: () => void, per: number) {
  for (let i = 0; i < 200; i++) fn();
  const t = performance.now(); let n = 0; while (performance.now() - t < 1000) { fn(); n++; }
  console.log(label, ((performance.now() - t) / n / per * 1000).toFixed(3), 'us/fft');
}
for (const path of ['avx2', 'sse2', 'scalar']) { addon.setSimd(path as never); const k = nb.createKernel(spec, 1); const out = new Float32Array(k.maxOutputFrames(N * F) * k.outChannels); time('native ' + path, () => { k.process(input, out); }, F); }
const tk = jsBackend.createKernel(spec, 1); const tout = new Float32Array(F * (N / 2 + 1)); time('ts', () => { tk.process(input, tout); }, F);
const f = new FFT(N); const o = f.createComplexArray(); const x = new Float64Array(N); const P = new Float64Array(N/2+1);
time('fft.js', () => { for (let j = 0; j < F; j++) { for (let n = 0; n < N; n++) x[n] = input[j * N + n]!; f.realTransform(o, x as never); for (let k = 0; k <= N/2; k++) P[k] = o[2*k]*o[2*k] + o[2*k+1]*o[2*k+1]; } }, F);
