// Site-wide behaviour. No inline scripts anywhere: the Content-Security-Policy forbids them.
(function () {
  "use strict";

  // Buttons with data-confirm ask before submitting their form.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // Success messages fade after a while; warnings and errors stay until dismissed.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".alert-success[data-autodismiss]").forEach(function (el) {
      window.setTimeout(function () {
        if (window.bootstrap) {
          window.bootstrap.Alert.getOrCreateInstance(el).close();
        }
      }, 6000);
    });
  });

  // A region loaded after the page (hx-trigger="load", e.g. the chart's IMS readiness)
  // says aria-busy="true" until its content has arrived, so a screen reader waits for it.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.getAttribute("aria-busy") === "true") {
      target.removeAttribute("aria-busy");
    }
  });
})();

// Schedule: content swapped into the shared modal opens it; closing it empties it.
(function () {
  "use strict";

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "app-modal-content" && window.bootstrap) {
      window.bootstrap.Modal.getOrCreateInstance(document.getElementById("app-modal")).show();
    }
  });

  // Bootstrap focuses the dialog itself; put the cursor where typing starts instead.
  document.addEventListener("shown.bs.modal", function (event) {
    var field = event.target.querySelector("[autofocus]");
    if (field) {
      field.focus();
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var modal = document.getElementById("app-modal");
    if (modal && modal.classList.contains("show") && modal.contains(event.detail.elt)) {
      var field = event.detail.elt.querySelector("[autofocus]");
      if (field) {
        field.focus();
      }
    }
  });

  document.addEventListener("hidden.bs.modal", function (event) {
    if (event.target.id === "app-modal") {
      document.getElementById("app-modal-content").innerHTML = "";
    }
  });
})();

// Buttons with data-print print the page (the day sheet).
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });
})();

// Range pickers: the movement list follows the chosen joint. The joint <select> carries
// each joint's movements (data-movements, from assessments.forms.movements_by_joint); the
// others are hidden and disabled, and a movement that does not fit the new joint is cleared.
(function () {
  "use strict";

  function follow(joint) {
    var form = joint.closest("form");
    var movement = form && form.querySelector('select[name$="movement"]');
    if (!movement) {
      return;
    }
    var map = JSON.parse(joint.getAttribute("data-movements") || "{}");
    var allowed = map[joint.value] || null;
    Array.prototype.forEach.call(movement.options, function (option) {
      var hide = Boolean(allowed && option.value && allowed.indexOf(option.value) === -1);
      option.hidden = hide;
      option.disabled = hide;
    });
    if (allowed && movement.value && allowed.indexOf(movement.value) === -1) {
      movement.value = "";
    }
  }

  function followAll(root) {
    root.querySelectorAll("select[data-movements]").forEach(follow);
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-movements]")) {
      follow(event.target);
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    followAll(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    followAll(document);  // an outerHTML swap leaves event.detail.target detached
  });
})();
