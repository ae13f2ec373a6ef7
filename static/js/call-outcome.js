// After tapping Call, offer a one-tap outcome (talked / no answer / left a message / wrong
// number) that logs the call. The tap is remembered for this tab (sessionStorage), so the offer
// is there when the organizer comes back from the dialer, even if the browser reloaded the
// page. The form comes from <template id="call-outcome-template">; without JavaScript the
// "Log call" link opens the same form as a page.
(function () {
  "use strict";
  var KEY = "organizer:call";
  var MAX_AGE = 3 * 60 * 60 * 1000;  // an outcome is asked for up to three hours after
  var template = document.getElementById("call-outcome-template");
  if (!template) return;
  var shown = null;

  function store() {
    try { return window.sessionStorage; } catch (e) { return null; }
  }
  function pending() {
    try { return JSON.parse(store().getItem(KEY)); } catch (e) { return null; }
  }
  function clear() {
    try { store().removeItem(KEY); } catch (e) { /* private mode */ }
  }
  function show() {
    var call = pending();
    if (!call || shown || document.visibilityState === "hidden") return;
    // Only a path on this site, asked for recently.
    if (!/^\/[^\/]/.test(call.url || "") || Date.now() - call.at > MAX_AGE) { clear(); return; }
    var form = template.content.firstElementChild.cloneNode(true);
    form.action = call.url;
    form.querySelector("[data-call-name]").textContent = call.name || "";
    var row = call.row && document.getElementById(call.row);
    if (row) {
      row.append(form);
    } else {
      var messages = document.getElementById("messages");
      messages.after(form);
    }
    shown = form;
    form.addEventListener("submit", clear);
    form.querySelector("[data-call-dismiss]").addEventListener("click", function () {
      clear();
      form.remove();
      shown = null;
    });
    form.scrollIntoView({ block: "nearest" });
    form.querySelector("button[name=outcome]").focus({ preventScroll: true });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-call-log]");
    if (!link) return;
    var row = link.closest("li[id]");
    try {
      store().setItem(KEY, JSON.stringify({
        url: link.dataset.callLog, name: link.dataset.callName, at: Date.now(),
        row: row ? row.id : ""
      }));
    } catch (e) { return; }
    if (shown) { shown.remove(); shown = null; }
    // The dialer takes over the screen; the offer is waiting when the page is back in view.
    window.setTimeout(show, 800);
  });
  document.addEventListener("visibilitychange", show);
  window.addEventListener("pageshow", show);
  show();
})();
