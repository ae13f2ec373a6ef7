/* The place of a public event on a map: one marker. Without tiles (or without signal for them)
 * the marker still shows on a grey map; the address is written above it anyway. */
(function () {
  "use strict";
  var el = document.getElementById("event-map");
  if (!el || !window.L) return;
  var at = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lng)];
  var map = L.map(el, { scrollWheelZoom: false }).setView(at, 15);
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
  }
  L.circleMarker(at, { radius: 9, color: "#1d4ed8", weight: 3, fillOpacity: 0.7 }).addTo(map);
})();
