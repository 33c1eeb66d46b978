// The class report page's own CSS and script, inlined into the page (it must work offline, from a file).
// The script reads the embedded JSON (see PageData in html-class.ts) and only ever sets textContent,
// so names and messages stay text whatever they contain.

export const PAGE_CSS = `
:root { color-scheme: light; font: 14px/1.45 system-ui, "DejaVu Sans", "Liberation Sans", sans-serif; color: #1f2328; }
body { margin: 0; padding: 16px 24px 24px; background: #f4f5f7; }
h1 { font-size: 20px; margin: 0 0 2px; }
.meta, .help, .muted { color: #57606a; }
.meta { margin: 0 0 12px; }
.help { margin: 2px 0 8px; font-size: 13px; }
.controls { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 20px; margin-bottom: 8px; }
.controls input, .controls select { font: inherit; padding: 3px 6px; border: 1px solid #c2c8d0; border-radius: 4px; background: #fff; }
.controls input { width: 14em; }
#shown { color: #57606a; }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 18px; padding: 0; margin: 6px 0; font-size: 13px; }
.swatch { display: inline-block; width: 20px; height: 20px; line-height: 20px; text-align: center; border-radius: 3px; vertical-align: middle; }
[data-s="pass"] { background: #d4efd9; color: #1a7431; }
[data-s="fail"] { background: #d93f3f; color: #fff; font-weight: 700; }
[data-s="error"] { background: #8e44ad; color: #fff; font-weight: 700; }
[data-s="skip"] { background: #e4e7eb; color: #5f6b7a; }
[data-s="absent"] { background: #fff; color: #b8bec7; box-shadow: inset 0 0 0 1px #e4e7eb; }

.matrix-wrap { overflow: auto; max-height: calc(100vh - 190px); background: #fff; border: 1px solid #d0d7de; border-radius: 6px; }
#matrix { border-collapse: separate; border-spacing: 0; font-size: 13px; }
#matrix th, #matrix td { padding: 0; }
#matrix thead > tr > * { position: sticky; z-index: 2; background: #fff; }
#matrix tr.areas > * { top: 0; height: 24px; box-sizing: border-box; }
#matrix tr.heads > * { top: 24px; height: 68px; box-sizing: border-box; border-bottom: 1px solid #d0d7de; vertical-align: bottom; }
#matrix tr.counts > * { top: 92px; height: 22px; box-sizing: border-box; border-bottom: 2px solid #d0d7de; }
#matrix tr.areas th { font-size: 11px; font-weight: 600; color: #57606a; text-align: left; padding: 0 4px; max-width: 0; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; border-left: 2px solid #fff; box-shadow: inset 0 -3px 0 #c9d6e8; }
#matrix thead button { font: inherit; font-weight: 600; background: none; border: 0; padding: 4px 8px; cursor: pointer; color: inherit; width: 100%; height: 100%; text-align: left; }
#matrix thead button:hover { background: #eef3fb; }
#matrix thead th.check button { writing-mode: vertical-rl; transform: rotate(180deg); font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; font-weight: 500; padding: 6px 0; text-align: left; }
#matrix th[aria-sort="ascending"] button::after { content: " ▲"; font-size: 10px; }
#matrix th[aria-sort="descending"] button::after { content: " ▼"; font-size: 10px; }
#matrix tr.counts th { text-align: right; padding-right: 8px; font-weight: 500; color: #57606a; font-size: 12px; }
#matrix td.count { text-align: center; font-size: 12px; color: #b8bec7; }
#matrix td.count.some { color: #c62828; font-weight: 700; }
#matrix .name-head, #matrix tbody th, #matrix tr.counts th { position: sticky; left: 0; }
#matrix .name-head, #matrix tr.counts th { z-index: 3; }
#matrix tbody th { z-index: 1; background: #fff; text-align: left; font-weight: 400; border-right: 1px solid #e4e7eb; }
#matrix tbody th button { font: inherit; color: #0b57b6; background: none; border: 0; padding: 0 10px; cursor: pointer; text-align: left; width: 100%; min-width: 140px; max-width: 200px; height: 26px; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
#matrix tbody tr { cursor: pointer; }
#matrix tbody td[data-s] { width: 26px; min-width: 26px; height: 26px; text-align: center; border: 1px solid #fff; box-sizing: border-box; }
#matrix tbody td.score { white-space: nowrap; padding: 0 10px; font-variant-numeric: tabular-nums; }
#matrix tbody td.score span { display: inline-block; min-width: 3.6em; }
#matrix tbody td.score meter { width: 40px; height: 10px; vertical-align: middle; }
#matrix thead th.fo-head { min-width: 116px; }
#matrix tbody td.fo { white-space: nowrap; padding: 0 10px; font-variant-numeric: tabular-nums; color: #3a4350; }
#matrix thead th.down-head { min-width: 116px; }
#matrix tbody td.down { white-space: nowrap; padding: 0 10px; font-variant-numeric: tabular-nums; color: #3a4350; }
#matrix tbody tr:hover > th, #matrix tbody tr:hover > td.score, #matrix tbody tr:hover > td.fo, #matrix tbody tr:hover > td.down { background: #eef3fb; }
#matrix tbody tr + tr > * { border-top: 1px solid #f0f1f3; }
#matrix tr.errored td.score { color: #8e44ad; font-weight: 700; }
#matrix td.grading-error { color: #6a1b9a; background: repeating-linear-gradient(135deg, #f6eefa 0 6px, #fbf7fd 6px 12px); padding: 0 10px; max-width: 0; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
:focus-visible { outline: 2px solid #0b57b6; outline-offset: -2px; }

dialog { width: min(960px, 94vw); max-height: 90vh; padding: 0; border: 0; border-radius: 8px; box-shadow: 0 12px 40px rgba(0, 0, 0, .3); }
dialog::backdrop { background: rgba(20, 24, 31, .45); }
.dialog-head { position: sticky; top: 0; display: flex; align-items: center; justify-content: space-between; gap: 12px; padding: 12px 20px; background: #fff; border-bottom: 1px solid #d0d7de; z-index: 1; }
.dialog-head h2 { margin: 0; font-size: 18px; overflow-wrap: anywhere; }
.dialog-head button { font: inherit; padding: 4px 12px; border: 1px solid #c2c8d0; border-radius: 4px; background: #f6f8fa; cursor: pointer; }
#details-body { padding: 4px 20px 16px; }
#details-body h3 { font-size: 15px; margin: 16px 0 6px; }
#details-body p.grading-error { color: #6a1b9a; font-weight: 600; }
.problem { border: 1px solid #e1e4e8; border-radius: 6px; padding: 8px 12px; margin: 8px 0; }
.problem h4 { margin: 0 0 4px; font-size: 14px; }
.badge { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 11px; font-weight: 700; vertical-align: 1px; }
.findings { list-style: none; padding: 0; margin: 0; }
.finding { padding: 4px 0; }
.finding + .finding { border-top: 1px dashed #e1e4e8; }
.finding p { margin: 2px 0; }
.where { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; background: #eef1f4; padding: 0 4px; border-radius: 3px; }
.tag { color: #57606a; font-style: italic; }
pre { background: #f6f8fa; border: 1px solid #eaecef; border-radius: 4px; padding: 4px 8px; margin: 4px 0; overflow-x: auto; font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; }
pre .ln { color: #8c959f; margin-right: 12px; user-select: none; }
.hint { color: #6b4e00; }
.skipped > summary { cursor: pointer; color: #57606a; margin: 8px 0; }
.evidence summary { cursor: pointer; color: #57606a; font-size: 13px; margin-top: 4px; }
.evidence .cmd { margin: 4px 0 0; }
.evidence code { font-size: 12px; }
.exit { color: #57606a; font-size: 12px; }
.timeline svg { display: block; max-width: 100%; height: auto; font: 12px system-ui, "DejaVu Sans", sans-serif; }
.timeline .lane-bg { fill: #f1f3f5; }
.timeline .held { fill: #4caf50; }
.timeline .lane-name { font-weight: 600; fill: #1f2328; }
.timeline .stop { stroke: #d93f3f; stroke-width: 2; }
.timeline .start { stroke: #2e7d32; stroke-width: 2; }
.timeline .deadline { stroke: #8c959f; stroke-dasharray: 4 3; }
.timeline .marker-label { fill: #3a4350; font-size: 11px; }
.timeline .span-line { stroke: #1f2328; stroke-width: 1.2; }
.timeline .span-label { font-weight: 700; fill: #1f2328; }
.timeline .span-label.missed { fill: #c62828; }
.timeline .axis { stroke: #8c959f; }
.timeline .tick { fill: #57606a; font-size: 11px; }
.timeline .note { fill: #0b57b6; }
.timeline .req { stroke-width: 2; }
.timeline .req[data-s="m"] { stroke: #2e7d32; }
.timeline .req[data-s="b"] { stroke: #1565c0; }
.timeline .req[data-s="u"] { stroke: #8c959f; }
.timeline .req[data-s="x"] { stroke: #d93f3f; }
.timeline .outage { stroke: #d93f3f; stroke-width: 1.2; }
.timeline .outage-label { fill: #c62828; font-size: 11px; font-weight: 700; }
.timeline .service-figures { margin: 4px 0 0; font-size: 13px; }
.timeline .diagnosis { margin: 4px 0 0; font-size: 13px; color: #8a5300; font-weight: 600; }
.timeline-legend .key.req-m { background: #2e7d32; } .timeline-legend .key.req-b { background: #1565c0; }
.timeline-legend .key.req-u { background: #8c959f; } .timeline-legend .key.req-x { background: #d93f3f; }
.timeline-legend { font-size: 12px; color: #57606a; margin: 2px 0 0; }
.timeline-legend .key { display: inline-block; width: 14px; height: 10px; background: #4caf50; margin-right: 4px; vertical-align: 0; }
`;

export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var DATA = JSON.parse(document.getElementById('class-data').textContent);
  var UI = DATA.ui;
  var FIRST_CHECK_CELL = 2; // after the name and the score
  var RANK = { fail: 0, error: 1, skip: 2, absent: 3, pass: 4 };
  var SVG_NS = 'http://www.w3.org/2000/svg';
  var table = document.getElementById('matrix');
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var nameInput = document.getElementById('filter-name');
  var showSelect = document.getElementById('filter-show');
  var areaSelect = document.getElementById('filter-area');
  var shownOutput = document.getElementById('shown');
  var dialog = document.getElementById('details');
  var opener = null;

  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) { return key in values ? String(values[key]) : whole; });
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function studentOf(row) { return DATA.students[Number(row.dataset.index)]; }
  function isErrored(row) { return row.classList.contains('errored'); }
  function statusAt(row, column) {
    return isErrored(row) ? 'error' : row.cells[FIRST_CHECK_CELL + column].dataset.s;
  }

  // Sorting: a click on a column head sorts by it, a second click reverses; ties keep name order.
  var sortKeys = {
    name: function (row) { return studentOf(row).name.toLocaleLowerCase(); },
    score: function (row) { return Number(row.dataset.score); },
    failover: function (row) { return row.dataset.failover === '' ? Infinity : Number(row.dataset.failover); },
    downtime: function (row) { return row.dataset.downtime === '' ? Infinity : Number(row.dataset.downtime); }
  };
  function keyFor(sort) {
    if (sortKeys[sort]) return sortKeys[sort];
    var column = Number(sort.split(':')[1]);
    return function (row) { return RANK[statusAt(row, column)]; };
  }
  function sortBy(head) {
    var button = head.querySelector('button');
    var descending = head.getAttribute('aria-sort') === 'ascending';
    var key = keyFor(button.dataset.sort);
    var byName = sortKeys.name;
    rows.sort(function (a, b) {
      var ka = key(a), kb = key(b);
      var order = ka < kb ? -1 : ka > kb ? 1 : 0;
      if (descending) order = -order;
      return order || byName(a).localeCompare(byName(b)) || Number(a.dataset.index) - Number(b.dataset.index);
    });
    table.tHead.querySelectorAll('th[aria-sort]').forEach(function (th) { th.setAttribute('aria-sort', 'none'); });
    head.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
    rows.forEach(function (row) { tbody.appendChild(row); });
  }
  table.tHead.addEventListener('click', function (event) {
    var button = event.target.closest('button[data-sort]');
    if (button) sortBy(button.closest('th'));
  });

  // Filtering: by name, by outcome, and by area (which hides the other areas' columns).
  function applyFilters() {
    var query = nameInput.value.trim().toLocaleLowerCase();
    var show = showSelect.value;
    var area = areaSelect.value;
    var visible = DATA.checks.map(function (check) { return !area || check.area === area; });
    var visibleCount = visible.filter(Boolean).length;
    table.tHead.querySelectorAll('[data-area]').forEach(function (cell) { cell.hidden = Boolean(area) && cell.dataset.area !== area; });
    var shown = 0;
    rows.forEach(function (row) {
      if (isErrored(row)) {
        row.querySelector('.grading-error').colSpan = Math.max(visibleCount, 1);
      } else {
        visible.forEach(function (on, column) { row.cells[FIRST_CHECK_CELL + column].hidden = !on; });
      }
      var match = !query || studentOf(row).name.toLocaleLowerCase().indexOf(query) >= 0;
      if (match && show !== 'all') {
        var wanted = show === 'failing' ? 'fail' : 'error';
        match = visible.some(function (on, column) { return on && statusAt(row, column) === wanted; }) || (wanted === 'error' && isErrored(row));
      }
      row.hidden = !match;
      if (match) shown += 1;
    });
    shownOutput.textContent = fmt(UI.shown, { shown: shown, total: rows.length });
  }
  nameInput.addEventListener('input', applyFilters);
  showSelect.addEventListener('change', applyFilters);
  areaSelect.addEventListener('change', applyFilters);

  // A cell's tooltip is made when first hovered: 300 students × 35 checks of titles would bloat the page.
  tbody.addEventListener('mouseover', function (event) {
    var cell = event.target.closest('td[data-s]');
    if (!cell || cell.title) return;
    var check = DATA.checks[cell.cellIndex - FIRST_CHECK_CELL];
    cell.title = check.id + ' ' + check.title + ': ' + UI[cell.dataset.s];
  });

  // The failover timeline: two lanes, green where the host held the VIP, markers for haproxy.
  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs).forEach(function (name) { node.setAttribute(name, String(attrs[name])); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function tickStep(endMs) {
    var steps = [500, 1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000];
    for (var i = 0; i < steps.length; i += 1) if (endMs / steps[i] <= 10) return steps[i];
    return steps[steps.length - 1];
  }
  function drawTimeline(tl) {
    var width = 760, left = 70, right = 20, laneHeight = 20;
    var lanes = { master: 40, backup: 104 };
    var svc = tl.service;
    var clientsY = lanes.backup + laneHeight + 40;
    var axisY = (svc ? clientsY + laneHeight + 34 : lanes.backup + laneHeight + 34);
    var times = tl.events.map(function (e) { return e.atMs; });
    if (svc) times.push(svc.end);
    [tl.failoverAt, tl.failbackAt].forEach(function (at) { if (at !== undefined) times.push(at); });
    if (tl.failoverAt === undefined && tl.deadlineAt !== undefined) times.push(tl.deadlineAt);
    var end = Math.max.apply(null, times.concat([1000])) * 1.08;
    function x(ms) { return left + (ms / end) * (width - left - right); }
    var root = svg('svg', { viewBox: '0 0 ' + width + ' ' + (axisY + 24), width: width, height: axisY + 24, role: 'img',
      'aria-label': fmt(UI.timelineLabel, { failover: tl.failoverLabel, failback: tl.failbackLabel || '—' }) });
    root.appendChild(svg('title', {}, root.getAttribute('aria-label')));
    Object.keys(lanes).forEach(function (role) {
      root.appendChild(svg('text', { x: 8, y: lanes[role] + 14, 'class': 'lane-name' }, role));
      root.appendChild(svg('rect', { x: left, y: lanes[role], width: width - left - right, height: laneHeight, 'class': 'lane-bg' }));
    });
    // The probe starts only when the VIP is on master alone, so that is the state at 0.
    var heldSince = { master: 0, backup: null };
    function held(role, from, to) {
      root.appendChild(svg('rect', { x: x(from), y: lanes[role] + 2, width: Math.max(x(to) - x(from), 1), height: laneHeight - 4, rx: 2, 'class': 'held', 'data-role': role }));
    }
    tl.events.forEach(function (e) {
      if (e.event === 'vip-added' && heldSince[e.host] === null) heldSince[e.host] = e.atMs;
      if (e.event === 'vip-removed' && heldSince[e.host] !== null) { held(e.host, heldSince[e.host], e.atMs); heldSince[e.host] = null; }
    });
    Object.keys(heldSince).forEach(function (role) { if (heldSince[role] !== null) held(role, heldSince[role], end); });
    tl.events.forEach(function (e) {
      if (e.event !== 'note') return;
      var dot = svg('circle', { cx: x(e.atMs), cy: lanes[e.host] + laneHeight / 2, r: 4, 'class': 'note' });
      dot.appendChild(svg('title', {}, e.detail || ''));
      root.appendChild(dot);
    });
    function marker(at, className, label, labelY) {
      root.appendChild(svg('line', { x1: x(at), x2: x(at), y1: labelY + 4, y2: lanes.backup + laneHeight + 4, 'class': className }));
      root.appendChild(svg('text', { x: x(at) + 4, y: labelY, 'class': 'marker-label' }, label));
    }
    // The deadline is the failover's: worth a line only when the VIP missed it.
    if (tl.deadlineAt !== undefined && tl.failoverAt === undefined) marker(tl.deadlineAt, 'deadline', UI.deadline, 30);
    if (tl.stoppedAt !== undefined) marker(tl.stoppedAt, 'stop', UI.haproxyStopped, 14);
    if (tl.startedAt !== undefined) marker(tl.startedAt, 'start', UI.haproxyStarted, 14);
    // The measured spans, written between the lanes: from haproxy stopped/started to the VIP in place.
    var spanY = lanes.master + laneHeight + 24;
    function span(from, to, label, id) {
      if (from === undefined) return;
      if (to !== undefined) {
        root.appendChild(svg('line', { x1: x(from), x2: x(to), y1: spanY + 6, y2: spanY + 6, 'class': 'span-line' }));
        root.appendChild(svg('line', { x1: x(to), x2: x(to), y1: spanY + 1, y2: spanY + 11, 'class': 'span-line' }));
      }
      var text = svg('text', { x: to === undefined ? x(from) + 6 : (x(from) + x(to)) / 2, y: spanY, 'text-anchor': to === undefined ? 'start' : 'middle',
        'class': 'span-label' + (to === undefined ? ' missed' : ''), 'data-span': id }, label);
      root.appendChild(text);
    }
    span(tl.stoppedAt, tl.failoverAt, tl.failoverLabel, 'failover');
    span(tl.startedAt, tl.failbackAt, tl.failbackLabel, 'failback');
    // The clients' lane, under the VIP's: one stroke per request (who answered, or failed), and each
    // outage from its first failed request to the first answered one after it.
    if (svc) {
      root.appendChild(svg('text', { x: 8, y: clientsY + 14, 'class': 'lane-name' }, UI.clientsLane));
      root.appendChild(svg('rect', { x: left, y: clientsY, width: width - left - right, height: laneHeight, 'class': 'lane-bg' }));
      svc.requests.forEach(function (r) {
        root.appendChild(svg('line', { x1: x(r.at), x2: x(r.at), y1: clientsY + 2, y2: clientsY + laneHeight - 2, 'class': 'req', 'data-s': r.s }));
      });
      svc.outages.forEach(function (o, i) {
        var y = clientsY + laneHeight + 8;
        root.appendChild(svg('line', { x1: x(o.from), x2: x(o.to), y1: y, y2: y, 'class': 'outage' }));
        root.appendChild(svg('text', { x: (x(o.from) + x(o.to)) / 2, y: y + 13, 'text-anchor': 'middle', 'class': 'outage-label', 'data-outage': i }, o.label));
      });
    }
    root.appendChild(svg('line', { x1: left, x2: width - right, y1: axisY, y2: axisY, 'class': 'axis' }));
    var step = tickStep(end);
    for (var t = 0; t <= end; t += step) {
      root.appendChild(svg('line', { x1: x(t), x2: x(t), y1: axisY, y2: axisY + 4, 'class': 'axis' }));
      root.appendChild(svg('text', { x: x(t), y: axisY + 16, 'text-anchor': 'middle', 'class': 'tick' }, fmt(UI.seconds, { n: t / 1000 })));
    }
    return root;
  }

  // Details of one student: grading error, failover timeline, and every check not passed.
  function findingView(f) {
    var item = el('li', 'finding');
    item.dataset.kind = f.kind;
    var head = el('p', 'message');
    var where = [f.host, f.file ? f.file + (f.line ? ':' + f.line : '') : ''].filter(Boolean).join(' ');
    if (where) head.append(el('span', 'where', where), ' ');
    if (f.kind === 'note') head.append(el('span', 'tag', UI.note + ': '));
    if (f.kind === 'skip' || f.kind === 'error') head.append(el('span', 'tag', UI[f.kind] + ': '));
    head.append(f.message);
    item.append(head);
    if (f.excerpt !== undefined && f.excerpt !== null) {
      var pre = el('pre', 'excerpt');
      if (f.line) pre.append(el('span', 'ln', String(f.line)));
      pre.append(f.excerpt);
      item.append(pre);
    }
    if (f.hint) {
      var hint = el('p', 'hint');
      hint.append(el('strong', null, UI.hint + ': '), f.hint);
      item.append(hint);
    }
    return item;
  }
  function evidenceView(list) {
    var box = el('details', 'evidence');
    box.open = true;
    box.append(el('summary', null, UI.evidence));
    list.forEach(function (e) {
      var cmd = el('p', 'cmd');
      if (e.host) cmd.append(el('span', 'where', e.host), ' ');
      cmd.append(el('code', null, e.command), ' ', el('span', 'exit', e.exitCode === null ? UI.noExitCode : fmt(UI.exitCode, { code: e.exitCode })));
      box.append(cmd);
      if (e.note) box.append(el('p', 'muted', e.note));
      if (e.output) box.append(el('pre', 'output', e.output));
    });
    return box;
  }
  function problemView(p) {
    var article = el('article', 'problem');
    article.dataset.check = p.id;
    var heading = el('h4');
    var badge = el('span', 'badge', UI[p.status]);
    badge.dataset.s = p.status;
    heading.append(badge, ' ', el('code', null, p.id), ' ', p.title);
    article.append(heading);
    var findings = el('ul', 'findings');
    p.findings.forEach(function (f) { findings.append(findingView(f)); });
    article.append(findings);
    if (p.evidence.length) article.append(evidenceView(p.evidence));
    return article;
  }
  function openDetails(row) {
    var student = studentOf(row);
    var body = document.getElementById('details-body');
    document.getElementById('details-title').textContent = student.name;
    body.replaceChildren();
    if (student.error !== undefined) body.append(el('p', 'grading-error', fmt(UI.gradingError, { error: student.error })));
    if (student.target !== undefined) {
      body.append(el('p', 'meta', student.target + ' · ' + student.summary));
      var timeline = el('section', 'timeline');
      timeline.append(el('h3', null, UI.timeline));
      if (student.timeline) {
        timeline.append(drawTimeline(student.timeline));
        var key = el('p', 'timeline-legend');
        key.append(el('span', 'key'), UI.holdsVip);
        if (student.timeline.service) {
          [['m', UI.servedMaster], ['b', UI.servedBackup], ['u', UI.servedUnknown], ['x', UI.requestFailed]].forEach(function (k) {
            key.append('  ', el('span', 'key req-' + k[0]), k[1]);
          });
        }
        timeline.append(key);
        if (student.timeline.service) {
          timeline.append(el('p', 'service-figures', student.timeline.service.figures));
          if (student.timeline.service.diagnosis) timeline.append(el('p', 'diagnosis', student.timeline.service.diagnosis));
        }
        if (student.timeline.serviceNotRun) timeline.append(el('p', 'muted service-figures', student.timeline.serviceNotRun));
      } else {
        timeline.append(el('p', 'muted', UI.noTimeline));
      }
      body.append(timeline);
      var problems = el('section', 'problems');
      problems.append(el('h3', null, UI.problems));
      var judged = student.problems.filter(function (p) { return p.status !== 'skip'; });
      var skipped = student.problems.filter(function (p) { return p.status === 'skip'; });
      if (!judged.length) problems.append(el('p', 'no-failures', UI.noFailures));
      judged.forEach(function (p) { problems.append(problemView(p)); });
      // Skips are many (no live host, no probe) and say little: listed last, folded.
      if (skipped.length) {
        var fold = el('details', 'skipped');
        fold.append(el('summary', null, fmt(UI.skippedChecks, { n: skipped.length })));
        skipped.forEach(function (p) { fold.append(problemView(p)); });
        problems.append(fold);
      }
      body.append(problems);
    }
    opener = row.querySelector('button.open');
    dialog.showModal();
    dialog.scrollTop = 0;
  }
  tbody.addEventListener('click', function (event) {
    var row = event.target.closest('tr');
    if (row) openDetails(row);
  });
  dialog.querySelector('.close').addEventListener('click', function () { dialog.close(); });
  dialog.addEventListener('click', function (event) { if (event.target === dialog) dialog.close(); });
  dialog.addEventListener('close', function () { if (opener) opener.focus(); });
})();
`;
