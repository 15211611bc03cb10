/* Programme dashboard charts: draws the figures embedded by the page (json_script "insights-charts")
   with the vendored ECharts. The tables on the page hold the same figures and work without this. */
(function () {
  "use strict";
  var source = document.getElementById("insights-charts");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);

  function total(values) {
    return values.reduce(function (sum, v) { return sum + v; }, 0);
  }

  function empty(node) {
    node.textContent = data.labels.noData;
    node.classList.add("text-muted", "small", "d-flex", "align-items-center", "justify-content-center");
    node.style.height = "6rem";
  }

  function bars(chart) {
    var series = chart.series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; });
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, bottom: 8, top: 40, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: chart.categories, inverse: true, axisLabel: { width: 140, overflow: "truncate" } },
      series: series
    };
  }

  var builders = {
    funnel: function () {
      if (!total(data.funnel.map(function (d) { return d.value; }))) { return null; }
      return {
        tooltip: { trigger: "item", formatter: "{b}: {c}" },
        series: [{
          type: "funnel", sort: "none", left: "2%", width: "55%", minSize: "4%", gap: 2,
          max: Math.max.apply(null, data.funnel.map(function (d) { return d.value; })),
          label: { show: true, position: "right", formatter: "{b}: {c}" },
          data: data.funnel
        }]
      };
    },
    ledger: function () {
      if (!total(data.ledger.map(function (d) { return d.value; }))) { return null; }
      return {
        tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
        legend: { bottom: 0 },
        series: [{
          type: "pie", radius: ["35%", "65%"],
          data: data.ledger.map(function (d) { return { name: d.name, value: d.value, itemStyle: { color: d.color } }; })
        }]
      };
    },
    tracks: function () { return data.tracks.categories.length ? bars(data.tracks) : null; },
    countries: function () { return data.countries.categories.length ? bars(data.countries) : null; }
  };

  var charts = [];
  document.querySelectorAll(".insights-chart[data-chart]").forEach(function (node) {
    var build = builders[node.getAttribute("data-chart")];
    var option = build ? build() : null;
    if (!option) { empty(node); return; }
    var chart = echarts.init(node, null, { renderer: "svg" });
    chart.setOption(option);
    node.setAttribute("data-rendered", "1");
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
})();
