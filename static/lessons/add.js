// The "add to lesson" box on an item page: show the fields of the kind chosen, take a clip's
// start and end from the player (or a transcript line), a detail's region from the zoom.
(function () {
  "use strict";
  var form = document.querySelector("[data-add-to-lesson]");
  if (!form) return;
  function kind() { var c = form.querySelector("input[name=kind]:checked"); return c ? c.value : "item"; }
  function sync() {
    form.querySelectorAll("fieldset[data-for]").forEach(function (fs) {
      var on = fs.dataset.for === kind();
      fs.hidden = !on;
      fs.querySelectorAll("select[name=asset]").forEach(function (s) { s.disabled = !on; });
    });
  }
  form.addEventListener("change", function (e) {
    if (e.target.name === "kind") sync();
    if (e.target.matches("[data-cues]")) {
      var o = e.target.selectedOptions[0];
      if (!o || !o.dataset.start) return;
      var start = form.elements.start, end = form.elements.end;
      if (!start.value || parseFloat(o.dataset.start) < parseFloat(start.value)) start.value = o.dataset.start;
      end.value = o.dataset.end;
    }
  });
  function player() {
    var sel = form.querySelector("fieldset[data-for=clip] select[name=asset]");
    var id = sel && sel.selectedOptions[0] ? sel.selectedOptions[0].dataset.player : "";
    return document.getElementById(id) || document.querySelector("audio, video");
  }
  form.addEventListener("click", function (e) {
    var now = e.target.closest("[data-now]");
    if (now) {
      var p = player();
      if (p) form.elements[now.dataset.now].value = (Math.round(p.currentTime * 10) / 10).toFixed(1);
      return;
    }
    if (e.target.closest("[data-region]")) {
      var stage = document.querySelector(".zoom-viewer");
      var v = stage && stage.mhaViewer;
      if (!v || !v.world.getItemAt(0)) return;
      var size = v.world.getItemAt(0).getContentSize();
      var r = v.viewport.viewportToImageRectangle(v.viewport.getBounds(true));
      var x = Math.max(0, Math.round(r.x)), y = Math.max(0, Math.round(r.y));
      form.elements.x.value = x;
      form.elements.y.value = y;
      form.elements.w.value = Math.min(Math.round(r.width), size.x - x);
      form.elements.h.value = Math.min(Math.round(r.height), size.y - y);
    }
  });
  sync();
})();
