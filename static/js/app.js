// Organizer's own script. Pages work without it; it only improves htmx feedback.
(function () {
  "use strict";

  // When an htmx request fails (server error or no connection), say so in the status area
  // instead of silently doing nothing. The text comes translated from <body data-error-message>.
  function showError() {
    var box = document.getElementById("messages");
    if (!box) return;
    var p = document.createElement("p");
    p.className = "message message-error";
    p.setAttribute("role", "status");
    p.textContent = document.body.dataset.errorMessage || "Something went wrong.";
    box.replaceChildren(p);
  }

  document.addEventListener("htmx:responseError", showError);
  document.addEventListener("htmx:sendError", showError);
})();

// Signed out: walk-list pieces stored on this phone for offline use (static/js/pieces-sw.js)
// must not outlive the session of whoever stored them.
(function () {
  "use strict";
  if (!document.body.classList.contains("signed-out") || !window.caches) return;
  caches.keys().then(function (names) {
    names.forEach(function (name) {
      if (name.indexOf("organizer-pieces-u") === 0) caches.delete(name);
    });
  }).catch(function () { /* storage unavailable: nothing stored either */ });
})();
