import { benchHandler } from './handler-bench.ts';
import { benchTypeScriptStages } from './dsp-bench.ts';

/**
 * `npm run bench`: every ratio is measured in this run on this machine. Sections whose
 * prerequisites are missing say so instead of printing numbers.
 */
async function main(): Promise<void> {
  console.log(`dspfn bench — node ${process.version}, ${process.arch}\n`);
  console.log('TypeScript DSP stages, 1,024-sample blocks');
  console.log(benchTypeScriptStages());
  console.log('\nWhole handler (decode → DSP → encode → in-process sink → memory state)');
  console.log(await benchHandler());
}

await main();
