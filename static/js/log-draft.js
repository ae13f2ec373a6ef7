// Keeps a draft of the one-on-one form in localStorage, so closing the page loses nothing.
// Saved on every change, restored on load, dropped once the server has saved that form
// (its client token is listed in data-saved-tokens). Plus the follow-up date shortcuts.
// A person picked from the search results moves to #who-chosen, outside the results, so a new
// search (typed, or a stale one restored with a draft) never unpicks them silently.
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
  var chosenBox = document.getElementById("who-chosen");
  var resultsBox = document.getElementById("who-results");

  function chosenLabel(value, name, details) {
    var label = document.createElement("label");
    label.className = "choice person-choice";
    var input = document.createElement("input");
    input.type = "radio";
    input.name = "contact";
    input.value = value;
    var text = document.createElement("span");
    text.className = "who-name";
    text.textContent = name;
    label.append(input, " ", text);
    if (details) {
      var more = document.createElement("span");
      more.className = "muted who-details";
      more.textContent = details;
      label.append(more);
    }
    return label;
  }
  function pick(radio) {
    if (!chosenBox) return;
    var label = radio.closest("label");
    var name = label.querySelector(".who-name");
    var details = label.querySelector(".who-details");
    var copy = chosenLabel(radio.value, name ? name.textContent : label.textContent.trim(),
                           details ? details.textContent.trim() : "");
    chosenBox.replaceChildren(copy);
    copy.querySelector("input").checked = true;
    label.remove();  // one radio per person: the picked one
  }
  function picked() {
    var radio = chosenBox && chosenBox.querySelector("input[name=contact]:checked");
    if (!radio) return null;
    var label = radio.closest("label");
    var name = label.querySelector(".who-name");
    var details = label.querySelector(".who-details");
    return {
      value: radio.value,
      name: name ? name.textContent : label.textContent.trim(),
      details: details ? details.textContent.trim() : ""
    };
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
    data._picked = picked();
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
    var was = draft._picked;
    if (was && /^\d+$/.test(was.value) && chosenBox &&
        !chosenBox.querySelector("input[value='" + was.value + "']")) {
      chosenBox.replaceChildren(chosenLabel(was.value, was.name, was.details));
    }
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
    if (chosenBox && resultsBox && resultsBox.contains(event.target)) {
      // The picked person is listed once, above the results, and stays picked.
      Array.prototype.forEach.call(chosenBox.querySelectorAll("input[name=contact]"), function (c) {
        var dup = resultsBox.querySelector("input[name=contact][value='" + c.value + "']");
        if (dup) dup.closest("label").remove();
      });
    }
    var current = read();
    if (current) apply(current, event.target);
  });
  form.addEventListener("change", function (event) {
    var el = event.target;
    if (el.name === "contact" && el.checked && resultsBox && resultsBox.contains(el)) pick(el);
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
