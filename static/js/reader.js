// cablesearch cable reader: what a plain page cannot do. Next/previous match (buttons and the
// keys n and p), "Hide marks" keeping the paragraph anchor, copy-citation buttons, and the
// metadata folded on a narrow screen. Without JavaScript the page is complete as served.
(function () {
  "use strict";

  var current = -1;

  function marks() {
    return Array.prototype.slice.call(document.querySelectorAll(".cable-header h1 mark, .cable-body mark"));
  }

  function showMatch(step) {
    var all = marks();
    if (!all.length) return;
    if (current >= 0 && all[current]) all[current].classList.remove("is-current");
    current = (current + step + all.length) % all.length;
    var mark = all[current];
    mark.classList.add("is-current");
    mark.setAttribute("tabindex", "-1");
    mark.focus({ preventScroll: true });
    mark.scrollIntoView({ block: "center" });
    var count = document.querySelector(".match-count");
    if (count) count.textContent = "match " + (current + 1) + " of " + all.length;
  }

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function keepAnchor() {
    var hide = document.getElementById("hide-marks");
    if (!hide) return;
    var url = new URL(hide.href, window.location.href);
    url.hash = window.location.hash;
    hide.href = url.pathname + url.search + url.hash;
  }

  function copy(text, button) {
    function done(ok) {
      var status = document.getElementById("copy-status");
      if (status) status.textContent = ok ? "Copied “" + text + "”." : "Could not copy; select the text instead.";
      button.classList.toggle("is-copied", ok);
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(false); });
    } else {
      done(false);
    }
  }

  function start() {
    var nav = document.querySelector(".match-nav");
    if (nav && marks().length) {
      nav.hidden = false;
      nav.addEventListener("click", function (event) {
        var button = event.target.closest("[data-match]");
        if (button) showMatch(button.getAttribute("data-match") === "next" ? 1 : -1);
      });
      document.addEventListener("keydown", function (event) {
        if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
        if (event.key === "n") { showMatch(1); event.preventDefault(); }
        if (event.key === "p") { showMatch(-1); event.preventDefault(); }
      });
    }

    keepAnchor();
    window.addEventListener("hashchange", keepAnchor);

    var buttons = document.querySelectorAll(".copy-cite");
    if (buttons.length) {
      var status = document.createElement("p");
      status.id = "copy-status";
      status.className = "visually-hidden";
      status.setAttribute("role", "status");
      document.querySelector(".cable-body").before(status);
      buttons.forEach(function (button) {
        button.hidden = false;
        button.addEventListener("click", function () { copy(button.getAttribute("data-cite"), button); });
      });
    }

    var meta = document.querySelector("details[data-collapse-narrow]");
    if (meta && window.matchMedia("(max-width: 40rem)").matches) meta.open = false;
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
