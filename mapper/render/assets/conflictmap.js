/* conflictmap: the interactive map of reported control.
 *
 * Reads the JSON block with id "conflictmap-data" (written by mapper/render/html.py) and draws it with
 * Leaflet. Every text from the input reaches the page through textContent (never innerHTML, the
 * credits included), and links are only made for http(s) URLs. The state of a place at time t is computed here with the same
 * rules as mapper/timeline.py (assess.js, reading the shared rule table DATA.rules), so that
 * the claimant filter can recombine claims without a copy per time step.
 */
(function () {
  'use strict';

  var DATA = JSON.parse(document.getElementById('conflictmap-data').textContent);
  var C = DATA.claims, P = DATA.places, A = DATA.actors, CL = DATA.claimants, STR = DATA.strings || [''];
  // Decode the compact data (html.py): claim starts are relative to t_base and ends are durations;
  // each place's claim list (in time order) is rebuilt from the claims' place index.
  (function () {
    var base = DATA.t_base || 0;
    P.forEach(function (p) { p.e = []; });
    C.forEach(function (c, ci) {
      c[4] += base;
      if (c[5] !== null) { c[5] += c[4]; }
      if (c[0] >= 0 && P[c[0]]) { P[c[0]].e.push(ci); }
    });
    P.forEach(function (p) { p.e.sort(function (a, b) { return C[a][4] - C[b][4] || a - b; }); });
  }());
  var STATUS = ['controlled', 'contested', 'attacked', 'not_controlled', 'controlled'];  // 4: part of the place
  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  // Styles: one table for this page and the static maps (mapper/render/assets/style.json, via html.py).
  var S = DATA.style, SC = S.colours;
  var DISPUTED = SC.disputed, CONTESTED_DEFAULT = SC.contested_default, UNSTATED = SC.unstated, UNKNOWN = SC.unknown;
  var SVGNS = 'http://www.w3.org/2000/svg';
  // Claim row layout (see html.py _Payload.build).
  var PL = 0, WHO = 1, ST = 2, ACT = 3, T0 = 4, T1 = 5, FROM = 6;
  var LABEL = 7, RAW = 8, SCOPE = 9, QUOTE = 10, SRC = 11, LINK = 12, ARCH = 13, ID = 14, FILE = 15,
      ROW = 16, PNAME = 17, NOTE = 18, SCOUNT = 19;

  var state = {
    t: DATA.initial,
    step: 0,
    view: DATA.view === 'claimant' ? 'claimant' : 'assessed',
    enabled: CL.map(function () { return true; }),
    one: 0,
    timer: null,
    popupPlace: -1,
    assessments: []
  };

  // ---------------------------------------------------------------- helpers
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function safeUrl(u) {
    if (typeof u !== 'string' || !u) { return ''; }
    try {
      var parsed = new window.URL(u);
      return (parsed.protocol === 'http:' || parsed.protocol === 'https:') ? parsed.href : '';
    } catch (err) { return ''; }
  }
  function link(url, text) {
    var href = safeUrl(url);
    if (!href) { return el('span', null, text); }
    var a = el('a', null, text);
    a.href = href;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    return a;
  }
  function pad(n) { return (n < 10 ? '0' : '') + n; }
  // Times are shown in the zone most claims give (html.py _page_zone): its readable name ("Kabul
  // time") and its UTC offset at that instant (offset changes are listed, so summer time is right).
  var ZONE = DATA.zone || {name: 'UTC', key: 'UTC', offsets: [[0, 0]]};
  function zoneOffset(m) {
    var o = ZONE.offsets || [[0, 0]], off = o.length ? o[0][1] : 0;
    for (var i = 0; i < o.length && o[i][0] <= m; i++) { off = o[i][1]; }
    return off;
  }
  function fmtOffset(off, padded) {
    var sign = off < 0 ? '-' : '+', a = Math.abs(off), h = Math.floor(a / 60), mi = a % 60;
    if (padded) { return 'UTC' + sign + pad(h) + ':' + pad(mi); }
    return 'UTC' + sign + h + (mi ? ':' + pad(mi) : '');
  }
  function isUtcZone() { return ZONE.name === 'UTC'; }
  function zoneName(m) {  // "Kabul time", "UTC", or "UTC+04:30" when only an offset is known
    if (isUtcZone()) { return 'UTC'; }
    return ZONE.name || fmtOffset(zoneOffset(m), true);
  }
  function zoneDescription(m) {  // "Kabul time, UTC+4:30"
    if (isUtcZone()) { return 'UTC'; }
    return ZONE.name ? ZONE.name + ', ' + fmtOffset(zoneOffset(m), false) : fmtOffset(zoneOffset(m), true);
  }
  function fmtDate(m, withTime) {  // in the page's zone, without the zone's name
    var d = new Date((m + (isUtcZone() ? 0 : zoneOffset(m))) * 60000);
    return d.getUTCDate() + ' ' + MONTHS[d.getUTCMonth()] + ' ' + d.getUTCFullYear() +
      (withTime === false ? '' : ', ' + pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()));
  }
  function fmtTime(m) {
    if (m === null || m === undefined) { return '\u2014'; }
    return fmtDate(m) + ' ' + zoneName(m);
  }
  function fmtUtc(m) {
    var d = new Date(m * 60000);
    return d.getUTCDate() + ' ' + MONTHS[d.getUTCMonth()] + ' ' + d.getUTCFullYear() + ', ' +
      pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) + ' UTC';
  }
  function fmtLocal(m) {  // the UTC time beside a local one: "(UTC+4:30; 07:30 UTC)"
    if (isUtcZone() || m === null || m === undefined) { return ''; }
    var d = new Date(m * 60000), l = new Date((m + zoneOffset(m)) * 60000);
    return (ZONE.name ? fmtOffset(zoneOffset(m), false) + '; ' : '') + pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) +
      (d.getUTCDate() !== l.getUTCDate() ? ' on ' + d.getUTCDate() + ' ' + MONTHS[d.getUTCMonth()] : '') + ' UTC';
  }
  function fmtHash(m) {
    var d = new Date(m * 60000);
    return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate()) + 'T' +
      pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes());
  }
  function parseDate(s) {
    var m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(s || '');
    if (!m) { return null; }
    var ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] || 0), +(m[5] || 0), +(m[6] || 0));
    if (isNaN(ms)) { return null; }
    if (m[7] && m[7].toUpperCase() !== 'Z') {
      var sign = m[7][0] === '-' ? -1 : 1, z = m[7].slice(1).replace(':', '');
      ms -= sign * (+z.slice(0, 2) * 60 + +z.slice(2, 4)) * 60000;
    }
    return Math.floor(ms / 60000);
  }
  function hashDate() {
    var m = /(?:^#|&)date=([^&]*)/.exec(window.location.hash || '');
    if (!m) { return null; }
    try { return parseDate(decodeURIComponent(m[1])); } catch (err) { return null; }
  }
  function writeHash(t) {
    var h = '#date=' + fmtHash(t);
    if (window.location.hash === h) { return; }
    try { window.history.replaceState(null, '', h); } catch (err) {
      try { window.location.hash = h; } catch (err2) { /* sandboxed: the date is not kept in the URL */ }
    }
  }
  function src(ci) { var c = C[ci]; return c[FROM] >= 0 ? C[c[FROM]] : c; }
  // Text fields stored once in the string table (label, raw word, scope, source, URLs, place as written, note).
  function txt(row, k) { return STR[row[k]] || ''; }
  function actorName(ai) { return ai >= 0 ? A[ai].name : ''; }
  function actorColour(ai) { return ai >= 0 ? A[ai].colour : UNSTATED; }
  function kindLabel(k) { return (DATA.kinds && DATA.kinds[k]) || 'Place'; }

  // ------------------------------------------------------------- the rules
  // The timeline rules live in assess.js (read from the rule table DATA.rules, the same table as
  // mapper/timeline.py); these wrappers give them the claimant filter.
  var RULES = conflictmapRules(DATA, C, P, A, src, txt, {WHO: WHO, ST: ST, ACT: ACT, T0: T0, RAW: RAW, SCOPE: SCOPE});
  function claimantOn(k) { return state.view === 'claimant' ? k === state.one : state.enabled[k]; }
  function filterKey() { return state.view === 'claimant' ? 'one:' + state.one : state.enabled.map(function (x) { return x ? 1 : 0; }).join(''); }
  function currentClaims(pi, t) { return RULES.currentClaims(pi, t, claimantOn, filterKey()); }
  function assess(ids) { return RULES.assess(ids, state.t); }
  function statusLabel(a) { return RULES.label(a, false); }
  function shortLabel(a) { return RULES.label(a, true); }
  function ageLabel(a) { return RULES.ageLabel(a); }
  function assessAll(t) {
    var out = new Array(P.length), key = filterKey();
    for (var i = 0; i < P.length; i++) { out[i] = RULES.assess(RULES.currentClaims(i, t, claimantOn, key), t); }
    return out;
  }

  // --------------------------------------------------------------- patterns
  var defs = document.querySelector('#cm-defs defs'), svgPatterns = {}, canvasPatterns = {};
  function patternColours(a) {
    var cs = a.actors.map(actorColour);
    if (a.s === 'contested') { return [cs[0] || CONTESTED_DEFAULT, cs[1] || SC.pattern_ground]; }
    return [cs[0] || DISPUTED, cs[1] || DISPUTED];
  }
  function svgPattern(kind, c1, c2) {
    var id = 'cm-p-' + kind + '-' + c1.slice(1) + '-' + c2.slice(1);
    if (!svgPatterns[id]) {
      var p = document.createElementNS(SVGNS, 'pattern');
      p.setAttribute('id', id);
      p.setAttribute('patternUnits', 'userSpaceOnUse');
      var U = S.pattern.unit, n = U.period;
      p.setAttribute('width', String(n));
      p.setAttribute('height', String(n));
      p.setAttribute('patternTransform', 'rotate(' + S.pattern.angle + ')');
      var rect = function (x, y, w, h, fill) {
        var r = document.createElementNS(SVGNS, 'rect');
        r.setAttribute('x', x); r.setAttribute('y', y); r.setAttribute('width', w); r.setAttribute('height', h);
        r.setAttribute('fill', fill);
        p.appendChild(r);
      };
      if (kind === 'stripes') {           // contested: diagonal stripes in the colours of the sides
        rect(0, 0, n, n, c2);
        rect(0, 0, U.stripe, n, c1);
      } else {                            // disputed: cross-hatch in the colours claimed
        rect(0, 0, n, n, SC.pattern_ground);
        rect(0, 0, U.hatch, n, c1);
        rect(0, 0, n, U.hatch, c2);
      }
      defs.appendChild(p);
      svgPatterns[id] = 'url(#' + id + ')';
    }
    return svgPatterns[id];
  }
  function canvasPattern(kind, c1, c2) {
    var id = kind + c1 + c2;
    if (!canvasPatterns[id]) {
      var cv = document.createElement('canvas');
      var T = S.pattern.point, n = T.tile;
      cv.width = cv.height = n;
      var g = cv.getContext('2d');
      g.fillStyle = kind === 'stripes' ? c2 : SC.pattern_ground;
      g.fillRect(0, 0, n, n);
      var lines = function (colour, dir, width) {
        g.strokeStyle = colour; g.lineWidth = width;
        for (var off = -n; off <= n; off += n) {
          g.beginPath();
          if (dir > 0) { g.moveTo(off, n); g.lineTo(off + n, 0); } else { g.moveTo(off, 0); g.lineTo(off + n, n); }
          g.stroke();
        }
      };
      if (kind === 'stripes') { lines(c1, 1, T.stripe); } else { lines(c1, 1, T.hatch); lines(c2, -1, T.hatch); }
      canvasPatterns[id] = g.createPattern(cv, 'repeat');
    }
    return canvasPatterns[id];
  }

  // Towns are SVG like the areas (each renderer's <svg> lets clicks through where it draws nothing);
  // only thousands of towns (clustered) go to a canvas, hit-tested by hand below.
  function pointPattern(kind, c1, c2) { return DATA.cluster ? canvasPattern(kind, c1, c2) : svgPattern(kind, c1, c2); }

  // ----------------------------------------------------------------- styles
  // Style options from the table: colour tokens 'actor', 'stripes', 'hatch' (svg or canvas patterns).
  function tableStyle(o, a, pattern) {
    var s = {}, k;
    for (k in o) { if (Object.prototype.hasOwnProperty.call(o, k)) { s[k] = o[k]; } }
    if (s.color === 'actor') { s.color = actorColour(a.actor); }
    if (s.fillColor === 'actor') { s.fillColor = actorColour(a.actor); }
    if (s.fillColor === 'stripes' || s.fillColor === 'hatch') {
      var pc = patternColours(a);
      s.fillColor = pattern(s.fillColor, pc[0], pc[1]);
    }
    return s;
  }
  function applyRule(s, rule, a) {  // style.json unit_rules: 'all', then the status's own overrides
    [rule.all || {}, rule[a.s] || {}].forEach(function (o) {
      Object.keys(o).forEach(function (k) {
        if (k === 'max_fill_opacity') { s.fillOpacity = Math.min(s.fillOpacity, o[k]); return; }
        s[k] = o[k] === 'actor' ? actorColour(a.actor) : o[k];
      });
    });
  }
  function unitStyle(a, pi) {
    var p = P[pi] || {}, R = S.unit_rules;
    var outlineOnly = p.ch && childrenActive(pi);
    var s = tableStyle(S.unit[a.s] || S.unit.unknown, a, svgPattern);
    if (R.thick_kinds.indexOf(p.k) >= 0) { s.weight = Math.max(s.weight, R.thick_min_weight); }
    if (R.outline_only_kinds.indexOf(p.k) >= 0) { outlineOnly = true; }  // a country-wide claim never paints the whole country
    // A province whose districts carry their own claims: the districts are filled, the province
    // keeps only an outline in its own status (its claims are in its popup and the counts).
    if (outlineOnly) { applyRule(s, R.outline_only, a); }
    // Somewhere in this area: a dashed ring in the status colour over a faint fill, never a solid disc.
    if (p.d === 'approximate') { applyRule(s, R.approximate, a); }
    return s;
  }
  function pointStyle(a) {
    return tableStyle(S.point[a.s] || S.point.unknown, a, pointPattern);
  }
  function childrenActive(pi) {
    var ch = P[pi].ch;
    for (var i = 0; i < ch.length; i++) {
      var a = state.assessments[ch[i]];
      if (a && a.s !== 'unknown') { return true; }
    }
    return false;
  }

  // -------------------------------------------------------------------- map
  var map = L.map('cm-map', {
    preferCanvas: false, keyboard: false, zoomSnap: 0.25, worldCopyJump: false, attributionControl: false
  });
  // Land, lakes and rivers sit under the tile pane (200): with --tiles and a cut network the page
  // still shows the offline map, never land painted in the sea colour.
  map.createPane('cm-land').style.zIndex = 150;
  map.createPane('cm-base').style.zIndex = 250;
  // Context names (countries, seas, towns, rivers): over the unit fills, under claimed markers and labels.
  map.createPane('cm-context').style.zIndex = 420;
  map.createPane('cm-units').style.zIndex = 400;
  map.createPane('cm-points').style.zIndex = 450;
  // The view must exist before vector layers are added.
  // The view frames the places the claims are about (html.py _claim_bounds), else the basemap,
  // else the whole world; it is framed again when the map's size changes until the reader moves it.
  var framing = false, readerMoved = false, keyWidth = 0;
  function frameClaims() {
    framing = true;
    var pad = Math.min(map.getSize().x, map.getSize().y) < 420 ? 18 : 30;
    // An open key (top right) covers part of the map: the claims are framed beside it.
    if (DATA.bounds) {
      // A locator map shows what lies around the claims: the frame gets a margin (style.json context.frame_margin).
      map.fitBounds(L.latLngBounds(DATA.bounds).pad(S.context.frame_margin), {paddingTopLeft: [pad, pad], paddingBottomRight: [pad + keyWidth, pad], maxZoom: 9, animate: false});
    }
    else { map.setView([20, 0], 2, {animate: false}); }
    framing = false;
  }
  frameClaims();
  map.on('dragstart', function () { readerMoved = true; });
  map.on('zoomstart', function () { if (!framing) { readerMoved = true; } });
  map.on('resize', function () { if (!readerMoved) { frameClaims(); } });
  var baseRenderer = L.svg({pane: 'cm-base'});
  var unitRenderer = L.svg({pane: 'cm-units', padding: 0.3});
  var pointRenderer = DATA.cluster ? L.canvas({pane: 'cm-points', padding: 0.3, tolerance: 4})
    : L.svg({pane: 'cm-points', padding: 0.3});

  // Credits: plain text; on a narrow map folded behind a button, and hidden while a popup is open
  // so they never cover it (the same lines are listed under Sources in the panel).
  var credits = ['Leaflet'].concat(DATA.attribution || []);
  if (DATA.tiles) { credits.push(DATA.tiles.attribution); }
  credits.push('Claims: see sources in the panel');
  var Credits = L.Control.extend({
    options: {position: 'bottomright'},
    onAdd: function () {
      var box = L.DomUtil.create('div', 'leaflet-control-attribution leaflet-control cm-credits');
      var btn = el('button', 'cm-credits-toggle', 'Credits');
      btn.type = 'button';
      btn.setAttribute('aria-expanded', 'false');
      var text = el('span', 'cm-credits-text', credits.join(' | '));
      text.id = 'cm-credits-text';
      btn.setAttribute('aria-controls', text.id);
      btn.addEventListener('click', function () {
        var open = !box.classList.contains('cm-open');
        box.classList.toggle('cm-open', open);
        btn.setAttribute('aria-expanded', open ? 'true' : 'false');
      });
      box.appendChild(btn);
      box.appendChild(text);
      L.DomEvent.disableClickPropagation(box);
      return box;
    }
  });
  new Credits().addTo(map);
  L.control.scale({metric: true, imperial: true, maxWidth: 120}).addTo(map);
  function narrowMap() { return map.getSize().x < 600; }
  function layoutClass() { map.getContainer().classList.toggle('cm-narrow', narrowMap()); }
  layoutClass();
  map.on('resize', layoutClass);

  if (DATA.tiles) {
    L.tileLayer(DATA.tiles.url, {maxZoom: DATA.tiles.maxZoom}).addTo(map);
  }
  var CX = DATA.context || null, CS = S.context;
  var landRenderer = L.svg({pane: 'cm-land', padding: 0.5});
  if (CX && CX.land) {
    L.geoJSON(CX.land, {renderer: landRenderer, pane: 'cm-land', interactive: false,
      style: {stroke: false, fill: true, fillColor: SC.land, fillOpacity: 1}}).addTo(map);
  }
  (DATA.basemap || []).forEach(function (b) {
    var o = S.basemap[b.k === 'country' ? 'country' : 'admin1'];
    if (b.fill) {  // the land fill under the tiles, its border over them
      L.geoJSON(b.g, {renderer: landRenderer, pane: 'cm-land', interactive: false,
        style: {stroke: false, fill: true, fillColor: o.fillColor, fillOpacity: 1}}).addTo(map);
    }
    L.geoJSON(b.g, {
      renderer: baseRenderer, pane: 'cm-base', interactive: false,
      style: {color: o.color, weight: o.weight, opacity: o.opacity, dashArray: o.dashArray, fill: false}
    }).addTo(map);
  });
  if (CX) {
    (CX.lakes || []).forEach(function (w) {
      L.geoJSON(w.g, {renderer: landRenderer, pane: 'cm-land', interactive: false, style: CS.lake}).addTo(map);
    });
    (CX.rivers || []).forEach(function (w) {
      L.geoJSON(w.g, {renderer: landRenderer, pane: 'cm-land', interactive: false,
        style: {color: CS.river.color, weight: CS.river.weight, opacity: CS.river.opacity, fill: false}}).addTo(map);
    });
  }

  var layers = new Array(P.length), labels = new Array(P.length);
  var direct = P.map(function (p) { return p.e.some(function (ci) { return C[ci][FROM] < 0; }); });
  var labelCount = direct.filter(Boolean).length;
  P.forEach(function (p, pi) {
    var layer = null;
    if (p.d === 'unit' && p.g) {
      layer = L.geoJSON(p.g, {renderer: unitRenderer, pane: 'cm-units', style: {weight: 1}});
    } else if (p.d === 'approximate' && p.ll) {
      layer = L.circle(p.ll, {radius: p.r || 5000, renderer: unitRenderer, pane: 'cm-units'});
    } else if (p.d === 'point' && p.ll) {
      layer = L.circleMarker(p.ll, {renderer: pointRenderer, pane: 'cm-points', radius: 5});
    }
    if (!layer) { return; }
    layer.on('click', function (ev) { openPopup(pi, ev.latlng); });
    if (labelCount <= S.label.max_labels && direct[pi]) {
      var lab = el('span', null, p.n + (p.d === 'approximate' ? ' (approx.)' : ''));
      var sub = el('span', 'cm-labelstate', '');
      lab.appendChild(sub);
      labels[pi] = sub;
      layer.bindTooltip(lab, {
        permanent: true, direction: p.d === 'point' ? 'right' : 'center', offset: p.d === 'point' ? [S.label.point_offset, 0] : [0, 0],
        className: 'cm-label', interactive: false
      });
    } else {
      layer.bindTooltip(function () {
        var box = el('span', null, p.n);
        var a = state.assessments[pi];
        if (a) { box.appendChild(el('span', 'cm-labelstate', statusLabel(a))); }
        return box;
      }, {sticky: true, className: 'cm-label'});
    }
    layer.addTo(map);
    layers[pi] = layer;
  });

  // Marker clustering for many points when zoomed out (pie of statuses; click zooms in).
  var clusterLayer = null;
  var ClusterMarker = L.CircleMarker.extend({
    _updatePath: function () {
      var r = this._renderer;
      if (!r._drawing || this._empty()) { return; }
      var ctx = r._ctx, p = this._point, rad = this._radius, parts = this.options.parts, total = 0, ang = -Math.PI / 2;
      parts.forEach(function (x) { total += x[1]; });
      parts.forEach(function (x) {
        var a2 = ang + 2 * Math.PI * x[1] / total;
        ctx.beginPath(); ctx.moveTo(p.x, p.y); ctx.arc(p.x, p.y, rad, ang, a2); ctx.closePath();
        ctx.globalAlpha = 0.95; ctx.fillStyle = x[0]; ctx.fill();
        ang = a2;
      });
      ctx.globalAlpha = 1; ctx.lineWidth = 1.5; ctx.strokeStyle = '#222';
      ctx.beginPath(); ctx.arc(p.x, p.y, rad, 0, 2 * Math.PI); ctx.stroke();
      ctx.fillStyle = '#000'; ctx.font = 'bold 11px system-ui, sans-serif'; ctx.textAlign = 'center'; ctx.textBaseline = 'middle';
      ctx.fillStyle = '#fff'; ctx.fillRect(p.x - 11, p.y - 7, 22, 14);
      ctx.fillStyle = '#000'; ctx.fillText(String(this.options.count), p.x, p.y);
    }
  });
  var CLUSTER_MAX_ZOOM = 8, CLUSTER_CELL = 56;
  // Pie slices: a key per status (and actor), drawn like the legend: solid actor colours,
  // stripes for contested, cross-hatch for disputed, black for attacks, grey for no current claim.
  function sliceKey(a) { return a.s === 'controlled' ? 'c' + a.actor : a.s; }
  function sliceFill(key) {
    if (key.charAt(0) === 'c' && key !== 'contested') { return actorColour(+key.slice(1)); }
    if (key === 'contested') { return canvasPattern('stripes', CONTESTED_DEFAULT, SC.pattern_ground); }
    if (key === 'disputed') { return canvasPattern('hatch', DISPUTED, UNSTATED); }
    return {attacked: S.slices.attacked, unknown: UNKNOWN, partial: S.slices.partial, denied: S.slices.denied}[key];
  }
  function updateClusters() {
    if (!DATA.cluster || state.assessments.length !== P.length) { return; }  // (before the first update)
    var clustered = map.getZoom() <= CLUSTER_MAX_ZOOM;
    if (clusterLayer) { map.removeLayer(clusterLayer); clusterLayer = null; }
    var cells = {};
    P.forEach(function (p, pi) {
      if (p.d !== 'point' || !layers[pi]) { return; }
      if (!clustered) { if (!map.hasLayer(layers[pi])) { layers[pi].addTo(map); } return; }
      var pt = map.project(p.ll, map.getZoom());
      var key = Math.floor(pt.x / CLUSTER_CELL) + ':' + Math.floor(pt.y / CLUSTER_CELL);
      (cells[key] = cells[key] || []).push(pi);
    });
    if (!clustered) { return; }
    clusterLayer = L.layerGroup();
    Object.keys(cells).forEach(function (k) {
      var members = cells[k];
      if (members.length === 1) {
        if (!map.hasLayer(layers[members[0]])) { layers[members[0]].addTo(map); }
        return;
      }
      var lat = 0, lon = 0, mix = {};
      members.forEach(function (pi) {
        if (map.hasLayer(layers[pi])) { map.removeLayer(layers[pi]); }
        lat += P[pi].ll[0]; lon += P[pi].ll[1];
        var k = sliceKey(state.assessments[pi]);
        mix[k] = (mix[k] || 0) + 1;
      });
      var parts = Object.keys(mix).sort().map(function (k) { return [sliceFill(k), mix[k]]; });
      var m = new ClusterMarker([lat / members.length, lon / members.length], {
        renderer: pointRenderer, pane: 'cm-points', radius: Math.min(26, 10 + 3 * Math.sqrt(members.length)),
        parts: parts, count: members.length
      });
      m.on('click', function () {
        var b = L.latLngBounds(members.map(function (pi) { return P[pi].ll; }));
        map.fitBounds(b.pad(0.2), {maxZoom: CLUSTER_MAX_ZOOM + 1});
      });
      m.bindTooltip(function () {
        var counts = {};
        members.forEach(function (pi) { var l = statusLabel(state.assessments[pi]); counts[l] = (counts[l] || 0) + 1; });
        var box = el('span', null, members.length + ' places (click to zoom in)');
        Object.keys(counts).forEach(function (l) { box.appendChild(el('span', 'cm-labelstate', counts[l] + ' ' + l)); });
        return box;
      }, {sticky: true, className: 'cm-label'});
      clusterLayer.addLayer(m);
    });
    clusterLayer.addTo(map);
  }
  map.on('zoomend', updateClusters);
  if (DATA.cluster) {
    // The points' canvas covers the whole map but lets every event through (CSS pointer-events:
    // none); a click is tested here against the drawn circles first (topmost wins), and only when
    // it misses them does it reach the areas below.
    var pointAt = function (ev) {
      var lp = map.mouseEventToLayerPoint(ev), hit = null;
      var test = function (layer) { if (layer && layer._point && map.hasLayer(layer) && layer._containsPoint(lp)) { hit = layer; } };
      layers.forEach(function (l, pi) { if (P[pi].d === 'point') { test(l); } });
      if (clusterLayer) { clusterLayer.eachLayer(test); }
      return hit;
    };
    map.getContainer().addEventListener('click', function (ev) {
      if (!ev.target.closest || !ev.target.closest('.leaflet-map-pane')) { return; }  // controls, popups
      if (map.dragging && map.dragging.moved()) { return; }  // the end of a drag is not a click
      var hit = pointAt(ev);
      if (!hit) { return; }
      ev.stopPropagation();
      ev.preventDefault();
      hit.fire('click', {latlng: map.mouseEventToLatLng(ev), originalEvent: ev});
    }, true);
    map.getContainer().addEventListener('mousemove', function (ev) {
      map.getContainer().classList.toggle('cm-over-point', !!pointAt(ev));
    }, true);
  }

  // ------------------------------------------------------------------ popups
  function claimItem(ci, t, currentIds) {
    var c = C[ci], s = src(ci);
    var li = el('li');
    if (currentIds.indexOf(ci) >= 0) { li.className = 'cm-current'; } else if (c[T0] > t) { li.className = 'cm-future'; }
    if (!claimantOn(c[WHO])) { li.className += ' cm-filtered'; }
    var when = el('div', 'cm-when', txt(s, LABEL));
    if (currentIds.indexOf(ci) >= 0) { when.appendChild(el('span', 'cm-tag', 'current')); }
    else if (c[T0] > t) { when.appendChild(el('span', 'cm-tag', 'later')); }
    else { when.appendChild(el('span', 'cm-tag', c[T1] !== null && c[T1] <= t ? 'no longer current' : '')); }
    if (!claimantOn(c[WHO])) { when.appendChild(el('span', 'cm-tag', 'hidden by filter')); }
    li.appendChild(when);
    var who = el('div', 'cm-who', CL[c[WHO]].name);
    if (CL[c[WHO]].side) { who.appendChild(el('span', 'cm-tag', 'speaks for ' + CL[c[WHO]].side)); }
    li.appendChild(who);
    var what = STATUS[c[ST]].replace('_', ' ');
    if (txt(s, RAW)) { what += ' (\u201c' + txt(s, RAW) + '\u201d)'; }
    var line = el('div', 'cm-what');
    line.appendChild(el('span', null, 'Status: '));
    line.appendChild(el('b', null, what));
    if (c[ACT] >= 0) { line.appendChild(el('span', null, ' \u00b7 Actor: ' + A[c[ACT]].name)); }
    if (txt(s, SCOPE)) { line.appendChild(el('span', null, ' \u00b7 Scope: ' + txt(s, SCOPE))); }
    li.appendChild(line);
    if (c[ST] === 4) { li.appendChild(el('div', 'cm-derived', 'Control of part of the place only: drawn as partial control.')); }
    if (c[FROM] >= 0) {
      li.appendChild(el('div', 'cm-derived', 'Applies here through a claim about ' + P[C[c[FROM]][PL]].n +
        ' (scope: ' + txt(s, SCOPE) + ')'));
    } else if (txt(s, PNAME) && txt(s, PNAME) !== P[c[PL]].n) {
      li.appendChild(el('div', 'cm-when', 'Place as written: ' + txt(s, PNAME)));
    }
    if (s[QUOTE]) { li.appendChild(el('blockquote', null, '\u201c' + s[QUOTE] + '\u201d')); }
    var sl = el('div', 'cm-src');
    sl.appendChild(el('span', null, 'Source: '));
    sl.appendChild(txt(s, LINK) ? link(txt(s, LINK), txt(s, SRC) || txt(s, LINK)) : el('span', null, txt(s, SRC) || 'not given'));
    if (txt(s, ARCH)) { sl.appendChild(el('span', null, ' \u00b7 ')); sl.appendChild(link(txt(s, ARCH), 'archived copy')); }
    var where = [];
    if (DATA.files[s[FILE]]) { where.push(DATA.files[s[FILE]] + (s[ROW] >= 0 ? ' row ' + s[ROW] : '')); }
    if (s[ID]) { where.push('id ' + s[ID]); }
    if (where.length) { sl.appendChild(el('span', null, ' \u00b7 ' + where.join(', '))); }
    if (txt(s, NOTE)) { sl.appendChild(el('span', null, ' \u00b7 ' + txt(s, NOTE))); }
    li.appendChild(sl);
    return li;
  }
  function swatch(a, size) {
    var svg = document.createElementNS(SVGNS, 'svg');
    size = size || 16;
    svg.setAttribute('width', size); svg.setAttribute('height', size);
    var r = document.createElementNS(SVGNS, 'rect');
    r.setAttribute('x', 1); r.setAttribute('y', 1); r.setAttribute('width', size - 2); r.setAttribute('height', size - 2);
    var st = RULES.fade(unitStyleFor(a), a);
    r.setAttribute('fill', st.fillColor);
    r.setAttribute('fill-opacity', st.fillOpacity || 0);
    r.setAttribute('stroke', st.color); r.setAttribute('stroke-width', Math.min(st.weight, 2));
    if (st.dashArray) { r.setAttribute('stroke-dasharray', st.dashArray.split(' ').map(function (x) { return x / 2; }).join(' ')); }
    svg.appendChild(r);
    return svg;
  }
  function unitStyleFor(a) { return unitStyle(a, -1); }
  // A popup fits the map it opens on: at most the map's width less a margin (a 360 px phone gets
  // a popup of about 340 px), text wraps, its height scrolls inside, and the map pans to show it.
  function popupOptions() {
    var size = map.getSize(), chrome = 26, tip = 46;  // content margins + border; tip + offset + margins
    var maxW = Math.max(150, Math.min(400, size.x - 16 - chrome));
    var narrow = narrowMap();
    return {
      maxWidth: maxW, minWidth: Math.min(narrow ? 200 : 260, maxW), maxHeight: Math.max(120, Math.min(460, size.y - tip - 24)),
      autoPan: true, keepInView: true, className: 'cm-leaflet-popup',
      autoPanPaddingTopLeft: narrow ? [8, 8] : [56, 12], autoPanPaddingBottomRight: narrow ? [8, 8] : [12, 28]
    };
  }
  function placePoint(pi) {
    var p = P[pi];
    if (p.ll) { return p.ll; }
    if (p.c) { return p.c; }
    return layers[pi].getBounds().getCenter();
  }
  var popupOpener = null, currentPopup = null;  // focus goes back to the opener when a popup closes
  function openPopup(pi, latlng, opener) {
    var popup = L.popup(popupOptions()).setLatLng(latlng || placePoint(pi));
    currentPopup = popup;
    state.popupPlace = pi;
    popupOpener = opener || null;
    popup.setContent(popupContent(pi)).openOn(map);
    if (opener) {
      var close = popup.getElement() && popup.getElement().querySelector('.leaflet-popup-close-button');
      var head = popup.getElement() && popup.getElement().querySelector('.cm-popup h3');
      if (head) { head.tabIndex = -1; head.focus({preventScroll: true}); } else if (close) { close.focus(); }
    }
    return popup;
  }
  function popupContent(pi) {
    var p = P[pi], t = state.t, a = state.assessments[pi] || assess(currentClaims(pi, t));
    var box = el('div', 'cm-popup');
    box.appendChild(el('h3', null, p.n));
    var where = kindLabel(p.k) + (p.a ? ' \u00b7 ' + p.a : '') + (p.id ? ' \u00b7 ' + p.id : '');
    box.appendChild(el('p', 'cm-where', where));
    if (p.d === 'approximate') {
      box.appendChild(el('p', 'cm-approx', 'Drawn as an approximate area: ' + (p.note || 'only the unit is known, no boundary is loaded') + '.'));
    } else if (p.d === 'unit' && p.k !== 'populated_place') {
      box.appendChild(el('p', 'cm-where', 'Drawn as the whole ' + kindLabel(p.k).toLowerCase() + ': the claims name the unit, not a point in it.'));
    } else if (p.note) {
      box.appendChild(el('p', 'cm-where', p.note));
    }
    if (p.w && p.w.length) {
      var warn = el('ul', 'cm-warnings');
      warn.setAttribute('aria-label', 'Warnings about this placement');
      p.w.forEach(function (w) { warn.appendChild(el('li', null, w)); });
      box.appendChild(warn);
    }
    if (p.up !== undefined && P[p.up] && layers[p.up]) {
      var up = el('button', 'cm-up', 'Part of ' + P[p.up].n + ' (' + kindLabel(P[p.up].k).toLowerCase() + '): open it');
      up.type = 'button';
      up.addEventListener('click', function () { openPopup(p.up, null, popupOpener); });
      box.appendChild(up);
    }
    var st = el('p', 'cm-state');
    st.appendChild(swatch(a, 16));
    st.appendChild(el('span', null, statusLabel(a).charAt(0).toUpperCase() + statusLabel(a).slice(1) + ' \u00b7 as of ' + fmtTime(t) +
      (ageLabel(a) ? ' \u00b7 ' + ageLabel(a) + (a.stale ? ' (old report)' : '') : '')));
    box.appendChild(st);
    if (a.ids.length) {
      // What the current claims say, grouped: "controlled by Taliban: MP ..., Taliban spokesman".
      var groups = {}, order = [];
      a.ids.forEach(function (ci) {
        var c = C[ci];
        var what = STATUS[c[ST]].replace('_', ' ') + (c[ST] === 4 ? ' (part of the place)' : '') +
          (c[ACT] >= 0 ? (c[ST] === 3 ? ' — denies ' : ' — ') + A[c[ACT]].name : '');
        if (!groups[what]) { groups[what] = []; order.push(what); }
        if (groups[what].indexOf(CL[c[WHO]].name) < 0) { groups[what].push(CL[c[WHO]].name); }
      });
      box.appendChild(el('p', 'cm-reason', 'Current claims (' + a.ids.length + '):'));
      var ul = el('ul', 'cm-current');
      order.forEach(function (what) {
        var li = el('li');
        li.appendChild(el('b', null, what + ': '));
        li.appendChild(el('span', null, groups[what].join('; ')));
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    if (p.ch) {
      var shares = shareLines(pi);
      if (shares.lines.length) {
        box.appendChild(el('p', 'cm-reason', 'Districts: ' + shares.lines.map(function (l) { return l.n + ' of ' + shares.total + ' ' + l.label; }).join('; ')));
      }
    }
    var ol = el('ol', 'cm-claims');
    var cur = currentClaims(pi, t);
    p.e.forEach(function (ci) { ol.appendChild(claimItem(ci, t, cur)); });
    box.appendChild(ol);
    return box;
  }
  map.on('popupopen', function () { map.getContainer().classList.add('cm-popup-open'); });
  map.on('popupclose', function (ev) {
    if (ev.popup !== currentPopup) { return; }  // replaced by the next one
    currentPopup = null;
    state.popupPlace = -1;
    map.getContainer().classList.remove('cm-popup-open');
    var back = popupOpener;
    popupOpener = null;
    if (back && document.body.contains(back)) { window.setTimeout(function () { back.focus(); }, 0); }
  });

  // ----------------------------------------------------- places list and key
  // The non-mouse path to every popup: a "Places" button on the map opens a list of every drawn
  // place; each item opens the same popup as a click. Esc closes the list (focus back on the
  // button) or the popup (focus back where it was opened from). The key sits beside it, folded
  // on narrow maps.
  var kindRank = {country: 0, admin1: 1, admin2: 2, admin3: 3};
  function mapPanel(id, label, title) {
    var wrap = el('div', 'cm-mapbox'), btn = el('button', 'cm-mapbtn', label), panel = el('div', 'cm-mappanel');
    btn.type = 'button';
    btn.id = id + '-button';
    panel.id = id;
    panel.setAttribute('role', 'region');
    panel.setAttribute('aria-label', title);
    btn.setAttribute('aria-controls', id);
    btn.setAttribute('aria-expanded', 'false');
    panel.hidden = true;
    wrap.appendChild(btn);
    wrap.appendChild(panel);
    return {wrap: wrap, btn: btn, panel: panel};
  }
  var Tools = L.Control.extend({
    options: {position: 'topright'},
    onAdd: function () {
      var box = L.DomUtil.create('div', 'leaflet-control cm-tools');
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    }
  });
  var tools = new Tools().addTo(map), toolBox = tools.getContainer();
  var placesUi = mapPanel('cm-places', 'Places', 'Places on the map'), keyUi = mapPanel('cm-key', 'Key', 'Key');
  toolBox.appendChild(placesUi.wrap);
  toolBox.appendChild(keyUi.wrap);
  function showPanel(ui, open) {
    ui.panel.hidden = !open;
    ui.btn.setAttribute('aria-expanded', open ? 'true' : 'false');
    ui.wrap.classList.toggle('cm-open', open);
    // (room left under it for the scale and the credits)
    if (open) {
      var top = ui.panel.getBoundingClientRect().top - map.getContainer().getBoundingClientRect().top;
      ui.panel.style.maxHeight = Math.max(90, map.getSize().y - top - 44) + 'px';
    }
  }
  function placeOrder() {
    return P.map(function (p, pi) { return pi; }).filter(function (pi) { return layers[pi]; }).sort(function (a, b) {
      var ra = P[a].d === 'point' ? 9 : (kindRank[P[a].k] !== undefined ? kindRank[P[a].k] : 5);
      var rb = P[b].d === 'point' ? 9 : (kindRank[P[b].k] !== undefined ? kindRank[P[b].k] : 5);
      return ra - rb || (P[a].n < P[b].n ? -1 : P[a].n > P[b].n ? 1 : a - b);
    });
  }
  function renderPlaces() {
    var panel = placesUi.panel;
    panel.textContent = '';
    var ul = el('ul', 'cm-placelist');
    placeOrder().forEach(function (pi) {
      var p = P[pi], a = state.assessments[pi];
      var li = el('li'), b = el('button', 'cm-placeitem');
      b.type = 'button';
      b.setAttribute('data-place', String(pi));
      b.appendChild(el('span', 'cm-placename', p.n + (p.w && p.w.length ? ' \u26A0' : '')));
      b.appendChild(el('span', 'cm-note', kindLabel(p.k) + (a && a.s !== 'unknown' ? ' \u00b7 ' + statusLabel(a) : '')));
      b.addEventListener('click', function () {
        showPanel(placesUi, false);
        openPopup(pi, null, placesUi.btn);
      });
      li.appendChild(b);
      ul.appendChild(li);
    });
    panel.appendChild(ul);
  }
  placesUi.btn.addEventListener('click', function () {
    var open = placesUi.panel.hidden;
    showPanel(keyUi, false);
    if (open) { renderPlaces(); }
    showPanel(placesUi, open);
    if (open) { var first = placesUi.panel.querySelector('button'); if (first) { first.focus(); } }
  });
  placesUi.panel.addEventListener('keydown', function (ev) {
    if (ev.key !== 'ArrowDown' && ev.key !== 'ArrowUp') { return; }
    var items = Array.prototype.slice.call(placesUi.panel.querySelectorAll('button'));
    var i = items.indexOf(document.activeElement);
    if (i < 0) { return; }
    var next = items[Math.max(0, Math.min(items.length - 1, i + (ev.key === 'ArrowDown' ? 1 : -1)))];
    next.focus();
    ev.preventDefault();
    ev.stopPropagation();
  });
  var legendSection = document.getElementById('cm-legend');
  if (legendSection) {
    var oldSection = legendSection.closest('section');
    keyUi.panel.appendChild(legendSection);
    if (oldSection && !oldSection.querySelector('#cm-legend')) { oldSection.parentNode.removeChild(oldSection); }
  }
  keyUi.btn.addEventListener('click', function () {
    var open = keyUi.panel.hidden;
    showPanel(placesUi, false);
    showPanel(keyUi, open);
  });
  // The key is open from the start on a roomy map (a side of it is kept free for the claims),
  // folded on an article column, a phone or a low map: its button opens it.
  showPanel(keyUi, map.getSize().x >= 800 && map.getSize().y >= 420);
  if (!keyUi.panel.hidden && map.getSize().x > 800) { keyWidth = keyUi.panel.offsetWidth + 10; frameClaims(); }
  document.addEventListener('keydown', function (ev) {
    if (ev.key !== 'Escape' && ev.key !== 'Esc') { return; }
    if (!placesUi.panel.hidden) { showPanel(placesUi, false); placesUi.btn.focus(); ev.preventDefault(); return; }
    if (map._popup && map.hasLayer(map._popup)) {
      map.closePopup();
      ev.preventDefault();
      return;
    }
    if (!keyUi.panel.hidden && keyUi.wrap.contains(document.activeElement)) { showPanel(keyUi, false); keyUi.btn.focus(); ev.preventDefault(); }
  });

  // ------------------------------------------------------------------ counts
  function kindGroup(k) {
    if (k === 'country') { return 'countries'; }
    if (k === 'admin1') { return 'provinces'; }
    if (k === 'admin2' || k === 'admin3') { return 'districts'; }
    if (k === 'populated_place') { return 'towns and villages'; }
    return 'other places';
  }
  function group(pis) {
    var by = {}, order = [];
    pis.forEach(function (pi) {
      var l = statusLabel(state.assessments[pi]);
      if (!by[l]) { by[l] = []; order.push(l); }
      by[l].push(pi);
    });
    return order.map(function (l) { return {label: l, n: by[l].length, places: by[l]}; })
      .sort(function (x, y) { return y.n - x.n || (x.label < y.label ? -1 : 1); });
  }
  function shareLines(pi) { return {total: P[pi].ch.length, lines: group(P[pi].ch)}; }
  function countsNow() {
    var out = [];
    P.forEach(function (p, pi) {
      if (p.ch && p.ch.length) {
        out.push({unit: p.n, level: 'districts', total: p.ch.length, lines: group(p.ch)});
      }
    });
    P.forEach(function (p, pi) {
      currentClaims(pi, state.t).forEach(function (ci) {
        var s = src(ci), c = C[ci];
        if (c[FROM] < 0 && s[SCOUNT]) {
          var what = (c[ST] === 0 || c[ST] === 4) ? (c[ACT] >= 0 ? 'controlled by ' + A[c[ACT]].name : 'controlled (actor not stated)') : STATUS[c[ST]].replace('_', ' ');
          out.push({unit: p.n, level: 'scope claim', total: s[SCOUNT][1],
            lines: [{label: what, n: s[SCOUNT][0], places: [pi], claimant: CL[c[WHO]].name}]});
        }
      });
    });
    var groups = {};
    P.forEach(function (p, pi) {
      if (!p.e.length) { return; }
      var g = kindGroup(p.k);
      (groups[g] = groups[g] || []).push(pi);
    });
    ['countries', 'provinces', 'districts', 'towns and villages', 'other places'].forEach(function (g) {
      if (groups[g]) { out.push({unit: 'All mapped ' + g, level: 'mapped ' + g, total: groups[g].length, lines: group(groups[g])}); }
    });
    return out;
  }
  var openDetails = {};  // which "claims behind these numbers" lists the reader opened, kept across steps
  function renderCounts() {
    var box = document.getElementById('cm-counts');
    box.textContent = '';
    var counts = countsNow();
    state.counts = counts;
    if (!counts.length) { box.appendChild(el('p', 'cm-small', 'No places with claims.')); return; }
    counts.forEach(function (c) {
      var div = el('div', 'cm-count');
      if (c.level === 'scope claim') {
        var l = c.lines[0];
        div.appendChild(el('span', 'cm-unit', c.unit + ': '));
        div.appendChild(el('span', null, l.claimant + ' claims ' + l.n + ' of ' + c.total + ' districts ' + l.label + ' (as stated, not checked against district claims)'));
        box.appendChild(div);
        return;
      }
      var noun = c.level === 'districts' ? 'districts' : c.level.replace('mapped ', '');
      if (c.total === 1) {
        noun = {districts: 'district', countries: 'country', provinces: 'province', 'towns and villages': 'town or village',
          'other places': 'other place'}[noun] || noun;
      }
      div.appendChild(el('span', 'cm-unit', c.unit + ' (' + c.total + ' ' + noun + ')'));
      var ul = el('ul');
      c.lines.forEach(function (l) {
        var li = el('li', null, l.n + ' of ' + c.total + ' ' + l.label + (l.label.indexOf('controlled') === 0 ? ' (per claims)' : ''));
        ul.appendChild(li);
      });
      div.appendChild(ul);
      var det = el('details');
      det.appendChild(el('summary', null, 'places and claims behind these numbers'));
      var key = c.unit + '|' + c.level;
      var fill = function () {  // built when opened: thousands of places would slow every step
        if (det.querySelector('ul')) { return; }
        var list = el('ul');
        c.lines.forEach(function (l) {
          l.places.forEach(function (pi) {
            var a = state.assessments[pi];
            var li = el('li', null, P[pi].n + ': ' + l.label);
            if (a.ids.length) {
              li.appendChild(el('div', null, a.ids.map(function (ci) {
                var s = src(ci), cc = C[ci];
                return CL[cc[WHO]].name + ', ' + txt(s, LABEL) + (DATA.files[s[FILE]] ? ' (' + DATA.files[s[FILE]] + ' row ' + s[ROW] + ')' : '');
              }).join('; ')));
            }
            list.appendChild(li);
          });
        });
        det.appendChild(list);
      };
      det.addEventListener('toggle', function () {
        openDetails[key] = det.open;
        if (det.open) { fill(); }
      });
      if (openDetails[key]) { det.open = true; fill(); }
      div.appendChild(det);
      box.appendChild(div);
    });
  }

  // ----------------------------------------------------------------- legend
  function usedActors() {
    var used = [];
    C.forEach(function (c) { if (c[ACT] >= 0 && used.indexOf(c[ACT]) < 0) { used.push(c[ACT]); } });
    return used.sort(function (a, b) { return a - b; });
  }
  function legendItem(ul, drawSvg, text, note) {
    var li = el('li');
    li.appendChild(drawSvg);
    var span = el('span', null, text);
    if (note) { span.appendChild(el('span', 'cm-note', note)); }
    li.appendChild(span);
    ul.appendChild(li);
  }
  function circleSwatch(fill, stroke, dash, r, width) {
    var svg = document.createElementNS(SVGNS, 'svg');
    svg.setAttribute('width', 22); svg.setAttribute('height', 22);
    var c = document.createElementNS(SVGNS, 'circle');
    c.setAttribute('cx', 11); c.setAttribute('cy', 11); c.setAttribute('r', r || 7);
    c.setAttribute('fill', fill); c.setAttribute('stroke', stroke); c.setAttribute('stroke-width', width || 2);
    if (dash) { c.setAttribute('stroke-dasharray', dash); }
    svg.appendChild(c);
    return svg;
  }
  function renderLegend() {
    var ul = document.getElementById('cm-legend');
    ul.textContent = '';
    var used = usedActors();
    if (used.length) { ul.appendChild(el('li', 'cm-note', 'Solid colour: controlled by')); }
    used.forEach(function (ai) {
      legendItem(ul, swatch({s: 'controlled', actor: ai, actors: [ai], ids: []}, 20),
        A[ai].name, A[ai].configured ? null : 'named in the claims; not in the actor list');
    });
    var two = used.slice(0, 2);
    legendItem(ul, swatch({s: 'contested', actor: -1, actors: two, ids: []}, 20), 'Contested',
      'fighting reported; stripes in the colours of the sides named');
    legendItem(ul, swatch({s: 'disputed', actor: -1, actors: two, ids: []}, 20), 'Disputed: claims disagree',
      'cross-hatch and dashed outline; open the place to read each claim');
    var partKeys = {}, parts = 0, PART_MAX = 4;
    C.forEach(function (c, ci) {
      if (c[ST] !== 4) { return; }
      var a = {s: 'partial', actor: c[ACT], actors: c[ACT] >= 0 ? [c[ACT]] : [], ids: [], scope: txt(src(ci), SCOPE)};
      var lab = shortLabel(a);
      if (partKeys[lab]) { return; }
      partKeys[lab] = 1;
      parts += 1;
      if (parts <= PART_MAX) { legendItem(ul, swatch(a, 20), lab, 'partial control: the claim names part of the place'); }
    });
    if (parts > PART_MAX) {
      legendItem(ul, swatch({s: 'partial', actor: -1, actors: [], ids: [], scope: ''}, 20),
        'and ' + (parts - PART_MAX) + ' more partial-control scopes', 'open a place to read its scope');
    }
    if (C.some(function (c) { return c[ST] === 3; })) {
      legendItem(ul, swatch({s: 'denied', actor: -1, actors: [], ids: []}, 20), 'Denied',
        'only denials are current: someone says an actor does not hold the place');
    }
    if (DATA.rules.stale_after_minutes) {
      legendItem(ul, swatch({s: 'controlled', actor: used.length ? used[0] : -1, actors: [], ids: [], stale: true}, 20), 'Faded: old report',
        'the latest current claim is older than ' + Math.round(DATA.rules.stale_after_minutes / 1440) + ' days');
    }
    legendItem(ul, swatch({s: 'attacked', actor: -1, actors: [], ids: []}, 20), 'Attack reported',
      'an incident; says nothing about who holds the place');
    legendItem(ul, swatch({s: 'unknown', actor: -1, actors: [], ids: []}, 20), 'No current claim');
    if (P.some(function (p) { return p.d === 'approximate'; })) {
      var LA = S.legend.approximate;
      legendItem(ul, circleSwatch('none', LA.color, LA.dashArray, LA.radius, LA.weight), 'Approximate area',
        'the claim names a unit whose boundary is not loaded, or coordinates that are only a centroid');
    }
    if (DATA.cluster) {
      var pie = document.createElementNS(SVGNS, 'svg');
      pie.setAttribute('width', 22); pie.setAttribute('height', 22);
      [['M11 11 L11 2 A9 9 0 0 1 20 11 Z', used.length ? A[used[0]].colour : UNKNOWN],
       ['M11 11 L20 11 A9 9 0 0 1 11 20 Z', S.slices.attacked],
       ['M11 11 L11 20 A9 9 0 1 1 11 2 Z', UNKNOWN]].forEach(function (d) {
        var path = document.createElementNS(SVGNS, 'path');
        path.setAttribute('d', d[0]); path.setAttribute('fill', d[1]); path.setAttribute('stroke', '#222');
        pie.appendChild(path);
      });
      legendItem(ul, pie, 'Numbered pies: groups of towns',
        'when zoomed out; slices show how many are in each status (same colours and patterns); click to zoom in');
    }
    if (P.some(function (p) { return p.d === 'point'; })) {
      var LT = S.legend.town;
      legendItem(ul, circleSwatch(used.length ? A[used[0]].colour : UNKNOWN, LT.color, null, LT.radius, LT.weight), 'Circles: towns and cities',
        'areas are provinces and districts; a town never recolours its district');
    }
  }

  // ----------------------------------------------------------------- filter
  function sides() {
    var order = [], by = {};
    CL.forEach(function (c, i) {
      var s = c.side || '';
      if (!by[s]) { by[s] = []; order.push(s); }
      by[s].push(i);
    });
    order.sort(function (a, b) { return (a === '') - (b === '') || (a < b ? -1 : a > b ? 1 : 0); });
    return order.map(function (s) { return {side: s, members: by[s]}; });
  }
  function renderFilter() {
    var box = document.getElementById('cm-filter');
    box.textContent = '';
    sides().forEach(function (g) {
      var div = el('div', 'cm-group');
      var head = el('div', 'cm-grouphead');
      var title = g.side ? 'Claims by ' + g.side + ' side' : 'Independent / other claimants';
      var chipColour = g.side ? (A.filter(function (a) { return a.name === g.side; })[0] || {}).colour : null;
      if (state.view === 'assessed') {
        var all = el('input');
        all.type = 'checkbox';
        var on = g.members.filter(function (i) { return state.enabled[i]; }).length;
        all.checked = on === g.members.length;
        all.indeterminate = on > 0 && on < g.members.length;
        all.setAttribute('aria-label', title);
        all.addEventListener('change', function () {
          g.members.forEach(function (i) { state.enabled[i] = all.checked; });
          renderFilter(); update();
        });
        head.appendChild(all);
      }
      if (chipColour) { var chip = el('span', 'cm-chip'); chip.style.background = chipColour; head.appendChild(chip); }
      head.appendChild(el('span', null, title + ' (' + g.members.length + ')'));
      if (state.view === 'assessed') {
        var only = el('button', 'cm-only', 'only');
        only.type = 'button';
        only.title = 'Show only ' + title.toLowerCase();
        only.addEventListener('click', function () {
          state.enabled = CL.map(function (c, i) { return g.members.indexOf(i) >= 0; });
          renderFilter(); update();
        });
        head.appendChild(only);
      }
      div.appendChild(head);
      var ul = el('ul');
      g.members.forEach(function (i) {
        var li = el('li'), lab = el('label'), inp = el('input');
        if (state.view === 'assessed') {
          inp.type = 'checkbox';
          inp.checked = state.enabled[i];
          inp.addEventListener('change', function () { state.enabled[i] = inp.checked; renderFilter(); update(); });
        } else {
          inp.type = 'radio';
          inp.name = 'cm-one';
          inp.checked = state.one === i;
          inp.addEventListener('change', function () { if (inp.checked) { state.one = i; update(); } });
        }
        inp.setAttribute('data-claimant', String(i));
        lab.appendChild(inp);
        lab.appendChild(el('span', null, CL[i].name));
        li.appendChild(lab);
        ul.appendChild(li);
      });
      div.appendChild(ul);
      box.appendChild(div);
    });
    if (state.view === 'assessed') {
      var reset = el('button', 'cm-only', 'show all claimants');
      reset.type = 'button';
      reset.addEventListener('click', function () { state.enabled = CL.map(function () { return true; }); renderFilter(); update(); });
      box.appendChild(reset);
    }
  }
  Array.prototype.forEach.call(document.querySelectorAll('input[name="cm-view"]'), function (r) {
    r.checked = r.value === state.view;
    r.addEventListener('change', function () { if (r.checked) { state.view = r.value; renderFilter(); update(); } });
  });

  // ------------------------------------------------------------------- time
  // The slider runs in time (minutes), so its thumb and the ticks under it sit in proportion to
  // time: an eight-month gap looks like one. It snaps to the claims' times (the steps); the arrow
  // keys, Home and End move step by step.
  var slider = document.getElementById('cm-slider'), steps = DATA.steps;
  var T_LO = steps.length ? steps[0] : 0, T_HI = steps.length ? steps[steps.length - 1] : 0;
  slider.min = T_LO;
  slider.max = Math.max(T_HI, T_LO + 1);
  slider.step = 1;
  slider.disabled = steps.length < 2;
  function frac(t) { return T_HI > T_LO ? Math.max(0, Math.min(1, (t - T_LO) / (T_HI - T_LO))) : 0; }
  function nearestStep(t) {
    var i = stepIndex(t);
    if (i + 1 < steps.length && Math.abs(steps[i + 1] - t) < Math.abs(t - steps[i])) { i += 1; }
    return i;
  }
  function axisTicks() {  // calendar ticks in the page's zone: years, months, days or hours
    var span = T_HI - T_LO, out = [];
    if (span <= 0) { return out; }
    var units = [[60, 'h', 1], [60, 'h', 3], [60, 'h', 6], [60, 'h', 12], [1440, 'd', 1], [1440, 'd', 2], [1440, 'd', 7],
      [1440, 'd', 14], [43830, 'm', 1], [43830, 'm', 2], [43830, 'm', 3], [43830, 'm', 6], [525960, 'y', 1],
      [525960, 'y', 2], [525960, 'y', 5], [525960, 'y', 10]];
    var pick = units[units.length - 1];
    for (var i = 0; i < units.length; i++) { if (span / (units[i][0] * units[i][2]) <= 6) { pick = units[i]; break; } }
    var kind = pick[1], every = pick[2];
    var off = isUtcZone() ? 0 : zoneOffset(T_LO), d = new Date((T_LO + off) * 60000);
    var y = d.getUTCFullYear(), mo = d.getUTCMonth(), day = d.getUTCDate(), h = d.getUTCHours();
    var start = kind === 'y' ? Date.UTC(y, 0, 1) : kind === 'm' ? Date.UTC(y, mo, 1) : kind === 'd' ? Date.UTC(y, mo, day) : Date.UTC(y, mo, day, h);
    for (var k = 0; k < 400; k++) {
      var nd = new Date(start);
      if (kind === 'y') { nd = new Date(Date.UTC(y + k * every, 0, 1)); }
      else if (kind === 'm') { nd = new Date(Date.UTC(y, mo + k * every, 1)); }
      else if (kind === 'd') { nd = new Date(start + k * every * 86400000); }
      else { nd = new Date(start + k * every * 3600000); }
      var local = Math.floor(nd.getTime() / 60000), tm = local - (isUtcZone() ? 0 : zoneOffset(local));
      if (tm > T_HI) { break; }
      if (tm < T_LO) { continue; }
      var label = kind === 'y' ? String(nd.getUTCFullYear())
        : kind === 'm' ? MONTHS[nd.getUTCMonth()] + (nd.getUTCMonth() === 0 || !out.length ? ' ' + nd.getUTCFullYear() : '')
        : kind === 'd' ? nd.getUTCDate() + ' ' + MONTHS[nd.getUTCMonth()]
        : pad(nd.getUTCHours()) + ':00' + (nd.getUTCHours() === 0 || !out.length ? ' ' + nd.getUTCDate() + ' ' + MONTHS[nd.getUTCMonth()] : '');
      out.push({t: tm, label: label});
    }
    return out;
  }
  function renderAxis() {
    var axis = document.getElementById('cm-axis');
    if (!axis) { return; }
    axis.textContent = '';
    if (steps.length < 2) { axis.hidden = true; return; }
    var track = el('div', 'cm-axis-track');
    steps.forEach(function (t, i) {
      var tick = el('span', 'cm-tick cm-tick-step');
      tick.style.left = (100 * frac(t)).toFixed(3) + '%';
      tick.setAttribute('data-step', String(i));
      track.appendChild(tick);
    });
    axisTicks().forEach(function (x) {
      var tick = el('span', 'cm-tick cm-tick-date');
      tick.style.left = (100 * frac(x.t)).toFixed(3) + '%';
      tick.appendChild(el('span', 'cm-ticklabel', x.label));
      track.appendChild(tick);
    });
    axis.appendChild(track);
  }
  function stepIndex(t) {
    var lo = 0, hi = steps.length - 1, ans = 0;
    while (lo <= hi) { var mid = (lo + hi) >> 1; if (steps[mid] <= t) { ans = mid; lo = mid + 1; } else { hi = mid - 1; } }
    return ans;
  }
  function setTime(t, fromHash) {
    if (t === null || t === undefined || isNaN(t)) { return; }
    state.t = t;
    state.step = stepIndex(t);
    slider.value = Math.max(T_LO, Math.min(T_HI, t));
    if (!fromHash) { writeHash(t); }
    update();
  }
  function goStep(i) {
    if (!steps.length) { return; }
    i = Math.max(0, Math.min(steps.length - 1, i));
    setTime(steps[i]);
  }
  slider.addEventListener('input', function () { goStep(nearestStep(+slider.value)); });
  slider.addEventListener('keydown', function (ev) {
    var k = ev.key;
    if (ev.altKey || ev.ctrlKey || ev.metaKey) { return; }
    if (k === 'ArrowRight' || k === 'ArrowUp' || k === 'PageUp') { goStep(state.step + 1); }
    else if (k === 'ArrowLeft' || k === 'ArrowDown' || k === 'PageDown') { goStep(state.t > steps[state.step] ? state.step : state.step - 1); }
    else if (k === 'Home') { goStep(0); }
    else if (k === 'End') { goStep(steps.length - 1); }
    else { return; }
    ev.preventDefault();
    ev.stopPropagation();
  });
  document.getElementById('cm-first').addEventListener('click', function () { goStep(0); });
  document.getElementById('cm-last').addEventListener('click', function () { goStep(steps.length - 1); });
  document.getElementById('cm-prev').addEventListener('click', function () { goStep(state.t > steps[state.step] ? state.step : state.step - 1); });
  document.getElementById('cm-next').addEventListener('click', function () { goStep(state.step + 1); });
  var playBtn = document.getElementById('cm-play');
  function setPlaying(on) {
    if (state.timer) { window.clearInterval(state.timer); state.timer = null; }
    if (on) {
      if (state.step >= steps.length - 1) { goStep(0); }
      state.timer = window.setInterval(function () {
        if (state.step >= steps.length - 1) { setPlaying(false); return; }
        goStep(state.step + 1);
      }, steps.length > 200 ? 250 : 900);
    }
    playBtn.textContent = on ? '\u275A\u275A Pause' : '\u25B6 Play';
    playBtn.setAttribute('aria-pressed', on ? 'true' : 'false');
    playBtn.setAttribute('aria-label', on ? 'Pause' : 'Play');
  }
  playBtn.addEventListener('click', function () { setPlaying(!state.timer); });
  document.addEventListener('keydown', function (ev) {
    var tg = ev.target, type = tg && tg.type;
    if (ev.altKey || ev.ctrlKey || ev.metaKey) { return; }
    if (tg && (tg.isContentEditable || tg.tagName === 'TEXTAREA' || tg.tagName === 'SELECT' || type === 'text')) { return; }
    if (tg === slider || type === 'radio') { return; }  // the slider has its own keys; radios move natively
    if (tg && tg.closest && tg.closest('.cm-tools, .leaflet-popup')) { return; }  // lists and popups keep their keys
    var k = ev.key;
    if (k === 'ArrowRight' || k === 'ArrowUp' || k === 'PageDown') { goStep(state.step + 1); ev.preventDefault(); }
    else if (k === 'ArrowLeft' || k === 'ArrowDown' || k === 'PageUp') { goStep(state.t > steps[state.step] ? state.step : state.step - 1); ev.preventDefault(); }
    else if (k === 'Home') { goStep(0); ev.preventDefault(); }
    else if (k === 'End') { goStep(steps.length - 1); ev.preventDefault(); }
    else if ((k === ' ' || k === 'k') && tg.tagName !== 'BUTTON' && type !== 'checkbox') { setPlaying(!state.timer); ev.preventDefault(); }
  });
  window.addEventListener('hashchange', function () {
    var h = hashDate();
    if (h !== null && h !== state.t) { setTime(h, true); }
  });

  // Labels: towns first, then districts, provinces, countries; a label that would overlap one already
  // placed tries a few other positions, else it is hidden (its place still has a tooltip-free popup).
  var labelOrder = labels.map(function (x, pi) { return pi; }).filter(function (pi) { return labels[pi]; })
    .sort(function (a, b) {
      var rank = function (pi) { return P[pi].d === 'point' ? 0 : {admin3: 1, admin2: 2, admin1: 3, country: 5}[P[pi].k] || 4; };
      return rank(a) - rank(b);
    });
  function overlaps(r, list) {
    for (var i = 0; i < list.length; i++) {
      var o = list[i];
      if (r.left < o.right && r.right > o.left && r.top < o.bottom && r.bottom > o.top) { return true; }
    }
    return false;
  }
  function declutter() {
    var placed = [];
    labelOrder.forEach(function (pi) {
      var tt = layers[pi] && layers[pi].getTooltip();
      if (!tt || !tt._container || !tt._map) { return; }
      var c = tt._container, point = P[pi].d === 'point';
      var tries = point ? [['right', [8, 0]], ['left', [-8, 0]], ['top', [0, -8]], ['bottom', [0, 8]]]
        : [['center', [0, 0]], ['center', [0, -30]], ['center', [0, 30]], ['center', [-70, 0]], ['center', [70, 0]]];
      c.style.visibility = 'visible';
      for (var i = 0; i < tries.length; i++) {
        tt.options.direction = tries[i][0];
        tt.options.offset = tries[i][1];
        tt._updatePosition();
        var r = c.getBoundingClientRect();
        if (!overlaps(r, placed)) { placed.push(r); return; }
      }
      c.style.visibility = 'hidden';
    });
  }
  map.on('zoomend', function () { window.requestAnimationFrame(function () { declutter(); placeContext(); }); });

  // ------------------------------------------------------------- context names
  // Real text (DOM), placed at each view: an area's name (country, sea, lake) at the candidate point
  // deepest inside both the area and the screen; a river's along it, turned with it; a town beside its
  // dot. Claim labels and claimed markers win: a context name overlapping one is moved or dropped.
  // Which names show from which zoom was decided in Python (style.json context.min_zoom).
  var ctxPane = map.getPane('cm-context');
  ctxPane.setAttribute('role', 'group');
  ctxPane.setAttribute('aria-label', 'Basemap names');
  var ctxLabels = ((CX && CX.labels) || []).map(function (lab) {
    var t = CS.text[lab.k] || CS.text.city;
    var node = el('div', 'cm-ctx cm-ctx-' + lab.k);
    var point = lab.k === 'city' || lab.k === 'capital';
    if (point) {
      var dot = el('span', 'cm-ctx-dot');
      dot.style.width = dot.style.height = (2 * t.dot) + 'px';
      dot.style.borderColor = CS.dot.color;
      dot.style.background = CS.dot.fillColor;
      dot.style.borderWidth = CS.dot.weight + 'px';
      node.appendChild(dot);
    }
    node.appendChild(el('span', 'cm-ctx-text', lab.n));
    node.style.fontSize = t.size + 'px';
    node.style.fontWeight = t.weight;
    node.style.color = t.colour;
    node.style.fontStyle = t.italic ? 'italic' : 'normal';
    node.style.textTransform = t.upper ? 'uppercase' : 'none';
    node.style.letterSpacing = t.spacing + 'em';
    node.setAttribute('data-kind', lab.k);
    node.hidden = true;
    ctxPane.appendChild(node);
    return {lab: lab, node: node, point: point, w: 0, h: 0, dot: point ? t.dot : 0};
  });
  function containerRect(r, box) {
    return {left: r.left - box.left, right: r.right - box.left, top: r.top - box.top, bottom: r.bottom - box.top};
  }
  function claimRects() {
    var box = map.getContainer().getBoundingClientRect(), out = [];
    labels.forEach(function (x, pi) {
      var tt = layers[pi] && layers[pi].getTooltip();
      if (tt && tt._container && tt._map && tt._container.style.visibility !== 'hidden') {
        out.push(containerRect(tt._container.getBoundingClientRect(), box));
      }
    });
    P.forEach(function (p, pi) {
      if (p.d !== 'point' || !layers[pi] || !map.hasLayer(layers[pi])) { return; }
      var c = map.latLngToContainerPoint(layers[pi].getLatLng()), r = (layers[pi].getRadius ? layers[pi].getRadius() : 6) + 2;
      out.push({left: c.x - r, right: c.x + r, top: c.y - r, bottom: c.y + r});
    });
    return out;
  }
  // A neighbour seen only along the edge of the view has no precomputed point there: its name goes
  // where a grid over the view finds the whole label box inside the country's largest part (as the
  // precomputed points do: mapper/context.py _main_part).
  var countryShapes = {};
  function ringArea(r) {
    var a = 0;
    for (var i = 0, j = r.length - 1; i < r.length; j = i++) { a += (r[j][0] + r[i][0]) * (r[j][1] - r[i][1]); }
    return Math.abs(a / 2);
  }
  var landPolys = [];  // every part of every country of the frame: what is not in them is water
  (DATA.basemap || []).forEach(function (b) {
    if (b.k !== 'country' || !b.g) { return; }
    var polys = b.g.type === 'Polygon' ? [b.g.coordinates] : b.g.type === 'MultiPolygon' ? b.g.coordinates : [];
    landPolys.push.apply(landPolys, polys);
    polys.forEach(function (poly) {
      var a = ringArea(poly[0]), cur = countryShapes[b.n];
      if (!cur || a > cur.area) { countryShapes[b.n] = {area: a, polys: [poly]}; }
    });
  });
  function inRing(x, y, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) { inside = !inside; }
    }
    return inside;
  }
  function inShape(polys, ll) {
    for (var i = 0; i < polys.length; i++) {
      if (inRing(ll.lng, ll.lat, polys[i][0])) {
        var hole = false;
        for (var k = 1; k < polys[i].length; k++) { if (inRing(ll.lng, ll.lat, polys[i][k])) { hole = true; break; } }
        if (!hole) { return true; }
      }
    }
    return false;
  }
  // A sea seen only as a strip along the view: the same grid, where the label box is all water (in the
  // frame, outside every country) and the nearest precomputed sea point is this sea's.
  var frameBounds = CX && CX.frame ? L.latLngBounds(CX.frame) : null;
  function isWater(ll) { return frameBounds && frameBounds.contains(ll) && !inShape(landPolys, ll); }
  function nearestSea(ll) {
    var best = null, bd = Infinity;
    ctxLabels.forEach(function (c) {
      if (c.lab.k !== 'sea') { return; }
      c.lab.c.forEach(function (cd) {
        var d = Math.pow(cd[0] - ll.lat, 2) + Math.pow((cd[1] - ll.lng) * Math.cos(ll.lat * Math.PI / 180), 2);
        if (d < bd) { bd = d; best = c.lab; }
      });
    });
    return best;
  }
  function seaTries(lab, w, h, size) {
    return gridTries(w, h, size, function (q) { return isWater(map.containerPointToLatLng(q)); },
      function (x, y) { return nearestSea(map.containerPointToLatLng([x, y])) === lab; });
  }
  function edgeTries(polys, w, h, size) {
    return gridTries(w, h, size, function (q) { return inShape(polys, map.containerPointToLatLng(q)); });
  }
  function gridTries(w, h, size, inside, accept) {
    var fits = [], cols = 12, rows = 8;
    for (var i = 0; i < cols; i++) {
      for (var j = 0; j < rows; j++) {
        var x = (i + 0.5) * size.x / cols, y = (j + 0.5) * size.y / rows;
        x = Math.min(Math.max(x, w / 2 + 4), size.x - w / 2 - 4);
        y = Math.min(Math.max(y, h / 2 + 4), size.y - h / 2 - 4);
        var pts = [[x, y], [x - w / 2, y - h / 2], [x + w / 2, y - h / 2], [x - w / 2, y + h / 2], [x + w / 2, y + h / 2]];
        if (pts.every(inside) && (!accept || accept(x, y))) { fits.push([x, y]); }
      }
    }
    if (!fits.length) { return []; }
    var mx = 0, my = 0;
    fits.forEach(function (f) { mx += f[0] / fits.length; my += f[1] / fits.length; });
    fits.sort(function (a, b) { return Math.hypot(a[0] - mx, a[1] - my) - Math.hypot(b[0] - mx, b[1] - my); });
    return fits.map(function (f) {
      return {p: L.point(f[0], f[1]), score: 0, rect: {left: f[0] - w / 2, right: f[0] + w / 2, top: f[1] - h / 2, bottom: f[1] + h / 2}};
    });
  }
  function placeContext() {
    if (!ctxLabels.length) { return; }
    var z = map.getZoom(), size = map.getSize(), occupied = claimRects(), shown = 0, near = map.getBounds().pad(1);
    var centre = map.latLngToContainerPoint(map.getCenter());
    // Degrees of the candidates' depth, in screen pixels (one degree of longitude at the view's centre).
    var c0 = map.getCenter(), pxPerDeg = map.latLngToContainerPoint([c0.lat, c0.lng + 1]).x - centre.x;
    // The most populous towns in view show whatever their tier (style.json context.view_towns);
    // towns come most populous first.
    var view = map.getBounds(), inView = 0, always = [];
    ctxLabels.forEach(function (c) {
      if (c.lab.k === 'city' && inView < CS.view_towns && view.contains([c.lab.c[0][0], c.lab.c[0][1]])) {
        always.push(c); inView++;
      }
    });
    ctxLabels.forEach(function (c) {
      var lab = c.lab, node = c.node;
      node.hidden = true;
      if ((lab.z > z + 1e-6 && always.indexOf(c) < 0) || shown >= CS.max_labels) { return; }
      if (!c.w) {
        node.hidden = false; node.style.transform = '';
        c.w = node.offsetWidth; c.h = node.offsetHeight;
        node.hidden = true;
      }
      var w = c.w, h = c.h, tries = [];
      lab.c.forEach(function (cd) {
        var p = map.latLngToContainerPoint([cd[0], cd[1]]);
        if (p.x < 0 || p.y < 0 || p.x > size.x || p.y > size.y) { return; }
        if (c.point) {
          tries.push({p: p, score: 0, rect: {left: p.x - c.dot, right: p.x + c.dot + 4 + w, top: p.y - h / 2, bottom: p.y + h / 2}, side: 'right'});
          tries.push({p: p, score: -1, rect: {left: p.x - w - 4 - c.dot, right: p.x + c.dot, top: p.y - h / 2, bottom: p.y + h / 2}, side: 'left'});
        } else if (lab.k === 'river') {
          var a = (cd[3] || 0) * Math.PI / 180, bw = Math.abs(w * Math.cos(a)) + Math.abs(h * Math.sin(a)),
            bh = Math.abs(w * Math.sin(a)) + Math.abs(h * Math.cos(a));
          tries.push({p: p, angle: cd[3] || 0, score: -Math.hypot(p.x - centre.x, p.y - centre.y),
            rect: {left: p.x - bw / 2, right: p.x + bw / 2, top: p.y - bh / 2, bottom: p.y + bh / 2}});
        } else {
          var depth = cd[2] * pxPerDeg;
          if (depth < Math.max(CS.min_score_px, h / 2)) { return; }
          tries.push({p: p, score: Math.min(depth, p.x, size.x - p.x, p.y, size.y - p.y) - 1e-3 * Math.hypot(p.x - centre.x, p.y - centre.y),
            rect: {left: p.x - w / 2, right: p.x + w / 2, top: p.y - h / 2, bottom: p.y + h / 2}});
        }
      });
      tries.sort(function (x, y) { return y.score - x.score; });
      if (lab.k === 'country' && countryShapes[lab.n]) { tries = tries.concat(edgeTries(countryShapes[lab.n].polys, w, h, size)); }
      if (lab.k === 'sea' && !tries.length && lab.c.length > 1 && lab.c.some(function (cd) { return near.contains([cd[0], cd[1]]); })) {
        tries = seaTries(lab, w, h, size);
      }
      for (var i = 0; i < tries.length && i < 40; i++) {
        var r = tries[i].rect;
        if (r.left < 0 || r.top < 0 || r.right > size.x || r.bottom > size.y || overlaps(r, occupied)) { continue; }
        var pos = map.containerPointToLayerPoint(L.point(r.left, r.top));
        L.DomUtil.setPosition(node, pos);
        if (lab.k === 'river') {
          node.style.width = c.w + 'px';
          node.style.transformOrigin = '50% 50%';
          node.style.transform += ' translate(' + ((r.right - r.left - w) / 2) + 'px,' + ((r.bottom - r.top - h) / 2) + 'px) rotate(' + tries[i].angle + 'deg)';
        }
        node.classList.toggle('cm-ctx-left', tries[i].side === 'left');
        node.hidden = false;
        occupied.push({left: r.left - 3, right: r.right + 3, top: r.top - 2, bottom: r.bottom + 2});
        shown++;
        return;
      }
    });
  }
  map.on('moveend resize', function () { window.requestAnimationFrame(placeContext); });
  map.on('zoomstart', function () { ctxPane.classList.add('cm-ctx-zooming'); });
  map.on('zoomend', function () { ctxPane.classList.remove('cm-ctx-zooming'); });

  // ----------------------------------------------------------------- update
  var lastKey = [];
  function styleKey(a, pi) {
    return a.s + '|' + a.actor + '|' + a.actors.join(',') + (a.stale ? '|old' : '') + (P[pi].ch ? '|' + childrenActive(pi) : '');
  }
  function update() {
    var t = state.t;
    state.assessments = assessAll(t);
    P.forEach(function (p, pi) {
      var layer = layers[pi];
      if (!layer) { return; }
      var a = state.assessments[pi], key = styleKey(a, pi);
      if (lastKey[pi] !== key) {
        layer.setStyle(RULES.fade(p.d === 'point' ? pointStyle(a) : unitStyle(a, pi), a));
        if (p.d === 'point') { layer.setRadius(pointStyle(a).radius); }
        lastKey[pi] = key;
      }
      if (labels[pi]) { labels[pi].textContent = shortLabel(a); }
    });
    if (DATA.cluster) { updateClusters(); }
    declutter();
    placeContext();
    document.getElementById('cm-asof').textContent = fmtTime(t);
    document.getElementById('cm-local').textContent = fmtLocal(t) ? '(' + fmtLocal(t) + ')' : '';
    var info = steps.length
      ? fmtDate(t) + ' \u2014 step ' + (state.step + 1) + ' of ' + steps.length + (t !== steps[state.step] ? ' (between steps)'
        : (DATA.window_ends || []).indexOf(state.step) >= 0 ? ' (a claim stops counting: its window ran out)' : '')
      : 'No time steps';
    document.getElementById('cm-stepinfo').textContent = info;
    slider.setAttribute('aria-valuetext', info + ', ' + zoneName(t));
    var zone = document.getElementById('cm-zone');
    if (zone) { zone.textContent = 'Times in ' + zoneDescription(t) + (isUtcZone() ? '' : ' (the time zone of most claims)') + '.'; }
    if (!placesUi.panel.hidden) { renderPlaces(); }
    document.getElementById('cm-map').setAttribute('data-time', fmtHash(t));
    renderCounts();
    if (state.popupPlace >= 0 && map._popup && map.hasLayer(map._popup)) {
      map._popup.setContent(popupContent(state.popupPlace));
    }
  }

  // ------------------------------------------------------------- page text
  function renderText() {
    var nDirect = C.filter(function (c) { return c[FROM] < 0; }).length;
    document.getElementById('cm-subtitle').textContent = 'Reported control from ' + nDirect + ' claim' + (nDirect === 1 ? '' : 's') +
      ' by ' + CL.length + ' claimant' + (CL.length === 1 ? '' : 's') + ' about ' +
      P.filter(function (p) { return p.e.length; }).length + ' places. Click a place (or use Places on the map) to read the claims.';
    var rules = document.getElementById('cm-rules');
    var w = DATA.window_minutes;
    [
      'Each colour shows what the claims say, not what is verified.',
      'A claim about control stands from the earliest time it gives until the same claimant says something new about the place, ' +
        'or another claimant reports a change (a capture, a withdrawal, a recapture) more than ' +
        (DATA.rules.dispute_window_minutes === null ? '0' : Math.round(DATA.rules.dispute_window_minutes / 60)) +
        ' hours later; contrary claims closer in time stand side by side as disputed. Each place says when it was last reported.',
      'Attack reports count for ' + (w ? Math.round(w / 60) + ' hours after their latest time.' : 'ever (no window).'),
      'Controlled: every current claim names the same actor. Contested: current claims report fighting. ' +
        'Disputed: claimants disagree (one says held, another says lost, contested or denied).',
      'Partial control: a claim that an actor holds part of the place (its scope), shown with that scope. ' +
        'Denied: only denials are current (someone says an actor does not hold the place).',
      'Attacks are incidents and never change who is said to hold a place.',
      'A claim about a whole province with scope "all districts" also applies to each district; district counts are shown as shares.',
      'Towns are circles and never recolour their district. Claims that only name a unit are drawn as that unit, never as a pin.',
      'Times are in ' + zoneDescription(state.t || T_LO) + (isUtcZone() ? '' : ' (the zone most claims give), with UTC beside them') +
        '. The date in the address bar (#date=..., in UTC) reopens the map at the same moment.'
    ].forEach(function (r) { rules.appendChild(el('p', null, r)); });
    var ul = document.getElementById('cm-sources');
    (DATA.sources || []).forEach(function (s) { ul.appendChild(el('li', null, s)); });
    (DATA.attribution || []).forEach(function (s) { ul.appendChild(el('li', null, s)); });
    var meta = {};
    try { meta = JSON.parse(document.getElementById('conflictmap-metadata').textContent); } catch (err) { meta = {}; }
    document.getElementById('cm-made').textContent = 'Made with ' + (meta.tool || 'conflictmap') + ' ' + (meta.version || '') +
      (meta.created ? ' on ' + meta.created : '') + (meta.inputs_sha256 ? '; inputs sha256 ' + String(meta.inputs_sha256).slice(0, 12) + '\u2026' : '') + '.';
  }

  // ------------------------------------------------------------------- start
  renderText();
  renderAxis();
  renderLegend();
  renderFilter();
  var fromHash = hashDate();
  if (fromHash !== null) {
    setTime(fromHash, true);
  } else if (state.t !== null && state.t !== undefined) {
    setTime(state.t, true);
  } else {
    update();
  }
  // Embedded in an article: tell the host page how tall the content is, so its optional resize
  // script (`conflictmap embed --resize`) can fit the iframe. Only a number is sent, and it is
  // harmless to anyone who reads it; the host checks that the message comes from its iframe.
  if (window.parent && window.parent !== window) {
    var app = document.getElementById('cm-app'), lastHeight = 0, pending = false;
    var postHeight = function () {
      pending = false;
      var h = Math.ceil(app.getBoundingClientRect().height);
      if (!h || Math.abs(h - lastHeight) < 2) { return; }
      lastHeight = h;
      try { window.parent.postMessage({type: 'conflictmap:height', height: h}, '*'); } catch (err) { /* no parent */ }
    };
    var schedule = function () { if (!pending) { pending = true; window.requestAnimationFrame(postHeight); } };
    if (window.ResizeObserver) { new window.ResizeObserver(schedule).observe(app); }
    window.addEventListener('resize', schedule);
    schedule();
  }

  // For tests and embedding pages: read-only view of the current state.
  window.conflictmap = {
    time: function () { return state.t; },
    steps: function () { return steps.slice(); },
    setTime: function (t) { setTime(t); },
    states: function () {
      return state.assessments.map(function (a, pi) {
        return {place: P[pi].n, id: P[pi].id, status: a.s, actor: a.actor >= 0 ? A[a.actor].name : '', label: statusLabel(a),
          claims: a.ids.slice(), actors: a.actors.map(function (x) { return A[x].name; }), age: ageLabel(a), stale: !!a.stale};
      });
    },
    counts: function () { return state.counts; },
    // The basemap's context names now shown (kind, name, box in page pixels), and the view.
    contextLabels: function () {
      return ctxLabels.filter(function (c) { return !c.node.hidden; }).map(function (c) {
        var r = c.node.getBoundingClientRect();
        return {kind: c.lab.k, name: c.node.textContent, left: r.left, top: r.top, right: r.right, bottom: r.bottom};
      });
    },
    setView: function (lat, lon, zoom) { readerMoved = true; map.setView([lat, lon], zoom, {animate: false}); placeContext(); },
    setClaimants: function (names) {  // tick only these claimants (null: all), as the filter does
      state.view = 'assessed';
      state.enabled = CL.map(function (c) { return !names || names.indexOf(c.name) >= 0; });
      renderFilter(); update();
    },
    layerStyle: function (name, kind) {
      for (var i = 0; i < P.length; i++) {
        if (P[i].n === name && layers[i] && (!kind || P[i].k === kind)) {
          var o = layers[i].options;
          if (layers[i].eachLayer) { layers[i].eachLayer(function (l) { o = l.options; }); }
          return {fillColor: typeof o.fillColor === 'string' && o.fillColor.indexOf('url(') !== 0 ? o.fillColor : 'pattern', color: o.color, dashArray: o.dashArray || null, fillOpacity: o.fillOpacity,
            weight: o.weight, opacity: o.opacity, radius: o.radius};
        }
      }
      return null;
    },
    pointOf: function (name, kind) {
      for (var i = 0; i < P.length; i++) {
        if (P[i].n === name && layers[i] && (!kind || P[i].k === kind)) {
          var ll = P[i].ll || layers[i].getBounds().getCenter();
          var pt = map.latLngToContainerPoint(ll), box = map.getContainer().getBoundingClientRect();
          return {x: box.left + pt.x, y: box.top + pt.y};
        }
      }
      return null;
    },
    zoomTo: function (name) {
      for (var i = 0; i < P.length; i++) {
        if (P[i].n === name && layers[i]) {
          if (layers[i].getBounds) { map.fitBounds(layers[i].getBounds(), {padding: [30, 30], animate: false}); }
          else { map.setView(P[i].ll, 10, {animate: false}); }
          return true;
        }
      }
      return false;
    },
    places: function () {
      return P.map(function (p, pi) { return {name: p.n, kind: p.k, drawn: layers[pi] ? p.d : 'none', warnings: (p.w || []).slice()}; });
    },
    frame: function () { readerMoved = false; frameClaims(); },
    unproject: function (x, y) {  // page coordinates -> [lat, lon]
      var box = map.getContainer().getBoundingClientRect(), ll = map.containerPointToLatLng([x - box.left, y - box.top]);
      return [ll.lat, ll.lng];
    },
    project: function (lat, lon) {
      var pt = map.latLngToContainerPoint([lat, lon]), box = map.getContainer().getBoundingClientRect();
      return {x: box.left + pt.x, y: box.top + pt.y};
    },
    view: function () {
      var b = map.getBounds(), size = map.getSize();
      return {south: b.getSouth(), west: b.getWest(), north: b.getNorth(), east: b.getEast(), width: size.x, height: size.y, zoom: map.getZoom()};
    },
    openPlace: function (name) {
      for (var i = 0; i < P.length; i++) { if (P[i].n === name && layers[i]) { openPopup(i); return true; } }
      return false;
    }
  };
}());
