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

// The progress page of a background job (templates/jobs/progress.html): asks the job's JSON every
// few seconds and updates the bar, the count and, when the stage or state changes, the polite live
// region. Without JavaScript the page has its "Uppdatera" link; it never reloads itself.
(function () {
  "use strict";
  var box = document.querySelector("[data-job-progress]");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-poll-url");
  var bar = box.querySelector("[data-job-bar]");
  var count = box.querySelector("[data-job-count]");
  var live = box.querySelector("[data-job-live]");
  var said = "";
  var failures = 0;

  function text(selector, value) {
    var node = box.querySelector(selector);
    if (node) {
      node.textContent = value;
    }
  }

  function fill(template, facts) {
    return template.replace("{done}", String(facts.done)).replace("{total}", String(facts.total));
  }

  function show(facts) {
    text("[data-job-state]", facts.state_label);
    text("[data-job-stage]", facts.stage || "–");
    if (facts.total) {
      bar.setAttribute("max", String(facts.total));
      bar.setAttribute("value", String(facts.done));
      count.textContent = fill(box.getAttribute("data-text-count"), facts);
    } else if (facts.finished) {
      bar.setAttribute("max", "1");
      bar.setAttribute("value", facts.failed ? "0" : "1");
    } else {
      bar.removeAttribute("value"); // indeterminate
      count.textContent = facts.done ? fill(box.getAttribute("data-text-count-unknown"), facts) : "";
    }
    var news = facts.finished ? facts.state_label + ". " + facts.message : facts.stage;
    if (news && news !== said) {
      said = news;
      live.textContent = news;
    }
    if (facts.finished) {
      var result = box.querySelector("[data-job-result]");
      text("[data-job-message]", facts.message);
      var place = box.querySelector("[data-job-result-link]");
      place.textContent = "";
      if (facts.result_url) {
        var link = document.createElement("a");
        link.className = "govuk-link";
        link.href = facts.result_url;
        link.textContent = box.getAttribute("data-text-result");
        place.appendChild(link);
      }
      result.hidden = false;
      Array.prototype.forEach.call(box.querySelectorAll("[data-job-refresh]"), function (node) {
        node.hidden = true;
      });
    }
  }

  function poll() {
    window
      .fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (facts) {
        failures = 0;
        show(facts);
        if (!facts.finished) {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () {
        // A lost connection or a new sign-in: try a few more times, then leave the "Uppdatera" link.
        failures += 1;
        if (failures < 5) {
          window.setTimeout(poll, 5000);
        }
      });
  }

  if (!box.querySelector("[data-job-result]").hidden) {
    return; // finished when the page was made
  }
  window.setTimeout(poll, 1000);
})();
