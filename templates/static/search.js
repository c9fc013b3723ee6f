/* Offline search over window.EVIDENCE_SEARCH_INDEX (static/search-index.js). Vanilla ES2017, no modules. */
(function () {
  'use strict';
  var form = document.getElementById('search-form');
  var input = document.getElementById('search-q');
  var status = document.getElementById('search-status');
  var list = document.getElementById('search-results');
  if (!input || !status || !list) return;
  var PREFIX = '../'; // the search page is search/index.html; index paths are relative to the site root
  var MAX = 50;
  var index = window.EVIDENCE_SEARCH_INDEX;
  var MARKS = /[\u0300-\u036f]/g;
  var EDGE = /^[.,;:!?()[\]{}'"“”‘’«»]+|[.,;:!?()[\]{}'"“”‘’«»]+$/g; // punctuation around a word

  function norm(s) { return String(s == null ? '' : s).normalize('NFD').replace(MARKS, '').toLowerCase(); }

  /* Folded copy of s plus, for each folded character, its index in s (for highlighting). */
  function fold(s) {
    var n = '', map = [], i = 0;
    for (var ch of s) {
      var f = norm(ch);
      for (var k = 0; k < f.length; k++) { n += f[k]; map.push(i); }
      i += ch.length;
    }
    map.push(s.length);
    return { n: n, map: map };
  }

  function words(q) {
    return norm(q).split(/\s+/).map(function (w) { return w.replace(EDGE, ''); }).filter(function (w) { return w; });
  }

  var prepared = null;
  function prepare() {
    prepared = index.map(function (r) {
      return { r: r, t: norm(r.t), a: norm(r.a), s: norm(r.s), m: norm([r.d, r.y].join(' ')), x: norm(r.x) };
    });
  }

  function score(p, terms, phrase) {
    var total = 0;
    for (var i = 0; i < terms.length; i++) {
      var w = terms[i], s = 0;
      if (p.t.indexOf(w) !== -1) s += 20 + (new RegExp('(^|[^a-z0-9])' + w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).test(p.t) ? 10 : 0);
      if (p.a.indexOf(w) !== -1) s += 20;
      if (p.s.indexOf(w) !== -1) s += 4;
      if (p.m.indexOf(w) !== -1) s += 3;
      if (p.x.indexOf(w) !== -1) s += 1;
      if (!s) return 0; // every word must match somewhere
      total += s;
    }
    if (terms.length > 1 && p.t.indexOf(phrase) !== -1) total += 15;
    return total;
  }

  /* Append text to el with every occurrence of the terms wrapped in <mark>. */
  function highlight(el, text, terms) {
    var f = fold(text), ranges = [];
    terms.forEach(function (w) {
      for (var at = f.n.indexOf(w); at !== -1; at = f.n.indexOf(w, at + w.length)) ranges.push([at, at + w.length]);
    });
    ranges.sort(function (a, b) { return a[0] - b[0]; });
    var pos = 0, last = -1;
    ranges.forEach(function (rg) {
      var start = f.map[rg[0]], end = f.map[rg[1]];
      if (start < pos || rg[0] < last) return; // overlaps the previous match
      el.appendChild(document.createTextNode(text.slice(pos, start)));
      var mark = document.createElement('mark');
      mark.textContent = text.slice(start, end);
      el.appendChild(mark);
      pos = end;
      last = rg[1];
    });
    el.appendChild(document.createTextNode(text.slice(pos)));
  }

  function snippet(p, terms) {
    var r = p.r;
    if (r.s && terms.some(function (w) { return p.s.indexOf(w) !== -1; })) return r.s;
    var text = r.x || '';
    var f = fold(text), at = -1;
    terms.forEach(function (w) { var i = f.n.indexOf(w); if (i !== -1 && (at === -1 || i < at)) at = i; });
    if (at === -1) return r.s || (text.length > 200 ? text.slice(0, 200).replace(/\s+\S*$/, '') + ' …' : text);
    var start = Math.max(0, f.map[at] - 80), end = Math.min(text.length, f.map[at] + 160);
    var out = text.slice(start, end);
    if (start > 0) out = '… ' + out.replace(/^\S*\s+/, '');
    if (end < text.length) out = out.replace(/\s+\S*$/, '') + ' …';
    return out;
  }

  function render(q) {
    list.textContent = '';
    if (!Array.isArray(index)) {
      status.textContent = 'Search could not load: the search index (static/search-index.js) is missing or broken. Browse the ';
      [['study explorer', 'studies/index.html'], ['list of references', 'references/index.html']].forEach(function (l, i) {
        var a = document.createElement('a');
        a.href = PREFIX + l[1];
        a.textContent = l[0];
        status.appendChild(a);
        status.appendChild(document.createTextNode(i ? ' instead.' : ' or the '));
      });
      return;
    }
    var terms = words(q);
    if (!terms.length) {
      status.textContent = 'Type one or more words to search ' + index.length + ' pages.';
      return;
    }
    if (!prepared) prepare();
    var phrase = terms.join(' ');
    var hits = [];
    prepared.forEach(function (p) {
      var s = score(p, terms, phrase);
      if (s) hits.push({ p: p, s: s });
    });
    hits.sort(function (a, b) { return b.s - a.s || (a.p.r.t || '').localeCompare(b.p.r.t || ''); });
    var shownQ = '“' + q.trim() + '”';
    if (!hits.length) {
      status.textContent = 'No results for ' + shownQ + '. Check the spelling, or try fewer or shorter words.';
      return;
    }
    status.textContent = hits.length + (hits.length === 1 ? ' result' : ' results') + ' for ' + shownQ +
      (hits.length > MAX ? ' (showing the first ' + MAX + ')' : '');
    var fragment = document.createDocumentFragment();
    hits.slice(0, MAX).forEach(function (hit) {
      var r = hit.p.r;
      var li = document.createElement('li');
      var a = document.createElement('a');
      a.href = PREFIX + String(r.u || '').replace(/^\/+/, '');
      highlight(a, r.t || r.u || 'Untitled', terms);
      li.appendChild(a);
      var meta = [r.d, r.y].filter(function (v) { return v; }).join(', ');
      if (meta || r.a) {
        var m = document.createElement('span');
        m.className = 'result-meta';
        m.textContent = [r.a ? r.a.split(';')[0].trim() + (r.a.indexOf(';') !== -1 ? ' et al.' : '') : '', meta].filter(function (v) { return v; }).join(' · ');
        li.appendChild(m);
      }
      var text = snippet(hit.p, terms);
      if (text) {
        var para = document.createElement('p');
        para.className = 'result-snippet';
        highlight(para, text, terms);
        li.appendChild(para);
      }
      fragment.appendChild(li);
    });
    list.appendChild(fragment);
  }

  function queryFromUrl() {
    try { return new URLSearchParams(window.location.search).get('q') || ''; } catch (e) { return ''; }
  }

  function run(q, push) {
    input.value = q;
    render(q);
    if (!push || q.trim() === queryFromUrl().trim()) return;
    var url = window.location.pathname + (q.trim() ? '?q=' + encodeURIComponent(q.trim()) : '');
    try { window.history.pushState({ q: q }, '', url); } catch (e) { /* URL stays as it was */ }
  }

  function intercept(f, field) {
    if (!f || !field) return;
    f.addEventListener('submit', function (e) {
      e.preventDefault();
      run(field.value, true);
      if (field !== input) input.focus();
    });
  }

  intercept(form, input);
  var header = document.querySelector('form.header-search');
  intercept(header, header && header.querySelector('input[name="q"]'));
  window.addEventListener('popstate', function () { run(queryFromUrl(), false); });
  run(queryFromUrl(), false);
})();
