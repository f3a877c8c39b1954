// The station's page: every number comes from the reporting API with the token kept in this tab's
// session storage; cells are filled with textContent only, so no report value is ever read as HTML.
"use strict";

const TOKEN_KEY = "lookback-token";
const $ = (id) => document.getElementById(id);

const TOWN_ROWS = [
  ["found", "本期新发现问题"], ["found_cumulative", "累计发现问题"], ["cleared_by_data", "本期数据复核消除"],
  ["rectified", "本期报告整改"], ["rectified_cumulative", "累计报告整改"], ["verified", "本期销号"],
  ["verified_cumulative", "累计销号（已销号）"], ["dismissed", "本期认定不属实"], ["dismissed_cumulative", "累计不属实"],
  ["escalated", "本期上报县级"], ["escalated_cumulative", "累计上报县级"], ["open", "期末未销号"],
  ["overdue", "期末逾期"], ["rectification_rate", "整改率"], ["verified_rate", "销号率"],
];
const GROUP_COLUMNS = [
  ["found", "本期新发现"], ["found_cumulative", "累计发现"], ["rectified", "本期报告整改"],
  ["status.rectified", "已整改待验收"], ["verified_cumulative", "已销号"], ["dismissed_cumulative", "不属实"],
  ["open", "未销号"], ["overdue", "逾期"], ["rectification_rate", "整改率"],
];
const BUCKETS = [["1-7", "逾期≤7天"], ["8-30", "逾期8–30天"], ["31+", "逾期>30天"]];
const SERIES = [["found", "新发现", "#a4161a"], ["rectified", "报告整改", "#1b7f3b"], ["overdue", "期末逾期", "#d98b00"]];
const EXPORTS = [["problems", "问题清单"], ["ledger", "整改台帐"], ["summary", "问题排查情况汇总表"]];

function token() { return sessionStorage.getItem(TOKEN_KEY); }

async function api(path, params) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(params || {})) if (v) url.searchParams.set(k, v);
  const response = await fetch(url, { headers: { Authorization: "Bearer " + token() } });
  if (response.status === 401) { signOut("令牌无效或已失效，请重新登录"); throw new Error("401"); }
  if (!response.ok) throw new Error(response.status + " " + (await response.text()));
  return response;
}

function pick(obj, path) { return path.split(".").reduce((o, k) => (o == null ? o : o[k]), obj); }

function show(value, key) {
  if (value === null || value === undefined) return "—";
  if (key.endsWith("_rate")) return (value * 100).toFixed(1) + "%";
  return String(value);
}

function fill(table, header, rows) {
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  for (const text of header) { const th = document.createElement("th"); th.textContent = text; head.appendChild(th); }
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const cell of row) {
      const td = tr.insertCell();
      if (cell && typeof cell === "object") { td.textContent = cell.text; if (cell.cls) td.className = cell.cls; }
      else td.textContent = cell;
    }
  }
}

// Whether more of a count is good news: more 销号 or 整改 is (green), more problems open or overdue is not
// (red); a count that is neither (不属实, 上报县级) keeps its sign uncoloured.
const MORE_IS_BETTER = new Set(["cleared_by_data", "rectified", "rectified_cumulative", "verified", "verified_cumulative"]);
const MORE_IS_WORSE = new Set(["found", "found_cumulative", "open", "overdue"]);
let periodLabels = {};
const periodName = (code) => periodLabels[code] || code;

function changeCell(key, a, b) {
  const d = a - b;
  const good = (MORE_IS_BETTER.has(key) && d > 0) || (MORE_IS_WORSE.has(key) && d < 0);
  const bad = (MORE_IS_BETTER.has(key) && d < 0) || (MORE_IS_WORSE.has(key) && d > 0);
  return { text: (d > 0 ? "+" : "") + d, cls: good ? "better" : bad ? "worse" : "" };
}

function townTable(report) {
  const cur = report.current, prev = report.previous;
  const rows = TOWN_ROWS.map(([key, label]) => {
    const a = cur[key], b = prev[key];
    const numbers = typeof a === "number" && typeof b === "number" && !key.endsWith("_rate");
    return [label, show(a, key), show(b, key), numbers ? changeCell(key, a, b) : ""];
  });
  fill($("town-table"), ["指标", "本期 " + periodName(report.period), "上期 " + periodName(prev.period), "增减"], rows);
}

function ordered(groups, order) {
  const rank = (key) => (order.includes(key) ? order.indexOf(key) : order.length);
  return Object.fromEntries(Object.entries(groups).sort((a, b) => rank(a[0]) - rank(b[0]) || (a[0] < b[0] ? -1 : 1)));
}

function groupTable(table, heading, groups, name) {
  const rows = Object.entries(groups).map(([key, stats]) => [name(key), ...GROUP_COLUMNS.map(([k]) => show(pick(stats, k), k))]);
  fill(table, [heading, ...GROUP_COLUMNS.map(([, label]) => label)], rows);
}

function stateTables(report) {
  const cur = report.current, labels = report.labels.status, order = report.labels.order.status;
  fill($("status-table"), ["期末状态", "案件数"], order.map((s) => [labels[s], cur.status[s]]));
  fill($("overdue-days-table"), ["逾期时长", "案件数"], BUCKETS.map(([k, label]) => [label, cur.overdue_days[k]]));
  fill($("time-table"), ["状态", "案件数", "累计天数", "平均天数"], order.map((s) => {
    const t = cur.time_in_status[s];
    return [labels[s], t.cases, t.days, show(t.mean_days, "")];
  }));
}

function chart(points) {
  const width = 760, height = 260, left = 40, right = 120, top = 12, bottom = 46;
  const max = Math.max(1, ...points.flatMap((p) => SERIES.map(([k]) => p[k])));
  const x = (i) => left + (points.length < 2 ? 0 : (i * (width - left - right)) / (points.length - 1));
  const y = (v) => top + (height - top - bottom) * (1 - v / max);
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("width", width);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "各半月期新发现、报告整改、期末逾期问题数趋势");
  const add = (tag, attrs, text) => {
    const el = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    if (text !== undefined) el.textContent = text;
    svg.appendChild(el);
    return el;
  };
  add("line", { x1: left, y1: y(0), x2: width - right, y2: y(0), stroke: "#999" });
  add("text", { x: 4, y: y(max) + 4 }, String(max));
  add("text", { x: 4, y: y(0) + 4 }, "0");
  // At most a dozen labels fit under the axis: past that, every k-th period is named (and always the last).
  const step = Math.ceil(points.length / 12);
  points.forEach((p, i) => {
    if (i % step && i !== points.length - 1) return;
    add("text", { x: x(i), y: height - bottom + 16, "text-anchor": "middle" }, p.period.slice(2));
  });
  SERIES.forEach(([key, label, color], n) => {
    add("polyline", { points: points.map((p, i) => `${x(i)},${y(p[key])}`).join(" "), fill: "none", stroke: color, "stroke-width": 2 });
    points.forEach((p, i) => add("circle", { cx: x(i), cy: y(p[key]), r: 3, fill: color }, undefined));
    add("rect", { x: width - right + 14, y: top + n * 20, width: 12, height: 12, fill: color });
    add("text", { x: width - right + 32, y: top + n * 20 + 10 }, label);
  });
  $("trend-chart").replaceChildren(svg);
}

// The lead unit with the plan's co-responsible units (配合单位) beside it, as the ledger lists them.
function owners(c) {
  return c.co_units && c.co_units.length ? `${c.lead_unit}（配合：${c.co_units.join("、")}）` : c.lead_unit;
}

// The longest overdue first, at most OVERDUE_SHOWN of them: a county's list is tens of thousands of rows.
const OVERDUE_SHOWN = 500;

function overdueTable(body, labels) {
  const cases = body.cases;
  $("overdue-count").textContent = body.total > cases.length
    ? `（共 ${body.total} 件，列出逾期最久的 ${cases.length} 件）` : `（${body.total} 件）`;
  fill($("overdue-table"), ["行政村", "户编号", "问题条目", "责任单位", "整改时限", "逾期天数", "状态"],
    cases.map((c) => [c.village, c.household_id || "", `${c.item}.${labels.item[c.item] || c.item_name}`, owners(c),
      c.deadline, c.days_overdue, c.status_label]));
}

function milestoneTable(body) {
  $("milestones-as-of").textContent = `（截至 ${body.as_of}）`;
  fill($("milestone-table"), ["时间节点", "截止日期", "状态", "已完成"],
    body.milestones.map((m) => [m.label, m.due, { text: m.standing_label, cls: m.standing === "overdue" ? "worse" : "" },
      `${m.done} / ${m.expected}`]));
}

async function download(kind, format) {
  const response = await api(`/reports/exports/${kind}`, { period: $("period").value, format, known_at: knownAt() });
  const match = /filename\*=UTF-8''([^;]+)/.exec(response.headers.get("Content-Disposition") || "");
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = match ? decodeURIComponent(match[1]) : `${kind}.${format}`;
  link.click();
  URL.revokeObjectURL(link.href);
}

function downloads() {
  const box = $("downloads");
  box.replaceChildren();
  for (const [kind, label] of EXPORTS) {
    const line = document.createElement("div");
    const name = document.createElement("span");
    name.textContent = label;
    line.appendChild(name);
    for (const format of ["xlsx", "csv", "json"]) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = format === "xlsx" ? "" : "secondary";
      button.textContent = format.toUpperCase();
      button.addEventListener("click", () => download(kind, format).catch((e) => ($("status").textContent = "下载失败：" + e.message)));
      line.appendChild(button);
    }
    box.appendChild(line);
  }
}

function knownAt() {
  const value = $("known-at").value;
  return value ? value + ":00+08:00" : "";
}

async function load() {
  const period = $("period").value;
  if (!period) { $("status").textContent = "尚无数据"; return; }
  $("status").textContent = "加载中…";
  const params = { period, known_at: knownAt() };
  const [report, trend, overdue, marks] = await Promise.all(
    [["/reports/semimonthly"], ["/reports/trend"], ["/reports/overdue", { limit: OVERDUE_SHOWN }], ["/reports/milestones"]]
      .map(([p, more]) => api(p, { ...params, ...more }).then((r) => r.json())));
  $("period-range").textContent = `${periodName(report.period)}（${report.first_day} 至 ${report.last_day}）`;
  const labels = report.labels;
  townTable(report);
  $("check-code").textContent = report.check_code || "—";
  chart(trend.periods);
  stateTables(report);
  const cur = report.current;
  groupTable($("village-table"), "行政村", ordered(cur.by_village, labels.order.village), (k) => k);
  groupTable($("category-table"), "问题类别", ordered(cur.by_category, labels.order.category),
    (k) => `${k}、${labels.category[k] || ""}`);
  groupTable($("unit-table"), "责任单位", cur.by_unit, (k) => k);
  groupTable($("item-table"), "问题条目", ordered(cur.by_item, Object.keys(labels.item).sort((a, b) => a - b)),
    (k) => `${k}.${labels.item[k] || ""}`);
  overdueTable(overdue, labels);
  milestoneTable(marks);
  $("status").textContent = "";
}

async function start(wanted) {
  const body = await (await api("/reports/periods")).json();
  $("signin").hidden = true;
  $("report").hidden = false;
  $("signout").hidden = false;
  if (body.town) $("town").textContent = body.town + " ";
  const select = $("period");
  periodLabels = body.labels || {};
  select.replaceChildren(...body.periods.map((p) => new Option(periodName(p), p)));
  if (body.periods.length) select.value = body.periods.includes(wanted) ? wanted : body.periods[body.periods.length - 1];
  downloads();
  await load();
}

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  $("report").hidden = true;
  $("signout").hidden = true;
  $("signin").hidden = false;
  $("signin-error").textContent = message || "";
}

// A sign-in link (`/ui#token=…&period=…`, for a wall screen) is read once and cleared from the address bar.
const fragment = new URLSearchParams(location.hash.slice(1));
if (fragment.get("token")) sessionStorage.setItem(TOKEN_KEY, fragment.get("token"));
if (location.hash) history.replaceState(null, "", location.pathname);

$("signin-form").addEventListener("submit", (e) => {
  e.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $("token").value.trim());
  $("token").value = "";
  start().catch((err) => { if (err.message !== "401") $("signin-error").textContent = "无法连接：" + err.message; });
});
$("controls").addEventListener("submit", (e) => { e.preventDefault(); load().catch((err) => ($("status").textContent = err.message)); });
$("signout").addEventListener("click", () => signOut(""));
if (token()) start(fragment.get("period")).catch((err) => { if (err.message !== "401") $("signin-error").textContent = err.message; });
