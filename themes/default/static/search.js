// explainer search: no dependencies, no network. Reads the index that
// search-index.js put on window, matches as you type (case- and
// diacritics-insensitive, any script), and builds results as DOM text nodes.
(function () {
  "use strict";
  var script = document.currentScript;
  var root = (script && script.getAttribute("data-root")) || "";
  var index = window.EXPLAINER_SEARCH || [];
  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  if (!input || !list || !status) return;

  function fold(text) {
    return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  var records = index.map(function (r) {
    return { r: r, title: fold(r.t), names: fold([r.t].concat(r.a || []).join(" \u0001 ")), rest: fold([r.s, (r.g || []).join(" "), r.k].join(" ")) };
  });
  function score(rec, terms) {
    var total = 0;
    for (var i = 0; i < terms.length; i++) {
      var t = terms[i];
      if (rec.title.indexOf(t) === 0) total += 5;
      else if (rec.names.indexOf(t) !== -1) total += 3;
      else if (rec.rest.indexOf(t) !== -1) total += 1;
      else return 0;
    }
    return total;
  }
  var selected = -1;
  function select(n) {
    var items = list.children;
    if (!items.length) return;
    selected = (n + items.length) % items.length;
    for (var i = 0; i < items.length; i++) items[i].setAttribute("aria-selected", i === selected ? "true" : "false");
  }
  function run() {
    var terms = fold(input.value).split(/\s+/).filter(Boolean);
    list.textContent = "";
    selected = -1;
    if (!terms.length) { status.textContent = ""; return; }
    var hits = records.map(function (rec) { return { rec: rec, s: score(rec, terms) }; })
      .filter(function (h) { return h.s > 0; })
      .sort(function (a, b) { return b.s - a.s || a.rec.r.t.localeCompare(b.rec.r.t); })
      .slice(0, 30);
    hits.forEach(function (h) {
      var li = document.createElement("li");
      var kind = document.createElement("span");
      kind.className = "kind-label";
      kind.textContent = h.rec.r.k;
      var a = document.createElement("a");
      a.href = root + h.rec.r.u;
      a.textContent = h.rec.r.t;
      li.appendChild(kind);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(a);
      if (h.rec.r.s) {
        var p = document.createElement("p");
        p.className = "item-summary";
        p.textContent = h.rec.r.s;
        li.appendChild(p);
      }
      list.appendChild(li);
    });
    status.textContent = hits.length ? hits.length + (hits.length === 1 ? " result" : " results") : "No results";
    if (hits.length) select(0);
  }
  input.addEventListener("input", run);
  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown") { select(selected + 1); e.preventDefault(); }
    else if (e.key === "ArrowUp") { select(selected - 1); e.preventDefault(); }
    else if (e.key === "Enter" && selected >= 0 && list.children[selected]) {
      e.preventDefault();
      window.location.href = list.children[selected].querySelector("a").href;
    }
  });
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) { input.value = q; }
  run();
})();
