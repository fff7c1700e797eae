import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.ts';
import { addFunctionEntry, functionEntry, type Trigger } from './serverless-functions.ts';
import { DEFAULT_TEMPLATE, functionTemplate, renderFunction } from './templates.ts';
import { assertNew, writePlan } from './write-files.ts';

/**
 * `dspfn new <name> [--template t] [--trigger msk|kafka]`: functions/<name>/ from a template, and
 * its entry in serverless.yml when the project has one.
 */

// A Lambda function is named <service>-<stage>-<name> (at most 64 characters), and the name is
// also the output topic and part of the consumer group id.
const FUNCTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/;

export interface NewFunctionOptions {
  template?: string;
  triggers?: readonly Trigger[];
}

export interface NewFunctionResult {
  dir: string;
  written: string[];
  /** serverless.yml was updated; otherwise `entry` is for the user to add. */
  serverlessUpdated: boolean;
  entry: string;
}

/** functions/<name>/… from the template, not yet written (init uses them too). */
export function functionFiles(name: string, templateName: string = DEFAULT_TEMPLATE): Array<{ file: string; content: string }> {
  if (!FUNCTION_NAME.test(name)) {
    throw new ConfigError(`function name "${name}": letters, digits, "-" or "_", starting with a letter or digit, at most 48 characters`);
  }
  const template = functionTemplate(templateName);
  return renderFunction(template.name, name).map(({ file, content }) => ({ file: `functions/${name}/${file}`, content }));
}

/** The function's entry for serverless.yml. */
export function serverlessEntry(name: string, templateName: string = DEFAULT_TEMPLATE, triggers: readonly Trigger[] = ['msk']): string {
  const template = functionTemplate(templateName);
  return functionEntry({ name, description: `dspfn ${template.name} template: ${template.description}`, topic: template.inputTopic, triggers, ...('tick' in template && template.tick ? { tick: true } : {}) });
}

export function newFunction(root: string, name: string, options: NewFunctionOptions = {}): NewFunctionResult {
  const create = functionFiles(name, options.template);
  // Existing files first: they are the likelier conflict, and the more useful message.
  assertNew(root, create.map(({ file }) => file));
  const entry = serverlessEntry(name, options.template, options.triggers);
  const serverlessFile = path.join(root, 'serverless.yml');
  const yaml = fs.existsSync(serverlessFile) ? fs.readFileSync(serverlessFile, 'utf8') : undefined;
  const updated = yaml === undefined ? undefined : addFunctionEntry(yaml, name, entry);
  const update = updated === undefined ? [] : [{ file: 'serverless.yml', content: updated }];
  const written = writePlan(root, { create, update });
  return { dir: path.join(root, 'functions', name), written, serverlessUpdated: update.length > 0, entry };
}
