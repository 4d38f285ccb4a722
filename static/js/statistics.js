// Charts of the public statistics page, drawn from the data tables (the tables are the source of
// truth and what screen readers read; the charts are hidden from them). Without scripts, or
// without ECharts (static/vendor, installed by scripts/ensure-echarts.sh), the tables remain.
document.addEventListener("DOMContentLoaded", function () {
  if (typeof echarts === "undefined") return;
  document.querySelectorAll("[data-chart-for]").forEach(function (box) {
    var table = document.getElementById(box.getAttribute("data-chart-for"));
    if (!table) return;
    var heads = Array.prototype.slice.call(table.querySelectorAll("thead th[data-column]"));
    var labels = [];
    var series = heads.map(function (th) {
      var share = th.getAttribute("data-axis") === "share";
      return { name: th.textContent.trim(), type: share ? "line" : "bar", yAxisIndex: share ? 1 : 0, data: [] };
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      labels.push(row.querySelector("th").textContent.trim());
      row.querySelectorAll("td").forEach(function (td, i) {
        var v = td.getAttribute("data-value");
        series[i].data.push(v === "" ? null : Number(v)); // suppressed cells: a gap, never a guess
      });
    });
    var chart = echarts.init(box, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" }, // one line that scrolls: two would overlap the chart on a phone
      grid: { left: 50, right: 50, top: 40, bottom: 80 },
      xAxis: { type: "category", data: labels, axisLabel: { rotate: labels.length > 6 ? 30 : 0 } },
      yAxis: [{ type: "value" }, { type: "value", max: 100, show: series.some(function (s) { return s.yAxisIndex === 1; }) }],
      series: series,
    });
    box.setAttribute("data-drawn", "true");
    window.addEventListener("resize", function () { chart.resize(); });
  });
});
