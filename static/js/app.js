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
