// dashboard.js reloads the dashboard's widgets every minute: it reads the
// page again and swaps its #dashboard in, so the agent keeps their place.
// Without JavaScript the page is the same, fresh on every reload.
(function () {
  'use strict';
  var box = document.getElementById('dashboard');
  if (!box || !window.fetch || !window.DOMParser) {
    return;
  }
  var every = 1000 * (parseInt(box.getAttribute('data-refresh'), 10) || 60);

  function refresh() {
    fetch(window.location.href, { credentials: 'same-origin', cache: 'no-store', headers: { 'Accept': 'text/html' } })
      .then(function (res) {
        // A redirect is the login page: the session is over, and what is
        // shown stays as it is (its "updated at" says how old it is).
        if (!res.ok || res.redirected) {
          throw new Error('dashboard: ' + res.status);
        }
        return res.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('dashboard');
        var shown = document.getElementById('dashboard');
        if (fresh && shown) {
          shown.replaceWith(document.importNode(fresh, true));
        }
      })
      .catch(function () { /* the next round tries again */ })
      .then(function () { window.setTimeout(refresh, every); });
  }
  window.setTimeout(refresh, every);
})();
