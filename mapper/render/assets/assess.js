/* conflictmap: the timeline rules in the page, read from the rule table (rules.json, DATA.rules).
 *
 * The same rules as mapper/timeline.py (supersede, assess, status_label, age_label), pinned by the
 * golden cases in tests/data/timeline_golden.json, which both the Python tests and the browser test
 * run. Inlined before conflictmap.js, which calls conflictmapRules(...) once with its decoded data.
 */
var conflictmapRules = function (DATA, C, P, A, src, txt, cols) {
  'use strict';
  var R = DATA.rules, SP = DATA.spans || [];
  var WHO = cols.WHO, ST = cols.ST, ACT = cols.ACT, T0 = cols.T0, RAW = cols.RAW, SCOPE = cols.SCOPE;
  var NAMES = ['controlled', 'contested', 'attacked', 'not_controlled', 'partial'];  // status codes (html.py)
  var DISPUTE = R.dispute_window_minutes, STALE = R.stale_after_minutes;
  var POSITIVE = R.supersede.positive;

  function status(ci) { return NAMES[C[ci][ST]]; }
  function track(ci) { return R.tracks[status(ci) === 'partial' ? 'controlled' : status(ci)]; }
  function latest(ci) { return C[ci][T0] + (SP[ci] ? SP[ci][0] : 0); }
  function natural(ci) { return SP[ci] && SP[ci][1] !== null && SP[ci][1] !== undefined ? C[ci][T0] + SP[ci][1] : null; }
  function words(s) {
    return ' ' + String(s || '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim().replace(/\s+/g, ' ') + ' ';
  }
  var changeCache = {};
  function reportsChange(ci) {
    if (changeCache[ci] === undefined) {
      var st = status(ci), list = R.change_words[st === 'partial' ? 'controlled' : st] || [];
      var raw = words(txt(src(ci), RAW) || st);
      changeCache[ci] = list.indexOf('*') >= 0 || list.some(function (w) { return raw.indexOf(' ' + w + ' ') >= 0; });
    }
    return changeCache[ci];
  }
  // Rule 4: does `nw` (another claimant's later control claim) end `old`?
  function supersedes(old, nw) {
    if (!reportsChange(nw) || C[nw][T0] <= C[old][T0]) { return false; }
    if (DISPUTE !== null && C[nw][T0] - latest(old) < DISPUTE) { return false; }
    var so = status(old), sn = status(nw), ao = C[old][ACT], an = C[nw][ACT];
    if (so === sn && ao === an) { return false; }
    if (POSITIVE.indexOf(sn) >= 0) { return true; }
    if (sn === 'not_controlled') {
      return so !== 'not_controlled' && (an < 0 || ao < 0 || an === ao || so === 'contested');
    }
    return false;
  }
  // End of each claim of one place among the claims of the claimants `on` keeps: {ci: [end, by, why]}.
  function supersede(pi, on) {
    var items = P[pi].e.filter(function (ci) { return on(C[ci][WHO]); });
    items.sort(function (a, b) { return C[a][T0] - C[b][T0] || latest(a) - latest(b) || a - b; });
    var out = {};
    items.forEach(function (ci, pos) {
      var end = natural(ci), by = -1, why = end === null ? 'standing' : 'natural';
      for (var j = pos + 1; j < items.length; j++) {
        var nx = items[j];
        if (end !== null && C[nx][T0] >= end) { break; }
        if (track(nx) !== track(ci)) { continue; }
        if (C[nx][WHO] === C[ci][WHO]) { end = C[nx][T0]; by = nx; why = 'same_claimant'; break; }
        if (track(ci) === 'control' && supersedes(ci, nx)) { end = C[nx][T0]; by = nx; why = 'change'; break; }
      }
      out[ci] = [end, by, why];
    });
    return out;
  }
  var ends = new Array(P.length), endsKey = new Array(P.length);
  function currentClaims(pi, t, on, key) {
    if (endsKey[pi] !== key) { ends[pi] = supersede(pi, on); endsKey[pi] = key; }
    var out = [], es = P[pi].e, e = ends[pi];
    for (var i = 0; i < es.length; i++) {
      var ci = es[i];
      if (C[ci][T0] > t) { continue; }
      if (e[ci] && (e[ci][0] === null || t < e[ci][0])) { out.push(ci); }
    }
    return out.sort(function (a, b) { return a - b; });
  }
  function actorsOf(ids) {
    var seen = [];
    ids.slice().sort(function (a, b) { return a - b; }).forEach(function (i) {
      var a = C[i][ACT];
      if (a >= 0 && seen.indexOf(a) < 0) { seen.push(a); }
    });
    return seen;
  }
  var PRED = {
    no_control: function (f) { return !f.control.length; },
    incident: function (f) { return f.incident.length > 0; },
    two_holders: function (f) { return f.held.length >= 2; },
    holder_denied: function (f) {
      return f.positive.length > 0 && f.denied.length > 0 &&
        (f.deniedActors.indexOf(-1) >= 0 || f.held.some(function (a) { return f.deniedActors.indexOf(a) >= 0; }));
    },
    whole: function (f) { return f.whole.length > 0; },
    partial: function (f) { return f.partial.length > 0; },
    contested: function (f) { return f.contested.length > 0; },
    denied: function (f) { return f.denied.length > 0; }
  };
  // Rule 5: the first line of R.combine whose tests all hold.
  function assess(ids, t) {
    var f = {control: [], incident: [], whole: [], partial: [], contested: [], denied: [], none: []};
    ids.forEach(function (ci) {
      if (track(ci) === 'incident') { f.incident.push(ci); return; }
      f.control.push(ci);
      f[{controlled: 'whole', partial: 'partial', contested: 'contested', not_controlled: 'denied'}[status(ci)]].push(ci);
    });
    f.positive = f.whole.concat(f.partial);
    f.held = [];
    f.positive.forEach(function (ci) { var a = C[ci][ACT]; if (a >= 0 && f.held.indexOf(a) < 0) { f.held.push(a); } });
    f.held.sort(function (a, b) { return A[a].name < A[b].name ? -1 : A[a].name > A[b].name ? 1 : 0; });
    f.deniedActors = f.denied.map(function (ci) { return C[ci][ACT]; });
    var rule = null;
    for (var i = 0; i < R.combine.length; i++) {
      rule = R.combine[i];
      if (rule['if'].every(function (p) { return PRED[p](f); })) { break; }
    }
    var s = rule.then, actors;
    if (rule.actors === 'holders') { actors = f.held.slice(0, 1); }
    else if (rule.actors === 'none') { actors = []; }
    else { actors = actorsOf(f[rule.actors]); }
    var behind = rule.claims === 'none' ? [] : f[rule.claims].slice().sort(function (a, b) { return a - b; });
    var actor = (s === 'controlled' || s === 'partial') && actors.length ? actors[0] : -1;
    var scope = '';
    if (s === 'partial') {
      var last = f.partial.reduce(function (m, ci) { return m < 0 || C[ci][T0] > C[m][T0] || (C[ci][T0] === C[m][T0] && ci > m) ? ci : m; }, -1);
      scope = txt(src(last), SCOPE);
    }
    var lastT = null;
    behind.forEach(function (ci) { if (lastT === null || C[ci][T0] > lastT) { lastT = C[ci][T0]; } });
    var age = lastT === null || t === undefined || t === null ? null : t - lastT;
    return {s: s, actor: actor, actors: actors, ids: behind, scope: scope, last: lastT, age: age,
      stale: STALE !== null && STALE !== undefined && age !== null && age > STALE};
  }
  function tidyScope(text) {
    var out = String(text || '').replace(/\s+/g, ' ').trim();
    R.scope_tidy.forEach(function (p) { out = out.replace(new RegExp(p[0], 'gi'), p[1]); });
    return out.trim();
  }
  function label(a, short) {
    var spec = R.labels[a.s];
    if (!spec) { return a.s; }
    var names = [];
    if (a.s === 'controlled' || a.s === 'partial' || a.s === 'denied') {
      names = a.actor >= 0 ? [A[a.actor].name] : a.actors.map(function (x) { return A[x].name; });
    }
    var who = names.join(R.actor_joiner), key = short ? 'short' : 'long';
    var tpl = !who && spec[key + '_no_actor'] !== undefined ? spec[key + '_no_actor'] : spec[key];
    return tpl.split('{actor}').join(who).split('{scope}').join(tidyScope(a.scope));
  }
  function ageLabel(a) {
    if (a.age === null || a.age === undefined) { return ''; }
    var spec = R.age, m = Math.floor(a.age), units = spec.units;
    for (var i = 0; i < units.length; i++) {
      var n = Math.floor(m / units[i][1]);
      if (n >= spec.min_count || (i === units.length - 1 && n >= 1)) {
        return spec.template.replace('{age}', n + ' ' + units[i][0] + (n === 1 ? '' : 's'));
      }
    }
    return spec.under_an_hour;
  }
  // Faded drawing of a state older than --stale-after (the same style, lighter).
  function fade(style, a) {
    if (!a.stale) { return style; }
    var k = R.stale.fill_opacity_factor, s = {};
    Object.keys(style).forEach(function (x) { s[x] = style[x]; });
    s.fillOpacity = (s.fillOpacity || 0) * k;
    s.opacity = (s.opacity === undefined ? 1 : s.opacity) * Math.max(k, 0.5);
    return s;
  }
  return {currentClaims: currentClaims, assess: assess, label: label, ageLabel: ageLabel, fade: fade,
    supersede: supersede, reportsChange: reportsChange};
};
