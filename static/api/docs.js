// Accessibility repairs to Swagger UI's markup on the API documentation page (axe runs on
// it in tests/api/test_docs_browser.py): the API's description becomes a labelled region
// (otherwise outside every landmark) and the group headings follow the page's one <h1>
// as level 2 (Swagger UI renders them as <h3>).
(function () {
  "use strict";
  function repair(root) {
    root.querySelectorAll(".information-container:not([role])").forEach(function (info) {
      info.setAttribute("role", "region");
      info.setAttribute("aria-label", document.documentElement.dataset.aboutLabel || "About");
    });
    root.querySelectorAll("h3.opblock-tag:not([aria-level])").forEach(function (heading) {
      heading.setAttribute("aria-level", "2");
    });
  }
  var root = document.getElementById("swagger-ui");
  new MutationObserver(function () { repair(root); }).observe(root, { childList: true, subtree: true });
  repair(root);
})();
