// cablesearch accounts: links that sign in and come back (?next=) must name the page as it is
// now. htmx changes the address as the reader types or filters without reloading the header,
// so follow each history change. Without JavaScript the links name the page as it was served,
// which is then the page itself.
(function () {
  "use strict";

  function refreshNextLinks() {
    var here = window.location.pathname + window.location.search;
    document.querySelectorAll("a[data-bm-next]").forEach(function (link) {
      var url = new URL(link.href, window.location.href);
      url.searchParams.set("next", here);
      link.href = url.pathname + url.search;
    });
  }

  document.addEventListener("htmx:pushedIntoHistory", refreshNextLinks);
  document.addEventListener("htmx:replacedInHistory", refreshNextLinks);
  window.addEventListener("popstate", refreshNextLinks);
})();
