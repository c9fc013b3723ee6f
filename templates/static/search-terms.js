/* How text becomes search terms: the same rules as evidencesite/site/search_terms.py (tests compare the two under node).
   Vanilla ES2017; defines window.EvidenceSearchTerms in the browser and module.exports under node. */
(function (root) {
  'use strict';
  var STOP = {};
  ('a about after all also an and any are as at be been but by can could did do does for from had has have ' +
   'how i if in into is it its may more most no not of on or our over should so such than that the their them ' +
   'then there these they this those through to under up was we were what when where which while who why will ' +
   'with would you your').split(' ').forEach(function (w) { STOP[w] = true; });
  var STEMS = [['anaesth', 'anesth'], ['haem', 'hem'], ['aemia', 'emia'], ['paed', 'ped'], ['oesoph', 'esoph'],
    ['oestr', 'estr'], ['foet', 'fet'], ['diarrhoe', 'diarrhe'], ['gynaec', 'gynec'], ['oedem', 'edem']];
  var RULES = [
    [/^(.{3,})is(e|ed|es|ing|ation|ations|ational)$/u, '$1iz$2'],
    [/^(.{2,})ys(e|ed|ing)$/u, '$1yz$2'],
    [/^(.{3,})our(s|ed|ing|able|ably|ite|ites|al)?$/u, '$1or$2'],
    [/^(.{2,})([tb])re(s)?$/u, '$1$2er$3'],
    [/^(.{3,}[aeiou])ll(ed|ing|er|ers)$/u, '$1l$2'],
    [/^(.{3,})ogue(s)?$/u, '$1og$2']
  ];
  var WORD = /[\p{L}\p{N}]+/gu;
  var MARKS = /[\u0300-\u036f]/g;

  function foldWord(word) {
    var n = Array.from(word).length;
    if (n > 4 && /ies$/.test(word)) word = word.slice(0, -3) + 'y';
    else if (n > 3 && /s$/.test(word) && !/(ss|us|is)$/.test(word)) word = word.slice(0, -1);
    for (var i = 0; i < STEMS.length; i++) word = word.split(STEMS[i][0]).join(STEMS[i][1]);
    for (var j = 0; j < RULES.length; j++) {
      var folded = word.replace(RULES[j][0], RULES[j][1]);
      if (folded !== word) return folded;
    }
    return word;
  }

  function fold(text) { return String(text == null ? '' : text).toLowerCase().normalize('NFD').replace(MARKS, ''); }

  /* The search terms of text, in order: words of 2+ characters that are not stop words, folded. */
  function terms(text) {
    var out = [];
    (fold(text).match(WORD) || []).forEach(function (w) {
      if (Array.from(w).length > 1 && !STOP[w]) out.push(foldWord(w));
    });
    return out;
  }

  /* The shard of a term: FNV-1a over the UTF-16 code units of its first two characters. */
  function bucket(term, buckets) {
    var head = Array.from(term).slice(0, 2).join(''), h = 0x811c9dc5;
    for (var i = 0; i < head.length; i++) { h ^= head.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
    return h % buckets;
  }

  var api = { terms: terms, bucket: bucket, fold: fold };
  if (typeof module !== 'undefined' && module.exports) module.exports = api; else root.EvidenceSearchTerms = api;
})(this);
