// The desk's day view (templates/clinic/schedule/day.html): on today's grid, a line at the
// current time that moves every minute, and the grid opened scrolled to it; the date and
// location pickers apply as soon as they change (no "Go" button needed with JavaScript).
(function () {
  "use strict";

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  // The 15-minute row the time falls in ("HH:MM" of its start), or null outside the grid.
  function rowAt(grid, now) {
    var minutes = now.getHours() * 60 + now.getMinutes();
    var slot = minutes - (minutes % 15);
    var key = pad(Math.floor(slot / 60)) + ":" + pad(slot % 60);
    return grid.querySelector('tbody tr[data-time="' + key + '"]');
  }

  function markNow(grid) {
    var row = rowAt(grid, new Date());
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
