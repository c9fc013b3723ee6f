/* Citation popovers and the "Copy citation" button. Vanilla ES2017, no modules; safe on every page. */
(function () {
  'use strict';
  var doc = document;
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };

  /* Citation popovers: a.cite[href="#ref-KEY"] shows a clone of #ref-KEY .ref-body on hover and focus, and on a
     tap: a touch screen has no hover, so the first tap on a citation opens its popover and a second tap (or the
     popover's "Go to reference" link) follows it. Arriving at a citation from a back-link opens nothing. */
  var pops = {};      // one popover per reference key, built on first use
  var shown = null;   // {link, pop} while a popover is visible
  var hideTimer = 0;
  var uid = 0;
  var touchedAt = 0;  // when a finger or pen last went down: the hover and focus a tap fakes then are ignored
  var arrivedAt = 0;  // when the page last moved to a #fragment: the focus that gives a citation opens nothing

  function targetItem(link) {
    var href = link.getAttribute('href') || '';
    if (href.charAt(0) !== '#' || href.length < 2) return null;
    var id = href.slice(1);
    try { id = decodeURIComponent(id); } catch (e) { /* keep raw id */ }
    return doc.getElementById(id);
  }

  function popoverFor(link) {
    var item = targetItem(link);
    var body = item && item.querySelector('.ref-body');
    if (!body) return null;
    var key = item.id;
    if (pops[key]) return pops[key];
    var pop = doc.createElement('div');
    pop.className = 'cite-popover';
    pop.id = 'cite-popover-' + (++uid);
    pop.setAttribute('role', 'tooltip');
    pop.hidden = true;
    var label = item.querySelector('.ref-label');
    if (label) pop.appendChild(label.cloneNode(true));
    pop.appendChild(body.cloneNode(true));
    var go = doc.createElement('a');
    go.className = 'cite-popover-go';
    go.href = '#' + item.id;
    go.textContent = 'Go to reference';
    pop.appendChild(go);
    each(pop.querySelectorAll('[id]'), function (el) { el.removeAttribute('id'); });
    pop.addEventListener('mouseenter', cancelHide);
    pop.addEventListener('mouseleave', scheduleHide);
    pop.addEventListener('focusin', cancelHide);
    pop.addEventListener('focusout', scheduleHide);
    doc.body.appendChild(pop);
    pops[key] = pop;
    return pop;
  }

  function cancelHide() { clearTimeout(hideTimer); hideTimer = 0; }
  function scheduleHide() { cancelHide(); hideTimer = setTimeout(hide, 300); }

  function hide() {
    cancelHide();
    if (!shown) return;
    shown.pop.hidden = true;
    shown.link.removeAttribute('aria-describedby');
    shown = null;
  }

  function place(link, pop) {
    var rects = link.getClientRects();
    var r = rects.length ? rects[0] : link.getBoundingClientRect();
    var vw = doc.documentElement.clientWidth;
    var vh = window.innerHeight;
    var gap = 6, margin = 8;
    var below = vh - r.bottom - gap - margin;
    var above = r.top - gap - margin;
    pop.style.maxHeight = Math.max(120, Math.max(below, above)) + 'px';
    pop.style.left = '0px';
    pop.style.top = '0px';
    var w = pop.offsetWidth, h = pop.offsetHeight;
    var top = (h <= below || below >= above) ? r.bottom + gap : r.top - gap - h;
    var left = Math.min(r.left, vw - w - margin);
    left = Math.max(margin, left);
    pop.style.left = Math.round(left + window.pageXOffset) + 'px';
    pop.style.top = Math.round(top + window.pageYOffset) + 'px';
  }

  function show(link) {
    cancelHide();
    if (shown && shown.link === link) return;
    var pop = popoverFor(link);
    hide();
    if (!pop) return;
    pop.style.visibility = 'hidden';
    pop.hidden = false;
    place(link, pop);
    pop.style.visibility = '';
    link.setAttribute('aria-describedby', pop.id);
    shown = { link: link, pop: pop };
  }

  function onEnter(e) {
    var link = e.target.closest && e.target.closest('a.cite');
    if (!link || Date.now() - touchedAt < 1000) return; // a tap: the click below decides
    if (e.type === 'focusin' && Date.now() - arrivedAt < 1000) return; // focus from a back-link, not the reader
    show(link);
  }
  function onLeave(e) {
    var link = e.target.closest && e.target.closest('a.cite');
    if (link && shown && shown.link === link) scheduleHide();
  }

  if (doc.querySelector('a.cite')) {
    doc.addEventListener('mouseover', onEnter);
    doc.addEventListener('mouseout', function (e) {
      var link = e.target.closest && e.target.closest('a.cite');
      if (link && link.contains(e.relatedTarget)) return;
      onLeave(e);
    });
    doc.addEventListener('focusin', onEnter);
    doc.addEventListener('focusout', onLeave);
    doc.addEventListener('keydown', function (e) {
      if ((e.key === 'Escape' || e.key === 'Esc') && shown) {
        var inPop = shown.pop.contains(doc.activeElement);
        var link = shown.link;
        hide();
        if (inPop) link.focus();
      }
    });
    doc.addEventListener('pointerdown', function (e) {
      if (e.pointerType === 'touch' || e.pointerType === 'pen') touchedAt = Date.now();
    }, true);
    doc.addEventListener('click', function (e) {
      var link = e.target.closest && e.target.closest('a.cite');
      if (link && Date.now() - touchedAt < 1000 && !(shown && shown.link === link)) {
        e.preventDefault(); // first tap: show the reference here instead of jumping to the list
        show(link);
        return;
      }
      if (shown && !shown.pop.contains(e.target) && !shown.link.contains(e.target)) hide();
    });
    window.addEventListener('hashchange', function () { arrivedAt = Date.now(); hide(); });
    if (window.location.hash) arrivedAt = Date.now();
    window.addEventListener('resize', hide);
  }

  /* Copy citation buttons: button.copy-button[data-copy=ID] copies the text of #ID. */
  function selectText(el) {
    var sel = window.getSelection && window.getSelection();
    if (!sel) return;
    var range = doc.createRange();
    range.selectNodeContents(el);
    sel.removeAllRanges();
    sel.addRange(range);
  }

  each(doc.querySelectorAll('button.copy-button[data-copy]'), function (btn) {
    var source = doc.getElementById(btn.getAttribute('data-copy'));
    if (!source) return;
    var label = btn.textContent;
    var timer = 0;
    btn.hidden = false;
    btn.setAttribute('aria-live', 'polite');
    function report(ok) {
      btn.textContent = ok ? 'Copied' : 'Text selected: press Ctrl+C to copy';
      clearTimeout(timer);
      timer = setTimeout(function () { btn.textContent = label; }, 3000);
    }
    function fallback() {
      selectText(source);
      var ok = false;
      try { ok = doc.execCommand('copy'); } catch (e) { ok = false; }
      report(ok);
    }
    btn.addEventListener('click', function () {
      var text = source.textContent.replace(/\s+/g, ' ').trim();
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () { report(true); }, fallback);
      } else {
        fallback();
      }
    });
  });
})();
