// Deep zoom on item pages, loaded only when a visitor asks for it.
//
// The page lists its zoomable images (asset id and IIIF info.json) in a JSON script tag.
// This small loader adds a "Zoom" button under each of those images; the first press loads
// OpenSeadragon (about 200 kB, so never on page load: phones on weak links skip it) and
// opens the image's IIIF Image API service in place of the picture.
(function () {
  "use strict";
  var me = document.currentScript;
  var viewerSrc = me.dataset.viewer;
  var imagesPrefix = me.dataset.images;
  var labels = {
    open: me.dataset.labelOpen || "Zoom",
    close: me.dataset.labelClose || "Close zoom",
    failed: me.dataset.labelFailed || "The zoom viewer could not be loaded."
  };
  var loading = null;

  function loadViewer() {
    if (window.OpenSeadragon) return Promise.resolve(window.OpenSeadragon);
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = viewerSrc;
        s.onload = function () { resolve(window.OpenSeadragon); };
        s.onerror = function () { loading = null; reject(new Error("load failed")); };
        document.head.appendChild(s);
      });
    }
    return loading;
  }

  function setUp(entry) {
    var img = document.querySelector('img[src*="/assets/' + entry.asset + '/"]');
    if (!img) return;
    var figure = img.closest("figure") || img.parentNode;
    // What to swap for the viewer: the figure's child holding the picture (a link around
    // it, if any), so the viewer never ends up inside a link that would steal its clicks.
    var picture = img.closest("picture") || img;
    while (picture.parentNode && picture.parentNode !== figure) picture = picture.parentNode;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "zoom-button";
    button.textContent = labels.open;
    button.setAttribute("aria-expanded", "false");
    var box = null;
    var viewer = null;
    button.addEventListener("click", function () {
      if (box) {
        if (viewer) viewer.destroy();
        box.remove();
        box = viewer = null;
        picture.hidden = false;
        button.textContent = labels.open;
        button.setAttribute("aria-expanded", "false");
        return;
      }
      button.disabled = true;
      loadViewer().then(function (OSD) {
        box = document.createElement("div");
        box.className = "zoom-viewer";
        box.id = "zoom-" + entry.asset;
        box.style.width = "100%";
        box.style.height = "70vh";
        box.setAttribute("role", "application");
        box.setAttribute("aria-label", img.alt || labels.open);
        picture.hidden = true;
        figure.insertBefore(box, picture.nextSibling);
        viewer = OSD({
          element: box,
          prefixUrl: imagesPrefix,
          tileSources: entry.info,
          showNavigator: false,
          gestureSettingsTouch: { pinchRotate: false }
        });
        button.textContent = labels.close;
        button.setAttribute("aria-expanded", "true");
      }).catch(function () {
        button.textContent = labels.failed;
      }).then(function () {
        button.disabled = false;
      });
    });
    figure.appendChild(button);
  }

  function start() {
    var data = document.getElementById("iiif-zoom-images");
    if (!data) return;
    JSON.parse(data.textContent).forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
