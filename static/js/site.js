// cablesearch: small enhancements on top of htmx. Every control works without this file
// (plain links and a GET form); here we only keep focus, facet panels and lists usable
// across htmx swaps. No inline handlers: the Content Security Policy forbids them.
(function () {
  "use strict";

  var COLLAPSED_KEY = "cablesearch:collapsed-facets";
  var OPEN_MORE_KEY = "cablesearch:open-more";
  var lastFocusId = null;

  document.documentElement.classList.add("js");

  function readSet(key) {
    try {
      return new Set(JSON.parse(sessionStorage.getItem(key) || "[]"));
    } catch (e) {
      return new Set();
    }
  }

  function writeSet(key, set) {
    try {
      sessionStorage.setItem(key, JSON.stringify(Array.from(set)));
    } catch (e) {
      /* private mode: state is simply not remembered */
    }
  }

  function setExpanded(button, expanded) {
    var body = document.getElementById(button.getAttribute("aria-controls"));
    button.setAttribute("aria-expanded", expanded ? "true" : "false");
    if (body) body.hidden = !expanded;
  }

  // Facet panels keep the open/closed state the reader chose, across swaps and pages.
  function applyFacetState(root) {
    var collapsed = readSet(COLLAPSED_KEY);
    root.querySelectorAll(".facet-toggle").forEach(function (button) {
      setExpanded(button, !collapsed.has(button.id));
    });
    var open = readSet(OPEN_MORE_KEY);
    root.querySelectorAll("details.facet-more").forEach(function (details) {
      if (open.has(details.id) && !details.open) details.open = true;
    });
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest(".facet-toggle");
    if (toggle) {
      var expanded = toggle.getAttribute("aria-expanded") !== "true";
      setExpanded(toggle, expanded);
      var collapsed = readSet(COLLAPSED_KEY);
      if (expanded) collapsed.delete(toggle.id);
      else collapsed.add(toggle.id);
      writeSet(COLLAPSED_KEY, collapsed);
      return;
    }
    // Links inside SVG are not HTMLAnchorElements, so htmx does not cancel their navigation.
    var svgLink = event.target.closest("svg a[hx-get]");
    if (svgLink && !event.ctrlKey && !event.metaKey && !event.shiftKey && event.button === 0) {
      event.preventDefault();
    }
  });

  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!details.matches || !details.matches("details.facet-more")) return;
    var open = readSet(OPEN_MORE_KEY);
    if (details.open) open.add(details.id);
    else open.delete(details.id);
    writeSet(OPEN_MORE_KEY, open);
  }, true);

  // Checkbox-styled facet links: Space toggles them, as it would a checkbox.
  document.addEventListener("keydown", function (event) {
    var link = event.target.closest && event.target.closest("a[role=checkbox]");
    if (link && (event.key === " " || event.key === "Spacebar")) {
      event.preventDefault();
      link.click();
    }
  });

  // The "more" list's filter box narrows the loaded list as you type.
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("facet-filter")) return;
    var list = document.getElementById(input.getAttribute("aria-controls"));
    if (!list) return;
    var needle = input.value.trim().toLowerCase();
    list.querySelectorAll("li").forEach(function (li) {
      li.hidden = needle !== "" && li.textContent.toLowerCase().indexOf(needle) === -1;
    });
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    // Loading a "more" list is not the reader's action: keep what they last chose.
    var elt = event.detail.elt;
    if (elt && elt.classList && elt.classList.contains("facet-more-loader")) return;
    var active = document.activeElement;
    lastFocusId = active && active.id ? active.id : null;
  });

  // A search error page (503) replaces the results, so the reader learns why nothing happened.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 503) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  function showError(show) {
    var box = document.getElementById("search-error");
    if (box) box.hidden = !show;
  }
  document.addEventListener("htmx:responseError", function (event) {
    if (event.detail.xhr && event.detail.xhr.status !== 503) showError(true);
  });
  document.addEventListener("htmx:sendError", function () { showError(true); });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) showError(false);
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var loaded = event.detail.target;
    if (loaded && loaded.classList && loaded.classList.contains("facet-more-body")) {
      // The reopened "more" list is back: return to the value that was chosen in it.
      var chosen = lastFocusId && document.getElementById(lastFocusId);
      if (chosen && loaded.contains(chosen)) chosen.focus();
      return;
    }
    applyFacetState(document);
    // htmx puts the focus back on an element with the same id; when the clicked control is
    // gone (a removed chip, a page link), land on the results heading, not the page top.
    var active = document.activeElement;
    if (!active || active === document.body) {
      var again = lastFocusId && document.getElementById(lastFocusId);
      // A value of a "more" list: its list is reloaded after the swap; wait at its summary.
      var more = lastFocusId && /^fm-([a-z]+)-/.exec(lastFocusId);
      if (!again && more) {
        again = document.querySelector("#facet-" + more[1] + "-more summary");
      }
      var target = again || document.getElementById("results-heading");
      if (target && event.detail.target && event.detail.target.id === "results") {
        target.focus({ preventScroll: !!again });
      } else if (again) {
        again.focus({ preventScroll: true });
      }
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { applyFacetState(document); });
  } else {
    applyFacetState(document);
  }
})();
