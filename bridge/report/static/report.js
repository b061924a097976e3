// The report's only script: filter the activities by decision and page through them, on
// the page itself. It reads the page's own attributes and sets `hidden` and classes; it
// never builds markup from text. Without it (scripts off) every row shows.
(function () {
  "use strict";
  var PAGE = 100;
  var rows = Array.prototype.slice.call(document.querySelectorAll("#rows > .act"));
  var boxes = Array.prototype.slice.call(document.querySelectorAll("#filters input"));
  var markers = Array.prototype.slice.call(document.querySelectorAll("#markers .marker"));
  var info = document.getElementById("pager-info");
  var prev = document.getElementById("prev");
  var next = document.getElementById("next");
  var page = 0;
  var matching = rows;

  function wanted() {
    var set = {};
    boxes.forEach(function (b) { if (b.checked) { set[b.value] = true; } });
    return set;
  }

  function show() {
    var want = wanted();
    matching = rows.filter(function (r) { return want[r.dataset.decision]; });
    var pages = Math.max(1, Math.ceil(matching.length / PAGE));
    page = Math.max(0, Math.min(page, pages - 1));
    var first = page * PAGE;
    rows.forEach(function (r) { r.hidden = true; });
    matching.slice(first, first + PAGE).forEach(function (r) { r.hidden = false; });
    markers.forEach(function (m) {
      m.classList.toggle("filtered", !want[m.dataset.decision]);
    });
    info.textContent = matching.length
      ? (first + 1).toLocaleString() + "–" + Math.min(first + PAGE, matching.length).toLocaleString() +
        " of " + matching.length.toLocaleString() + " rows"
      : "no row matches";
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
  }

  function reveal() {
    var target = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    if (!target || !target.classList.contains("act")) { return; }
    boxes.forEach(function (b) { if (b.value === target.dataset.decision) { b.checked = true; } });
    matching = rows.filter(function (r) { return wanted()[r.dataset.decision]; });
    page = Math.floor(matching.indexOf(target) / PAGE);
    show();
    target.open = true;
    target.scrollIntoView({ block: "center" });
  }

  boxes.forEach(function (b) { b.addEventListener("change", function () { page = 0; show(); }); });
  prev.addEventListener("click", function () { page -= 1; show(); });
  next.addEventListener("click", function () { page += 1; show(); });
  window.addEventListener("hashchange", reveal);
  // Printed, the page holds every row the filter shows, not just the current page.
  window.addEventListener("beforeprint", function () {
    matching.forEach(function (r) { r.hidden = false; });
  });
  window.addEventListener("afterprint", show);
  document.getElementById("controls").hidden = false;
  show();
  reveal();
}());
