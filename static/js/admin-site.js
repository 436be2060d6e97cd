/* Loaded on every admin page (templates/admin/base_site.html).

   A table too wide for a narrow screen scrolls sideways inside its box. Where the box
   holds nothing a keyboard can reach (a read-only history, a connection's extensions),
   nobody without a mouse could scroll it: such a box becomes a named stop of the Tab
   key while it overflows (WCAG 2.1.1; axe's scrollable-region-focusable). */
(function () {
    "use strict";
    var FOCUSABLE = "a[href], button, input:not([type=hidden]), select, textarea, [tabindex]";

    function update(box) {
        var overflows = box.scrollWidth > box.clientWidth;
        if (overflows && !box.querySelector(FOCUSABLE)) {
            box.setAttribute("tabindex", "0");
            box.setAttribute("role", "region");
            var heading = box.querySelector("h2[id]");
            if (heading) {
                box.setAttribute("aria-labelledby", heading.id);
            }
        } else if (box.getAttribute("role") === "region") {
            box.removeAttribute("tabindex");
            box.removeAttribute("role");
            box.removeAttribute("aria-labelledby");
        }
    }

    function updateAll() {
        document.querySelectorAll(".inline-group").forEach(update);
    }

    document.addEventListener("DOMContentLoaded", updateAll);
    window.addEventListener("resize", updateAll);
})();
