/*
 * Indicator charts. Each chart is an element with
 *   data-chart="<id of a <script type="application/json"> block>"   (Django's json_script)
 *   data-echarts="<URL of the vendored ECharts build>"
 * The data block holds {name, unit, decimals, periods: [...], series: [{name, values: [...]}]}.
 *
 * ECharts (240 KB gzipped) is fetched only once the page has loaded and a chart is on screen,
 * so it never delays the first paint; the same numbers are in the table under the chart.
 */
(function () {
  "use strict";

  var echartsRequest = null;

  function loadECharts(src) {
    if (window.echarts) return Promise.resolve(window.echarts);
    if (!echartsRequest) {
      echartsRequest = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = src;
        script.async = true;
        script.onload = function () { resolve(window.echarts); };
        script.onerror = function () { reject(new Error("ECharts failed to load: " + src)); };
        document.head.appendChild(script);
      });
    }
    return echartsRequest;
  }

  function numberFormat(decimals) {
    var format = new Intl.NumberFormat("zh-CN", {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals
    });
    return function (value) {
      return value === null || value === undefined ? "—" : format.format(value);
    };
  }

  function options(data) {
    var fmt = numberFormat(data.decimals || 0);
    var axisFmt = new Intl.NumberFormat("zh-CN", { maximumFractionDigits: 2 }).format;
    var unit = data.unit || "";
    var few = data.periods.length <= 12;
    var single = data.periods.length === 1;
    var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    return {
      animation: !reduceMotion,
      animationDuration: 600,
      color: ["#0b5cad", "#c2410c", "#15803d", "#7c3aed", "#b45309", "#0e7490"],
      textStyle: { fontFamily: "inherit" },
      grid: { left: 16, right: 24, top: data.series.length > 1 ? 56 : 40, bottom: 16,
              outerBoundsMode: "same" },
      legend: data.series.length > 1 ? { top: 0, type: "plain" } : { show: false },
      tooltip: {
        trigger: "axis",
        valueFormatter: function (value) { return fmt(value) + unit; }
      },
      xAxis: { type: "category", data: data.periods, boundaryGap: few },
      yAxis: {
        type: "value",
        scale: !single,
        axisLabel: { formatter: function (value) { return axisFmt(value) + unit; } }
      },
      series: data.series.map(function (series) {
        return {
          name: series.name,
          type: single ? "bar" : "line",
          data: series.values,
          connectNulls: true,
          showAllSymbol: true,
          symbolSize: 7,
          barMaxWidth: 56,
          label: {
            show: few && data.series.length <= 2,
            position: "top",
            formatter: function (params) { return fmt(params.value); }
          }
        };
      })
    };
  }

  function draw(element, echarts) {
    var block = document.getElementById(element.dataset.chart);
    if (!block) return;
    var chart = echarts.init(element, null, { renderer: "svg" });
    // "chart-ready" once drawn and any animation has settled (tests and screenshots wait for it).
    chart.on("finished", function () { element.classList.add("chart-ready"); });
    chart.setOption(options(JSON.parse(block.textContent)));
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function whenVisible(element, callback) {
    if (!("IntersectionObserver" in window)) { callback(); return; }
    var observer = new IntersectionObserver(function (entries) {
      if (entries.some(function (entry) { return entry.isIntersecting; })) {
        observer.disconnect();
        callback();
      }
    }, { rootMargin: "200px" });
    observer.observe(element);
  }

  function start() {
    document.querySelectorAll("[data-chart][data-echarts]").forEach(function (element) {
      whenVisible(element, function () {
        loadECharts(element.dataset.echarts).then(function (echarts) {
          // A task of its own, after the library's evaluation.
          window.setTimeout(function () { draw(element, echarts); }, 0);
        }).catch(function () {
          element.classList.add("chart-failed");
        });
      });
    });
  }

  if (document.readyState === "complete") {
    start();
  } else {
    window.addEventListener("load", start);
  }
})();
