// "My account": when the browser's time zone differs from the one chosen, say so and
// offer a button that picks it. Progressive enhancement only: without script the
// suggestion stays hidden and the list works as it is. (CSP: script-src 'self'.)
(function () {
  "use strict";
  var select = document.querySelector("select[data-browser-zone]");
  if (!select) return;
  var box = document.getElementById(select.getAttribute("data-browser-zone"));
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  if (!box || !zone || zone === select.value) return;
  var option = null;
  for (var i = 0; i < select.options.length; i += 1) {
    if (select.options[i].value === zone) option = select.options[i];
  }
  if (!option) return; // a zone the list does not offer: nothing to suggest
  var group = option.parentNode && option.parentNode.label;
  box.querySelector("[data-zone-label]").textContent =
    (group ? group + " / " : "") + option.textContent;
  box.hidden = false;
  box.querySelector("[data-use-zone]").addEventListener("click", function () {
    select.value = zone;
    box.hidden = true;
    select.focus(); // the list now reads out the zone just chosen
  });
  select.addEventListener("change", function () {
    box.hidden = select.value === zone;
  });
})();
