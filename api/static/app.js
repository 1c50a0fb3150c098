"use strict";
// hydrawatch dashboard: charts (uPlot, data from <script type="application/json"> blocks) and polling for
// newly stored alerts. Data is only ever inserted with textContent / DOM properties, never as HTML.
(function () {
  var PALETTE = ["#1f2937", "#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d"];

  function readJSON(id) {
    var node = document.getElementById(id);
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  function drawChart(el) {
    var data = readJSON(el.getAttribute("data-chart"));
    if (!data || !data.x || !data.x.length || typeof window.uPlot !== "function") { return; }
    var series = [{}];
    var columns = [data.x];
    data.series.forEach(function (s, i) {
      series.push({ label: String(s.label), stroke: PALETTE[i % PALETTE.length], width: i === 0 ? 2 : 1.5,
                    spanGaps: true, points: { show: data.x.length < 60 } });
      columns.push(s.values);
    });
    var width = Math.max(320, el.clientWidth || 800);
    var plot = new window.uPlot({ width: width, height: 260, series: series,
      scales: { x: { time: true } }, axes: [{}, { label: data.kind === "alerts" ? "alerts" : "requests" }] },
      columns, el);
    window.addEventListener("resize", function () { plot.setSize({ width: Math.max(320, el.clientWidth), height: 260 }); });
  }

  function alertItem(alert) {
    var li = document.createElement("li");
    var link = document.createElement("a");
    link.href = "/campaigns/" + encodeURIComponent(String(alert.campaign_id));
    link.textContent = String(alert.campaign_id) + " v" + String(alert.version);
    var sev = document.createElement("span");
    var level = String(alert.severity);
    sev.className = "sev sev-" + (["low", "medium", "high", "critical"].indexOf(level) >= 0 ? level : "unknown");
    sev.textContent = level;
    var text = document.createElement("span");
    text.className = "live-summary";
    text.textContent = " " + String(alert.size) + " accounts — " + String(alert.summary || "").slice(0, 200);
    li.appendChild(sev);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(link);
    li.appendChild(text);
    return li;
  }

  function updateCounts(counts) {
    if (!counts || !counts.open_by_severity) { return; }
    Object.keys(counts.open_by_severity).forEach(function (level) {
      var node = document.querySelector('[data-count="open-' + level + '"]');
      if (node) { node.textContent = String(counts.open_by_severity[level]); }
    });
  }

  function startPolling() {
    var body = document.body;
    var url = body.getAttribute("data-poll-url");
    if (!url) { return; }
    var latest = parseInt(body.getAttribute("data-feed-latest") || "0", 10) || 0;
    var every = Math.max(2, parseInt(body.getAttribute("data-poll-interval") || "10", 10)) * 1000;
    var panel = document.getElementById("live-alerts");
    var list = document.getElementById("live-list");
    var status = document.getElementById("live-status");
    var hide = document.getElementById("live-dismiss");
    if (hide) { hide.addEventListener("click", function () { panel.hidden = true; }); }

    function tick() {
      fetch(url + "?after=" + latest, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) {
          if (response.status === 401) { throw new Error("Your session has expired: sign in again."); }
          if (!response.ok) { throw new Error("Polling for new alerts failed (" + response.status + ")."); }
          return response.json();
        })
        .then(function (data) {
          status.hidden = true;
          updateCounts(data.counts);
          if (data.alerts && data.alerts.length) {
            data.alerts.slice().reverse().forEach(function (alert) {
              list.insertBefore(alertItem(alert), list.firstChild);
            });
            while (list.children.length > 20) { list.removeChild(list.lastChild); }
            panel.hidden = false;
          }
          latest = Math.max(latest, parseInt(data.latest, 10) || 0);
          body.setAttribute("data-feed-latest", String(latest));
          window.setTimeout(tick, every);
        })
        .catch(function (error) {
          status.textContent = error.message;
          status.hidden = false;
          if (error.message.indexOf("expired") < 0) { window.setTimeout(tick, every * 3); }
        });
    }
    window.setTimeout(tick, every);
  }

  window.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), drawChart);
    startPolling();
  });
})();
