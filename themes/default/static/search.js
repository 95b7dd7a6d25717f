// explainer search: no dependencies, no network. Reads the index that
// search-index.js put on window (a script, so it loads from file:// too),
// matches as you type — case- and diacritics-insensitive, in any script —
// and builds results as DOM text nodes, never as HTML.
//
// Index records: t title, k kind, u link from the site root, s summary,
// a aliases, d date (YYYY-MM-DD), g tags, f key facts as text, b distinct
// lowercase words of the start of the body. Empty fields are left out.
(function () {
  "use strict";
  var script = document.currentScript;
  var root = (script && script.getAttribute("data-root")) || "";
  var index = window.EXPLAINER_SEARCH || [];
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var kindSelect = document.getElementById("search-kind");
  var tagSelect = document.getElementById("search-tag");
  var fromInput = document.getElementById("search-from");
  var toInput = document.getElementById("search-to");
  if (!form || !input || !list || !status) return;

  var lang = document.documentElement.lang || undefined;
  var MAX_RESULTS = 50;
  // What a term matching each field is worth; a page must match every term.
  var WEIGHT = { title: 10, alias: 7, tag: 3, facts: 3, summary: 2, body: 1 };
  // The words to write, in the page's language: search.html puts them in
  // #search-words (from the theme's translation files); English otherwise.
  var WORDS = {
    kinds: { actor: "Actor", meeting: "Meeting", proposal: "Proposal", source: "Source", page: "Page" },
    months: ["January", "February", "March", "April", "May", "June", "July",
      "August", "September", "October", "November", "December"],
    day: "{day} {month} {year}",
    count: { one: "{count} result", other: "{count} results" },
    none: "No results for \u201c{query}\u201d.",
    no_match: "Nothing matches these filters.",
    showing: ", showing the first {shown}",
    for_query: " for \u201c{query}\u201d.",
    end: "."
  };
  var wordsElement = document.getElementById("search-words");
  if (wordsElement) {
    try { WORDS = JSON.parse(wordsElement.textContent); } catch (e) { /* keep English */ }
  }
  // Plural forms by the browser's CLDR rules for the page's language.
  var plurals = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang) : null;
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : all;
    });
  }

  // Lowercase, accents off (Élysée → elysee, й → и), an apostrophe between
  // two Cyrillic letters dropped whichever one was typed (обʼєднання,
  // об'єднання, об’єднання: the index drops them too), other punctuation to
  // spaces, padded with spaces so " term" finds the start of a word.
  function fold(text) {
    return " " + String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/([\u0400-\u04ff])['\u2019\u02bc\u2018](?=[\u0400-\u04ff])/g, "$1")
      .toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim() + " ";
  }
  var records = index.map(function (r) {
    return {
      r: r,
      title: fold(r.t),
      aliases: (r.a || []).map(fold),
      tag: fold((r.g || []).join(" ")),
      facts: fold(r.f),
      summary: fold(r.s),
      body: fold(r.b)
    };
  });

  // The points a folded field earns for a term: full at the start of a
  // word, a quarter inside a word (for terms long enough to mean something).
  function points(field, term, weight) {
    if (field.indexOf(" " + term) !== -1) return weight;
    if (term.length >= 4 && field.indexOf(term) !== -1) return weight / 4;
    return 0;
  }
  function match(rec, terms, whole) {
    var total = 0, alias = null;
    for (var i = 0; i < terms.length; i++) {
      var t = terms[i];
      var best = points(rec.title, t, WEIGHT.title);
      for (var j = 0; j < rec.aliases.length; j++) {
        var p = points(rec.aliases[j], t, WEIGHT.alias);
        if (p > best) { best = p; alias = rec.r.a[j]; }
      }
      best = Math.max(best, points(rec.tag, t, WEIGHT.tag), points(rec.facts, t, WEIGHT.facts),
        points(rec.summary, t, WEIGHT.summary), points(rec.body, t, WEIGHT.body));
      if (!best) return null;
      total += best;
    }
    // The whole query is the page's name or one of its aliases.
    if (rec.title === whole || rec.aliases.indexOf(whole) !== -1) total += WEIGHT.title;
    return { rec: rec, score: total, alias: alias };
  }

  function filters() {
    return {
      kind: kindSelect ? kindSelect.value : "",
      tag: tagSelect ? tagSelect.value : "",
      from: fromInput ? fromInput.value : "",
      to: toInput ? toInput.value : ""
    };
  }
  function passes(r, f) {
    if (f.kind && r.k !== f.kind) return false;
    if (f.tag && (r.g || []).indexOf(f.tag) === -1) return false;
    if ((f.from || f.to) && !r.d) return false;
    if (f.from && r.d < f.from) return false;
    if (f.to && r.d > f.to) return false;
    return true;
  }
  function filtering(f) { return Boolean(f.kind || f.tag || f.from || f.to); }

  function longDate(d) {
    var p = d.split("-");
    return fill(WORDS.day, { day: Number(p[2]), month: WORDS.months[Number(p[1]) - 1], year: p[0] });
  }
  function el(name, className, text) {
    var node = document.createElement(name);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }
  function resultItem(hit) {
    var r = hit.rec.r;
    var li = el("li", "search-result");
    var a = el("a", "result-title", r.t);
    a.href = root + r.u;
    li.appendChild(a);
    if (hit.alias && hit.alias !== r.t) {
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", "result-alias", "(" + hit.alias + ")"));
    }
    var meta = el("span", "item-meta");
    meta.appendChild(el("span", "kind-label", WORDS.kinds[r.k] || r.k));
    if (r.d) {
      var time = el("time", null, longDate(r.d));
      time.setAttribute("datetime", r.d);
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(time);
    }
    li.appendChild(meta);
    if (r.s) li.appendChild(el("p", "item-summary", r.s));
    return li;
  }

  function say(count, shown, query) {
    if (!count) return query ? fill(WORDS.none, { query: query }) : WORDS.no_match;
    var category = plurals ? plurals.select(count) : (count === 1 ? "one" : "other");
    var form = WORDS.count[category] || WORDS.count.other;
    var text = fill(form, { count: count.toLocaleString(lang) });
    if (shown < count) text += fill(WORDS.showing, { shown: shown });
    return text + (query ? fill(WORDS.for_query, { query: query }) : WORDS.end);
  }

  function run() {
    var query = input.value.trim();
    var whole = fold(query);
    var terms = whole.trim().split(" ").filter(Boolean);
    var f = filters();
    list.textContent = "";
    if (!terms.length && !filtering(f)) { status.textContent = ""; remember(); return; }
    var hits = [];
    for (var i = 0; i < records.length; i++) {
      if (!passes(records[i].r, f)) continue;
      var hit = terms.length ? match(records[i], terms, whole) : { rec: records[i], score: 0, alias: null };
      if (hit) hits.push(hit);
    }
    // Equal scores: the shorter title first (the query is more of it: a
    // person's name before the meetings named after them), then the newer.
    hits.sort(function (x, y) {
      return y.score - x.score || (terms.length ? x.rec.title.length - y.rec.title.length : 0) ||
        (y.rec.r.d || "").localeCompare(x.rec.r.d || "") || x.rec.r.t.localeCompare(y.rec.r.t);
    });
    var shown = hits.slice(0, MAX_RESULTS);
    for (var j = 0; j < shown.length; j++) list.appendChild(resultItem(shown[j]));
    status.textContent = say(hits.length, shown.length, query);
    remember();
  }

  // Keeps the query in the address, so Back and a shared link return to the
  // same results. Some browsers refuse this on file://; search works anyway.
  function remember() {
    var params = new URLSearchParams();
    if (input.value.trim()) params.set("q", input.value.trim());
    var f = filters();
    ["kind", "tag", "from", "to"].forEach(function (k) { if (f[k]) params.set(k, f[k]); });
    var search = params.toString();
    try {
      history.replaceState(null, "", search ? "?" + search : window.location.pathname);
    } catch (e) { /* not allowed here */ }
  }

  function links() { return list.querySelectorAll("a.result-title"); }
  function focusResult(n) {
    var all = links();
    if (n < 0) { input.focus(); return; }
    if (all.length) all[Math.min(n, all.length - 1)].focus();
  }

  input.addEventListener("input", run);
  [kindSelect, tagSelect, fromInput, toInput].forEach(function (c) {
    if (c) c.addEventListener("change", run);
  });
  // Enter opens the top result; with none, the form is not sent (it would
  // only reload this page).
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var first = links()[0];
    if (first) window.location.href = first.href;
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown" && links().length) { e.preventDefault(); focusResult(0); }
  });
  list.addEventListener("keydown", function (e) {
    var all = Array.prototype.slice.call(links());
    var at = all.indexOf(document.activeElement);
    if (at === -1) return;
    if (e.key === "ArrowDown") { e.preventDefault(); focusResult(Math.min(at + 1, all.length - 1)); }
    else if (e.key === "ArrowUp") { e.preventDefault(); focusResult(at - 1); }
    else if (e.key === "Escape") { e.preventDefault(); input.focus(); }
  });

  // The tag filter offers the tags the index knows, most used first.
  if (tagSelect) {
    var counts = {};
    index.forEach(function (r) { (r.g || []).forEach(function (t) { counts[t] = (counts[t] || 0) + 1; }); });
    var tags = Object.keys(counts).sort(function (x, y) { return counts[y] - counts[x] || x.localeCompare(y); });
    tags.forEach(function (t) {
      var option = el("option", null, t + " (" + counts[t] + ")");
      option.value = t;
      tagSelect.appendChild(option);
    });
    var tagFilter = document.getElementById("search-tag-filter");
    if (!tags.length && tagFilter) tagFilter.hidden = true;
  }

  var params = new URLSearchParams(window.location.search);
  input.value = params.get("q") || "";
  if (kindSelect) kindSelect.value = params.get("kind") || "";
  if (tagSelect) tagSelect.value = params.get("tag") || "";
  if (fromInput) fromInput.value = params.get("from") || "";
  if (toInput) toInput.value = params.get("to") || "";
  form.hidden = false;
  run();
  input.focus();
})();
