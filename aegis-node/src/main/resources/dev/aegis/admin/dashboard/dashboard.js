// The AEGIS Node dashboard: polls the admin API (/metrics and /admin/waf/recent) every second and draws what
// changed. Rates and latency quantiles come from the difference between two scrapes, as Prometheus' rate() and
// histogram_quantile() would compute them. The admin token, when the node needs one, is asked for once and kept
// in sessionStorage (this tab only).
'use strict';

const POLL_MS = 1000;
const WINDOW = 120;           // points kept in each chart: two minutes
const TOKEN_KEY = 'aegis-admin-token';
const STATUS_COLORS = { '1xx': '#8a96a3', '2xx': '#3fb950', '3xx': '#58a6ff', '4xx': '#d29922', '5xx': '#f85149',
                        none: '#6e7681' };

let previous = null;          // the last scrape: { t, metrics }
const history = [];           // per scrape: { t, status: {class: total} } for the 10 s status mix

// ---- the token ----------------------------------------------------------------------------------------------
function token() { return sessionStorage.getItem(TOKEN_KEY) || ''; }

function askForToken(message) {
  const dialog = document.getElementById('token-dialog');
  document.getElementById('token-error').textContent = message || '';
  if (!dialog.open) { dialog.showModal(); }
}

document.getElementById('token-form').addEventListener('submit', (event) => {
  const value = document.getElementById('token-input').value.trim();
  // A token travels in a header: visible ASCII only, as the node itself requires of admin.token.
  if (!/^[\x21-\x7e]+$/.test(value)) {
    event.preventDefault();
    document.getElementById('token-error').textContent = 'A token is printable ASCII without spaces.';
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, value);
  schedule(0);
});

async function adminFetch(path) {
  const headers = token() ? { Authorization: 'Bearer ' + token() } : {};
  const response = await fetch(path, { headers, cache: 'no-store' });
  if (response.status === 401) {
    const refused = token() !== '';
    sessionStorage.removeItem(TOKEN_KEY);
    const err = new Error('unauthorized');
    err.refused = refused;
    err.unauthorized = true;
    throw err;
  }
  if (!response.ok) { throw new Error(path + ' answered ' + response.status); }
  return response;
}

// ---- the Prometheus text format -----------------------------------------------------------------------------
function parseMetrics(text) {
  const out = new Map();
  const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
  const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (const line of text.split('\n')) {
    if (line === '' || line[0] === '#') { continue; }
    const m = sample.exec(line);
    if (!m) { continue; }
    const labels = {};
    if (m[2]) {
      label.lastIndex = 0;
      let l;
      while ((l = label.exec(m[2])) !== null) {
        labels[l[1]] = l[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
      }
    }
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : parseFloat(m[3]);
    if (!out.has(m[1])) { out.set(m[1], []); }
    out.get(m[1]).push({ labels, value });
  }
  return out;
}

function samples(metrics, name) { return metrics.get(name) || []; }

function sum(metrics, name, keep) {
  let total = 0;
  for (const s of samples(metrics, name)) { if (!keep || keep(s.labels)) { total += s.value; } }
  return total;
}

function sumBy(metrics, name, label, keep) {
  const out = {};
  for (const s of samples(metrics, name)) {
    if (keep && !keep(s.labels)) { continue; }
    const k = s.labels[label];
    out[k] = (out[k] || 0) + s.value;
  }
  return out;
}

/** The q-quantile of the requests between two scrapes, from the duration histogram's buckets (seconds). */
function quantile(q, now, before) {
  const cur = sumBy(now, 'aegis_request_duration_seconds_bucket', 'le');
  const old = before ? sumBy(before, 'aegis_request_duration_seconds_bucket', 'le') : {};
  const bounds = Object.keys(cur).map(le => (le === '+Inf' ? Infinity : parseFloat(le))).sort((a, b) => a - b);
  const key = b => (b === Infinity ? '+Inf' : Object.keys(cur).find(k => parseFloat(k) === b));
  const total = (cur['+Inf'] || 0) - (old['+Inf'] || 0);
  if (total <= 0) { return null; }
  const target = q * total;
  let lower = 0;
  let below = 0;
  for (const b of bounds) {
    const k = key(b);
    const count = (cur[k] || 0) - (old[k] || 0);
    if (count >= target) {
      if (b === Infinity) { return lower; }
      const inBucket = count - below;
      return lower + (b - lower) * (inBucket > 0 ? (target - below) / inBucket : 1);
    }
    lower = b;
    below = count;
  }
  return lower;
}

// ---- charts -------------------------------------------------------------------------------------------------
function lineChart(id, series) {
  const el = document.getElementById(id);
  const data = [[], ...series.map(() => [])];
  const plot = new uPlot({
    width: el.clientWidth || 400, height: 170,
    scales: { x: { time: true } },
    axes: [{ stroke: '#8a96a3', grid: { stroke: '#263040' } },
           { stroke: '#8a96a3', grid: { stroke: '#263040' }, size: 56 }],
    legend: { show: true, live: false },
    series: [{}, ...series.map(s => ({ label: s.label, stroke: s.color, width: 2, spanGaps: true,
                                        fill: s.fill ? s.color + '22' : undefined }))],
  }, data, el);
  const chart = {
    push(t, values) {
      data[0].push(t);
      values.forEach((v, i) => data[i + 1].push(v));
      if (data[0].length > WINDOW) { data.forEach(a => a.shift()); }
      plot.setData(data);
      el.dataset.samples = String(data[0].length);
      el.dataset.last = JSON.stringify(values);
    },
  };
  new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height: 170 })).observe(el);
  return chart;
}

const charts = {
  rate: lineChart('chart-rate', [{ label: 'all', color: '#58a6ff', fill: true },
                                 { label: '4xx', color: '#d29922' }, { label: '5xx', color: '#f85149' }]),
  latency: lineChart('chart-latency', [{ label: 'p50', color: '#3fb950' }, { label: 'p99', color: '#d29922' }]),
  cache: lineChart('chart-cache', [{ label: 'hit %', color: '#3fb950', fill: true }]),
  blocked: lineChart('chart-blocked', [{ label: 'WAF', color: '#f85149', fill: true },
                                       { label: 'rate limit', color: '#d29922' }]),
};

// ---- panels -------------------------------------------------------------------------------------------------
function fmt(n, digits) {
  if (n === null || n === undefined || !isFinite(n)) { return '–'; }
  return n.toLocaleString(undefined, { maximumFractionDigits: digits === undefined ? 1 : digits });
}

function statusMix(now, t) {
  history.push({ t, status: sumBy(now, 'aegis_requests_total', 'status') });
  while (history.length > 1 && history[0].t < t - 10) { history.shift(); }
  const first = history[0].status;
  const last = history[history.length - 1].status;
  const delta = {};
  let total = 0;
  for (const k of Object.keys(last)) { delta[k] = last[k] - (first[k] || 0); total += delta[k]; }
  const bar = document.getElementById('status-bar');
  const legend = document.getElementById('status-legend');
  bar.replaceChildren();
  legend.replaceChildren();
  for (const k of ['2xx', '3xx', '4xx', '5xx', '1xx', 'none']) {
    const n = delta[k] || 0;
    if (n <= 0 || total <= 0) { continue; }
    const part = document.createElement('div');
    part.style.width = (100 * n / total) + '%';
    part.style.background = STATUS_COLORS[k];
    part.title = k + ': ' + n;
    part.className = 'status-' + k;
    bar.appendChild(part);
    const item = document.createElement('span');
    item.innerHTML = '<i></i>';
    item.firstChild.style.background = STATUS_COLORS[k];
    item.append(k + ' ' + fmt(100 * n / total) + ' %');
    legend.appendChild(item);
  }
  if (total <= 0) { legend.textContent = 'no requests in the last 10 s'; }
}

function wafFamilies(now) {
  const families = sumBy(now, 'aegis_waf_blocked_requests_total', 'family');
  const entries = Object.entries(families).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  const box = document.getElementById('waf-families');
  if (entries.length === 0) { return; }
  const max = entries[0][1];
  box.replaceChildren(...entries.map(([family, n]) => {
    const row = document.createElement('div');
    row.className = 'hbar';
    row.dataset.family = family;
    const name = document.createElement('span');
    name.textContent = family;
    const track = document.createElement('div');
    track.className = 'track';
    const fill = document.createElement('div');
    fill.className = 'fill';
    fill.style.width = (100 * n / max) + '%';
    track.appendChild(fill);
    const count = document.createElement('span');
    count.className = 'n';
    count.textContent = fmt(n, 0);
    row.append(name, track, count);
    return row;
  }));
}

function tile(color, title, detail) {
  const t = document.createElement('div');
  t.className = 'tile';
  const dot = document.createElement('span');
  dot.className = 'dot';
  dot.style.background = color;
  const small = document.createElement('small');
  small.textContent = detail;
  t.append(dot, title, small);
  return t;
}

function upstreams(now) {
  const inFlight = {};
  for (const s of samples(now, 'aegis_upstream_in_flight')) {
    inFlight[s.labels.upstream + '/' + s.labels.server] = s.value;
  }
  const tiles = samples(now, 'aegis_upstream_healthy').map(s => tile(
    s.value === 1 ? 'var(--ok)' : 'var(--bad)', s.labels.upstream + ' · ' + s.labels.server,
    (s.value === 1 ? 'healthy' : 'down') + ', ' + fmt(inFlight[s.labels.upstream + '/' + s.labels.server], 0)
      + ' in flight'));
  const box = document.getElementById('upstreams');
  box.replaceChildren(...tiles);
  if (tiles.length === 0) { box.innerHTML = '<p class="empty">no upstream servers</p>'; }
}

function peers(now) {
  const lag = samples(now, 'aegis_cluster_sync_lag_seconds');
  const since = {};
  for (const s of samples(now, 'aegis_cluster_since_last_sync_seconds')) { since[s.labels.peer] = s.value; }
  const box = document.getElementById('peers');
  if (lag.length === 0) {
    box.innerHTML = '<p class="empty">no peers (not clustered, or none heard yet)</p>';
    return;
  }
  box.replaceChildren(...lag.map(s => {
    const fresh = since[s.labels.peer] >= 0 && since[s.labels.peer] < 3.5;
    return tile(fresh ? 'var(--ok)' : 'var(--warn)', s.labels.peer,
      'lag ' + fmt(s.value * 1000, 0) + ' ms, last sync ' + fmt(since[s.labels.peer], 1) + ' s ago');
  }));
}

async function blockedList() {
  const response = await adminFetch('/admin/waf/recent?limit=100');
  const body = await response.json();
  const rows = body.decisions.filter(d => d.action === 'blocked').slice(0, 10);
  const list = document.getElementById('blocked-list');
  if (rows.length === 0) { return; }
  list.replaceChildren(...rows.map(d => {
    const tr = document.createElement('tr');
    const cells = [new Date(d.time).toLocaleTimeString(), d.client_ip, d.method + ' ' + d.uri, d.route,
      d.matches.map(m => m.rule + ' ' + m.family).join(', '), String(d.score)];
    cells.forEach((text, i) => {
      const td = document.createElement('td');
      td.textContent = text;
      if (i === 2) { td.className = 'uri'; }
      tr.appendChild(td);
    });
    return tr;
  }));
}

// ---- the loop -----------------------------------------------------------------------------------------------
async function poll() {
  const status = document.getElementById('status');
  try {
    const text = await (await adminFetch('/metrics')).text();
    const dialog = document.getElementById('token-dialog');
    if (dialog.open) { dialog.close(); }
    const now = parseMetrics(text);
    const t = Date.now() / 1000;
    if (previous) {
      const dt = t - previous.t;
      const rate = (name, keep) => Math.max(0, (sum(now, name, keep) - sum(previous.metrics, name, keep)) / dt);
      const all = rate('aegis_requests_total');
      charts.rate.push(t, [all, rate('aegis_requests_total', l => l.status === '4xx'),
                           rate('aegis_requests_total', l => l.status === '5xx')]);
      document.getElementById('rate-now').textContent = fmt(all, 0) + ' /s';
      const p50 = quantile(0.5, now, previous.metrics);
      const p99 = quantile(0.99, now, previous.metrics);
      charts.latency.push(t, [p50 === null ? null : p50 * 1000, p99 === null ? null : p99 * 1000]);
      document.getElementById('latency-now').textContent =
        p50 === null ? '–' : 'p50 ' + fmt(p50 * 1000, 2) + ' · p99 ' + fmt(p99 * 1000, 2);
      const looked = rate('aegis_cache_lookups_total', l => l.result !== 'bypass');
      const hits = rate('aegis_cache_lookups_total', l => l.result === 'hit' || l.result === 'stale');
      const ratio = looked > 0 ? 100 * hits / looked : null;
      charts.cache.push(t, [ratio]);
      document.getElementById('cache-now').textContent = ratio === null ? '–' : fmt(ratio) + ' %';
      const waf = rate('aegis_waf_blocked_requests_total');
      const limited = rate('aegis_ratelimit_decisions_total', l => l.decision === 'limited');
      charts.blocked.push(t, [waf, limited]);
      document.getElementById('blocked-now').textContent = 'WAF ' + fmt(waf, 1) + ' · limit ' + fmt(limited, 1);
    }
    previous = { t, metrics: now };
    statusMix(now, t);
    wafFamilies(now);
    upstreams(now);
    peers(now);
    status.className = '';
    status.textContent = 'live · updated ' + new Date().toLocaleTimeString();
    try {
      await blockedList();
    } catch (e) {
      if (e.unauthorized) { throw e; }
      status.textContent += ' (the latest blocked requests could not be read: ' + e.message + ')';
    }
    schedule(POLL_MS);
  } catch (e) {
    status.className = 'error';
    if (e.unauthorized) {
      status.textContent = 'the admin token is needed';
      askForToken(e.refused ? 'That token was refused.' : '');   // the next poll follows its submission
    } else {
      status.textContent = 'cannot reach the node: ' + e.message;
      schedule(POLL_MS);
    }
  }
}

// One poll at a time: the next is scheduled when the last has finished, so a slow answer cannot interleave two
// scrapes (their differences would come out negative, then doubled).
let timer = null;
function schedule(delay) {
  clearTimeout(timer);
  timer = setTimeout(poll, delay);
}

schedule(0);
