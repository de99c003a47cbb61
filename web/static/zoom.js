// zoom.js counts the zoom's SLA time down while the page stays open. The
// server writes how much was left when it made the page (data-left, in
// seconds), whether that time is running now (data-running: working time
// or wall time) and for how long it keeps doing so (data-for, seconds; 0:
// until due). The count starts when the page loaded, so the browser's
// clock need not agree with the server's; without JavaScript the server's
// text stands.
(function () {
  'use strict';
  var els = document.querySelectorAll('.sla-left[data-left]');
  if (!els.length) {
    return;
  }
  var loaded = Date.now();

  function fill(tpl, vals) {
    return tpl.replace(/\{(\w)\}/g, function (m, k) { return vals[k] === undefined ? m : String(vals[k]); });
  }

  function duration(el, secs) {
    var h = Math.floor(secs / 3600);
    var m = Math.floor((secs % 3600) / 60);
    if (secs < 60) {
      return el.getAttribute('data-under');
    }
    if (h === 0) {
      return fill(el.getAttribute('data-minutes'), { M: m });
    }
    return fill(el.getAttribute('data-hours'), { H: h, M: m });
  }

  function tick() {
    var gone = (Date.now() - loaded) / 1000;
    els.forEach(function (el) {
      if (el.getAttribute('data-running') !== 'true') {
        return;
      }
      var left = parseInt(el.getAttribute('data-left'), 10);
      var runs = parseInt(el.getAttribute('data-for'), 10) || 0;
      var used = runs > 0 ? Math.min(gone, runs) : gone;
      var now = Math.max(0, Math.floor(left - used));
      if (now === 0) {
        el.textContent = el.getAttribute('data-due');
        el.classList.add('overdue');
        return;
      }
      el.textContent = fill(el.getAttribute('data-text'), { D: duration(el, now) });
    });
  }
  tick();
  window.setInterval(tick, 1000);
})();
