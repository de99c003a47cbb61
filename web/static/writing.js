// The ticket zoom's "Insert" buttons put the chosen standard response
// into the text at the cursor, without a round trip. Without this script
// the button posts the form and the zoom comes back with the response
// added (reply_draft.go): the page works the same, only slower.
"use strict";
document.addEventListener("click", function (e) {
  var button = e.target.closest && e.target.closest("button[data-insert]");
  if (!button || !button.form) {
    return;
  }
  var select = button.form.querySelector("select[name=response]");
  var area = document.getElementById(button.getAttribute("data-insert"));
  var option = select && select.options[select.selectedIndex];
  if (!area || !option || !option.hasAttribute("data-text")) {
    return;
  }
  e.preventDefault();
  var text = option.getAttribute("data-text");
  var start = area.selectionStart, end = area.selectionEnd;
  // A reply that holds only its signature, the cursor not yet moved:
  // the text goes before the signature, as without this script.
  var sig = ("\n" + area.value).indexOf("\n-- \n");
  if (start === 0 && end === 0 && sig >= 0 && area.value.slice(0, sig).trim() === "") {
    area.setRangeText(text + "\n\n", 0, sig, "start");
    area.setSelectionRange(text.length, text.length);
  } else {
    area.setRangeText(text, start, end, "end");
  }
  area.focus();
});
