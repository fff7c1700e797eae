import { pipeline } from 'dspfn';

const bands = pipeline({ channels: 2 }).bandPower({ size: 256, hop: 128, bands: [[0, 50], [50, 200]], sampleRate: 1000 });
const p = bands.create();
const samples = Float32Array.from({ length: 2 * 1000 }, (_, i) => Math.sin(i / 7));
const out = p.run(samples, { timestamp: Date.now(), sampleRate: 1000 });
console.log(out.frames, out.channels, out.sampleRate);
