/**
 * The report page's script (plain browser JavaScript, inlined after uPlot): the key selector, the
 * zoomable input/output chart with window results as bars (drag to zoom, double-click to reset)
 * and the spectra heat map.
 */
export const CLIENT_SCRIPT = String.raw`(function () {
  'use strict';
  var report = JSON.parse(document.getElementById('dspfn-data').textContent);
  var select = document.getElementById('key');
  var chart = document.getElementById('chart');
  var heat = document.getElementById('heat');
  var info = document.getElementById('key-info');
  var colors = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
  var plot = null;

  report.keys.forEach(function (k, i) {
    var option = document.createElement('option');
    option.value = String(i);
    option.textContent = k.key;
    select.appendChild(option);
  });

  function colour(t) {
    // A dark-blue → teal → yellow ramp (viridis-like), t in [0, 1].
    var stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
    var x = Math.max(0, Math.min(1, t)) * (stops.length - 1);
    var i = Math.min(stops.length - 2, Math.floor(x));
    var f = x - i;
    return stops[i].map(function (c, j) { return Math.round(c + (stops[i + 1][j] - c) * f); });
  }

  function drawHeat(map) {
    if (!map) { heat.hidden = true; return; }
    heat.hidden = false;
    var cols = map.cells.length, rows = map.cells[0].length;
    var lo = Infinity, hi = -Infinity, positive = true;
    map.cells.forEach(function (column) { column.forEach(function (v) { if (v !== null) { lo = Math.min(lo, v); hi = Math.max(hi, v); if (v < 0) positive = false; } }); });
    // Spectra span decades: a log scale when every value is >= 0.
    var scale = positive ? function (v) { return Math.log10(v + 1e-12); } : function (v) { return v; };
    var a = scale(lo), b = scale(hi), span = b - a || 1;
    heat.width = cols;
    heat.height = rows;
    var context = heat.getContext('2d');
    var image = context.createImageData(cols, rows);
    for (var c = 0; c < cols; c++) {
      for (var r = 0; r < rows; r++) {
        var v = map.cells[c][r];
        var rgb = v === null ? [255, 255, 255] : colour((scale(v) - a) / span);
        var at = ((rows - 1 - r) * cols + c) * 4;
        image.data[at] = rgb[0]; image.data[at + 1] = rgb[1]; image.data[at + 2] = rgb[2]; image.data[at + 3] = 255;
      }
    }
    context.putImageData(image, 0, 0);
  }

  function show(index) {
    var k = report.keys[index];
    if (plot) { plot.destroy(); plot = null; }
    var width = Math.max(480, chart.clientWidth || 960);
    var bars = k.bars;
    var drawnBars = 0;
    var data = k.data;
    if (bars) {
      // uPlot sizes bars by the closest two x values whose y is not undefined (null counts): a bar
      // series' gaps become undefined, so bars are as wide as their windows, not the samples' spacing.
      data = k.data.map(function (column, i) {
        return i < bars.first ? column : column.map(function (v) { return v === null ? undefined : v; });
      });
    }
    var series = [{}].concat(k.series.map(function (name, i) {
      var colour = colors[i % colors.length];
      if (bars && i + 1 >= bars.first) {
        // A window's bar spans [start, start + width) on the time axis (uPlot's bars path, placed by data units).
        return {
          label: name,
          stroke: colour,
          fill: colour + '40',
          width: 1,
          points: { show: false },
          paths: uPlot.paths.bars({
            align: 1,
            disp: {
              x0: { unit: 1, values: function (u) { return u.data[0]; } },
              size: { unit: 1, values: function () { return [bars.width]; } },
            },
            each: function () { drawnBars++; },
          }),
        };
      }
      return { label: name, stroke: colour, width: 1, spanGaps: true, points: { show: false } };
    }));
    plot = new uPlot({
      width: width,
      height: 380,
      ms: 1,
      series: series,
      scales: { x: { time: true } },
      cursor: { drag: { x: true, y: false } },
      legend: { live: true },
      hooks: {
        drawClear: [function () { drawnBars = 0; }],
        draw: [function () { chart.setAttribute('data-bars-drawn', String(drawnBars)); }],
      },
    }, data, chart);
    info.textContent = k.inputFrames + ' input frames, ' + k.outputFrames + ' output frames' + (k.windows ? ', ' + k.windows + ' windows' : '') + (k.downsampled ? ' (downsampled: min/max per pixel column)' : '');
    document.body.setAttribute('data-key', k.key);
    drawHeat(k.heat);
  }

  select.addEventListener('change', function () { show(Number(select.value)); });
  if (report.keys.length > 0) show(0);
  else chart.textContent = 'No samples were processed.';
})();`;
