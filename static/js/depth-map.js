/* Depth map: each neighborhood's shape, coloured by members per 1,000 residents. Works without
 * tiles (outlines on a grey map); the table beside it holds every number. */
(function () {
  "use strict";
  var el = document.getElementById("depth-map");
  var data = document.getElementById("depth-shapes");
  if (!el || !data || !window.L) return;
  var shapes = JSON.parse(data.textContent);
  var map = L.map(el, { scrollWheelZoom: false });
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 18 }).addTo(map);
  }
  var top = 0;
  shapes.forEach(function (s) { if (s.rate && s.rate > top) top = s.rate; });
  var bounds = L.latLngBounds([]);
  shapes.forEach(function (s) {
    var share = top ? (s.rate || 0) / top : 0;
    var latlngs = s.shape.map(function (p) { return [p[1], p[0]]; });
    var layer = L.polygon(latlngs, {
      color: "#1e3a8a", weight: 1, fillColor: "#1d4ed8", fillOpacity: 0.1 + 0.75 * share
    }).addTo(map);
    layer.bindTooltip(s.name + ": " + (s.rate === null ? "–" : s.rate));
    bounds.extend(layer.getBounds());
  });
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8] });
})();
