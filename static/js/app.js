// Progressive enhancement only: every page works without JavaScript.
// Marks the body so GOV.UK Frontend's JS-only styles apply, then starts its components.
(function () {
  "use strict";
  var body = document.body;
  body.classList.add("js-enabled");
  if ("noModule" in HTMLScriptElement.prototype) {
    body.classList.add("govuk-frontend-supported");
  }
  if (window.GOVUKFrontend && typeof window.GOVUKFrontend.initAll === "function") {
    window.GOVUKFrontend.initAll();
  }
})();
