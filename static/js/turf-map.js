/* Cutting turf on a map: click/tap adds a corner, "Finish shape" closes the polygon and writes
 * it as JSON [[lng, lat], …] into the form's coordinates field. Doors are shown as circle
 * markers fetched for the visible box; with no tile server (or no signal for tiles) the map
 * still shows the hub's outline and the doors. Needs Leaflet (static/vendor/leaflet-1.9.4). */
(function () {
  "use strict";
  var el = document.getElementById("turf-map");
  if (!el || !window.L) return;
  var target = document.getElementById(el.dataset.target);
  var tools = document.querySelector(".map-tools");
  var status = document.querySelector("[data-map-status]");
  function json(id) { var node = document.getElementById(id); return node ? JSON.parse(node.textContent) : null; }

  var map = L.map(el, { zoomSnap: 0.5 });
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
  }
  var bounds = json("turf-bounds");
  var hubArea = json("turf-hub-area");
  if (bounds) map.fitBounds(bounds, { padding: [10, 10] }); else map.setView([40.73, -73.93], 12);
  if (hubArea) L.polygon(hubArea, { color: "#555", weight: 2, dashArray: "6 4", fill: false, interactive: false }).addTo(map);

  var doors = L.layerGroup().addTo(map);
  var loading = null;
  function loadDoors() {
    var b = map.getBounds();
    var url = el.dataset.doorsUrl + "?bbox=" + [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(6); }).join(",");
    if (loading) loading.abort();
    loading = new AbortController();
    fetch(url, { signal: loading.signal, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        doors.clearLayers();
        data.doors.forEach(function (d) {
          L.circleMarker([d[1], d[0]], { radius: d[2] > 1 ? 5 : 3, weight: 1, color: "#1d4ed8", fillOpacity: 0.6, interactive: false }).addTo(doors);
        });
        el.dataset.doorsShown = data.doors.length;
        el.classList.toggle("doors-capped", !!data.capped);
      })
      .catch(function () {});
  }
  map.on("moveend", loadDoors);
  loadDoors();

  var corners = [];
  var line = L.polyline([], { color: "#b42318", weight: 3 }).addTo(map);
  var shape = null;
  function say(text) { if (status) status.textContent = text; }
  function redraw() { line.setLatLngs(corners); }
  function write() {
    target.value = corners.length >= 3 ? JSON.stringify(corners.map(function (c) { return [+c.lng.toFixed(6), +c.lat.toFixed(6)]; })) : "";
  }
  map.on("click", function (e) {
    if (shape) return;
    corners.push(e.latlng);
    redraw();
    say(corners.length + (corners.length === 1 ? " corner" : " corners") + (corners.length >= 3 ? " — Finish shape when done." : ""));
  });
  function finish() {
    if (corners.length < 3) { say("A shape needs at least three corners."); return; }
    if (shape) return;
    shape = L.polygon(corners, { color: "#b42318", weight: 3, fillOpacity: 0.15 }).addTo(map);
    line.setLatLngs([]);
    write();
    say("Shape finished. Preview the count or save the turf.");
    target.dispatchEvent(new Event("change", { bubbles: true }));
  }
  function clear() {
    corners = [];
    if (shape) { map.removeLayer(shape); shape = null; }
    redraw();
    write();
    say("Tap the map to add corners.");
  }
  function undo() {
    if (shape) { map.removeLayer(shape); shape = null; }
    corners.pop();
    redraw();
    write();
  }
  // A shape typed by hand (or kept after a failed save) is drawn again.
  try {
    var given = target.value.trim() ? JSON.parse(target.value) : null;
    if (given && given.length >= 3) { corners = given.map(function (p) { return L.latLng(p[1], p[0]); }); finish(); }
  } catch (e) { /* the server says what is wrong with it */ }

  tools.hidden = false;
  tools.addEventListener("click", function (e) {
    var action = e.target.closest("[data-map-action]");
    if (!action) return;
    ({ finish: finish, clear: clear, undo: undo })[action.dataset.mapAction]();
  });
  window.turfMap = map;
})();
