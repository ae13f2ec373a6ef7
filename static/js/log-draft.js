// Keeps a draft of the one-on-one form in localStorage, so closing the page loses nothing.
// Saved on every change, restored on load, dropped once the server has saved that form
// (its client token is listed in data-saved-tokens). Plus the "Tomorrow" / "Next week" buttons.
(function () {
  "use strict";
  var form = document.querySelector("form[data-draft-key]");
  if (!form) return;
  var key = "organizer:draft:" + form.dataset.draftKey;
  var savedTokens = (form.dataset.savedTokens || "").split(" ");
  var SKIP = { csrfmiddlewaretoken: true, find: true };

  function store() {
    try { return window.localStorage; } catch (e) { return null; }
  }
  function read() {
    try { return JSON.parse(store().getItem(key)) || null; } catch (e) { return null; }
  }
  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !SKIP[el.name] && el.type !== "submit" && el.type !== "button";
    });
  }
  function save() {
    var data = {};
    fields().forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        data[el.name] = data[el.name] || [];
        if (el.checked) data[el.name].push(el.value);
      } else {
        data[el.name] = el.value;
      }
    });
    try { store().setItem(key, JSON.stringify(data)); } catch (e) { /* full or private mode */ }
  }
  function apply(data, within) {
    fields().forEach(function (el) {
      if (within && !within.contains(el)) return;
      if (!(el.name in data)) return;
      var value = data[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = Array.isArray(value) && value.indexOf(el.value) !== -1;
      } else if (el.type !== "hidden" || el.name === "client_token") {
        el.value = value;
      }
    });
    Array.prototype.forEach.call(form.querySelectorAll("details"), function (box) {
      var filled = Array.prototype.some.call(box.querySelectorAll("input"), function (el) {
        return (el.type === "text" || el.type === "tel") && el.value;
      });
      if (filled) box.open = true;
    });
  }

  var draft = read();
  if (draft && savedTokens.indexOf(draft.client_token) !== -1) {
    store().removeItem(key);  // that form was saved: start fresh
    draft = null;
  }
  if (draft && !form.hasAttribute("data-draft-bound")) {
    apply(draft);
    var search = form.querySelector("[name=q]");
    if (search && search.value) {
      // Bring the search results back (once htmx is ready); the chosen person is re-ticked
      // after they arrive.
      document.addEventListener("DOMContentLoaded", function () {
        if (window.htmx) window.htmx.trigger(search, "search");
      });
    }
  }
  form.addEventListener("htmx:afterSwap", function (event) {
    var current = read();
    if (current) apply(current, event.target);
  });
  form.addEventListener("input", save);
  form.addEventListener("change", save);

  form.addEventListener("click", function (event) {
    var button = event.target.closest("[data-set-date]");
    if (!button) return;
    var input = document.getElementById(button.dataset.for);
    if (!input) return;
    input.value = button.dataset.setDate;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
