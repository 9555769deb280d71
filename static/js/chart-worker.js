/*
 * Draws indicator charts off the main thread: Apache ECharts runs here, in a Web Worker, in its
 * server-side-rendering mode (renderer "svg", ssr: true) and sends back an SVG string.
 *
 * Why: evaluating ECharts (715 KB) takes a phone's main thread 0.5-1.6 s, during which the page
 * ignores taps. Here it costs the page nothing; static/js/charts.js only inserts the SVG.
 *
 * Message in:  {id, echarts: URL of the ECharts build, data, width, height, fontFamily}
 * Message out: {id, svg} or {id, error}
 */
/* global echarts, importScripts */
"use strict";

var COLORS = ["#0b5cad", "#c2410c", "#15803d", "#7c3aed", "#b45309", "#0e7490"];

function numberFormat(decimals) {
  var format = new Intl.NumberFormat("zh-CN", {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals
  }).format;
  return function (value) {
    return value === null || value === undefined ? "—" : format(value);
  };
}

function chartOptions(data, fontFamily) {
  var fmt = numberFormat(data.decimals || 0);
  var axisFmt = new Intl.NumberFormat("zh-CN", { maximumFractionDigits: 2 }).format;
  var unit = data.unit || "";
  var few = data.periods.length <= 12;
  var single = data.periods.length === 1;
  var several = data.series.length > 1;
  var textColor = "#57606a";
  return {
    animation: false,
    color: COLORS,
    textStyle: { fontFamily: fontFamily || "sans-serif", color: textColor },
    grid: { left: 8, right: 16, top: several ? 48 : 32, bottom: 8, outerBoundsMode: "same" },
    legend: several ? { top: 0, textStyle: { color: "#1f2328", fontSize: 13 } } : { show: false },
    xAxis: {
      type: "category",
      data: data.periods,
      boundaryGap: few,
      axisLabel: { color: textColor, fontSize: 12 },
      axisLine: { lineStyle: { color: "#8c959f" } }
    },
    yAxis: {
      type: "value",
      // Counts and shares start at zero (the server decides which: from_zero); other series fit.
      scale: !single && !data.from_zero,
      min: data.from_zero ? 0 : null,
      axisLabel: {
        color: textColor,
        fontSize: 12,
        formatter: function (value) { return axisFmt(value) + unit; }
      },
      splitLine: { lineStyle: { color: "#e5e8eb" } }
    },
    series: data.series.map(function (series) {
      return {
        name: series.name,
        type: single ? "bar" : "line",
        data: series.values,
        connectNulls: true,
        showAllSymbol: true,
        symbolSize: 8,
        barMaxWidth: 56,
        lineStyle: { width: 2.5 },
        label: {
          show: few && data.series.length <= 2,
          position: "top",
          color: "#1f2328",
          fontSize: 12,
          formatter: function (params) { return fmt(params.value); }
        }
      };
    })
  };
}

self.onmessage = function (event) {
  var job = event.data;
  try {
    if (typeof echarts === "undefined") {
      importScripts(job.echarts);
      if (typeof OffscreenCanvas !== "undefined") {
        // Measure text with the real fonts, as the page would, instead of estimating.
        echarts.setPlatformAPI({
          createCanvas: function () { return new OffscreenCanvas(1, 1); }
        });
      }
    }
    var chart = echarts.init(null, null, {
      renderer: "svg", ssr: true, width: job.width, height: job.height
    });
    chart.setOption(chartOptions(job.data, job.fontFamily));
    // Inline styles would be refused while the page parses the markup (the site's
    // Content-Security-Policy has no 'unsafe-inline'): style attributes travel as data-css,
    // which charts.js applies through the CSSOM, and the <style> (hover cursors) is dropped.
    var svg = chart.renderToSVGString()
      .replace(/<style[\s\S]*?<\/style>/g, "")
      .replace(/\sstyle=/g, " data-css=");
    chart.dispose();
    self.postMessage({ id: job.id, svg: svg });
  } catch (error) {
    self.postMessage({ id: job.id, error: String(error) });
  }
};
