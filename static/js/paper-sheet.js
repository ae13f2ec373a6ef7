// Paper sheet entry: Enter on the last field of the last line adds a line and moves to it;
// Enter anywhere else moves to the next field. Without JavaScript the form still works.
(function () {
  var form = document.getElementById("paper-sheet");
  if (!form) return;
  var rows = form.querySelector("[data-paper-rows]");
  var total = form.querySelector('input[name="row-TOTAL_FORMS"]');
  var max = parseInt(form.querySelector('input[name="row-MAX_NUM_FORMS"]').value, 10);

  function addRow() {
    var all = rows.querySelectorAll("[data-paper-row]");
    var n = parseInt(total.value, 10);
    if (n >= max) return null;
    var copy = all[all.length - 1].cloneNode(true);
    copy.querySelectorAll(".errorlist").forEach(function (e) { e.remove(); });
    copy.querySelectorAll("input, label").forEach(function (el) {
      ["name", "id", "for"].forEach(function (attr) {
        var v = el.getAttribute(attr);
        if (v) el.setAttribute(attr, v.replace(/row-\d+-/, "row-" + n + "-"));
      });
      if (el.tagName === "INPUT") el.value = "";
    });
    var legend = copy.querySelector("legend");
    if (legend) legend.textContent = legend.textContent.replace(/\d+/, String(n + 1));
    rows.appendChild(copy);
    total.value = String(n + 1);
    return copy;
  }

  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.target.tagName !== "INPUT") return;
    event.preventDefault();
    var inputs = Array.prototype.slice.call(rows.querySelectorAll("input"));
    var i = inputs.indexOf(event.target);
    if (i === -1) return;
    if (i < inputs.length - 1) {
      inputs[i + 1].focus();
      return;
    }
    var row = addRow();
    if (row) row.querySelector("input").focus();
  });
})();
