// Peyvand's charts: every [data-chart] container is drawn from the JSON element it names
// (<script type="application/json">, written by templates/partials/chart.html from a
// peyvand.core.charts.Chart). Apache ECharts with its SVG renderer, so the text stays text.
// In Persian the drawing is mirrored: the category axis runs from the right, the value axis
// stands on the right, the legend sits on the right, and numbers show in Persian digits.
// The same file builds the option for the server's drawing (PDF and e-mailed reports): under
// Node.js it draws nothing and exports buildOption to core/charts_svg.js.
(function (factory) {
  "use strict";
  var charts = factory();
  if (typeof module === "object" && module.exports) {
    module.exports = charts;
  } else {
    charts.start();
  }
})(function () {
  "use strict";

  var FONT = "Vazirmatn, system-ui, sans-serif";

  function numberFormat(locale, format, decimals) {
    var digits = format === "count" ? 0 : (typeof decimals === "number" ? decimals : 1);
    var formatter = new Intl.NumberFormat(locale, { maximumFractionDigits: digits });
    var percent = locale.indexOf("fa") === 0 ? "٪" : "%";
    return function (value) {
      if (value === null || value === undefined || Number.isNaN(Number(value))) return "—";
      return formatter.format(Number(value)) + (format === "percent" ? percent : "");
    };
  }

  // The first series drawn on an axis decides how its labels read.
  function axisSeries(data, axis) {
    return data.series.find(function (s) { return (s.axis || 0) === axis; }) || { format: "count", decimals: 0 };
  }

  function valueAxis(data, axis, rtl) {
    var series = axisSeries(data, axis);
    var format = series.format;
    var secondary = axis === 1;
    var option = {
      type: "value",
      // The value axis on the reading side: right in Persian, left in English; a second
      // axis (a Pareto's percentages) on the other side.
      position: (rtl !== secondary) ? "right" : "left",
      axisLabel: { formatter: numberFormat(data.locale, format, series.decimals), fontFamily: FONT },
      splitLine: { show: !secondary },
      minInterval: format === "count" ? 1 : 0,
    };
    if (!secondary && data.unit) {
      option.name = data.unit;
      option.nameLocation = "end";
      option.nameTextStyle = { align: rtl ? "right" : "left", fontFamily: FONT };
    }
    if (format === "percent" && secondary) option.max = 100;
    return option;
  }

  function seriesOption(data, series, index) {
    var kind = series.kind || (data.kind === "line" ? "line" : "bar");
    var option = {
      name: series.name,
      type: kind,
      data: series.values,
      yAxisIndex: series.axis || 0,
      tooltip: { valueFormatter: numberFormat(data.locale, series.format, series.decimals) },
      emphasis: { focus: "series" },
    };
    if (kind === "line") {
      option.symbolSize = 7;
      option.connectNulls = false;
    } else {
      option.barMaxWidth = 48;
    }
    if (data.kind === "stacked" && kind === "bar") option.stack = "total";
    if (data.kind === "pareto" && index > 0) option.z = 3;
    return option;
  }

  function pieOption(data, base) {
    var series = data.series[0];
    base.tooltip = { trigger: "item", valueFormatter: numberFormat(data.locale, series.format, series.decimals) };
    base.series = [{
      name: series.name,
      type: "pie",
      radius: ["35%", "65%"],
      center: ["50%", "45%"],
      data: data.labels.map(function (label, i) { return { name: label, value: series.values[i] }; }),
      label: { fontFamily: FONT },
    }];
    return base;
  }

  // A radar (kind "radar"): an axis per label from 0 to data.max, a polygon per series.
  function radarOption(data, base) {
    base.tooltip = { trigger: "item", textStyle: { fontFamily: FONT }, extraCssText: base.tooltip.extraCssText };
    base.radar = {
      indicator: data.labels.map(function (label) { return { name: label, max: data.max || undefined }; }),
      radius: "60%",
      center: ["50%", "46%"],
      axisName: { fontFamily: FONT, color: "#495057" },
    };
    base.series = [{
      type: "radar",
      tooltip: { valueFormatter: numberFormat(data.locale, "decimal", 1) },
      data: data.series.map(function (s) {
        return { name: s.name, value: s.values.map(function (v) { return v === null ? "-" : v; }), areaStyle: { opacity: 0.15 } };
      }),
    }];
    return base;
  }

  // A tornado (kind "tornado"): a horizontal bar per label from its low to its high end,
  // both given as changes from data.base (the business case's NPV); the first label on top.
  function tornadoOption(data, base) {
    var rtl = Boolean(data.rtl);
    var format = numberFormat(data.locale, "count", 0);
    var compact = new Intl.NumberFormat(data.locale, { notation: "compact", maximumFractionDigits: 1 });
    base.legend.show = true;
    base.tooltip.valueFormatter = function (value) { return format(data.base + Number(value)); };
    base.grid = { top: 8, bottom: 36, left: 12, right: 12, containLabel: true };
    base.xAxis = {
      type: "value",
      inverse: rtl,
      axisLabel: { formatter: function (value) { return compact.format(data.base + value); }, fontFamily: FONT, hideOverlap: true },
    };
    base.yAxis = {
      type: "category",
      data: data.labels,
      inverse: true,
      position: rtl ? "right" : "left",
      axisLabel: { fontFamily: FONT, overflow: "truncate", width: 140 },
    };
    base.series = data.series.map(function (s) {
      return { name: s.name, type: "bar", stack: "swing", data: s.values, barMaxWidth: 24 };
    });
    return base;
  }

  function reducedMotion() {
    return typeof window !== "undefined" && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  function buildOption(data) {
    var rtl = Boolean(data.rtl);
    var names = data.series.map(function (s) { return s.name; });
    var base = {
      textStyle: { fontFamily: FONT },
      animationDuration: reducedMotion() ? 0 : 400,
      legend: {
        show: data.kind === "pie" || names.length > 1,
        type: "scroll",
        bottom: 0,
        // Right-aligned in Persian: the first series at the right end, its mark on its right.
        data: rtl ? (data.kind === "pie" ? data.labels : names).slice().reverse() : undefined,
        align: rtl ? "right" : "left",
        textStyle: { fontFamily: FONT },
      },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        textStyle: { fontFamily: FONT },
        extraCssText: rtl ? "direction: rtl; text-align: right;" : "",
      },
    };
    base.legend[rtl ? "right" : "left"] = 0;
    if (data.kind === "pie") return pieOption(data, base);
    if (data.kind === "radar") return radarOption(data, base);
    if (data.kind === "tornado") return tornadoOption(data, base);
    var axes = [valueAxis(data, 0, rtl)];
    if (data.series.some(function (s) { return s.axis === 1; })) axes.push(valueAxis(data, 1, rtl));
    base.grid = { top: data.unit ? 36 : 16, bottom: base.legend.show ? 36 : 8, left: 12, right: 12, containLabel: true };
    base.xAxis = {
      type: "category",
      data: data.labels,
      inverse: rtl, // the first label on the right
      axisTick: { alignWithLabel: true },
      // Every label while they fit; slanted when there are many.
      axisLabel: {
        fontFamily: FONT, hideOverlap: true, overflow: "truncate", width: 96,
        interval: data.labels.length > 16 ? "auto" : 0, rotate: data.labels.length > 6 ? 30 : 0,
      },
    };
    base.yAxis = axes;
    base.series = data.series.map(function (s, i) { return seriesOption(data, s, i); });
    return base;
  }

  function draw(container) {
    if (container.dataset.chartDrawn === "1" || !window.echarts) return;
    var source = document.getElementById(container.dataset.chart);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(container, null, { renderer: "svg" });
    chart.setOption(buildOption(data));
    container.dataset.chartDrawn = "1";
    if (window.ResizeObserver) {
      new ResizeObserver(function () { chart.resize(); }).observe(container);
    }
  }

  function drawAll(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(draw);
  }

  function start() {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
    } else {
      drawAll(document);
    }
    // Charts that arrive in an htmx swap are drawn too.
    document.addEventListener("htmx:load", function (event) { drawAll(event.target); });
  }

  return { buildOption: buildOption, start: start };
});
