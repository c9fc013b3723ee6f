/* Study explorer: filter the studies by the form's selects and sort them (by a column heading, or the Sort select on
   a phone, where the rows are cards); the filters and the sort order are kept in the URL query. The selection can be
   downloaded as BibTeX, RIS, CSL-JSON or CSV.

   A small site has every study on the page, and the rows are filtered where they are. A large one shows its studies
   page by page (studies/page-2.html…, which work without JavaScript); as soon as a filter or an order is chosen, the
   data of every study is loaded from static/explorer/studies-N.js (site/explorer_data.py: plain scripts, which
   load from disk too) and the matching rows are drawn from it, a hundred at a time. The downloads come from
   static/explorer/cite-N.js, loaded on the first download. */
(function () {
  'use strict';
  var doc = document;
  var table = doc.getElementById('explorer');
  if (!table || !table.tBodies.length) return;
  var tbody = table.tBodies[0];
  var form = doc.getElementById('explorer-filters');
  var countEl = doc.getElementById('result-count');
  var moreButton = doc.querySelector('.explorer-more');
  var downloads = doc.querySelector('.explorer-downloads');
  var caption = table.caption;
  var pagers = ['explorer-pager', 'explorer-pager-end'].map(function (id) { return doc.getElementById(id); })
    .filter(Boolean);
  var total = parseInt(table.getAttribute('data-total'), 10) || tbody.rows.length;
  var paged = (parseInt(table.getAttribute('data-pages'), 10) || 1) > 1;
  var files = (table.getAttribute('data-files') || '').split(' ').filter(Boolean);
  var studyUrl = table.getAttribute('data-study-url') || 'SLUG/index.html';
  var SHOW = 100; // rows drawn at a time from the data
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };

  // one filter per select of the form: the site's taxonomies (named by the vocabulary) and these
  var SINGLE = { design: true, population: true, finding: true, rob: true };
  var selects = form ? form.querySelectorAll('select[name]') : [];
  var FIELDS = Array.prototype.map.call(selects, function (el) { return el.name; })
    .filter(function (name) { return name !== 'sort'; });
  var sortSelect = form ? form.querySelector('select[name="sort"]') : null;
  var headers = Array.prototype.slice.call(table.querySelectorAll('thead th[data-sort]'));
  // the taxonomy columns, after n, in the order of data-taxonomies (a required one is marked '!')
  var taxonomies = (table.getAttribute('data-taxonomies') || '').split(' ').filter(Boolean).map(function (word, i) {
    var th = table.tHead.rows[0].cells[6 + i];
    return { param: word.replace('!', ''), required: word.slice(-1) === '!', title: th ? th.textContent.trim() : '' };
  });

  function select(name) { return form ? form.querySelector('select[name="' + name + '"]') : null; }

  // labels of every value, read from the form's options: the data files do not repeat them
  function options(name) {
    var found = {};
    var el = select(name);
    if (el) each(el.options, function (o) { if (o.value) found[o.value] = o; });
    return found;
  }
  var designs = options('design'), findings = options('finding'), robs = options('rob');
  var termTitles = taxonomies.map(function (taxonomy) {
    var titles = {};
    var opts = options(taxonomy.param);
    Object.keys(opts).forEach(function (slug) { titles[slug] = opts[slug].textContent; });
    return titles;
  });

  /* A record per study: its filter values, its sort keys (by column data-key) and its row once drawn. */
  var built = Array.prototype.slice.call(tbody.rows); // the rows this page was built with
  var records = paged ? null : built.map(fromRow);
  var limit = SHOW;
  var loading = false;

  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) return '';
    var v = cell.hasAttribute('data-value') ? cell.getAttribute('data-value') : cell.textContent;
    return v.replace(/\s+/g, ' ').trim();
  }

  function fromRow(row, index) {
    var record = { index: index, row: row, filters: {}, sort: {} };
    FIELDS.forEach(function (name) { record.filters[name] = row.getAttribute('data-' + name) || ''; });
    headers.forEach(function (th) { record.sort[th.getAttribute('data-key')] = cellValue(row, th.cellIndex); });
    return record;
  }

  // ROW_FIELDS of explorer_data.py
  function fromData(d, index) {
    var record = { index: index, row: null, data: d, filters: {}, sort: {} };
    var design = designs[d[4]], finding = findings[d[10]], rob = robs[d[11]];
    taxonomies.forEach(function (taxonomy, i) { record.filters[taxonomy.param] = d[8][i].join(' '); });
    record.filters.design = d[4];
    record.filters.population = d[5];
    record.filters.finding = d[10];
    record.filters.rob = d[11];
    record.sort = {
      year: String(d[2]), author: d[3], title: d[1] + (d[12] ? ' Retracted' : ''),
      design: design ? design.getAttribute('data-rank') : '', population: populationLabel(d[5]),
      n: d[7] === null ? '' : String(d[7]), finding: finding ? finding.textContent : '',
      rob: rob ? rob.getAttribute('data-level') : '9'
    };
    return record;
  }

  function populationLabel(value) { return value === 'human' ? 'Human' : value ? 'Animal' : ''; }

  function esc(text) {
    return String(text).replace(/[&<>"]/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]; });
  }

  function drawRow(record) {
    var d = record.data;
    var design = designs[d[4]], finding = findings[d[10]], rob = robs[d[11]];
    var tr = doc.createElement('tr');
    FIELDS.forEach(function (name) { tr.setAttribute('data-' + name, record.filters[name]); });
    var cells = [
      '<td data-label="Year" data-value="' + d[2] + '">' + d[2] + '</td>',
      '<td data-label="First author">' + esc(d[3]) + '</td>',
      '<td data-label="Study"><a href="' + esc(studyUrl.replace('SLUG', d[0])) + '">' + esc(d[1]) + '</a> ' +
        (d[12] ? '<span class="badge badge-retracted">Retracted</span>' : '') + '</td>',
      '<td data-label="Design" data-value="' + esc(record.sort.design) + '"><span class="badge badge-design design-' +
        esc(d[4]) + '">' + esc(design ? design.textContent : d[4]) + '</span></td>',
      '<td data-label="Population">' + (d[5] ? '<span class="badge badge-population population-' + esc(d[5]) + '">' +
        populationLabel(d[5]) + '</span>' : '') + '</td>',
      '<td data-label="n" data-value="' + (d[7] === null ? '' : d[7]) + '">' + (d[6] ? esc(d[6]) : '–') + '</td>'
    ];
    taxonomies.forEach(function (taxonomy, i) {
      var titles = d[8][i].map(function (slug) { return esc(termTitles[i][slug] || slug); }).join(', ');
      var background = taxonomy.required && d[9] ? '<span class="muted">background</span>' : '';
      cells.push('<td data-label="' + esc(taxonomy.title) + '">' + titles + background + '</td>');
    });
    cells.push('<td data-label="Direction of result">' + (finding ? '<span class="badge badge-finding finding-' +
      esc(d[10]) + '">' + esc(finding.textContent) + '</span>' : '') + '</td>');
    if (robs && select('rob')) {
      cells.push('<td data-label="Risk of bias" data-value="' + esc(record.sort.rob) + '">' + (rob ? '<span class="rob rob-level-' +
        esc(rob.getAttribute('data-level')) + '">' + esc(rob.getAttribute('data-symbol')) + ' ' + esc(rob.textContent) +
        '</span>' : '<span class="muted">Not assessed</span>') + '</td>');
    }
    tr.innerHTML = cells.join('');
    return tr;
  }

  /* State: the filters and the order, as in the URL. */
  function current() {
    var state = {};
    FIELDS.forEach(function (name) {
      var el = select(name);
      if (el && el.value) state[name] = el.value;
    });
    return state;
  }

  function active() { return Object.keys(current()).length > 0 || !!(sortSelect && sortSelect.value); }

  function matches(record, state) {
    return FIELDS.every(function (name) {
      var want = state[name];
      if (!want) return true;
      var have = record.filters[name];
      return SINGLE[name] ? have === want : have.split(/\s+/).indexOf(want) !== -1;
    });
  }

  var collator = window.Intl && Intl.Collator ? new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' }) : null;

  /* The order as a URL value: 'year-asc', 'title-desc', ... ('' is the order the site was built in). */
  function ordered(list) {
    var match = /^(.+)-(asc|desc)$/.exec(sortSelect && sortSelect.value || '');
    var th = match && headers.filter(function (h) { return h.getAttribute('data-key') === match[1]; })[0];
    headers.forEach(function (h) { if (h !== th) h.removeAttribute('aria-sort'); });
    if (!th) return list.slice().sort(function (a, b) { return a.index - b.index; });
    th.setAttribute('aria-sort', match[2] === 'asc' ? 'ascending' : 'descending');
    var key = match[1], numeric = th.getAttribute('data-sort') === 'number', sign = match[2] === 'desc' ? -1 : 1;
    var keyed = list.map(function (record) {
      var raw = record.sort[key] || '';
      var value = numeric ? parseFloat(raw.replace(/[^0-9.eE+-]/g, '')) : raw;
      var blank = numeric ? isNaN(value) : raw === '' || raw === '–' || raw === '-';
      return { record: record, value: value, blank: blank };
    });
    keyed.sort(function (a, b) {
      if (a.blank !== b.blank) return a.blank ? 1 : -1; // blanks last in both directions
      var c = 0;
      if (!a.blank) {
        if (numeric) c = a.value - b.value;
        else c = collator ? collator.compare(a.value, b.value) : (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
      }
      return c ? c * sign : a.record.index - b.record.index; // ties keep the site's order
    });
    return keyed.map(function (item) { return item.record; });
  }

  var shownRecords = [];

  function setRows(rows) {
    var fragment = doc.createDocumentFragment();
    rows.forEach(function (row) { fragment.appendChild(row); });
    while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
    tbody.appendChild(fragment);
  }

  function plural(n) { return n + ' ' + (n === 1 ? 'study' : 'studies'); }

  function render() {
    var staticPage = paged && !active();
    pagers.forEach(function (el) { el.hidden = !staticPage; });
    if (staticPage) { // the page as built: its own rows, its pages
      setRows(built);
      shownRecords = null;
      headers.forEach(function (h) { h.removeAttribute('aria-sort'); });
      if (moreButton) moreButton.hidden = true;
      if (countEl) countEl.textContent = caption ? caption.textContent : '';
      if (downloads) downloads.hidden = true;
      return;
    }
    if (!records) { load(render); return; }
    var state = current();
    var found = ordered(records.filter(function (record) { return matches(record, state); }));
    shownRecords = found;
    var drawn = paged ? found.slice(0, limit) : found;
    setRows(drawn.map(function (record) { return record.row || (record.row = drawRow(record)); }));
    if (moreButton) moreButton.hidden = drawn.length >= found.length;
    if (countEl) {
      countEl.textContent = found.length ? found.length + ' of ' + plural(total) +
        (drawn.length < found.length ? ' (the first ' + drawn.length + ' shown)' : '')
        : 'No study matches these filters (0 of ' + plural(total) + '). Clear a filter to see more.';
    }
    if (downloads) {
      downloads.hidden = !found.length;
      downloads.firstChild.textContent = 'Download ' + (found.length === 1 ? 'this study' : 'these ' + found.length + ' studies') + ': ';
    }
  }

  /* Data files: plain scripts that push [number, rows] onto self[variable]; `done` runs once all have loaded. */
  function loadAll(urls, variable, done) {
    var left = urls.length;
    var failed = false;
    if (!left) { done([]); return; }
    urls.forEach(function (url) {
      var script = doc.createElement('script');
      script.src = url;
      script.onload = function () {
        if (--left || failed) return;
        var parts = (window[variable] || []).slice().sort(function (a, b) { return a[0] - b[0]; });
        done(parts.reduce(function (all, part) { return all.concat(part[1]); }, []));
      };
      script.onerror = function () {
        failed = true;
        if (countEl) countEl.textContent = 'The list of studies could not be loaded: reload the page to try again.';
      };
      doc.head.appendChild(script);
    });
  }

  function load(then) {
    if (loading) return;
    loading = true;
    if (countEl) countEl.textContent = 'Loading all ' + plural(total) + '…';
    loadAll(files, 'explorerData', function (rows) {
      records = rows.map(fromData);
      // the rows this page was built with stand for their own studies
      var byUrl = {};
      records.forEach(function (r) { byUrl[studyUrl.replace('SLUG', r.data[0])] = r; });
      built.forEach(function (row) {
        var link = row.querySelector('a[href]');
        var record = link && byUrl[link.getAttribute('href')];
        if (record) record.row = row;
      });
      then();
    });
  }

  /* Downloads: each study's BibTeX, RIS, CSL-JSON item and CSV row, joined as the site's own exports join them. */
  var citeChunks = {}; // data file number (from 0) -> its studies' downloads
  var chunkSize = parseInt(table.getAttribute('data-chunk'), 10) || 1000;
  var FORMATS = {
    bib: { type: 'application/x-bibtex', name: 'studies.bib', join: function (p) { return p.map(function (x) { return x[0]; }).join('\n'); } },
    ris: { type: 'application/x-research-info-systems', name: 'studies.ris', join: function (p) { return p.map(function (x) { return x[1]; }).join('\r\n'); } },
    json: { type: 'application/vnd.citationstyles.csl+json', name: 'studies.json', join: function (p) {
      return p.length ? '[\n' + p.map(function (x) { return x[2]; }).join(',\n') + '\n]\n' : '[]\n';
    } },
    csv: { type: 'text/csv', name: 'studies.csv', join: function (p) {
      return table.getAttribute('data-csv-header') + '\r\n' + p.map(function (x) { return x[3]; }).join('');
    } }
  };

  // the text of a download of the studies shown, in their order: 'bib', 'ris', 'json' or 'csv'; only the files
  // holding those studies are loaded
  function downloadText(format, then) {
    var chosen = shownRecords || [];
    var needed = {};
    chosen.forEach(function (r) { needed[Math.floor(r.index / chunkSize)] = true; });
    var missing = Object.keys(needed).filter(function (n) { return !citeChunks[n]; });
    if (!missing.length) {
      then(FORMATS[format].join(chosen.map(function (r) { return citeChunks[Math.floor(r.index / chunkSize)][r.index % chunkSize]; })));
      return;
    }
    var urls = missing.map(function (n) { return files[n].replace(/studies-(\d+)\.js$/, 'cite-$1.js'); });
    loadAll(urls, 'explorerCite', function () {
      (window.explorerCite || []).forEach(function (part) { citeChunks[part[0] - 1] = part[1]; });
      downloadText(format, then);
    });
  }
  window.explorerDownloadText = downloadText; // for the tests, and for a reader's own scripts

  function download(format) {
    downloadText(format, function (text) {
      var link = doc.createElement('a');
      link.href = URL.createObjectURL(new Blob([text], { type: FORMATS[format].type + ';charset=utf-8' }));
      link.download = FORMATS[format].name;
      doc.body.appendChild(link);
      link.click();
      setTimeout(function () { URL.revokeObjectURL(link.href); doc.body.removeChild(link); }, 1000);
    });
  }

  function readUrl() {
    var params;
    try { params = new URLSearchParams(window.location.search); } catch (e) { return; }
    FIELDS.concat(sortSelect ? ['sort'] : []).forEach(function (name) {
      var el = select(name);
      if (!el) return;
      var value = params.get(name) || '';
      el.value = value;
      if (el.value !== value) el.value = ''; // unknown value: fall back to "Any" (or the site's order)
    });
  }

  function writeUrl() {
    var params;
    try { params = new URLSearchParams(window.location.search); } catch (e) { return; }
    var state = current();
    FIELDS.forEach(function (name) {
      if (state[name]) params.set(name, state[name]); else params.delete(name);
    });
    if (sortSelect && sortSelect.value) params.set('sort', sortSelect.value); else params.delete('sort');
    var query = params.toString();
    var url = window.location.pathname + (query ? '?' + query : '') + window.location.hash;
    try { window.history.replaceState(window.history.state, '', url); } catch (e) { /* e.g. a sandboxed file:// view */ }
  }

  /* Column headings sort: th[data-sort="number"|"text"] gets a button; the Sort select offers the same orders. */
  headers.forEach(function (th) {
    var button = doc.createElement('button');
    button.type = 'button';
    while (th.firstChild) button.appendChild(th.firstChild);
    th.appendChild(button);
    button.addEventListener('click', function () {
      var direction = th.getAttribute('aria-sort') === 'ascending' ? 'desc' : 'asc';
      if (sortSelect) sortSelect.value = th.getAttribute('data-key') + '-' + direction;
      limit = SHOW;
      render();
      writeUrl();
    });
    var key = th.getAttribute('data-key'), name = button.textContent.replace(/\s+/g, ' ').trim();
    if (!sortSelect || !key) return;
    var numeric = th.getAttribute('data-sort') === 'number';
    [['asc', numeric ? 'lowest first' : 'A to Z'], ['desc', numeric ? 'highest first' : 'Z to A']].forEach(function (d) {
      var option = doc.createElement('option');
      option.value = key + '-' + d[0];
      option.textContent = name + ', ' + (key === 'year' ? (d[0] === 'asc' ? 'oldest first' : 'newest first') : d[1]);
      sortSelect.appendChild(option);
    });
  });

  if (moreButton) moreButton.addEventListener('click', function () { limit += SHOW; render(); });
  if (downloads) {
    each(downloads.querySelectorAll('button[data-format]'), function (button) {
      button.addEventListener('click', function () { download(button.getAttribute('data-format')); });
    });
  }
  if (form) {
    form.hidden = false;
    readUrl();
    writeUrl(); // drops filter values that match no option
    form.addEventListener('change', function () { limit = SHOW; render(); writeUrl(); });
    form.addEventListener('submit', function (e) { e.preventDefault(); render(); writeUrl(); });
    form.addEventListener('reset', function (e) {
      e.preventDefault();
      FIELDS.forEach(function (name) { var el = select(name); if (el) el.value = ''; });
      limit = SHOW;
      render(); // the filters only: the order stays as chosen
      writeUrl();
    });
    window.addEventListener('popstate', function () { readUrl(); render(); });
  }
  render();
})();
