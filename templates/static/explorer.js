/* Study explorer: filter rows by the form's selects (state kept in the URL query) and sort by column. */
(function () {
  'use strict';
  var table = document.getElementById('explorer');
  if (!table || !table.tBodies.length) return;
  var tbody = table.tBodies[0];
  var form = document.getElementById('explorer-filters');
  var countEl = document.getElementById('result-count');
  // one filter per select of the form: the site's taxonomies (named by the vocabulary) and these three
  var SINGLE = { design: true, population: true, finding: true };
  var FIELDS = form ? Array.prototype.map.call(form.querySelectorAll('select[name]'), function (el) { return el.name; }) : [];
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
    FIELDS.forEach(function (name) {
      var el = select(name);
      if (!el) return;
      var value = params.get(name) || '';
      el.value = value;
      if (el.value !== value) el.value = ''; // unknown value: fall back to "Any"
    });
  }

  function writeUrl() {
    var params;
    try { params = new URLSearchParams(window.location.search); } catch (e) { return; }
    var state = current();
    FIELDS.forEach(function (name) {
      if (state[name]) params.set(name, state[name]); else params.delete(name);
    });
    var query = params.toString();
    var url = window.location.pathname + (query ? '?' + query : '') + window.location.hash;
    try { window.history.replaceState(window.history.state, '', url); } catch (e) { /* e.g. a sandboxed file:// view */ }
  }

  if (form) {
    form.hidden = false;
    readUrl();
    writeUrl(); // drops filter values that match no option
    form.addEventListener('change', function () { apply(); writeUrl(); });
    form.addEventListener('submit', function (e) { e.preventDefault(); apply(); writeUrl(); });
    form.addEventListener('reset', function (e) {
      e.preventDefault();
      FIELDS.forEach(function (name) { var el = select(name); if (el) el.value = ''; });
      apply();
      writeUrl();
    });
    window.addEventListener('popstate', function () { readUrl(); apply(); });
  }
  apply();

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

  headers.forEach(function (th) {
    var button = document.createElement('button');
    button.type = 'button';
    while (th.firstChild) button.appendChild(th.firstChild);
    th.appendChild(button);
    button.addEventListener('click', function () {
      sortBy(th, th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending');
    });
  });
})();
