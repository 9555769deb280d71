/*
 * Indicator charts. Each chart is an element with
 *   data-chart="<id of a <script type="application/json"> block>"   (Django's json_script)
 *   data-chart-worker="<URL of static/js/chart-worker.js>"
 *   data-echarts="<URL of the vendored ECharts build>"
 * The data block holds {name, unit, decimals, periods: [...], series: [{name, values: [...]}]}.
 *
 * Apache ECharts draws the chart in a Web Worker (see chart-worker.js), once the page has loaded
 * and the chart is on screen; this script only inserts the SVG it returns, shows the value under
 * the pointer and redraws when the width changes. The same numbers are in the table below it.
 */
(function () {
  "use strict";

  var worker = null;
  var jobs = {};
  var nextId = 1;

  function render(element, data, callback) {
    if (!worker) {
      worker = new Worker(element.dataset.chartWorker);
      worker.onmessage = function (event) {
        var done = jobs[event.data.id];
        delete jobs[event.data.id];
        if (done) done(event.data);
      };
      worker.onerror = function () {  // the worker script itself did not load
        Object.keys(jobs).forEach(function (id) { jobs[id]({ error: "worker" }); });
        jobs = {};
      };
    }
    var id = nextId++;
    jobs[id] = callback;
    worker.postMessage({
      id: id,
      echarts: new URL(element.dataset.echarts, document.baseURI).href,
      data: data,
      width: element.clientWidth,
      height: element.clientHeight,
      // ECharts writes the family into a double-quoted attribute: quote names with ' instead.
      fontFamily: window.getComputedStyle(element).fontFamily.replace(/"/g, "'")
    });
  }

  // Styles in markup are refused by the site's Content-Security-Policy (no 'unsafe-inline'), so
  // ECharts' style attributes arrive as data-css (chart-worker.js) and go in through the CSSOM;
  // its <style> holds only hover cursors.
  function toSvgElement(markup) {
    var parsed = new DOMParser().parseFromString(markup, "image/svg+xml");
    if (parsed.querySelector("parsererror")) return null;
    parsed.querySelectorAll("style").forEach(function (style) { style.remove(); });
    var svg = document.importNode(parsed.documentElement, true);
    svg.querySelectorAll("[data-css]").forEach(function (node) {
      node.style.cssText = node.getAttribute("data-css");
      node.removeAttribute("data-css");
    });
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    return svg;
  }

  function numberFormat(decimals) {
    var format = new Intl.NumberFormat("zh-CN", {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals
    }).format;
    return function (value) {
      return value === null || value === undefined ? "—" : format(value);
    };
  }

  function addTooltip(element, data) {
    var fmt = null;  // made on first use: a first Intl.NumberFormat costs a slow phone ~0.1 s
    var tip = document.createElement("div");
    tip.className = "chart-tip";
    tip.hidden = true;
    element.appendChild(tip);
    element.addEventListener("pointerover", function (event) {
      var target = event.target;
      if (!target.getAttribute || target.getAttribute("ecmeta_ssr_type") !== "chart") return;
      var series = data.series[Number(target.getAttribute("ecmeta_series_index"))];
      var index = Number(target.getAttribute("ecmeta_data_index"));
      if (!series || series.values[index] === null || series.values[index] === undefined) return;
      fmt = fmt || numberFormat(data.decimals || 0);
      tip.textContent = data.periods[index] + " · " + series.name + "：" +
        fmt(series.values[index]) + (data.unit || "");
      var box = element.getBoundingClientRect();
      var mark = target.getBoundingClientRect();
      tip.hidden = false;
      var left = mark.left - box.left + mark.width / 2 - tip.offsetWidth / 2;
      tip.style.left = Math.max(0, Math.min(left, box.width - tip.offsetWidth)) + "px";
      tip.style.top = Math.max(0, mark.top - box.top - tip.offsetHeight - 8) + "px";
    });
    element.addEventListener("pointerout", function (event) {
      if (event.target.getAttribute && event.target.getAttribute("ecmeta_ssr_type") === "chart") {
        tip.hidden = true;
      }
    });
  }

  function draw(element) {
    var block = document.getElementById(element.dataset.chart);
    if (!block) return;
    var data = JSON.parse(block.textContent);
    var drawnWidth = 0;

    function paint() {
      drawnWidth = element.clientWidth;
      render(element, data, function (result) {
        var svg = result.svg && toSvgElement(result.svg);
        if (!svg) {
          window.console.error("Chart not drawn:", result.error || "unreadable SVG");
          element.classList.add("chart-failed");
          return;
        }
        var old = element.querySelector("svg");
        if (old) old.replaceWith(svg); else element.insertBefore(svg, element.firstChild);
        element.classList.add("chart-ready");
      });
    }

    paint();
    addTooltip(element, data);
    if ("ResizeObserver" in window) {
      var timer = null;
      new ResizeObserver(function () {
        if (Math.abs(element.clientWidth - drawnWidth) < 2) return;
        window.clearTimeout(timer);
        timer = window.setTimeout(paint, 200);
      }).observe(element);
    }
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
    if (!("Worker" in window) || !("DOMParser" in window)) return;  // the table stays
    document.querySelectorAll("[data-chart][data-chart-worker][data-echarts]").forEach(
      function (element) { whenVisible(element, function () { draw(element); }); }
    );
  }

  if (document.readyState === "complete") {
    start();
  } else {
    window.addEventListener("load", start);
  }
})();
