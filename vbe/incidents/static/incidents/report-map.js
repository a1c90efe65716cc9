// Progressive enhancement of the report form's map: choosing a district on the map sets the
// district list without reloading the page, so nothing typed is lost. Without JavaScript the map's
// links reload the page with the district chosen, and the list works on its own.
(function () {
  "use strict";
  var map = document.getElementById("report-map");
  var select = document.getElementById("id_district");
  if (!map || !select) {
    return;
  }
  var links = map.querySelectorAll("a.app-map__link");

  function codeOf(link) {
    var match = /[?&]omrade=([^&#]+)/.exec(link.getAttribute("href") || "");
    return match ? decodeURIComponent(match[1]) : "";
  }

  function show(code) {
    Array.prototype.forEach.call(links, function (link) {
      var chosen = codeOf(link) === code;
      var area = link.querySelector(".app-map__area");
      var name = (link.getAttribute("aria-label") || "").replace(/ \(valt\)$/, "");
      link.setAttribute("aria-label", chosen ? name + " (valt)" : name);
      if (chosen) {
        link.setAttribute("aria-current", "true");
      } else {
        link.removeAttribute("aria-current");
      }
      if (area) {
        area.classList.toggle("app-map__area--selected", chosen);
      }
    });
  }

  Array.prototype.forEach.call(links, function (link) {
    link.addEventListener("click", function (event) {
      var code = codeOf(link);
      var known = Array.prototype.some.call(select.options, function (option) {
        return option.value === code;
      });
      if (!code || !known) {
        return;
      }
      event.preventDefault();
      select.value = code;
      show(code);
      select.focus();
    });
  });
  select.addEventListener("change", function () {
    show(select.value);
  });
})();
