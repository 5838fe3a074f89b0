"use strict";
// The status page's charts: the last 15 minutes of this POP (GET /api/v1/history), drawn with uPlot
// (vendored, /ui/uplot.js). Each chart's element carries what it shows in data-* attributes
// (series names, points, health marks), which the headless-browser test reads.
const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
const charts = {};

function human(v, unit) {
  if (v == null) return "";
  if (unit === "B/s") {
    return v >= 1 << 30 ? (v / 2 ** 30).toFixed(1) + " GiB/s" : v >= 1 << 20 ? (v / 2 ** 20).toFixed(1) + " MiB/s"
      : v >= 1024 ? (v / 1024).toFixed(1) + " KiB/s" : v.toFixed(0) + " B/s";
  }
  return (Math.abs(v) >= 100 || Number.isInteger(v) ? v.toFixed(0) : v.toFixed(1)) + (unit ? " " + unit : "");
}

/** Health changes as vertical lines: red when a backend went out of routing, green when it came back. */
function drawMarks(u, events) {
  const ctx = u.ctx;
  ctx.save();
  ctx.lineWidth = 2;
  ctx.setLineDash([5, 4]);
  for (const e of events) {
    const x = u.valToPos(e.t / 1000, "x", true);
    if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
    ctx.strokeStyle = e.healthy ? "#1b7f3b" : "#b3261e";
    ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
  }
  ctx.restore();
}

/** Draws (or updates) chart {@code id}: {@code series} = [{label, values}], one value per time. */
function drawChart(id, title, times, series, unit, events) {
  const el = document.getElementById(id);
  el.dataset.series = series.map((s) => s.label).join(",");
  el.dataset.points = String(times.length);
  el.dataset.values = String(series.reduce((n, s) => n + s.values.filter((v) => v != null).length, 0));
  el.dataset.marks = String(events.length);
  const data = [times.map((t) => t / 1000), ...series.map((s) => s.values)];
  const old = charts[id];
  if (old && old.key === el.dataset.series) {
    old.events = events;
    old.plot.setData(data);
    return;
  }
  if (old) old.plot.destroy();
  const entry = { key: el.dataset.series, events };
  entry.plot = new uPlot({
    title, width: Math.max(320, Math.min(el.clientWidth || 520, 640)), height: 190,
    series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: PALETTE[i % PALETTE.length], width: 1.5,
      value: (u, v) => human(v, unit) }))],
    axes: [{}, { size: 70, values: (u, vals) => vals.map((v) => human(v, unit)) }],
    hooks: { draw: [(u) => drawMarks(u, entry.events)] },
  }, data, el);
  charts[id] = entry;
}

function drawCharts(h) {
  const times = h.times || [];
  const events = h.events || [];
  const apps = h.apps || [], backends = h.backends || [], peers = h.peers || [];
  document.getElementById("charts-part").style.display = times.length ? "block" : "none";
  drawChart("chart-app-active", "Open connections per app", times, apps.map((a) => ({ label: a.app, values: a.active })), "", []);
  drawChart("chart-app-new", "New connections per second per app", times,
    apps.map((a) => ({ label: a.app, values: a.newPerSec })), "/s", []);
  drawChart("chart-app-bytes", "Bytes per second per app (both ways)", times,
    apps.map((a) => ({ label: a.app, values: a.bytesPerSec })), "B/s", []);
  drawChart("chart-backend-active", "Open connections per backend (lines: health changes)", times,
    backends.map((b) => ({ label: b.backend, values: b.active })), "", events);
  drawChart("chart-backend-new", "New connections per second per backend", times,
    backends.map((b) => ({ label: b.backend, values: b.newPerSec })), "/s", events);
  document.getElementById("peers-chart-part").style.display = peers.length ? "block" : "none";
  if (peers.length) {
    drawChart("chart-peer-lag", "Replication lag per peer (ms behind)", times,
      peers.map((p) => ({ label: p.node, values: p.lagMs })), "ms", []);
  }
  const list = document.getElementById("health-events");
  list.replaceChildren(...events.slice(-10).reverse().map((e) => {
    const li = document.createElement("li");
    li.className = e.healthy ? "good" : "bad";
    li.textContent = `${new Date(e.t).toLocaleTimeString()} ${e.backend} (${e.app}) ${e.healthy ? "back in routing" : "out of routing"}`;
    return li;
  }));
}

async function refreshCharts(token) {
  const answer = await fetch("/api/v1/history", { headers: { Authorization: "Bearer " + token } });
  if (answer.ok) drawCharts(await answer.json());
}
