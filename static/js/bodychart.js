// The body chart widget (clinic.bodychart.BodyChartWidget, templates/includes/bodychart_widget.html).
//
// Progressive enhancement, no dependencies. For every [data-bodychart] on the page (and in
// content htmx swaps in later) it lets a patient or physiotherapist place marks on the front
// and back outlines by click, tap or keyboard; select a mark to remove it; undo; clear; and
// write a note per mark in the list under the chart. The marks live as JSON in the widget's
// hidden input: [{"view": "front", "x": 0.5, "y": 0.3, "kind": "pain", "note": ""}, ...],
// x and y being fractions of the outline's viewBox. No inline scripts, no style attributes
// in markup: elements are built with the DOM API (element.style is set for positioning only).
(function () {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";
  var HIT_RADIUS = 9; // viewBox units: a tap this close to a mark selects it
  var BODY_TOLERANCE = 6; // viewBox units: a tap just outside the outline still counts
  var STEP = 0.01; // keyboard cursor step (fraction of the chart); Shift: BIG_STEP
  var BIG_STEP = 0.05;
  var HISTORY_LIMIT = 100;
  var UNKNOWN_KIND = { key: "", label: "Mark", colour: "#5d6b70", path: "M-4.3,-4.3H4.3V4.3H-4.3Z" };
  var VIEW_LABELS = { front: "front", back: "back" };

  function svgEl(name, attrs) {
    var el = document.createElementNS(SVG_NS, name);
    Object.keys(attrs || {}).forEach(function (key) {
      el.setAttribute(key, attrs[key]);
    });
    return el;
  }

  function htmlEl(name, className, text) {
    var el = document.createElement(name);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function round4(value) {
    return Math.round(value * 10000) / 10000;
  }

  function clamp(value, low, high) {
    return Math.min(high, Math.max(low, value));
  }

  function isCoordinate(value) {
    return typeof value === "number" && isFinite(value) && value >= 0 && value <= 1;
  }

  function parseMarks(text) {
    var data;
    try {
      data = JSON.parse(text || "[]");
    } catch (error) {
      return [];
    }
    if (!Array.isArray(data)) return [];
    return data
      .filter(function (mark) {
        return (
          mark &&
          (mark.view === "front" || mark.view === "back") &&
          isCoordinate(mark.x) &&
          isCoordinate(mark.y)
        );
      })
      .map(function (mark) {
        return {
          view: mark.view,
          x: round4(mark.x),
          y: round4(mark.y),
          kind: typeof mark.kind === "string" ? mark.kind : "",
          note: typeof mark.note === "string" ? mark.note : "",
        };
      });
  }

  function copyMarks(marks) {
    return marks.map(function (mark) {
      return { view: mark.view, x: mark.x, y: mark.y, kind: mark.kind, note: mark.note };
    });
  }

  function BodyChart(root) {
    this.root = root;
    this.input = root.querySelector("[data-bodychart-input]");
    this.kinds = [];
    try {
      this.kinds = JSON.parse(root.getAttribute("data-kinds") || "[]");
    } catch (error) {
      this.kinds = [];
    }
    this.kindByKey = {};
    this.kinds.forEach(function (kind) {
      this.kindByKey[kind.key] = kind;
    }, this);
    this.maxMarks = parseInt(root.getAttribute("data-max-marks"), 10) || 60;
    this.noteMax = parseInt(root.getAttribute("data-note-max-length"), 10) || 200;
    this.initialValue = this.input.value;
    this.marks = parseMarks(this.input.value);
    this.history = [];
    this.selected = -1;
    this.views = {};
    this.list = root.querySelector("[data-bodychart-list]");
    this.empty = root.querySelector("[data-bodychart-empty]");
    this.count = root.querySelector("[data-bodychart-count]");
    this.status = root.querySelector("[data-bodychart-status]");
    this.undoButton = root.querySelector("[data-bodychart-undo]");
    this.clearButton = root.querySelector("[data-bodychart-clear]");
    this.hint = root.querySelector(".bodychart-hint");

    root.querySelectorAll("[data-bodychart-view]").forEach(this.setUpView, this);
    this.buildPopover();
    this.bind();
    this.render();
    root.classList.add("is-ready");
  }

  BodyChart.prototype.setUpView = function (figure) {
    var key = figure.getAttribute("data-bodychart-view");
    var svg = figure.querySelector("svg");
    if (!svg) return;
    // Content restored from htmx's history cache may carry what an earlier run added.
    svg.querySelectorAll(".bodychart-hit, .bodychart-cursor").forEach(function (el) {
      el.remove();
    });
    var layer = svg.querySelector(".bodychart-marks");
    if (!layer) {
      layer = svgEl("g", { class: "bodychart-marks" });
      svg.appendChild(layer);
    }
    var outline = svg.querySelector(".bodychart-outline");
    var hit = null;
    if (outline) {
      // An invisible, wide-stroked copy of the outline: taps just off the edge still count.
      hit = outline.cloneNode(false);
      hit.setAttribute("class", "bodychart-hit");
      hit.setAttribute("fill", "none");
      hit.setAttribute("stroke-width", String(BODY_TOLERANCE * 2));
      hit.setAttribute("visibility", "hidden");
      hit.setAttribute("pointer-events", "none");
      svg.insertBefore(hit, layer);
    }
    var cursor = svgEl("g", { class: "bodychart-cursor", "aria-hidden": "true" });
    cursor.appendChild(svgEl("circle", { r: "7", class: "bodychart-cursor-ring" }));
    cursor.appendChild(svgEl("path", { d: "M-12,0H-4M4,0H12M0,-12V-4M0,4V12", class: "bodychart-cursor-cross" }));
    svg.appendChild(cursor);

    var label = figure.querySelector(".bodychart-caption-label");
    var name = (label ? label.textContent.trim() : key) + " view";
    svg.setAttribute("tabindex", "0");
    svg.setAttribute("role", "application");
    svg.setAttribute("aria-label", name + " of the body chart: arrow keys move the cross, Enter places a mark");
    if (this.hint && this.hint.id) svg.setAttribute("aria-describedby", this.hint.id);

    var view = {
      key: key,
      figure: figure,
      canvas: figure.querySelector(".bodychart-canvas") || figure,
      svg: svg,
      layer: layer,
      outline: outline,
      hit: hit,
      cursor: cursor,
      cursorAt: { x: 0.5, y: 0.3 },
    };
    this.views[key] = view;
    this.moveCursor(view, 0, 0);

    var chart = this;
    svg.addEventListener("click", function (event) {
      chart.onClick(view, event);
    });
    svg.addEventListener("keydown", function (event) {
      chart.onKey(view, event);
    });
  };

  BodyChart.prototype.buildPopover = function () {
    var old = this.root.querySelector(".bodychart-popover");
    if (old) old.remove();
    var popover = htmlEl("div", "bodychart-popover");
    popover.hidden = true;
    popover.setAttribute("role", "group");
    popover.setAttribute("aria-label", "Selected mark");
    this.popoverLabel = htmlEl("span", "bodychart-popover-label");
    var remove = htmlEl("button", "btn btn-sm btn-danger", "Remove");
    remove.type = "button";
    remove.setAttribute("data-bodychart-remove-selected", "");
    var close = htmlEl("button", "btn btn-sm btn-link bodychart-popover-close");
    close.type = "button";
    close.setAttribute("aria-label", "Keep the mark and close");
    close.appendChild(htmlEl("span", "", "\u00d7")).setAttribute("aria-hidden", "true");
    popover.appendChild(this.popoverLabel);
    popover.appendChild(remove);
    popover.appendChild(close);
    this.root.appendChild(popover);
    this.popover = popover;
    this.popoverRemove = remove;
    var chart = this;
    remove.addEventListener("click", function () {
      if (chart.selected >= 0) chart.remove(chart.selected);
    });
    close.addEventListener("click", function () {
      chart.select(-1);
    });
  };

  BodyChart.prototype.bind = function () {
    var chart = this;
    if (this.undoButton) {
      this.undoButton.addEventListener("click", function () {
        chart.undo();
      });
    }
    if (this.clearButton) {
      this.clearButton.addEventListener("click", function () {
        chart.clear();
      });
    }
    if (this.list) {
      this.list.addEventListener("click", function (event) {
        var button = event.target.closest(".bodychart-remove");
        if (button) chart.remove(Number(button.getAttribute("data-index")), true);
      });
      this.list.addEventListener("input", function (event) {
        if (event.target.classList.contains("bodychart-note")) {
          var index = Number(event.target.getAttribute("data-index"));
          if (chart.marks[index]) {
            chart.marks[index].note = event.target.value.slice(0, chart.noteMax);
            chart.save();
            chart.renderMarks();
          }
        }
      });
      this.list.addEventListener("keydown", function (event) {
        // Enter in a note must not submit the whole form.
        if (event.key === "Enter" && event.target.classList.contains("bodychart-note")) {
          event.preventDefault();
        }
      });
      ["mouseover", "focusin"].forEach(function (type) {
        chart.list.addEventListener(type, function (event) {
          var item = event.target.closest(".bodychart-item");
          chart.highlight(item ? Number(item.getAttribute("data-index")) : -1);
        });
      });
      ["mouseleave", "focusout"].forEach(function (type) {
        chart.list.addEventListener(type, function () {
          chart.highlight(-1);
        });
      });
    }
    var form = this.root.closest("form");
    if (form) {
      form.addEventListener("reset", function () {
        window.setTimeout(function () {
          chart.input.value = chart.initialValue;
          chart.marks = parseMarks(chart.initialValue);
          chart.history = [];
          chart.selected = -1;
          chart.render();
        }, 0);
      });
    }
    window.addEventListener("resize", function () {
      if (chart.selected >= 0) chart.placePopover();
    });
  };

  // --- Geometry ---------------------------------------------------------------------------

  BodyChart.prototype.viewBox = function (view) {
    var box = view.svg.viewBox && view.svg.viewBox.baseVal;
    if (box && box.width && box.height) return box;
    return { x: 0, y: 0, width: 200, height: 440 };
  };

  // Client (CSS pixel) coordinates -> the SVG's user units (its viewBox), at any size.
  BodyChart.prototype.toUser = function (view, clientX, clientY) {
    var matrix = view.svg.getScreenCTM();
    if (!matrix) return null;
    var point = view.svg.createSVGPoint();
    point.x = clientX;
    point.y = clientY;
    return point.matrixTransform(matrix.inverse());
  };

  BodyChart.prototype.onBody = function (view, user) {
    if (!view.outline || typeof view.outline.isPointInFill !== "function") return true;
    try {
      var point = view.svg.createSVGPoint();
      point.x = user.x;
      point.y = user.y;
      return view.outline.isPointInFill(point) || (view.hit && view.hit.isPointInStroke(point));
    } catch (error) {
      return true;
    }
  };

  BodyChart.prototype.markAt = function (view, user) {
    var box = this.viewBox(view);
    var best = -1;
    var bestDistance = HIT_RADIUS;
    this.marks.forEach(function (mark, index) {
      if (mark.view !== view.key) return;
      var dx = box.x + mark.x * box.width - user.x;
      var dy = box.y + mark.y * box.height - user.y;
      var distance = Math.sqrt(dx * dx + dy * dy);
      if (distance <= bestDistance) {
        best = index;
        bestDistance = distance;
      }
    });
    return best;
  };

  // --- Input --------------------------------------------------------------------------------

  BodyChart.prototype.onClick = function (view, event) {
    if (event.button) return;
    var user = this.toUser(view, event.clientX, event.clientY);
    if (!user) return;
    var hitMark = event.target.closest ? event.target.closest(".bodychart-mark") : null;
    var index = hitMark ? Number(hitMark.getAttribute("data-index")) : this.markAt(view, user);
    if (index >= 0) {
      this.select(index === this.selected ? -1 : index, true);
      return;
    }
    if (this.selected >= 0) {
      // First tap away from a selected mark only lets go of it.
      this.select(-1);
      return;
    }
    var box = this.viewBox(view);
    this.placeAt(view, (user.x - box.x) / box.width, (user.y - box.y) / box.height, user);
  };

  BodyChart.prototype.onKey = function (view, event) {
    var step = event.shiftKey ? BIG_STEP : STEP;
    var moves = {
      ArrowLeft: [-step, 0],
      ArrowRight: [step, 0],
      ArrowUp: [0, -step * 0.5],
      ArrowDown: [0, step * 0.5],
    };
    if (moves[event.key]) {
      event.preventDefault();
      this.moveCursor(view, moves[event.key][0], moves[event.key][1]);
      return;
    }
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      var box = this.viewBox(view);
      var user = {
        x: box.x + view.cursorAt.x * box.width,
        y: box.y + view.cursorAt.y * box.height,
      };
      var index = this.markAt(view, user);
      if (index >= 0) {
        this.select(index, true);
      } else {
        this.select(-1);
        this.placeAt(view, view.cursorAt.x, view.cursorAt.y, user);
      }
      return;
    }
    if ((event.key === "Delete" || event.key === "Backspace") && this.selected >= 0) {
      event.preventDefault();
      this.remove(this.selected);
      return;
    }
    if (event.key === "Escape" && this.selected >= 0) {
      event.preventDefault();
      this.select(-1);
    }
  };

  BodyChart.prototype.moveCursor = function (view, dx, dy) {
    var box = this.viewBox(view);
    view.cursorAt = {
      x: clamp(view.cursorAt.x + dx, 0, 1),
      y: clamp(view.cursorAt.y + dy, 0, 1),
    };
    view.cursor.setAttribute(
      "transform",
      "translate(" +
        (box.x + view.cursorAt.x * box.width) +
        " " +
        (box.y + view.cursorAt.y * box.height) +
        ")",
    );
  };

  // --- Changes ------------------------------------------------------------------------------

  BodyChart.prototype.currentKind = function () {
    var checked = this.root.querySelector("[data-bodychart-kind]:checked");
    if (checked) return checked.value;
    return this.kinds.length ? this.kinds[0].key : "";
  };

  BodyChart.prototype.kindOf = function (mark) {
    return this.kindByKey[mark.kind] || UNKNOWN_KIND;
  };

  BodyChart.prototype.describe = function (index) {
    var mark = this.marks[index];
    var kind = this.kindByKey[mark.kind];
    return (kind ? kind.label : mark.kind || "Mark") + " - " + VIEW_LABELS[mark.view] + " view, mark " + (index + 1);
  };

  BodyChart.prototype.remember = function () {
    this.history.push(copyMarks(this.marks));
    if (this.history.length > HISTORY_LIMIT) this.history.shift();
  };

  BodyChart.prototype.placeAt = function (view, x, y, user) {
    if (x < 0 || x > 1 || y < 0 || y > 1) return;
    if (!this.onBody(view, user)) {
      this.announce("Place marks on the body outline.");
      return;
    }
    if (this.marks.length >= this.maxMarks) {
      this.announce("The chart holds at most " + this.maxMarks + " marks. Remove one first.");
      return;
    }
    this.remember();
    this.marks.push({ view: view.key, x: round4(x), y: round4(y), kind: this.currentKind(), note: "" });
    this.selected = -1;
    this.commit();
    this.announce(this.describe(this.marks.length - 1) + " placed.");
  };

  BodyChart.prototype.remove = function (index, fromList) {
    if (!this.marks[index]) return;
    var description = this.describe(index);
    var view = this.views[this.marks[index].view];
    var fromPopover = this.popover.contains(document.activeElement);
    this.remember();
    this.marks.splice(index, 1);
    this.selected = -1;
    this.commit();
    this.announce(description + " removed. Later marks are renumbered.");
    if (fromPopover && view) {
      // The popover closes: give focus back to the view the mark was on.
      view.svg.focus({ preventScroll: true });
    } else if (fromList) {
      // Keep keyboard focus in the list rather than losing it to the page.
      var buttons = this.list.querySelectorAll(".bodychart-remove");
      var next = buttons[Math.min(index, buttons.length - 1)];
      if (next) {
        next.focus();
      } else if (this.views.front) {
        this.views.front.svg.focus();
      }
    }
  };

  BodyChart.prototype.clear = function () {
    if (!this.marks.length) return;
    this.remember();
    this.marks = [];
    this.selected = -1;
    this.commit();
    this.announce("All marks cleared. Undo last brings them back.");
  };

  BodyChart.prototype.undo = function () {
    if (!this.history.length) return;
    this.marks = this.history.pop();
    this.selected = -1;
    this.commit();
    this.announce("Undone. " + this.countText() + ".");
  };

  BodyChart.prototype.select = function (index, announce) {
    this.selected = index;
    this.renderMarks();
    this.renderSelection();
    if (index >= 0 && announce) {
      this.announce(this.describe(index) + " selected. Press Delete or choose Remove to remove it.");
    }
  };

  BodyChart.prototype.save = function () {
    this.input.value = JSON.stringify(this.marks);
    this.input.dispatchEvent(new Event("change", { bubbles: true }));
  };

  BodyChart.prototype.commit = function () {
    this.save();
    this.render();
  };

  BodyChart.prototype.announce = function (text) {
    if (!this.status) return;
    // Re-setting the same text would not be read again.
    this.status.textContent = "";
    var status = this.status;
    window.setTimeout(function () {
      status.textContent = text;
    }, 30);
  };

  BodyChart.prototype.countText = function () {
    var n = this.marks.length;
    return n === 0 ? "No marks" : n === 1 ? "1 mark" : n + " marks";
  };

  // --- Drawing ------------------------------------------------------------------------------

  BodyChart.prototype.render = function () {
    this.renderMarks();
    this.renderList();
    this.renderSelection();
    if (this.undoButton) this.undoButton.disabled = !this.history.length;
    if (this.clearButton) this.clearButton.disabled = !this.marks.length;
    if (this.count) this.count.textContent = this.countText();
  };

  BodyChart.prototype.renderMarks = function () {
    var chart = this;
    Object.keys(this.views).forEach(function (key) {
      var view = chart.views[key];
      var box = chart.viewBox(view);
      var layer = view.layer;
      while (layer.firstChild) layer.removeChild(layer.firstChild);
      chart.marks.forEach(function (mark, index) {
        if (mark.view !== key) return;
        var kind = chart.kindOf(mark);
        var group = svgEl("g", {
          class: "bodychart-mark" + (index === chart.selected ? " is-selected" : ""),
          "data-index": String(index),
          "data-kind": mark.kind,
          transform: "translate(" + (box.x + mark.x * box.width) + " " + (box.y + mark.y * box.height) + ")",
        });
        var title = svgEl("title");
        title.textContent = chart.describe(index) + (mark.note ? ": " + mark.note : "");
        group.appendChild(title);
        group.appendChild(svgEl("circle", { class: "bodychart-mark-hit", r: String(HIT_RADIUS), fill: "transparent" }));
        group.appendChild(svgEl("circle", { class: "bodychart-mark-ring", r: "8.5" }));
        group.appendChild(
          svgEl("path", {
            d: kind.path,
            fill: kind.colour,
            stroke: "#ffffff",
            "stroke-width": "1.3",
            "stroke-linejoin": "round",
          }),
        );
        layer.appendChild(group);
      });
    });
  };

  BodyChart.prototype.swatch = function (kind) {
    var svg = svgEl("svg", {
      class: "bodychart-swatch",
      viewBox: "-7.5 -7.5 15 15",
      width: "18",
      height: "18",
      "aria-hidden": "true",
      focusable: "false",
    });
    svg.appendChild(svgEl("path", { d: kind.path, fill: kind.colour, stroke: "#ffffff", "stroke-width": "1" }));
    return svg;
  };

  BodyChart.prototype.renderList = function () {
    if (!this.list) return;
    var chart = this;
    while (this.list.firstChild) this.list.removeChild(this.list.firstChild);
    this.marks.forEach(function (mark, index) {
      var description = chart.describe(index);
      var item = htmlEl("li", "bodychart-item" + (index === chart.selected ? " is-selected" : ""));
      item.setAttribute("data-index", String(index));
      item.appendChild(chart.swatch(chart.kindOf(mark)));
      item.appendChild(htmlEl("span", "bodychart-item-label", description));
      var note = htmlEl("input", "form-control form-control-sm bodychart-note");
      note.type = "text";
      note.value = mark.note;
      note.maxLength = chart.noteMax;
      note.placeholder = "Note (optional)";
      note.autocomplete = "off";
      note.setAttribute("data-index", String(index));
      note.setAttribute("aria-label", "Note for " + description);
      item.appendChild(note);
      var remove = htmlEl("button", "btn btn-sm btn-outline-danger bodychart-remove", "Remove");
      remove.type = "button";
      remove.setAttribute("data-index", String(index));
      remove.setAttribute("aria-label", "Remove " + description);
      item.appendChild(remove);
      chart.list.appendChild(item);
    });
    if (this.empty) this.empty.hidden = this.marks.length > 0;
  };

  BodyChart.prototype.renderSelection = function () {
    var chart = this;
    if (this.list) {
      this.list.querySelectorAll(".bodychart-item").forEach(function (item) {
        item.classList.toggle("is-selected", Number(item.getAttribute("data-index")) === chart.selected);
      });
    }
    if (this.selected < 0 || !this.marks[this.selected]) {
      this.popover.hidden = true;
      return;
    }
    this.popoverLabel.textContent = this.describe(this.selected);
    this.popoverRemove.setAttribute("aria-label", "Remove " + this.describe(this.selected));
    this.popover.hidden = false;
    this.placePopover();
  };

  BodyChart.prototype.placePopover = function () {
    var mark = this.marks[this.selected];
    var view = mark && this.views[mark.view];
    if (!view) return;
    var matrix = view.svg.getScreenCTM();
    if (!matrix) return;
    var box = this.viewBox(view);
    var point = view.svg.createSVGPoint();
    point.x = box.x + mark.x * box.width;
    point.y = box.y + mark.y * box.height;
    var screen = point.matrixTransform(matrix);
    var rootBox = this.root.getBoundingClientRect();
    var left = screen.x - rootBox.left;
    var top = screen.y - rootBox.top;
    var half = this.popover.offsetWidth / 2;
    left = clamp(left, half + 4, Math.max(half + 4, rootBox.width - half - 4));
    // Above the mark, unless that would cover the top of the chart: then below it.
    var below = screen.y - view.svg.getBoundingClientRect().top < this.popover.offsetHeight + 20;
    this.popover.classList.toggle("is-below", below);
    this.popover.style.left = left + "px";
    this.popover.style.top = top + "px";
  };

  BodyChart.prototype.highlight = function (index) {
    var chart = this;
    Object.keys(this.views).forEach(function (key) {
      chart.views[key].layer.querySelectorAll(".bodychart-mark").forEach(function (group) {
        group.classList.toggle("is-highlighted", Number(group.getAttribute("data-index")) === index);
      });
    });
  };

  // --- Start-up -----------------------------------------------------------------------------

  function initAll(scope) {
    scope = scope || document;
    var roots = [];
    if (scope.matches && scope.matches("[data-bodychart]")) roots.push(scope);
    if (scope.querySelectorAll) {
      scope.querySelectorAll("[data-bodychart]").forEach(function (root) {
        roots.push(root);
      });
    }
    roots.forEach(function (root) {
      if (!root.bodyChart && root.querySelector("[data-bodychart-input]")) {
        root.bodyChart = new BodyChart(root);
      }
    });
  }

  window.ClinicBodyChart = { init: initAll };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      initAll(document);
    });
  } else {
    initAll(document);
  }
  // htmx fires htmx:load for the page and for every piece of content it swaps in.
  document.addEventListener("htmx:load", function (event) {
    initAll((event.detail && event.detail.elt) || event.target);
  });
})();
