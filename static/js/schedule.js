// The desk's day view (templates/clinic/schedule/day.html): on today's grid, a line at the
// current time that moves every minute, and the grid opened scrolled to it; the date and
// location pickers apply as soon as they change (no "Go" button needed with JavaScript).
(function () {
  "use strict";

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  // The clinic's wall-clock time now: the browser's clock (UTC) moved by the clinic's UTC
  // offset, which the server writes on the grid (data-utc-offset, minutes). The browser's
  // own time zone, or its zone data, never enter: a desk computer set to another zone, or
  // a browser whose data disagrees with the server's on daylight time, still draws the line
  // where the server puts the visits.
  function clinicMinutes(grid) {
    var offset = parseInt(grid.getAttribute("data-utc-offset") || "0", 10);
    var now = new Date(Date.now() + offset * 60000);
    return now.getUTCHours() * 60 + now.getUTCMinutes();
  }

  // The 15-minute row the time falls in ("HH:MM" of its start), or null outside the grid.
  function rowAt(grid) {
    var minutes = clinicMinutes(grid);
    var slot = minutes - (minutes % 15);
    var key = pad(Math.floor(slot / 60)) + ":" + pad(slot % 60);
    return grid.querySelector('tbody tr[data-time="' + key + '"]');
  }

  function markNow(grid) {
    var row = rowAt(grid);
    grid.querySelectorAll("tr.now-row").forEach(function (old) {
      if (old !== row) {
        old.classList.remove("now-row");
      }
    });
    if (row) {
      row.classList.add("now-row");
    }
    return row;
  }

  function scrollTo(grid, row) {
    var box = grid.closest(".schedule-scroll");
    if (!box || !row) {
      return;
    }
    var header = grid.querySelector("thead");
    var offset = header ? header.offsetHeight : 0;
    // Half an hour of context above the current time.
    box.scrollTop = Math.max(0, row.offsetTop - offset - 2 * row.offsetHeight);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var grid = document.querySelector("table.schedule-grid[data-today]");
    if (grid) {
      scrollTo(grid, markNow(grid));
      window.setInterval(function () {
        markNow(grid);
      }, 60000);
    }
    document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
      form.querySelectorAll("[data-autosubmit-hide]").forEach(function (el) {
        el.hidden = true;
      });
      form.addEventListener("change", function () {
        if (form.requestSubmit) {
          form.requestSubmit();
        } else {
          form.submit();
        }
      });
    });
  });
})();
