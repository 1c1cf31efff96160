/* The assessment entry page (and the session form): searchable muscle pickers (Tom Select)
   on every muscle <select>, including those htmx swaps in later (new rows, segment-filtered
   lists), and no choice lost to an htmx refresh (issue 19):

   - a picker htmx swaps out is destroyed first (Tom Select listens on the document and
     window; an orphaned one would live on, dead);
   - a choice made while a request was out (a segment's muscle list, a sign's tests, an
     entry being added) stands when the answer arrives: the new <select> takes it if it
     offers that option;
   - the picker the physiotherapist was in keeps the focus and the search typed so far. */
(function () {
  "use strict";

  // Values of each entry row's selects when a request left, by the request.
  var sent = new WeakMap();
  // Choices made while a request was out and the picker in focus, for the swap under way.
  var carried = null;

  function rowOf(elt) {
    return elt && elt.closest ? elt.closest("form.finding-entry") : null;
  }

  function selectValues(form) {
    var values = {};
    form.querySelectorAll("select[id]").forEach(function (select) {
      values[select.id] = select.value;
    });
    return values;
  }

  function restore(root) {
    if (!carried) {
      return;
    }
    Object.keys(carried.values).forEach(function (id) {
      var select = document.getElementById(id);
      if (!select || !root.contains(select) || select.tomselect) {
        return;
      }
      var value = carried.values[id];
      var fits = Array.prototype.some.call(select.options, function (option) {
        return option.value === value && !option.disabled;
      });
      if (fits && select.value !== value) {
        select.value = value;
      }
    });
  }

  function refocus(root) {
    if (!carried || !carried.focus) {
      return;
    }
    var select = document.getElementById(carried.focus.id);
    if (!select || !root.contains(select)) {
      return;
    }
    var focus = carried.focus;
    carried.focus = null;
    if (select.tomselect) {
      select.tomselect.focus();
      if (focus.query) {
        select.tomselect.setTextboxValue(focus.query);
        select.tomselect.refreshOptions(true);
      }
    } else {
      select.focus();
    }
  }

  function enhance(root) {
    restore(root);
    if (typeof TomSelect !== "undefined") {
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
    refocus(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = rowOf(event.detail.elt);
    if (form) {
      sent.set(event.detail.xhr, { form: form, values: selectValues(form) });
    }
  });

  // Before the answer replaces anything: what changed in the row since the request left,
  // and which picker has the focus (with what was typed in its search).
  document.addEventListener("htmx:beforeSwap", function (event) {
    var request = sent.get(event.detail.xhr);
    carried = null;
    if (!request || !event.detail.shouldSwap) {
      return;
    }
    var now = selectValues(request.form);
    var values = {};
    Object.keys(now).forEach(function (id) {
      if (now[id] !== request.values[id]) {
        values[id] = now[id];
      }
    });
    var focus = null;
    var active = document.activeElement;
    // Tom Select's search input is "<select id>-ts-control".
    var select =
      active && /-ts-control$/.test(active.id)
        ? document.getElementById(active.id.replace(/-ts-control$/, ""))
        : active;
    if (select && select.tagName === "SELECT" && request.form.contains(select)) {
      focus = {
        id: select.id,
        query: select.tomselect ? select.tomselect.inputValue() : "",
      };
    }
    carried = { values: values, focus: focus };
  });

  document.addEventListener("htmx:beforeCleanupElement", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.tomselect) {
      elt.tomselect.destroy();
    }
  });

  document.addEventListener("htmx:load", function (event) {
    enhance(event.detail.elt);
  });

  document.addEventListener("htmx:afterSettle", function () {
    carried = null;
  });
})();
