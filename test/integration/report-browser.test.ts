/// <reference path="../servers/provided-chromium.d.ts" />
// The HTML report of `dspfn replay --report`, opened in headless Chromium as a user would open the
// file: offline, no console errors, charts drawn for the selected key and redrawn for another,
// window results as bars, spectra as a heat map. Writes test/integration/report.png and
// report-windows.png, the screenshots the README shows.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { jsBackend } from '../../core/dsp/backend.ts';
import { pipeline } from '../../core/dsp/pipeline.ts';
import { defineFunction } from '../../core/handler/define-function.ts';
import { deviceReadings } from '../../core/inputs/device-readings.ts';
import { synthInputs, toReplayRecords } from '../../core/local/make-events.ts';
import { replay } from '../../core/local/replay.ts';
import { ReportCollector } from '../../core/report/collector.ts';
import { renderReport } from '../../core/report/html.ts';

const exec = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'dspfn-report-'));

let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: inject('chromiumPath'), args: ['--no-sandbox'] });
});
afterAll(() => browser?.close());

/** Opens a report file with the network cut off; collects console errors and page errors. */
async function open(file: string): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    requests.push(url);
    return route.abort();
  });
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('#chart canvas');
  return { page, errors, requests };
}

/** Pixels of a canvas that are not blank (transparent or white), and a checksum of them all. */
function inked(page: Page, selector: string): Promise<{ inked: number; colours: number; checksum: number }> {
  return page.$eval(selector, (element) => {
    // The page's canvas (this project compiles without the DOM library, hence the shape here).
    const canvas = element as unknown as { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let inked = 0;
    let checksum = 0;
    const colours = new Set<number>();
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b, a] = [data[i]!, data[i + 1]!, data[i + 2]!, data[i + 3]!];
      checksum = (checksum * 31 + r * 7 + g * 13 + b * 17 + a) % 1_000_000_007;
      if (a === 0 || (r > 250 && g > 250 && b > 250)) continue;
      inked++;
      if (colours.size < 1000) colours.add((r << 16) | (g << 8) | b);
    }
    return { inked, colours: colours.size, checksum };
  });
}

describe('dspfn replay --report', () => {
  it('opens offline with no console errors, draws the selected key, redraws another, and is the README screenshot', async () => {
    const file = join(dir, 'sensor-rms.html');
    const { stderr } = await exec(
      process.execPath,
      ['bin/dspfn.js', 'replay', 'sensor-rms', '--events', 'functions/sensor-rms/events.ndjson', '--out', join(dir, 'out.ndjson'), '--no-progress', '--report', file, '--report-keys', '4'],
      { cwd: root },
    );
    expect(stderr).toContain(`wrote the report to ${file}`);
    const { page, errors, requests } = await open(file);
    const keys = await page.$$eval('#key option', (options) => options.map((o) => o.textContent));
    // The first four keys the replay met (the file interleaves partitions), in natural order.
    expect(keys).toEqual(['device-001', 'device-002', 'device-003', 'device-006']);
    expect(await page.textContent('body')).toContain('The first 4 of 6 keys');
    expect(await page.getAttribute('body', 'data-key')).toBe('device-001');
    const first = await inked(page, '#chart canvas');
    expect(first.inked).toBeGreaterThan(2_000);
    // Two series (input and output) in two colours, besides the axes' grey.
    expect(first.colours).toBeGreaterThan(2);

    // Drag across the middle of the chart to zoom in; double-click to zoom out again.
    const area = (await page.$('#chart .u-over'))!;
    const box = (await area.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    const zoomed = await inked(page, '#chart canvas');
    expect(zoomed.inked).toBeGreaterThan(1_000);
    expect(zoomed.checksum).not.toBe(first.checksum);
    await area.dblclick();
    expect((await inked(page, '#chart canvas')).checksum).toBe(first.checksum);

    await page.selectOption('#key', '2');
    expect(await page.getAttribute('body', 'data-key')).toBe('device-003');
    const third = await inked(page, '#chart canvas');
    expect(third.inked).toBeGreaterThan(2_000);
    expect(third.checksum).not.toBe(first.checksum);
    expect(await page.$$('#chart canvas')).toHaveLength(1);

    // The dead letter of the file, with its location and reason.
    const row = await page.$$eval('table', (tables) => tables.at(-1)!.querySelector('tbody tr')!.textContent);
    expect(row).toContain('sensors');
    expect(row).toContain('DSPFN_DECODE');
    expect(await page.isHidden('#heat')).toBe(true);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.selectOption('#key', '0');
    writeFileSync(join(root, 'test', 'integration', 'report.png'), await page.screenshot({ fullPage: true }));
    await page.close();
  });

  it('draws the window results of a windowed function as bars, and counts late records and dead letters by reason', async () => {
    const file = join(dir, 'window-avg.html');
    const { stderr: summary } = await exec(
      process.execPath,
      ['bin/dspfn.js', 'replay', 'window-avg', '--events', 'functions/window-avg/events.ndjson', '--out', join(dir, 'window-avg.ndjson'), '--no-progress', '--report', file],
      { cwd: root },
    );
    // The text summary: dead letters by code, late records by reason.
    expect(summary).toMatch(/dead letters\s+3 \(3 DSPFN_DECODE\)/);
    expect(summary).toMatch(/late \(to the late topic\)\s+1 \(1 up to 1 min behind the watermark\)/);
    const results = readFileSync(join(dir, 'window-avg.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { topic: string; value: { key?: string } });
    const windowsOfA = results.filter((m) => m.topic === 'output-results' && m.value.key === 'sensor-a').length;
    expect(windowsOfA).toBeGreaterThan(1);

    const { page, errors, requests } = await open(file);
    expect(await page.getAttribute('body', 'data-key')).toBe('sensor-a');
    expect(await page.textContent('#key-info')).toContain(`${windowsOfA} windows`);
    // uPlot's bars path drew one bar per window of the key.
    expect(await page.getAttribute('#chart', 'data-bars-drawn')).toBe(String(windowsOfA));
    const legend = await page.$$eval('.u-legend .u-series th', (cells) => cells.map((c) => c.textContent));
    expect(legend).toEqual(['Time', 'input', 'window mean']);
    writeFileSync(join(root, 'test', 'integration', 'report-windows.png'), await page.screenshot({ fullPage: true }));
    // The bars' own ink: the chart with the input line hidden, with and without the bars (legend clicks, as a user toggles them).
    await page.click('.u-legend .u-series:nth-child(2) th');
    const barsOnly = await inked(page, '#chart canvas');
    await page.click('.u-legend .u-series:nth-child(3) th');
    const axesOnly = await inked(page, '#chart canvas');
    expect(barsOnly.inked - axesOnly.inked).toBeGreaterThan(10_000);

    // Another key: its own bars.
    await page.selectOption('#key', '1');
    expect(await page.getAttribute('body', 'data-key')).toBe('sensor-b');
    expect(Number(await page.getAttribute('#chart', 'data-bars-drawn'))).toBeGreaterThan(0);

    const body = await page.textContent('body');
    expect(body).toContain('up to 1 min behind the watermark');
    // The late record is not a dead letter: the table lists the three decode failures only.
    const rows = await page.$$eval('table', (tables) => [...tables.at(-1)!.querySelectorAll('tbody tr')].map((r) => r.textContent ?? ''));
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r.includes('DSPFN_DECODE'))).toBe(true);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it('draws session windows of different lengths each over its own [start, end)', async () => {
    const report = new ReportCollector({ stages: [] });
    const t0 = Date.UTC(2026, 0, 1);
    report.input('sessions', Float32Array.from({ length: 100 }, (_, i) => Math.sin(i / 8)), 1, t0, 1);
    // Sessions of 10 s, 30 s and 5 s on a 100 s axis.
    for (const [start, end, mean] of [[0, 10_000, 1], [30_000, 60_000, 2], [80_000, 85_000, 1.5]] as const) report.window('sessions', t0 + start, t0 + end, [{ mean }]);
    report.input('sessions', [0], 1, t0 + 100_000, 1);
    const file = join(dir, 'sessions.html');
    writeFileSync(file, renderReport(report.data('sessions', [])));
    const { page, errors } = await open(file);
    expect(await page.getAttribute('#chart', 'data-bars-drawn')).toBe('3');
    const widths = (await page.getAttribute('#chart', 'data-bar-widths'))!.split(' ').map(Number);
    expect(widths).toHaveLength(3);
    // In proportion to the sessions' lengths (to the pixel): 10 s, 30 s, 5 s.
    const perSecond = widths[0]! / 10;
    expect(perSecond).toBeGreaterThan(3);
    expect(Math.abs(widths[1]! - 30 * perSecond)).toBeLessThanOrEqual(2);
    expect(Math.abs(widths[2]! - 5 * perSecond)).toBeLessThanOrEqual(2);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('draws spectra as a heat map, and downsamples a long key to min/max per pixel column', async () => {
    const fn = defineFunction({
      name: 'vibration',
      input: deviceReadings(),
      pipeline: pipeline().spectrum({ size: 64, hop: 32, output: 'db' }),
      output: { topic: 'spectra', value: ({ frames }) => ({ frames }) },
    });
    const events = join(dir, 'vibration.ndjson');
    // One key of 200 records × 1,000 samples: 200,000 samples, far more than the chart's 2,000 columns.
    const inputs = synthInputs({ kind: 'sensor', devices: 1, records: 200, samples: 1_000, sampleRate: 1_000, seed: 7, format: 'json', malformed: 0 });
    writeFileSync(events, toReplayRecords(inputs, { topic: 'vibration', partitions: 1, intervalMs: 1_000 }).map((r) => JSON.stringify(r)).join('\n') + '\n');
    const report = new ReportCollector({ stages: fn.dspfn.definition.pipeline.stages.map((s) => s.name) });
    const summary = await replay({ handler: fn, events, out: join(dir, 'spectra.ndjson'), report, backend: jsBackend, batchSize: 50 });
    const data = report.data('vibration', [['records', String(summary.records)]]);
    expect(data.keys).toHaveLength(1);
    expect(data.keys[0]!).toMatchObject({ inputFrames: 200_000, downsampled: true });
    expect(data.keys[0]!.data[0].length).toBeLessThanOrEqual(4_000);
    const file = join(dir, 'vibration.html');
    writeFileSync(file, renderReport(data));
    expect(readFileSync(file, 'utf8')).not.toMatch(/(src|href)=["']?https?:/);

    const { page, errors, requests } = await open(file);
    expect(await page.isVisible('#heat')).toBe(true);
    const heat = await inked(page, '#heat');
    expect(heat.inked).toBeGreaterThan(1_000);
    expect(heat.colours).toBeGreaterThan(10);
    expect((await inked(page, '#chart canvas')).inked).toBeGreaterThan(2_000);
    expect(await page.textContent('#key-info')).toContain('downsampled');
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it('opens a key of 10 million samples as a few thousand points: min/max per column, spikes kept', async () => {
    const report = new ReportCollector({ stages: ['movingAverage'] });
    const block = new Float32Array(10_000);
    for (let r = 0; r < 1_000; r++) {
      for (let i = 0; i < block.length; i++) block[i] = Math.sin((r * block.length + i) / 50_000);
      if (r === 617) block[1_234] = 25;
      report.input('long', block, 1, 1_767_225_600_000 + r * 10_000, 1_000);
    }
    const data = report.data('long', [['samples', '10000000']]);
    expect(data.keys[0]!).toMatchObject({ inputFrames: 10_000_000, downsampled: true });
    expect(data.keys[0]!.data[0].length).toBeLessThanOrEqual(4_000);
    const file = join(dir, 'long.html');
    const html = renderReport(data);
    // uPlot (~50 KiB) and a few thousand points: the file stays small.
    expect(html.length).toBeLessThan(300_000);
    writeFileSync(file, html);
    const { page, errors } = await open(file);
    expect((await inked(page, '#chart canvas')).inked).toBeGreaterThan(2_000);
    expect(await page.textContent('#key-info')).toContain('10000000 input frames, 0 output frames (downsampled: min/max per pixel column)');
    const max = await page.$eval('#dspfn-data', (element) => Math.max(...(JSON.parse(element.textContent ?? '{}') as { keys: Array<{ data: number[][] }> }).keys[0]!.data[1]!));
    expect(max).toBe(25);
    expect(errors).toEqual([]);
    await page.close();
  });
});
