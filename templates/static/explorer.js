/* Study explorer: filter rows by the form's selects and sort them (by a column heading, or the Sort select on a
   phone, where the rows are cards); the filters and the sort order are kept in the URL query. */
(function () {
  'use strict';
  var table = document.getElementById('explorer');
  if (!table || !table.tBodies.length) return;
  var tbody = table.tBodies[0];
  var form = document.getElementById('explorer-filters');
  var countEl = document.getElementById('result-count');
  // one filter per select of the form: the site's taxonomies (named by the vocabulary) and these three
  var SINGLE = { design: true, population: true, finding: true, rob: true };
  var FIELDS = form ? Array.prototype.map.call(form.querySelectorAll('select[name]'), function (el) { return el.name; })
    .filter(function (name) { return name !== 'sort'; }) : [];
  var sortSelect = form ? form.querySelector('select[name="sort"]') : null;
  var LISTS = {}; // a taxonomy's row attribute is a space-separated list of slugs
  FIELDS.forEach(function (name) { if (!SINGLE[name]) LISTS[name] = true; });
  var rows = Array.prototype.slice.call(tbody.rows);

  function select(name) { return form ? form.querySelector('select[name="' + name + '"]') : null; }

  function current() {
    var state = {};
    FIELDS.forEach(function (name) {
      var el = select(name);
      if (el && el.value) state[name] = el.value;
    });
    return state;
  }

  function matches(row, state) {
    return FIELDS.every(function (name) {
      var want = state[name];
      if (!want) return true;
      var have = row.getAttribute('data-' + name) || '';
      return LISTS[name] ? have.split(/\s+/).indexOf(want) !== -1 : have === want;
    });
  }

  function apply() {
    var state = current();
    var shown = 0;
    rows.forEach(function (row) {
      var ok = matches(row, state);
      row.hidden = !ok;
      if (ok) shown++;
    });
    if (countEl) {
      countEl.textContent = shown + ' of ' + rows.length + ' ' + (rows.length === 1 ? 'study' : 'studies');
    }
  }

  function readUrl() {
    var params;
    try { params = new URLSearchParams(window.location.search); } catch (e) { return; }
    FIELDS.concat(sortSelect ? ['sort'] : []).forEach(function (name) {
      var el = select(name);
      if (!el) return;
      var value = params.get(name) || '';
      el.value = value;
      if (el.value !== value) el.value = ''; // unknown value: fall back to "Any" (or the first order)
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

  /* Sorting: th[data-sort="number"|"text"] gets a button; sort by td[data-value] if present, else text. */
  var collator = window.Intl && Intl.Collator ? new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' }) : null;
  var headers = Array.prototype.slice.call(table.querySelectorAll('thead th[data-sort]'));

  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) return '';
    var v = cell.hasAttribute('data-value') ? cell.getAttribute('data-value') : cell.textContent;
    return v.replace(/\s+/g, ' ').trim();
  }

  function sortBy(th, direction) {
    var index = th.cellIndex;
    var numeric = th.getAttribute('data-sort') === 'number';
    var sign = direction === 'descending' ? -1 : 1;
    var order = Array.prototype.slice.call(tbody.rows);
    var keyed = order.map(function (row, position) {
      var raw = cellValue(row, index);
      var key = numeric ? parseFloat(raw.replace(/[^0-9.eE+-]/g, '')) : raw;
      var blank = numeric ? isNaN(key) : raw === '' || raw === '–' || raw === '-';
      return { row: row, key: key, blank: blank, position: position };
    });
    keyed.sort(function (a, b) {
      if (a.blank !== b.blank) return a.blank ? 1 : -1; // blanks last in both directions
      var c = 0;
      if (!a.blank) {
        if (numeric) c = a.key - b.key;
        else c = collator ? collator.compare(a.key, b.key) : (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
      }
      return c ? c * sign : a.position - b.position; // stable: ties keep their current order
    });
    var fragment = document.createDocumentFragment();
    keyed.forEach(function (item) { fragment.appendChild(item.row); });
    tbody.appendChild(fragment);
    headers.forEach(function (h) { if (h !== th) h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', direction);
  }

  /* The order as a URL value: 'year-asc', 'title-desc', ... ('' is the order the page was built in). */
  function applySort(value) {
    var match = /^(.+)-(asc|desc)$/.exec(value || '');
    var th = match && headers.filter(function (h) { return h.getAttribute('data-key') === match[1]; })[0];
    if (th) { sortBy(th, match[2] === 'asc' ? 'ascending' : 'descending'); return; }
    var fragment = document.createDocumentFragment();
    rows.forEach(function (row) { fragment.appendChild(row); });
    tbody.appendChild(fragment);
    headers.forEach(function (h) { h.removeAttribute('aria-sort'); });
  }

  headers.forEach(function (th) {
    var button = document.createElement('button');
    button.type = 'button';
    while (th.firstChild) button.appendChild(th.firstChild);
    th.appendChild(button);
    button.addEventListener('click', function () {
      var direction = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
      sortBy(th, direction);
      if (sortSelect) sortSelect.value = th.getAttribute('data-key') + (direction === 'ascending' ? '-asc' : '-desc');
      writeUrl();
    });
    var key = th.getAttribute('data-key'), name = button.textContent.replace(/\s+/g, ' ').trim();
    if (!sortSelect || !key) return;
    var numeric = th.getAttribute('data-sort') === 'number';
    [['asc', numeric ? 'lowest first' : 'A to Z'], ['desc', numeric ? 'highest first' : 'Z to A']].forEach(function (d) {
      var option = document.createElement('option');
      option.value = key + '-' + d[0];
      option.textContent = name + ', ' + (key === 'year' ? (d[0] === 'asc' ? 'oldest first' : 'newest first') : d[1]);
      sortSelect.appendChild(option);
    });
  });

  if (form) {
    form.hidden = false;
    readUrl();
    writeUrl(); // drops filter values that match no option
    form.addEventListener('change', function (e) {
      if (e.target === sortSelect) applySort(sortSelect.value); else apply();
      writeUrl();
    });
    form.addEventListener('submit', function (e) { e.preventDefault(); apply(); writeUrl(); });
    form.addEventListener('reset', function (e) {
      e.preventDefault();
      FIELDS.forEach(function (name) { var el = select(name); if (el) el.value = ''; });
      apply(); // the filters only: the order stays as chosen
      writeUrl();
    });
    window.addEventListener('popstate', function () { readUrl(); apply(); applySort(sortSelect && sortSelect.value); });
  }
  apply();
  if (sortSelect && sortSelect.value) applySort(sortSelect.value);
})();
