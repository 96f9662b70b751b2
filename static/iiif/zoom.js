// Deep zoom on item pages, loaded only when a visitor asks for it.
//
// The page lists its zoomable images (asset id and IIIF info.json) in a JSON script tag.
// This small loader adds a "Zoom" button under each of those images; the first press loads
// OpenSeadragon (about 200 kB, so never on page load: phones on weak links skip it) and
// opens the image's IIIF Image API service in place of the picture.
//
// For weak rural links: the picture already on screen stays until the viewer has its first
// sharp view (a "loading" sign meanwhile); OpenSeadragon renders the nearest level at once
// instead of climbing through every blurrier one, loads two tiles at a time, and on a slow
// or Save-Data connection (or in the site's low-bandwidth mode) settles for coarser tiles.
// Its own navigation buttons (16 small images, English tooltips) are replaced by our HTML
// buttons, at least 44 px, with words in the visitor's language.
(function () {
  "use strict";
  var me = document.currentScript;
  var viewerSrc = me.dataset.viewer;
  var imagesPrefix = me.dataset.images;
  var labels = {
    open: me.dataset.labelOpen || "Zoom",
    close: me.dataset.labelClose || "Close zoom",
    failed: me.dataset.labelFailed || "The zoom viewer could not be loaded.",
    loading: me.dataset.labelLoading || "Loading the zoomable picture…",
    zoomIn: me.dataset.labelZoomIn || "Zoom in",
    zoomOut: me.dataset.labelZoomOut || "Zoom out",
    home: me.dataset.labelHome || "Whole picture"
  };

  function slowLink() {
    var c = navigator.connection;
    if (document.body.classList.contains("lowbw")) return true;
    return !!(c && (c.saveData || /(^|-)(2g|3g)$/.test(c.effectiveType || "")));
  }

  function control(text, sign, act) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "zoom-control";
    b.title = text;
    var icon = document.createElement("span");
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = sign + " ";
    b.appendChild(icon);
    b.appendChild(document.createTextNode(text));
    b.addEventListener("click", act);
    return b;
  }
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
        box.dispatchEvent(new Event("zoom-closed"));
        box.remove();
        box = viewer = null;
        picture.hidden = false;
        button.textContent = labels.open;
        button.setAttribute("aria-expanded", "false");
        return;
      }
      button.disabled = true;
      var status = document.createElement("p");
      status.className = "zoom-status";
      status.setAttribute("role", "status");
      status.textContent = labels.loading;
      figure.insertBefore(status, button);
      loadViewer().then(function (OSD) {
        var slow = slowLink();
        box = document.createElement("div");
        box.className = "zoom-box loading";
        var stage = document.createElement("div");
        stage.className = "zoom-viewer";
        stage.id = "zoom-" + entry.asset;
        stage.style.width = "100%";
        stage.style.height = Math.min(window.innerHeight * 0.7, figure.clientWidth * 1.3) + "px";
        stage.setAttribute("role", "application");
        stage.setAttribute("aria-label", img.alt || labels.open);
        var bar = document.createElement("div");
        bar.className = "zoom-controls";
        box.appendChild(bar);
        box.appendChild(stage);
        figure.insertBefore(box, picture.nextSibling);
        viewer = OSD({
          element: stage,
          prefixUrl: imagesPrefix,
          tileSources: entry.info,
          showNavigator: false,
          showNavigationControl: false,
          // The nearest level at once, not every blurrier one first: fewer requests.
          immediateRender: true,
          blendTime: 0,
          // Coarser tiles are "sharp enough" on a slow link; on a dense screen never ask
          // for more pixels than the screen's CSS pixels need.
          minPixelRatio: slow ? 1.5 : 1,
          imageLoaderLimit: 2,
          maxImageCacheCount: slow ? 60 : 120,
          visibilityRatio: 1,
          gestureSettingsTouch: { pinchRotate: false, pinchToZoom: true, flickEnabled: true }
        });
        bar.appendChild(control(labels.zoomIn, "+", function () {
          viewer.viewport.zoomBy(1.6);
          viewer.viewport.applyConstraints();
        }));
        bar.appendChild(control(labels.zoomOut, "−", function () {
          viewer.viewport.zoomBy(1 / 1.6);
          viewer.viewport.applyConstraints();
        }));
        bar.appendChild(control(labels.home, "□", function () {
          viewer.viewport.goHome();
        }));
        var shown = false;
        function show() {
          if (shown || !box) return;
          shown = true;
          box.classList.remove("loading");
          picture.hidden = true;
          status.remove();
        }
        // The "add to lesson" box reads the region on screen from here (lessons/add.js).
        stage.mhaViewer = viewer;
        viewer.addHandler("open", function () {
          var tiled = viewer.world.getItemAt(0);
          if (tiled.getFullyLoaded && tiled.getFullyLoaded()) show();
          tiled.addHandler("fully-loaded-change", function (e) { if (e.fullyLoaded) show(); });
        });
        viewer.addHandler("open-failed", function () {
          status.textContent = labels.failed;
        });
        // Whatever happens, the visitor is not left waiting on a sign forever.
        setTimeout(show, slow ? 20000 : 10000);
        button.textContent = labels.close;
        button.setAttribute("aria-expanded", "true");
        box.addEventListener("zoom-closed", function () { status.remove(); });
      }).catch(function () {
        status.textContent = labels.failed;
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
