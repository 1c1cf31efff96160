/* The assessment entry page: searchable muscle pickers (Tom Select) on every muscle
   <select>, including those htmx swaps in later (new rows, segment-filtered lists). */
(function () {
  "use strict";

  function enhance(root) {
    if (typeof TomSelect === "undefined") {
      return; // the plain <select> still works
    }
    root.querySelectorAll("select[data-searchable]").forEach(function (select) {
      if (select.tomselect) {
        return;
      }
      new TomSelect(select, {
        maxOptions: null,
        allowEmptyOption: true,
        searchField: ["text"],
        selectOnTab: true,
        // Tom Select itself fires input and change on the original <select>, which is
        // what htmx and the forms listen to.
      });
      // The label now names Tom Select's own input; the original <select>, kept only to
      // carry the value, leaves the accessibility tree so nothing is announced twice.
      select.setAttribute("aria-hidden", "true");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
  });
  document.addEventListener("htmx:load", function (event) {
    enhance(event.detail.elt);
  });
})();
