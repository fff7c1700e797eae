import path from 'node:path';
import { Option, type Command } from 'commander';
import { findProject } from '../deploy/project.ts';
import { initProject, EXAMPLE_FUNCTION } from '../scaffold/init.ts';
import { newFunction } from '../scaffold/new-function.ts';
import { TRIGGERS, type Trigger } from '../scaffold/serverless-functions.ts';
import { availableTemplates, DEFAULT_TEMPLATE, TEMPLATE_NAMES } from '../scaffold/templates.ts';

/** `dspfn init` and `dspfn new`: both refuse to overwrite a file. */
export function registerScaffoldCommands(cli: Command): void {
  cli
    .command('init')
    .description('create a dspfn project: package.json (or add to an existing one), tsconfig.json, serverless.yml, docker-compose.yml, .gitignore, README.md and an example function')
    .argument('[dir]', 'project folder (created when missing)', '.')
    .action((dir: string) => {
      const result = initProject(dir);
      const cd = path.resolve(dir) === process.cwd() ? '' : `cd ${dir} && `;
      const lines = [`[init] ${result.root}`, ...result.written.map((file) => `  wrote ${file}`)];
      if (result.added.length > 0) lines.push(`  package.json: added ${result.added.join(', ')}`);
      lines.push(
        '',
        'next:',
        `  ${cd}npm install`,
        `  npx dspfn replay ${EXAMPLE_FUNCTION} --events functions/${EXAMPLE_FUNCTION}/events.ndjson`,
        '  npx vitest run',
      );
      process.stdout.write(lines.join('\n') + '\n');
    });

  cli
    .command('new')
    .description('add a function: functions/<name>/ with handler.ts, handler.test.ts and events.ndjson, and its entry in serverless.yml')
    .argument('<name>', 'function name (letters, digits, "-", "_"); also its output topic')
    .addOption(new Option('-t, --template <template>', `what it does (available now: ${availableTemplates().join(', ')})`).choices(TEMPLATE_NAMES).default(DEFAULT_TEMPLATE))
    .addOption(new Option('--trigger <kind>', 'its event source in serverless.yml: msk (Amazon MSK) or kafka (self-managed)').choices(TRIGGERS).default('msk'))
    .action((name: string, opts: { template: string; trigger: Trigger }) => {
      const project = findProject();
      const result = newFunction(project.root, name, { template: opts.template, triggers: [opts.trigger] });
      const lines = [`[new] ${path.relative(process.cwd(), result.dir) || '.'}`, ...result.written.map((file) => `  wrote ${file}`)];
      if (!result.serverlessUpdated) lines.push('', 'serverless.yml has no functions: block; add this under functions:', result.entry);
      lines.push('', 'next:', `  npx dspfn replay ${name} --events functions/${name}/events.ndjson`, `  npx vitest run functions/${name}`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}
