// Draws every report chart whose Vega-Lite spec the page carries in a JSON data block.
// Expressions run through vega-interpreter (ast: true), so the Content-Security-Policy needs no 'unsafe-eval'.
(function () {
  "use strict";
  function draw() {
    var blocks = document.querySelectorAll('script[type="application/json"].vega-spec');
    blocks.forEach(function (block) {
      var target = document.getElementById(block.dataset.target);
      if (!target || !window.vegaEmbed) { return; }
      var spec = JSON.parse(block.textContent);
      window.vegaEmbed(target, spec, {
        ast: true, expr: window.vegaExpressionInterpreter, actions: false, renderer: "svg",
        // No <style> elements: the CSP allows style sheets from this site only (tandem.css styles both).
        defaultStyle: false, tooltip: { disableDefaultStyle: true },
      }).then(function (result) {
        target.classList.add("drawn");
        var svg = target.querySelector("svg");
        if (svg) {
          svg.setAttribute("role", "img");
          svg.setAttribute("aria-label", target.dataset.summary || "");
        }
        return result;
      }).catch(function (error) {
        target.textContent = "The chart could not be drawn: " + error.message;
        target.classList.add("failed");
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
