import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import type { FunctionDefinition } from '../handler/definition.ts';
import { ReportCollector } from '../report/collector.ts';
import { renderReport } from '../report/html.ts';
import { integer } from './option-parsers.ts';

/** `--report <file.html>` and `--report-keys <n>` of replay and consume. */
export function withReportOptions(command: Command): Command {
  return command
    .option('--report <file.html>', 'also write a self-contained HTML report: run summary, input and output signals per key, spectra, dead letters')
    .option('--report-keys <n>', 'keys charted in the report: the first n to appear', integer(1, 100_000), 50);
}

export function reportCollector(opts: { report?: string; reportKeys?: number }, definition: Pick<FunctionDefinition, 'pipeline'>): ReportCollector | undefined {
  if (!opts.report) return undefined;
  return new ReportCollector({ keys: opts.reportKeys ?? 50, stages: definition.pipeline.stages.map((s) => s.name) });
}

/** Renders and writes the report; says where on stderr. */
export function writeReport(file: string, collector: ReportCollector, title: string, summary: Array<[string, string]>): void {
  const html = renderReport(collector.data(title, summary));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, html);
  process.stderr.write(`wrote the report to ${file} (${Math.ceil(html.length / 1024)} KiB)\n`);
}
