import path from 'node:path';
import type { Command } from 'commander';
import { findProject } from '../deploy/project.ts';

/**
 * `dspfn bundle`, `layer`, `package`, `deploy`: build and ship the project in the current folder
 * (a user's project, or this repository). The deploy modules load on use: esbuild and the zip
 * writer are not needed to replay or consume.
 */

/** Arguments after the command that commander did not consume: passed to serverless as they are. */
function passThrough(command: Command): string[] {
  return [...command.args];
}

export function registerProjectCommands(cli: Command): void {
  cli
    .command('bundle')
    .description('bundle every function in functions/ (or the named ones) with esbuild into <name>.zip for Lambda: ESM, minified, adapters split into on-demand chunks')
    .argument('[functions...]', 'function folders under functions/ (default: all)')
    .option('-o, --out <dir>', 'output folder (default: .dspfn/deploy, or DSPFN_ARTIFACT_DIR)')
    .option('--library-source-maps', 'also ship source maps for chunks that hold only third-party libraries (about 400 KiB more zip)')
    .option('--json', 'print the results as JSON on stdout')
    .action(async (names: string[], opts: { out?: string; json?: boolean; librarySourceMaps?: boolean }) => {
      const { bundleFunctions, chunkLabel, defaultOutDir, kib, sizeTable } = await import('../deploy/bundle.ts');
      const project = findProject();
      const outDir = opts.out ? path.resolve(opts.out) : defaultOutDir(project);
      const started = performance.now();
      const results = await bundleFunctions({ project, outDir, functions: names, librarySourceMaps: opts.librarySourceMaps === true });
      if (opts.json) {
        process.stdout.write(JSON.stringify(results) + '\n');
        return;
      }
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const lines = [`[bundle] ${results.length} function(s) → ${path.relative(process.cwd(), outDir) || '.'} in ${seconds} s`, sizeTable(results)];
      for (const r of results) {
        lines.push(`  ${r.name} entry: ${r.topInputs.map((t) => `${t.input} ${kib(t.bytes)}`).join(', ')}`);
        lines.push(`  ${r.name} on demand: ${r.chunks.map(chunkLabel).join(', ')}`);
      }
      process.stdout.write(lines.join('\n') + '\n');
    });

  cli
    .command('layer')
    .description('write the Lambda layer zip (the native DSP module for arm64) from the @dspfn/linux-arm64-gnu package')
    .option('--from <package>', 'the arm64 package: a folder or an npm pack tarball (default: installed, else fetched with npm pack)')
    .option('-o, --out <zip>', 'output file (default: .dspfn/layer/dspfn-dsp-layer.zip)')
    .action(async (opts: { from?: string; out?: string }) => {
      const { makeLayerZip } = await import('../deploy/layer.ts');
      const layer = makeLayerZip(findProject(), { ...(opts.from ? { from: opts.from } : {}), ...(opts.out ? { out: path.resolve(opts.out) } : {}) });
      process.stdout.write(`[layer] ${path.relative(process.cwd(), layer.zipFile)} (${layer.bytes} bytes) from ${layer.source}\n${layer.files.map((f) => `  ${f}`).join('\n')}\n`);
    });

  cli
    .command('package')
    .description('bundle the functions and write the CloudFormation with osls (`serverless package`, no AWS calls); other options go to serverless')
    .argument('[serverless-options...]', 'e.g. --stage prod --param mskClusterArn=arn:…')
    .allowUnknownOption()
    .helpOption('-h, --help', 'this help; `npx serverless package --help` lists the serverless options')
    .action(async (_args: string[], _opts: unknown, command: Command) => {
      const { packageProject } = await import('../deploy/deploy.ts');
      await packageProject(findProject(), { serverlessArgs: passThrough(command) });
    });

  cli
    .command('deploy')
    .description('publish the native layer stack, bundle the functions and deploy them with osls (`serverless deploy`); other options go to serverless')
    .argument('[serverless-options...]', 'e.g. --stage prod --region eu-west-1 --param mskClusterArn=arn:…')
    .option('--layer-from <package>', 'the arm64 platform package for the layer: a folder or an npm pack tarball')
    .allowUnknownOption()
    .action(async (_args: string[], opts: { layerFrom?: string }, command: Command) => {
      const { deployProject } = await import('../deploy/deploy.ts');
      await deployProject(findProject(), { serverlessArgs: passThrough(command), ...(opts.layerFrom ? { layerFrom: opts.layerFrom } : {}) });
    });
}
