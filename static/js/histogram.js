// cablesearch histogram: choose a range of years by dragging across the bars, or from the
// keyboard (arrow keys move between bars; Shift+arrow extends a range; Enter applies it;
// Escape drops it). The range fills the From/To dates of the search form and submits it, so
// the URL is the ordinary from=/to= one. Without JavaScript each bar is a link to its year
// and the date fields do the rest.
(function () {
  "use strict";

  var range = null; // {svg, anchor, end} while choosing
  var suppressClick = false;

  function barsOf(svg) {
    return Array.prototype.slice.call(svg.querySelectorAll("a.bar[data-year]"));
  }

  function yearOf(el) {
    var bar = el && el.closest && el.closest("a.bar[data-year]");
    return bar ? parseInt(bar.getAttribute("data-year"), 10) : null;
  }

  function show(svg, a, b) {
    var lo = Math.min(a, b), hi = Math.max(a, b);
    barsOf(svg).forEach(function (bar) {
      var y = parseInt(bar.getAttribute("data-year"), 10);
      bar.classList.toggle("in-range", y >= lo && y <= hi);
    });
    var status = document.getElementById("result-status");
    if (status && lo !== hi) status.textContent = "Years " + lo + " to " + hi + " chosen; press Enter to apply.";
  }

  function clear(svg) {
    barsOf(svg).forEach(function (bar) { bar.classList.remove("in-range"); });
    range = null;
  }

  function apply(svg, a, b) {
    var lo = Math.min(a, b), hi = Math.max(a, b);
    var from = document.querySelector(svg.getAttribute("data-range-from"));
    var to = document.querySelector(svg.getAttribute("data-range-to"));
    var form = document.getElementById("search-form");
    if (!from || !to || !form) return;
    from.value = lo + "-01-01";
    to.value = hi + "-12-31";
    // A chosen year would narrow the range to itself: the range replaces it.
    document.querySelectorAll('input[type=hidden][name=year][form=search-form]').forEach(function (input) {
      input.remove();
    });
    range = null;
    form.requestSubmit();
  }

  document.addEventListener("pointerdown", function (event) {
    var svg = event.target.closest && event.target.closest(".histogram-svg");
    var year = yearOf(event.target);
    if (!svg || year === null || event.button !== 0) return;
    range = { svg: svg, anchor: year, end: year, dragging: true };
    svg.classList.add("is-dragging");
  });

  document.addEventListener("pointermove", function (event) {
    if (!range || !range.dragging) return;
    var year = yearOf(document.elementFromPoint(event.clientX, event.clientY));
    if (year !== null && year !== range.end) {
      range.end = year;
      show(range.svg, range.anchor, range.end);
    }
  });

  document.addEventListener("pointerup", function () {
    if (!range || !range.dragging) return;
    range.svg.classList.remove("is-dragging");
    range.dragging = false;
    if (range.end !== range.anchor) {
      suppressClick = true; // the release ends a drag, not a click on one year
      apply(range.svg, range.anchor, range.end);
    } else {
      range = null;
    }
  });

  // Capture: runs before htmx's own click handler on the bar.
  document.addEventListener("click", function (event) {
    if (suppressClick && event.target.closest && event.target.closest(".histogram-svg")) {
      event.preventDefault();
      event.stopPropagation();
    }
    suppressClick = false;
  }, true);

  document.addEventListener("keydown", function (event) {
    var svg = event.target.closest && event.target.closest(".histogram-svg");
    var year = yearOf(event.target);
    if (!svg || year === null) return;
    var bars = barsOf(svg);
    var i = bars.indexOf(event.target.closest("a.bar"));
    if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
      var next = bars[i + (event.key === "ArrowRight" ? 1 : -1)];
      event.preventDefault();
      if (!next) return;
      if (event.shiftKey) {
        if (!range || range.svg !== svg) range = { svg: svg, anchor: year, end: year };
        range.end = yearOf(next);
        show(svg, range.anchor, range.end);
      } else if (range) {
        clear(svg);
      }
      next.focus();
    } else if (event.key === "Enter" && range && range.svg === svg && range.end !== range.anchor) {
      event.preventDefault();
      event.stopPropagation();
      apply(svg, range.anchor, range.end);
    } else if (event.key === "Escape" && range) {
      clear(svg);
    }
  }, true);

  function reveal() {
    document.querySelectorAll(".hist-range-help").forEach(function (el) { el.hidden = false; });
  }
  document.addEventListener("htmx:afterSettle", reveal);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", reveal);
  } else {
    reveal();
  }
})();
