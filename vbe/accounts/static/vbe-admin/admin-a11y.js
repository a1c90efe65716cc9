/* Names for the widgets that Django's admin scripts build without one (WCAG 4.1.2), kept up to date as
   the scripts add rows and widgets. Loaded on every admin page by templates/admin/base_site.html. */
(function () {
  "use strict";

  function labelFor(select) {
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    return (label && label.textContent.trim().replace(/:$/, "")) || select.getAttribute("aria-label") || "";
  }

  function fix(root) {
    // SelectFilter2's search icons carry aria-label on a plain span: give them the role of an image.
    root.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach(function (el) {
      el.setAttribute("role", "img");
    });
    // Select2 (autocomplete fields): its combobox and text box are named after the original <select>.
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var container = select.nextElementSibling;
      if (!container || !container.classList.contains("select2")) return;
      var name = labelFor(select);
      container.querySelectorAll(".select2-selection, .select2-selection__rendered").forEach(function (el) {
        if (name && el.getAttribute("aria-label") !== name) el.setAttribute("aria-label", name);
      });
    });
  }

  function fixOpenDropdown(root) {
    // ARIA 1.2: a combobox names its popup with aria-controls (Select2 sets only aria-owns).
    root.querySelectorAll('.select2-selection[role="combobox"][aria-owns]').forEach(function (el) {
      el.setAttribute("aria-controls", el.getAttribute("aria-owns"));
    });
    // The search box of the open dropdown is named after the field being searched.
    var open = document.querySelector(".select2-container--open .select2-selection[aria-label]");
    root.querySelectorAll(".select2-search__field:not([aria-label])").forEach(function (el) {
      el.setAttribute("aria-label", "Sök" + (open ? ": " + open.getAttribute("aria-label") : ""));
    });
  }

  function start() {
    fix(document);
    new MutationObserver(function () {
      fix(document);
      fixOpenDropdown(document);
    }).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ["aria-owns"] });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
