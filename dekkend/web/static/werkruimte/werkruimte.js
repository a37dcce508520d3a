/* The workspace's only script besides htmx and plotly (no inline scripts): draws the charts whose data
   the page carries in <script type="application/json" id="figuren">, and loads each map's data when it
   scrolls into view (a region has dozens of maps; most are never looked at). */
(function () {
  "use strict";
  var config = {displayModeBar: false, responsive: false, scrollZoom: false, doubleClick: false, showTips: false};

  function draw(el, fig) {
    try { Plotly.newPlot(el, fig.data, fig.layout, config); el.setAttribute("data-getekend", "ja"); }
    catch (e) { el.textContent = "Deze figuur kon niet getekend worden."; }
  }

  function charts() {
    var holder = document.getElementById("figuren");
    if (!holder || typeof Plotly === "undefined") { return; }
    var figs = JSON.parse(holder.textContent || "{}");
    Object.keys(figs).forEach(function (id) {
      var el = document.getElementById(id);
      if (el) { draw(el, figs[id]); }
    });
  }

  function maps() {
    var sheet = document.querySelector("[data-kaarten]");
    if (!sheet || typeof Plotly === "undefined") { return; }
    var base = sheet.getAttribute("data-kaarten");
    var load = function (el) {
      var id = el.getAttribute("data-figuur");
      el.setAttribute("data-getekend", "bezig");
      fetch(base + "?kaart=" + encodeURIComponent(id), {credentials: "same-origin"})
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (figs) { draw(el, figs[id]); })
        .catch(function () { el.textContent = "Deze kaart kon niet geladen worden."; });
    };
    var els = Array.prototype.slice.call(sheet.querySelectorAll(".plot.kaart[data-figuur]"));
    if (!("IntersectionObserver" in window)) { els.forEach(load); return; }
    var seen = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) { seen.unobserve(entry.target); load(entry.target); }
      });
    }, {rootMargin: "300px"});
    els.forEach(function (el) { seen.observe(el); });
  }

  document.addEventListener("DOMContentLoaded", function () { charts(); maps(); });
})();
