// toggle.js: the password page's Show/Hide button, which shows what was
// typed as text and hides it again. Loaded in the head and listening on
// the document, so a tap from the first paint on is not lost while the
// page's checklist script (deferred) is still loading.
"use strict";
document.addEventListener("click", function (ev) {
  var toggle = ev.target.closest && ev.target.closest("#toggle");
  if (!toggle) return;
  var pw = document.getElementById("password"), confirm = document.getElementById("confirm");
  var words = document.getElementById("password-words").dataset;
  var show = pw.type === "password";
  pw.type = show ? "text" : "password";
  if (confirm) confirm.type = pw.type;
  toggle.textContent = show ? words.hide : words.show;
  toggle.setAttribute("aria-pressed", show ? "true" : "false");
});
