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
    var barWidths = [];
    // Each window's bar spans its own [start, end) on the time axis (uPlot's bars path sizes every
    // bar alike, so session windows of different lengths get this path), from 0 or the nearest axis edge.
    // Every bar is visited (not just those starting in view): one starting left of a zoom still shows; uPlot clips to the plot.
    function windowBars(u, seriesIndex) {
      var xs = u.data[0], ys = u.data[seriesIndex], ends = bars.ends;
      var lo = u.scales.y.min, hi = u.scales.y.max;
      var base = u.valToPos(Math.min(Math.max(0, lo), hi), 'y', true);
      var path = new Path2D();
      for (var i = 0; i < xs.length; i++) {
        if (ys[i] === null || ys[i] === undefined || ends[i] === null) continue;
        var left = u.valToPos(xs[i], 'x', true), right = u.valToPos(ends[i], 'x', true);
        var top = u.valToPos(ys[i], 'y', true);
        path.rect(left, Math.min(top, base), Math.max(1, right - left), Math.abs(base - top));
        drawnBars++;
        barWidths.push(Math.round((right - left) / (window.devicePixelRatio || 1)));
      }
      return { stroke: path, fill: path, clip: null, flags: 0 };
    }
    var series = [{}].concat(k.series.map(function (name, i) {
      var colour = colors[i % colors.length];
      if (bars && i + 1 >= bars.first) {
        return { label: name, stroke: colour, fill: colour + '40', width: 1, points: { show: false }, paths: windowBars };
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
        drawClear: [function () { drawnBars = 0; barWidths = []; }],
        draw: [function () {
          chart.setAttribute('data-bars-drawn', String(drawnBars));
          chart.setAttribute('data-bar-widths', barWidths.join(' '));
        }],
      },
    }, k.data, chart);
    info.textContent = k.inputFrames + ' input frames, ' + k.outputFrames + ' output frames' + (k.windows ? ', ' + k.windows + ' windows' : '') + (k.downsampled ? ' (downsampled: min/max per pixel column)' : '');
    document.body.setAttribute('data-key', k.key);
    drawHeat(k.heat);
  }

  select.addEventListener('change', function () { show(Number(select.value)); });
  if (report.keys.length > 0) show(0);
  else chart.textContent = 'No samples were processed.';
})();`;
