/* Autosaved drafts (the session note, the assessment header) never lose typing.

   A <form data-autosave="<kind>:<record id>:<user id>"> posts itself with htmx as the
   clinician types; its hx-target shows the status (includes/autosave_status.html, whose
   data-save-result says "saved", "partial" or "refused") and the server swaps each field's
   error in next to it (#err-<name>). Here:
   - every field whose error box holds a message is marked invalid (red, aria-invalid);
   - whatever the server has not confirmed is kept in localStorage under
     clinic:kept:<kind>:<record id>:<user id> (cleared once a save succeeds), so an idle
     sign-out, a lost connection or a closed tab loses nothing: the next time the page
     opens for the same user it offers "Restore / Discard" (session.js forgets kept typing
     after 12 hours and at an explicit sign-out);
   - leaving the page with typing not yet saved, or a field the server refused, asks first,
     unless the typing has just been kept because the session ended. */
(function () {
  "use strict";

  var PREFIX = "clinic:kept:";
  var KEEP_MS = 12 * 60 * 60 * 1000;

  function hhmm(time) {
    var date = new Date(time);
    var pad = function (n) {
      return (n < 10 ? "0" : "") + n;
    };
    return pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  function Editor(form) {
    this.form = form;
    this.key = PREFIX + form.getAttribute("data-autosave");
    this.status = document.querySelector(form.getAttribute("hx-target"));
    this.typed = 0; // changes made in the page
    this.sent = 0; // ... of which the last request sent
    this.saved = 0; // ... of which the server has stored
    this.refused = false; // the last answer named a field it could not store
    this.leaving = false;
    this.wire();
    this.markFields();
    this.offer();
  }

  Editor.prototype.pairs = function () {
    var pairs = [];
    new FormData(this.form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && typeof value === "string") {
        pairs.push([name, value]);
      }
    });
    return pairs;
  };

  Editor.prototype.unsaved = function () {
    return this.typed !== this.saved || this.refused;
  };

  Editor.prototype.keep = function () {
    try {
      window.localStorage.setItem(
        this.key,
        JSON.stringify({ t: Date.now(), path: window.location.pathname, pairs: this.pairs() })
      );
    } catch (error) {
      // Storage full or switched off: the page still warns before leaving.
    }
  };

  Editor.prototype.kept = function () {
    try {
      var kept = JSON.parse(window.localStorage.getItem(this.key));
      if (kept && typeof kept.t === "number" && Date.now() - kept.t <= KEEP_MS) {
        return kept;
      }
    } catch (error) {
      // unreadable: treat as nothing kept
    }
    return null;
  };

  Editor.prototype.forget = function () {
    try {
      window.localStorage.removeItem(this.key);
    } catch (error) {
      // nothing to do
    }
  };

  Editor.prototype.owns = function (element) {
    return element && (element === this.form || element.form === this.form);
  };

  Editor.prototype.markFields = function () {
    Array.prototype.forEach.call(this.form.elements, function (element) {
      if (!element.name) {
        return;
      }
      var box = document.getElementById("err-" + element.name);
      var invalid = Boolean(box && box.textContent.trim());
      element.classList.toggle("is-invalid", invalid);
      if (invalid) {
        element.setAttribute("aria-invalid", "true");
      } else {
        element.removeAttribute("aria-invalid");
      }
      if (box && !element.hasAttribute("aria-describedby")) {
        element.setAttribute("aria-describedby", box.id);
      }
    });
  };

  Editor.prototype.say = function (html) {
    if (this.status) {
      this.status.innerHTML = html;
    }
  };

  Editor.prototype.wire = function () {
    var editor = this;
    var typed = function (event) {
      if (editor.owns(event.target) && event.target !== editor.form) {
        editor.typed += 1;
        editor.keep();
      }
    };
    // Capturing, so a change is counted before htmx (listening on the field) sends it.
    document.addEventListener("input", typed, true);
    document.addEventListener("change", typed, true);

    document.addEventListener("htmx:beforeRequest", function (event) {
      if (event.detail.elt === editor.form) {
        editor.sent = editor.typed;
      }
    });
    document.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.requestConfig && event.detail.requestConfig.elt === editor.form) {
        var answer = editor.status && editor.status.querySelector("[data-save-result]");
        var result = answer ? answer.getAttribute("data-save-result") : "";
        editor.refused = result !== "saved";
        if (result === "saved" || result === "partial") {
          editor.saved = editor.sent;
        }
        if (!editor.unsaved()) {
          editor.forget();
        }
        editor.markFields();
      }
    });
    var failed = function (event) {
      if (event.detail.elt === editor.form) {
        editor.refused = true;
        editor.keep();
        editor.say(
          '<span class="text-danger"><i class="bi bi-wifi-off" aria-hidden="true"></i> ' +
            "Not saved: the server did not answer. Your typing is kept in this browser " +
            "and goes with your next change.</span>"
        );
      }
    };
    document.addEventListener("htmx:responseError", failed);
    document.addEventListener("htmx:sendError", failed);

    // The session ended (an htmx request was sent to sign in, or the idle countdown ran
    // out): keep what is unsaved and let the page go without asking.
    var ended = function () {
      if (editor.unsaved()) {
        editor.keep();
      }
      editor.leaving = true;
    };
    document.addEventListener("htmx:beforeOnLoad", function (event) {
      var xhr = event.detail.xhr;
      if (xhr && xhr.getResponseHeader("HX-Redirect")) {
        ended();
      }
    });
    document.addEventListener("clinic:signed-out", function () {
      ended();
      editor.say(
        '<span class="text-danger"><i class="bi bi-box-arrow-right" aria-hidden="true"></i> ' +
          "Signed out: unsaved typing is kept in this browser.</span>"
      );
    });

    window.addEventListener("beforeunload", function (event) {
      if (!editor.leaving && editor.unsaved()) {
        editor.keep();
        event.preventDefault();
        event.returnValue = "";
      }
    });
  };

  // Typing kept from an earlier visit: offer it back if it differs from what the page shows.
  Editor.prototype.offer = function () {
    var kept = this.kept();
    var banner = document.querySelector('[data-autosave-restore="' + this.form.id + '"]');
    if (!kept) {
      this.forget();
      return;
    }
    if (!banner || JSON.stringify(kept.pairs) === JSON.stringify(this.pairs())) {
      this.forget();
      return;
    }
    var editor = this;
    banner.querySelector("[data-autosave-when]").textContent = hhmm(kept.t);
    banner.hidden = false;
    banner.addEventListener("click", function (event) {
      var action = event.target.closest("[data-autosave-action]");
      if (!action) {
        return;
      }
      banner.hidden = true;
      if (action.getAttribute("data-autosave-action") === "restore") {
        editor.restore(kept.pairs);
      } else {
        editor.forget();
      }
    });
  };

  Editor.prototype.restore = function (pairs) {
    var seen = {};
    var changed = [];
    Array.prototype.forEach.call(this.form.elements, function (element) {
      var name = element.name;
      if (!name || element.type === "file" || element.type === "submit") {
        return;
      }
      var values = pairs
        .filter(function (pair) {
          return pair[0] === name;
        })
        .map(function (pair) {
          return pair[1];
        });
      var before;
      if (element.type === "checkbox" || element.type === "radio") {
        before = element.checked;
        element.checked = values.indexOf(element.value) !== -1;
        if (before !== element.checked) {
          changed.push(element);
        }
      } else if (element.type === "select-multiple") {
        Array.prototype.forEach.call(element.options, function (option) {
          option.selected = values.indexOf(option.value) !== -1;
        });
        changed.push(element);
      } else {
        var index = seen[name] || 0;
        seen[name] = index + 1;
        before = element.value;
        element.value = index < values.length ? values[index] : "";
        if (before !== element.value) {
          changed.push(element);
        }
      }
    });
    // The same events typing fires: this page keeps the text and htmx saves it.
    changed.forEach(function (element) {
      element.dispatchEvent(new Event("input", { bubbles: true }));
      element.dispatchEvent(new Event("change", { bubbles: true }));
    });
  };

  function start() {
    document.querySelectorAll("form[data-autosave]").forEach(function (form) {
      if (!form.autosave) {
        form.autosave = new Editor(form);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
