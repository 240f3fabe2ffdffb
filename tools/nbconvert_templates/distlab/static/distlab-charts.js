// distlab site: turn each chart's SVG fallback into an interactive vega-embed view.
// The spec sits in a <script type="application/vnd.vegalite.v5+json"> next to the <img>; when
// vega, vega-lite and vega-embed (bundled in this folder) load and the spec compiles, the image is
// hidden and the live chart (tooltips with the payloads, zoom and pan) takes its place. Otherwise
// the SVG stays.
(() => {
  "use strict";
  const embedAll = () => {
    const vegaEmbed = globalThis.vegaEmbed;
    if (typeof vegaEmbed !== "function") return;
    const specs = document.querySelectorAll('script[type="application/vnd.vegalite.v5+json"]');
    for (const el of specs) {
      const box = el.parentElement;
      const img = box.querySelector("img.distlab-chart-svg");
      let spec;
      try {
        spec = JSON.parse(el.textContent);
      } catch (err) {
        console.warn("distlab: chart spec is not JSON; keeping the SVG", err);
        continue;
      }
      const target = document.createElement("div");
      target.className = "distlab-vega";
      box.insertBefore(target, el);
      vegaEmbed(target, spec, { actions: false, renderer: "svg", tooltip: { theme: "light" } })
        .then(() => {
          if (img) img.hidden = true;
          box.classList.add("distlab-interactive");
        })
        .catch((err) => {
          target.remove();
          console.warn("distlab: vega-embed failed; keeping the SVG", err);
        });
    }
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", embedAll);
  else embedAll();
})();
