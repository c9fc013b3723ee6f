/* Offline search over the sharded index in static/search/ (evidencesite/site/search_index.py). Vanilla ES2017, no modules.
   Shards are plain scripts added on demand, so search works from a web server and from disk (file://). */
(function (root) {
  'use strict';
  var T = root.EvidenceSearchTerms || (typeof require === 'function' ? require('./search-terms.js') : null);
  var TOPIC = 1.5; // a topic page outranks a study note for the same match (the home page, which touches on everything, does not)

  /* Every index term that matches a query term: itself (full weight) or one it begins (half weight). */
  function matches(shard, word) {
    var found = [];
    if (!shard) return found;
    if (shard[word]) found.push([shard[word], 1]);
    for (var t in shard) if (t !== word && t.lastIndexOf(word, 0) === 0) found.push([shard[t], 0.5]);
    return found;
  }

  /* A term's postings as [document, weight, ...]: the shard holds them as one string of fixed-width records, each
     the document's number in base 36 (meta.width digits) and one character for its weight (search_postings.py). */
  var WEIGHT_DIGITS = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_';
  function postingsOf(packed, width) {
    var out = [];
    for (var i = 0; i < packed.length; i += width + 1) {
      out.push(parseInt(packed.substr(i, width), 36), WEIGHT_DIGITS.indexOf(packed.charAt(i + width)));
    }
    return out;
  }

  /* Rank documents for the query terms `words`, given the index's meta and its loaded term shards (by number).
     For each query term its best field weight times its rarity (BM25's idf), summed, times the share of the
     query's rarity a document matched (so a page missing a common word loses less than one missing a rare one),
     times TOPIC for topic pages. Ties go to the document matching more words, then to the index's order (topic
     pages first, then study notes newest first), never to the alphabet. */
  function rank(words, meta, termShards) {
    var scores = {}, matched = {}, rarities = {}, total = 0;
    words.forEach(function (w) {
      var best = {}, rarest = 0;
      matches(termShards[T.bucket(w, meta.terms)], w).forEach(function (m) {
        var postings = postingsOf(m[0], meta.width), df = postings.length / 2;
        var rarity = Math.log(1 + (meta.docs - df + 0.5) / (df + 0.5)); // BM25's idf: a word on every page weighs ~0
        rarest = Math.max(rarest, rarity * m[1]);
        for (var k = 0; k < postings.length; k += 2) {
          var value = postings[k + 1] * m[1] * rarity;
          if (!(postings[k] in best) || best[postings[k]] < value) best[postings[k]] = value;
        }
      });
      total += rarest;
      Object.keys(best).forEach(function (doc) {
        scores[doc] = (scores[doc] || 0) + best[doc];
        matched[doc] = (matched[doc] || 0) + 1;
        rarities[doc] = (rarities[doc] || 0) + rarest;
      });
    });
    var kinds = meta.kinds || '';
    var hits = Object.keys(scores).map(function (doc) {
      var cover = total > 0 ? rarities[doc] / total : matched[doc] / words.length;
      var topic = kinds.charAt(+doc) === 'p' ? TOPIC : 1;
      return { doc: +doc, score: scores[doc] * cover * cover * topic, matched: matched[doc] };
    });
    hits.sort(function (a, b) { return b.score - a.score || b.matched - a.matched || a.doc - b.doc; });
    return hits;
  }

  /* The ranked hits for a query as typed (what the page shows, and what tests run under node). */
  function search(query, meta, termShards) { return rank(T.terms(query), meta, termShards); }

  if (typeof module !== 'undefined' && module.exports) { module.exports = { rank: rank, search: search }; return; }
  if (typeof document === 'undefined') return;

  var form = document.getElementById('search-form');
  var input = document.getElementById('search-q');
  var status = document.getElementById('search-status');
  var list = document.getElementById('search-results');
  var more = document.getElementById('search-more');
  if (!input || !status || !list || !T) return;
  var PREFIX = '../'; // the search page is search/index.html; index paths are relative to the site root
  var PAGE = 10; // results shown at once: each shown result may need its document shard
  var meta = null, termShards = {}, docShards = {}, waiting = {}, shown = 0, hits = [], terms = [], token = 0;

  window.EVIDENCE_SEARCH = {
    meta: function (m) { meta = m; done('meta'); },
    terms: function (d) { termShards[d[0]] = d[1]; done('t' + d[0]); },
    docs: function (d) { docShards[d[0]] = d[1]; done('d' + d[0]); }
  };

  function done(name) { (waiting[name] || []).forEach(function (f) { f(); }); delete waiting[name]; }

  /* Load a shard script once; call back when it has arrived (or failed: then it stays missing). */
  function load(name, have, callback) {
    if (have) { callback(); return; }
    if (waiting[name]) { waiting[name].push(callback); return; }
    waiting[name] = [callback];
    var s = document.createElement('script');
    s.src = PREFIX + 'static/search/' + name + '.js';
    s.onerror = function () { done(name); };
    document.head.appendChild(s);
  }

  function loadAll(names, isLoaded, callback) {
    var left = names.length;
    if (!left) { callback(); return; }
    names.forEach(function (n) { load(n, isLoaded(n), function () { if (--left === 0) callback(); }); });
  }

  function documentOf(doc) {
    var shard = docShards[Math.floor(doc / meta.perShard)];
    return shard ? shard[doc % meta.perShard] : null;
  }

  function highlight(el, text, words) {
    var folded = T.fold(text), ranges = [];
    if (folded.length !== text.length) { el.appendChild(document.createTextNode(text)); return; }
    words.forEach(function (w) {
      var re = new RegExp('(^|[^\\p{L}\\p{N}])(' + w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + ')', 'gu'), m;
      while ((m = re.exec(folded)) !== null) ranges.push([m.index + m[1].length, m.index + m[0].length]);
    });
    ranges.sort(function (a, b) { return a[0] - b[0]; });
    var pos = 0;
    ranges.forEach(function (r) {
      if (r[0] < pos) return;
      el.appendChild(document.createTextNode(text.slice(pos, r[0])));
      var mark = document.createElement('mark');
      mark.textContent = text.slice(r[0], r[1]);
      el.appendChild(mark);
      pos = r[1];
    });
    el.appendChild(document.createTextNode(text.slice(pos)));
  }

  function showMore() {
    var page = hits.slice(shown, shown + PAGE), mine = token;
    var needed = {};
    page.forEach(function (h) { needed['d' + Math.floor(h.doc / meta.perShard)] = true; });
    loadAll(Object.keys(needed), function (n) { return +n.slice(1) in docShards; }, function () {
      if (mine !== token) return;
      var fragment = document.createDocumentFragment();
      page.forEach(function (h) {
        var d = documentOf(h.doc);
        if (!d) return;
        var li = document.createElement('li'), a = document.createElement('a');
        a.href = PREFIX + String(d[1]).replace(/^\/+/, '');
        highlight(a, d[0] || d[1], terms);
        li.appendChild(a);
        if (d[3]) { var m = document.createElement('span'); m.className = 'result-meta'; m.textContent = d[3]; li.appendChild(m); }
        if (d[4]) { var p = document.createElement('p'); p.className = 'result-snippet'; highlight(p, d[4], terms); li.appendChild(p); }
        fragment.appendChild(li);
      });
      list.appendChild(fragment);
      shown += page.length;
      if (more) more.hidden = shown >= hits.length;
    });
  }

  function unavailable() {
    status.textContent = 'Search could not load its index (static/search/). Browse the ';
    [['study explorer', 'studies/index.html'], ['list of references', 'references/index.html']].forEach(function (l, i) {
      var a = document.createElement('a');
      a.href = PREFIX + l[1];
      a.textContent = l[0];
      status.appendChild(a);
      status.appendChild(document.createTextNode(i ? ' instead.' : ' or the '));
    });
  }

  function render(q) {
    var mine = ++token;
    list.textContent = '';
    hits = [];
    shown = 0;
    if (more) more.hidden = true;
    if (!meta) { unavailable(); return; }
    terms = T.terms(q);
    if (!terms.length) {
      status.textContent = q.trim() ? 'Those words are too common to search for: add a more specific word.'
        : 'Type one or more words to search ' + meta.docs + ' pages.';
      return;
    }
    var names = {};
    terms.forEach(function (w) { names['t' + T.bucket(w, meta.terms)] = true; });
    status.textContent = 'Searching…';
    loadAll(Object.keys(names), function (n) { return +n.slice(1) in termShards; }, function () {
      if (mine !== token) return;
      hits = rank(terms, meta, termShards);
      var shownQ = '“' + q.trim() + '”';
      if (!hits.length) {
        status.textContent = 'No results for ' + shownQ + '. Check the spelling, or try fewer or other words.';
        return;
      }
      status.textContent = hits.length + (hits.length === 1 ? ' result' : ' results') + ' for ' + shownQ;
      showMore();
    });
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

  if (more) more.addEventListener('click', showMore);
  intercept(form, input);
  var header = document.querySelector('form.header-search');
  intercept(header, header && header.querySelector('input[name="q"]'));
  window.addEventListener('popstate', function () { run(queryFromUrl(), false); });
  load('meta', false, function () { run(queryFromUrl(), false); });
})(this);
