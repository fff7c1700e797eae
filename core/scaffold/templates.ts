import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.ts';
import { DSPFN_ROOT, dspfnVersion } from '../deploy/project.ts';

/**
 * The function templates of `dspfn new --template`. Each is a folder under templates/functions/
 * (handler.ts, handler.test.ts, events.ndjson, and any schema the handler reads), type-checked and tested in this repository as
 * they are, with `__name__` standing for the function's name.
 */

export const TEMPLATES_DIR = path.join(DSPFN_ROOT, 'templates');
export const NAME_PLACEHOLDER = '__name__';

export interface FunctionTemplate {
  readonly description: string;
  /** The topic its events.ndjson comes from, and its trigger's topic in serverless.yml. */
  readonly inputTopic: string;
  /** What this version of dspfn lacks for it; the template is not available while set. */
  readonly needs?: string;
  /** Its handler has windows with an idleTimeout: its serverless.yml entry gets the tick's schedule. */
  readonly tick?: boolean;
}

export const FUNCTION_TEMPLATES = {
  sensor: { description: 'smoothed RMS level per device: movingAverage → rms', inputTopic: 'sensors' },
  noise: { description: 'adaptive noise cancelling per device: NLMS on [reference, noisy] frames', inputTopic: 'noisy-signals' },
  readings: { description: 'JSON readings per device and sensor with readings(), smoothed: movingAverage', inputTopic: 'readings' },
  window: { description: 'one-minute event-time windows per device: count, mean, min, max', inputTopic: 'readings', tick: true },
  protobuf: { description: 'protobuf readings (a .proto beside the handler) per device, smoothed: ema', inputTopic: 'readings' },
} as const satisfies Record<string, FunctionTemplate>;

export type TemplateName = keyof typeof FUNCTION_TEMPLATES;
export const TEMPLATE_NAMES = Object.keys(FUNCTION_TEMPLATES) as TemplateName[];
export const DEFAULT_TEMPLATE: TemplateName = 'sensor';

export function availableTemplates(): TemplateName[] {
  return TEMPLATE_NAMES.filter((name) => !('needs' in FUNCTION_TEMPLATES[name]));
}

export function functionTemplate(name: string): FunctionTemplate & { name: TemplateName } {
  if (!(TEMPLATE_NAMES as string[]).includes(name)) {
    throw new ConfigError(`unknown template "${name}"; templates: ${TEMPLATE_NAMES.join(', ')}`);
  }
  const template: FunctionTemplate = FUNCTION_TEMPLATES[name as TemplateName];
  if (template.needs) {
    throw new ConfigError(
      `the "${name}" template is not available in this version of dspfn (${dspfnVersion()}): it needs ${template.needs}, ` +
        `which a later version adds; available now: ${availableTemplates().join(', ')}`,
    );
  }
  return { ...template, name: name as TemplateName };
}

/** The template's files, relative to the function folder, with the name filled in. */
export function renderFunction(template: TemplateName, functionName: string): Array<{ file: string; content: string }> {
  const dir = path.join(TEMPLATES_DIR, 'functions', template);
  return fs
    .readdirSync(dir)
    .sort()
    .map((file) => ({ file, content: fs.readFileSync(path.join(dir, file), 'utf8').replaceAll(NAME_PLACEHOLDER, functionName) }));
}

/** A project file (templates/project/<file>), with `__service__` and `__example__` filled in. */
export function renderProjectFile(file: string, values: { service: string; example: string }): string {
  return fs
    .readFileSync(path.join(TEMPLATES_DIR, 'project', file), 'utf8')
    .replaceAll('__service__', values.service)
    .replaceAll('__example__', values.example);
}
