/* The signed-in session, on every page (base.html): a warning a minute before the idle
   sign-out with "Stay signed in", and housekeeping for the typing kept in this browser by
   autosave.js. No inline scripts anywhere: the Content-Security-Policy forbids them.

   The server says how long the session has left: base.html puts it on <body
   data-idle-seconds> and every signed-in response carries X-Clinic-Idle-Seconds (polls
   included, which do not count as activity), so the countdown follows what the server
   counts, not what happens in the page. */
(function () {
  "use strict";

  var WARN_SECONDS = 60;
  var KEPT_PREFIX = "clinic:kept:";
  var KEEP_MS = 12 * 60 * 60 * 1000; // docs/SECURITY.md: kept typing lives 12 hours at most

  // --- Typing kept in this browser -----------------------------------------------------

  function keptKeys() {
    var keys = [];
    try {
      for (var i = 0; i < window.localStorage.length; i += 1) {
        var key = window.localStorage.key(i);
        if (key && key.indexOf(KEPT_PREFIX) === 0) {
          keys.push(key);
        }
      }
    } catch (error) {
      // Storage switched off: nothing was kept.
    }
    return keys;
  }

  function forget(key) {
    try {
      window.localStorage.removeItem(key);
    } catch (error) {
      // nothing to do
    }
  }

  function forgetStale() {
    keptKeys().forEach(function (key) {
      var kept = null;
      try {
        kept = JSON.parse(window.localStorage.getItem(key));
      } catch (error) {
        kept = null;
      }
      if (!kept || typeof kept.t !== "number" || Date.now() - kept.t > KEEP_MS) {
        forget(key);
      }
    });
  }

  window.clinicKept = { prefix: KEPT_PREFIX, keepMs: KEEP_MS, forget: forget };

  forgetStale();
  // Signing out on purpose forgets everything kept in this browser (a shared computer);
  // an idle sign-out keeps it, to be offered back when the note opens again.
  document.addEventListener("submit", function (event) {
    if (event.target.matches("[data-sign-out]")) {
      keptKeys().forEach(forget);
    }
  });

  // --- The idle warning ----------------------------------------------------------------

  var body = document.body;
  var seconds = parseInt(body.getAttribute("data-idle-seconds"), 10);
  var url = body.getAttribute("data-keep-alive-url");
  var dialog = document.getElementById("idle-warning");
  if (isNaN(seconds) || !url || !dialog) {
    return; // not signed in
  }
  var deadline = 0;
  var warnTimer = null;
  var countdown = null;
  var signedOut = false;

  function csrfToken() {
    try {
      return JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function modal() {
    return window.bootstrap ? window.bootstrap.Modal.getOrCreateInstance(dialog) : null;
  }

  function show(state) {
    dialog.querySelectorAll("[data-idle-state]").forEach(function (el) {
      el.hidden = el.getAttribute("data-idle-state") !== state;
    });
    if (!dialog.classList.contains("show") && modal()) {
      modal().show();
    }
  }

  function hide() {
    window.clearInterval(countdown);
    countdown = null;
    if (dialog.classList.contains("show") && modal()) {
      modal().hide();
    }
  }

  function left() {
    return Math.max(0, Math.round((deadline - Date.now()) / 1000));
  }

  // The server's answer: the session has `secondsLeft` (null: it has already ended).
  function schedule(secondsLeft) {
    if (signedOut) {
      return;
    }
    if (secondsLeft === null) {
      ended();
      return;
    }
    deadline = Date.now() + secondsLeft * 1000;
    window.clearTimeout(warnTimer);
    if (secondsLeft > WARN_SECONDS) {
      hide();
      warnTimer = window.setTimeout(check, (secondsLeft - WARN_SECONDS) * 1000);
    } else {
      warn();
    }
  }

  // POST to the keep-alive URL. As a poll it only asks how long is left (another tab may
  // have been busy); otherwise it is the activity that keeps the session.
  function ping(poll) {
    var headers = { "X-CSRFToken": csrfToken() };
    if (poll) {
      headers["X-Clinic-Poll"] = "1";
    }
    return window
      .fetch(url, { method: "POST", headers: headers, credentials: "same-origin", redirect: "manual" })
      .then(function (response) {
        var value = response.headers.get("X-Clinic-Idle-Seconds");
        return response.status === 204 && value !== null ? parseInt(value, 10) : null;
      })
      .catch(function () {
        return left(); // offline: trust the countdown
      });
  }

  function check() {
    ping(true).then(schedule);
  }

  function warn() {
    var counter = dialog.querySelector("[data-idle-countdown]");
    var tick = function () {
      var remaining = left();
      counter.textContent = remaining + " s";
      if (remaining <= 0) {
        ended();
      }
    };
    show("warning");
    if (countdown === null) {
      countdown = window.setInterval(tick, 1000);
    }
    tick();
  }

  function ended() {
    window.clearInterval(countdown);
    countdown = null;
    window.clearTimeout(warnTimer);
    if (signedOut) {
      return;
    }
    signedOut = true;
    // autosave.js keeps whatever the server has not got and stops asking before leaving.
    document.dispatchEvent(new CustomEvent("clinic:signed-out"));
    show("ended");
  }

  dialog.addEventListener("click", function (event) {
    var action = event.target.closest("[data-idle-action]");
    if (!action) {
      return;
    }
    if (action.getAttribute("data-idle-action") === "stay") {
      ping(false).then(schedule);
    } else {
      // Reloading the page meets the sign-in page, which brings the user back here.
      window.location.reload();
    }
  });

  // Every response to an htmx request says how long is left.
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    var value = xhr ? xhr.getResponseHeader("X-Clinic-Idle-Seconds") : null;
    if (value !== null && !isNaN(parseInt(value, 10))) {
      schedule(parseInt(value, 10));
    }
  });

  schedule(seconds);
})();
