// The portal's new-request form: while the customer types, the FAQ
// entries that match are shown under the text (the server renders them;
// without this script the "search the FAQ first" button does the same).
(function () {
  "use strict";
  var box = document.getElementById("faq-suggestions");
  var title = document.getElementById("title");
  var body = document.getElementById("body");
  if (!box || !title || !body) {
    return;
  }
  var timer = null;
  var asked = "";
  function ask() {
    // One line: the query string takes no line breaks.
    var q = (title.value + " " + body.value).replace(/\s+/g, " ").trim();
    if (q.length < 3 || q === asked) {
      return;
    }
    asked = q;
    fetch("/portal/faq-suggestions?q=" + encodeURIComponent(q.slice(0, 2000)), {
      credentials: "same-origin",
      headers: { "Accept": "text/html" }
    }).then(function (res) {
      return res.ok ? res.text() : null;
    }).then(function (html) {
      if (html !== null && q === asked) {
        box.innerHTML = html;
      }
    }).catch(function () { /* the button still works */ });
  }
  function later() {
    clearTimeout(timer);
    timer = setTimeout(ask, 600);
  }
  title.addEventListener("input", later);
  body.addEventListener("input", later);
})();
