import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { CLIENT_SCRIPT } from './client-script.ts';
import type { ReportData } from './collector.ts';

const require = createRequire(import.meta.url);

/** uPlot's script and stylesheet from its npm package, read once: the report embeds them. */
let uplot: { script: string; style: string } | undefined;
function uplotSources(): { script: string; style: string } {
  uplot ??= {
    script: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    style: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
  return uplot;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Inside <script>, only "</script" (and "<!--") can end it: every "<" becomes its JSON escape. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Inlined script text must not contain "</script" either (uPlot's does not; checked anyway). */
function scriptText(source: string): string {
  return source.replace(/<\/script/gi, '<\\/script');
}

function table(head: readonly string[] | undefined, rows: ReadonlyArray<readonly string[]>): string {
  const cells = (row: readonly string[], tag: string) => `<tr>${row.map((c) => `<${tag}>${escapeHtml(c)}</${tag}>`).join('')}</tr>`;
  return `<table>${head ? `<thead>${cells(head, 'th')}</thead>` : ''}<tbody>${rows.map((r) => cells(r, 'td')).join('')}</tbody></table>`;
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 8px; }
.meta { color: #666; margin-bottom: 16px; }
table { border-collapse: collapse; } td, th { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } .grid { display: flex; gap: 32px; flex-wrap: wrap; }
#chart { width: 100%; max-width: 1200px; } #heat { width: 100%; max-width: 1200px; height: 240px; image-rendering: pixelated; border: 1px solid #ddd; }
.hint { color: #666; font-size: 12px; }
`;

/**
 * The report as one HTML file that opens offline: uPlot, the data and the page's script are all
 * inline, nothing is fetched.
 */
export function renderReport(data: ReportData): string {
  const { script, style } = uplotSources();
  const byCode = data.deadLettersByCode.map(([code, n]) => [code, String(n)]);
  const deadLetterNote =
    data.deadLettersTotal > data.deadLettersShown ? `<p class="hint">The first ${data.deadLettersShown} of ${data.deadLettersTotal} dead letters.</p>` : '';
  const keysNote =
    data.keysSeen > data.keys.length ? `The first ${data.keys.length} of ${data.keysSeen} keys (--report-keys charts more).` : `${data.keys.length} key(s).`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(data.title)}</title>
<style>${style}</style>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(data.title)}</h1>
<div class="meta">Generated ${escapeHtml(data.generatedAt)} by dspfn.</div>
<div class="grid">
<section><h2>Run</h2>${table(undefined, data.summary)}</section>
<section><h2>Dead letters by code</h2>${byCode.length > 0 ? table(['code', 'records'], byCode) : '<p>None.</p>'}
<h2>Late records</h2>${data.lateRecords > 0 ? table(['reason', 'records'], data.lateByReason.map(([reason, n]) => [reason, String(n)])) : '<p>None.</p>'}</section>
</div>
<h2>Signals</h2>
<p><label>Key <select id="key"></select></label> <span id="key-info" class="hint"></span></p>
<p class="hint">${escapeHtml(keysNote)} Drag across the chart to zoom in, double-click to zoom out.</p>
<div id="chart"></div>
<canvas id="heat" hidden title="output spectra: time → , frequency ↑"></canvas>
<h2>Dead letters</h2>
${data.deadLetters.length > 0 ? table(['topic', 'partition', 'offset', 'code', 'reason'], data.deadLetters.map((d) => [d.topic, d.partition, d.offset, d.code, d.reason])) : '<p>None.</p>'}
${deadLetterNote}
<script id="dspfn-data" type="application/json">${scriptJson(data)}</script>
<script>${scriptText(script)}</script>
<script>${scriptText(CLIENT_SCRIPT)}</script>
</body>
</html>
`;
}
