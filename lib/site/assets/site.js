/* Sidebar tree and full-text search for the offline site; runs from file:// with no network. */
(function () {
  "use strict";
  var body = document.body, root = body.getAttribute("data-root") || "", here = body.getAttribute("data-page");
  var nav = window.SITE_NAV || { parts: 1, root: "", top: { d: "", n: [] } };
  function enc(path) { return path.split("/").map(encodeURIComponent).join("/"); }
  // The sidebar's lists come in parts (lib/site/nav_parts.py): nav.js holds the top level; the list with key
  // k (piece p) is in part (k's first 8 hex digits + p) mod parts. The page names the lists above it: the
  // data-nav keys of its breadcrumbs and its own.
  // Data in parts are scripts that call window[callback](name, data) (file:// allows no fetch): the loader
  // loads part `name` from `src` once and calls then(data), null when the file is missing.
  function partLoader(callback) {
    var got = {}, waiting = {};
    window[callback] = function (name, data) {
      got[name] = data;
      (waiting[name] || []).forEach(function (f) { f(data); });
      delete waiting[name];
    };
    return function (name, src, then) {
      if (name in got) { then(got[name]); return; }
      if (waiting[name]) { waiting[name].push(then); return; }
      waiting[name] = [then];
      var s = document.createElement("script");
      s.src = root + src;
      s.onerror = function () { window[callback](name, null); };
      document.head.appendChild(s);
    };
  }
  var navPart = partLoader("SITE_NAV_PART");
  function navList(key, piece, then) {
    if (key === nav.root && !piece) { then(nav.top); return; }
    var n = (parseInt(key.slice(0, 8), 16) + piece) % nav.parts, name = piece ? key + "~" + piece : key;
    navPart(n, "_site/nav/" + n + ".js", function (data) { then(data ? data[name] || null : null); });
  }
  // The chain from the top to this page, from the breadcrumbs: [key, title, site path or ""].
  var chain = [], base = new URL(root || "./", window.location.href).href;
  Array.prototype.forEach.call(document.querySelectorAll(".breadcrumbs [data-nav]"), function (el) {
    var path = el.href ? decodeURIComponent(el.href.slice(base.length)) : "";
    chain.push([el.getAttribute("data-nav"), el.textContent, path]);
  });
  var ownKey = body.getAttribute("data-nav") || "", titleEl = document.querySelector("h1.page-title");
  var me = [ownKey, titleEl ? titleEl.textContent : "", here || ""];
  var wanted = {};
  chain.concat([me]).forEach(function (c) { if (c[0]) { wanted[c[0]] = true; } });
  // The path shown as current: this page, or (a database row) the deepest ancestor the sidebar lists.
  var currentPath = here, drawn = 0;
  function label(title, path) {
    var el;
    if (path) {
      el = document.createElement("a"); el.href = root + enc(path);
      if (path === currentPath) { el.className = "current"; el.setAttribute("aria-current", "page"); }
    } else { el = document.createElement("span"); }
    el.textContent = title;
    return el;
  }
  function entryPath(list, e) { return e[1].charAt(0) === "/" ? e[1].slice(1) : (list.d ? list.d + "/" : "") + e[1]; }
  function fillList(ul, key, piece, level) {
    drawn++;
    navList(key, piece, function (list) {
      drawn--;
      var entries = list ? list.n : [], next = level < chain.length ? chain[level] : (level === chain.length ? me : null);
      var found = false;
      entries.forEach(function (e) {
        var path = entryPath(list, e);
        if (next && ((next[0] && e[3] === next[0]) || (next[2] && path === next[2]))) {
          found = true;
          if (ul.ahead) { ul.ahead.remove(); ul.ahead = null; }    // shown ahead of its piece: now in place
        }
        ul.appendChild(item(e[0], path, e[3], level));
      });
      // A list in pieces: the piece holding the way to this page may not be loaded yet; show it anyway.
      if (next && !found && piece === 0 && list && (next[2] || next[0]) && (chain.length || ownKey)) {
        ul.ahead = item(next[1], next[2], next === me ? "" : next[0], level);
        ul.appendChild(ul.ahead);
      }
      if (list && list.c && piece + 1 < list.c) {
        var li = document.createElement("li"), b = document.createElement("button");
        b.type = "button"; b.className = "more"; b.textContent = "More…";
        b.addEventListener("click", function () { li.remove(); fillList(ul, key, piece + 1, level); });
        li.appendChild(b); ul.appendChild(li);
      }
      // Lists already loaded draw at once, inside this loop: settle only after the loop has run.
      if (!drawn) { setTimeout(function () { if (!drawn) { done(); } }, 0); }
    });
  }
  function item(title, path, key, level) {
    var li = document.createElement("li");
    if (key) {
      var d = document.createElement("details"), s = document.createElement("summary"), filled = false;
      s.appendChild(label(title, path)); d.appendChild(s);
      var fill = function () {
        if (!filled && d.open) { filled = true; var ul = document.createElement("ul"); d.appendChild(ul); fillList(ul, key, 0, level + 1); }
      };
      d.addEventListener("toggle", fill);
      if (wanted[key]) { d.open = true; fill(); }
      li.appendChild(d);
    } else {
      var a = label(title, path); a.classList.add("leaf"); li.appendChild(a);
    }
    return li;
  }
  var side = document.getElementById("sidebar");
  var settled = false;
  function done() {
    if (settled) { return; }
    settled = true;
    if (!side.querySelector("a.current")) {
      // A database row: its table is what the sidebar lists.
      for (var k = chain.length - 1; k >= 0; k--) {
        var hit = chain[k][2] && side.querySelector('a[href="' + root + enc(chain[k][2]).replace(/"/g, '\\"') + '"]');
        if (hit) { hit.classList.add("current"); break; }
      }
    }
    var cur = side.querySelector("a.current");
    if (cur && cur.scrollIntoView) { cur.scrollIntoView({ block: "center" }); }
  }
  if (side) {
    var top = document.createElement("ul");
    side.appendChild(top);
    fillList(top, nav.root, 0, 0);
  }
  var toggle = document.querySelector(".nav-toggle");
  function small() { return window.matchMedia("(max-width: 800px)").matches; }
  function navShown() { return small() ? body.classList.contains("nav-open") : !body.classList.contains("nav-hidden"); }
  if (toggle) {
    toggle.setAttribute("aria-expanded", String(navShown()));
    toggle.addEventListener("click", function () {
      body.classList.toggle(small() ? "nav-open" : "nav-hidden");
      toggle.setAttribute("aria-expanded", String(navShown()));
    });
    window.matchMedia("(max-width: 800px)").addEventListener("change", function () {
      toggle.setAttribute("aria-expanded", String(navShown()));
    });
  }

  // Every table of a page scrolls in its own box (never the page), and sorts by a column on a click.
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  var DATE = /^(\d{4}-\d\d-\d\d|(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{1,2}, \d{4}|\d{1,2} (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{4})/i;
  function sortBy(table, col, th) {
    var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending", sign = dir === "ascending" ? 1 : -1;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { if (c.classList.contains("sortable")) { c.setAttribute("aria-sort", "none"); } });
    th.setAttribute("aria-sort", dir);
    var tb = table.tBodies[0], rows = Array.prototype.slice.call(tb.rows);
    function key(r) { var c = r.cells[col]; return c ? c.textContent.trim() : ""; }
    // A column of dates ("November 22, 2026", ISO) sorts by time, numbers by value, the rest as words.
    var texts = rows.map(key).filter(Boolean), byTime = texts.length && texts.every(function (t) { return !isNaN(time(t)); });
    function time(t) { var m = DATE.exec(t); return m ? Date.parse(m[0]) : NaN; }
    rows.sort(function (a, b) {
      var x = key(a), y = key(b);
      if (!x !== !y) { return x ? -1 : 1; }    // empty cells last either way
      return sign * (byTime ? time(x) - time(y) : collator.compare(x, y));
    });
    rows.forEach(function (r) { tb.appendChild(r); });
  }
  function enhance(table) {
    if (!table.parentNode.classList.contains("table-wrap")) {
      var wrap = document.createElement("div");
      wrap.className = "table-wrap";
      table.parentNode.insertBefore(wrap, table);
      wrap.appendChild(table);
    }
    if (!table.tHead || !table.tBodies[0] || table.tBodies[0].rows.length < 2 || table.closest(".diff") || table.classList.contains("diff")) { return; }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      var b = document.createElement("button");
      b.type = "button";
      while (th.firstChild) { b.appendChild(th.firstChild); }
      b.title = "Sort by this column";
      th.appendChild(b);
      th.classList.add("sortable");
      th.setAttribute("aria-sort", "none");
      b.addEventListener("click", function () { sortBy(table, col, th); });
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("article table"), enhance);

  // A database linked alone on its line is shown there: its first rows (lib/site/inline_db.py).
  var preview = partLoader("SITE_DB_PREVIEW");
  function showPreview(p, data) {
    if (!data) { return; }
    var base = new URL(root + enc(data.out), window.location.href), box = document.createElement("div");
    box.className = "inline-db";
    box.innerHTML = data.html;
    Array.prototype.forEach.call(box.querySelectorAll("[href], [src]"), function (el) {
      var attr = el.hasAttribute("href") ? "href" : "src";
      el.setAttribute(attr, new URL(el.getAttribute(attr), base).href);
    });
    p.parentNode.insertBefore(box, p.nextSibling);
    Array.prototype.forEach.call(box.querySelectorAll("table"), enhance);
  }
  Array.prototype.forEach.call(document.querySelectorAll("article p > a[data-db]"), function (a) {
    var p = a.parentNode, name = a.getAttribute("data-db");
    if (p.textContent.trim() !== a.textContent.trim()) { return; }
    preview(name, "_site/db/" + name + ".js", function (data) { showPreview(p, data); });
  });

  window.addEventListener("beforeprint", function () {
    // Closed toggles would print as a bare summary line.
    Array.prototype.forEach.call(document.querySelectorAll("article details"), function (d) { d.open = true; });
  });

  var input = document.getElementById("search"), out = document.getElementById("search-results");
  if (!input || !out) { return; }
  // The index comes in parts (lib/site/search.py): a head naming them, token parts by first two
  // characters, page list parts of `per` pages; each part is a script that calls SITE_SEARCH_PART.
  var parts = {}, searchPart = partLoader("SITE_SEARCH_PART");
  function loadAll(names, then) {
    var left = names.length;
    if (!left) { then(); return; }
    names.forEach(function (n) {
      searchPart(n, "_site/search/" + n + ".js", function (data) { parts[n] = data; if (--left === 0) { then(); } });
    });
  }
  function head(then) {
    if (window.SITE_SEARCH) { then(); return; }
    var s = document.createElement("script");
    s.src = root + "_site/search-index.js";
    s.onload = then;
    document.head.appendChild(s);
  }
  // Folding as lib/site/search.py's fold(): accents dropped (NFKD), recomposed, lower case.
  function fold(s) { return s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").normalize("NFC").toLowerCase(); }
  var CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]/;
  function terms(q) {
    var found = [], words = fold(q).match(/[\p{L}\p{N}_]+/gu) || [];
    words.forEach(function (w) {
      if (CJK.test(w)) {
        var chars = Array.from(w).filter(function (ch) { return CJK.test(ch); });
        if (chars.length === 1) { found.push([chars[0], false]); }
        for (var i = 0; i + 1 < chars.length; i++) { found.push([chars[i] + chars[i + 1], false]); }
      } else if (w.length > 1) { found.push([w, true]); }
    });
    return found;
  }
  // The token parts a term needs: the part of each of its starts, and (a word's start) the parts split below it.
  function partsFor(term, prefix) {
    var tc = Array.from(term).map(function (c) { return c.codePointAt(0).toString(16); });
    return window.SITE_SEARCH.parts.filter(function (p) {
      var pc = p.split("-");
      if (pc.length > tc.length && !prefix) { return false; }
      for (var i = 0; i < Math.min(pc.length, tc.length); i++) { if (pc[i] !== tc[i]) { return false; } }
      return true;
    }).map(function (p) { return "t-" + p; });
  }
  // A term's score on each page: in the title counts most, a whole word more than a word's start.
  function scores(term, prefix) {
    var hit = {};
    partsFor(term, prefix).forEach(function (name) { scorePart(parts[name] || {}, term, prefix, hit); });
    return hit;
  }
  function scorePart(idx, term, prefix, hit) {
    var seen = 0;
    function add(tok, exact) {
      var prev = 0;
      idx[tok].split(",").forEach(function (d) {
        var marks = /[!+]*$/.exec(d)[0], title = marks.indexOf("!") >= 0, often = marks.indexOf("+") >= 0;
        prev += parseInt(d.slice(0, d.length - marks.length), 36);
        var s = (title ? 10 : often ? 2 : 1) * (exact ? 3 : 1);
        if (!(hit[prev] >= s)) { hit[prev] = s; }
      });
    }
    if (idx[term]) { add(term, true); }
    if (prefix) {
      for (var k in idx) {
        if (k !== term && k.lastIndexOf(term, 0) === 0) { add(k, false); if (++seen >= 300) { break; } }
      }
    }
  }
  var PAGE = 50, ranked = [], shown = 0, query = [], asked = "";
  function close() { out.innerHTML = ""; active = -1; }
  function search() {
    var q = input.value.trim(), ts = terms(q);
    asked = q;
    if (!ts.length) { close(); return; }
    var needed = {};
    ts.forEach(function (t) { partsFor(t[0], t[1]).forEach(function (n) { needed[n] = 1; }); });
    loadAll(Object.keys(needed), function () {
      if (asked !== q) { return; }
      var total = null;
      ts.forEach(function (t) {
        var s = scores(t[0], t[1]);
        if (total === null) { total = s; return; }
        var both = {};
        for (var n in total) { if (s[n]) { both[n] = total[n] + s[n]; } }
        total = both;
      });
      ranked = Object.keys(total || {}).map(Number);
      ranked.sort(function (a, b) { return total[b] - total[a] || a - b; });
      query = ts.map(function (t) { return t[0]; });
      shown = 0;
      out.innerHTML = "";
      active = -1;
      if (!ranked.length) { note("No page contains all of: " + q); return; }
      more();
    });
  }
  function note(text) {
    var li = document.createElement("li"); li.className = "note"; li.setAttribute("role", "status");
    li.textContent = text; out.appendChild(li);
  }
  function more() {
    var per = window.SITE_SEARCH.per, batch = ranked.slice(shown, shown + PAGE), need = {};
    batch.forEach(function (n) { need["p-" + Math.floor(n / per)] = 1; });
    var q = asked;
    loadAll(Object.keys(need), function () {
      if (asked !== q) { return; }
      var old = out.querySelector(".note, .more");
      while (old) { old.remove(); old = out.querySelector(".note, .more"); }
      batch.forEach(function (n) { out.appendChild(result(parts["p-" + Math.floor(n / per)][n % per])); });
      shown += batch.length;
      var count = document.createElement("li");
      count.className = "note";
      count.setAttribute("role", "status");
      count.textContent = (shown < ranked.length ? shown + " of " : "") + ranked.length + (ranked.length === 1 ? " page" : " pages");
      out.insertBefore(count, out.firstChild);
      if (shown < ranked.length) {
        var li = document.createElement("li"), b = document.createElement("button");
        li.className = "more"; b.type = "button"; b.textContent = "Show " + Math.min(PAGE, ranked.length - shown) + " more";
        b.addEventListener("click", function (e) { e.stopPropagation(); more(); });
        li.appendChild(b); out.appendChild(li);
      }
    });
  }
  // Appends `text` to `el` with every query term marked (<mark>), matched on folded text.
  function marked(el, text) {
    var chars = Array.from(text), folded = "", at = [];
    chars.forEach(function (c, i) { var f = fold(c); for (var k = 0; k < f.length; k++) { at.push(i); } folded += f; });
    var marks = [];
    query.forEach(function (t) {
      var re = new RegExp(t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "g"), m;
      while ((m = re.exec(folded))) { marks.push([at[m.index], at[m.index + t.length - 1] + 1]); }
    });
    marks.sort(function (a, b) { return a[0] - b[0]; });
    var pos = 0;
    marks.forEach(function (m) {
      if (m[0] < pos) { return; }
      el.appendChild(document.createTextNode(chars.slice(pos, m[0]).join("")));
      var mk = document.createElement("mark"); mk.textContent = chars.slice(m[0], m[1]).join(""); el.appendChild(mk);
      pos = m[1];
    });
    el.appendChild(document.createTextNode(chars.slice(pos).join("")));
    return marks.length ? marks[0][0] : -1;
  }
  function snippet(text) {
    var f = fold(text), first = -1;
    query.forEach(function (t) { var i = f.indexOf(t); if (i >= 0 && (first < 0 || i < first)) { first = i; } });
    if (first < 0) { return text.slice(0, 140) + (text.length > 140 ? "…" : ""); }
    var start = Math.max(0, first - 50), end = Math.min(text.length, first + 110);
    return (start ? "…" : "") + text.slice(start, end) + (end < text.length ? "…" : "");
  }
  function result(p) {
    var li = document.createElement("li"), a = document.createElement("a"), t = document.createElement("span");
    a.href = root + enc(p[1]); t.className = "title"; marked(t, p[0]); a.appendChild(t);
    if (/^deleted /.test(p[2])) { a.classList.add("deleted"); }
    var small = document.createElement("small"); small.textContent = p[2]; a.appendChild(small);
    if (p[3]) { var s = document.createElement("span"); s.className = "snippet"; marked(s, snippet(p[3])); a.appendChild(s); }
    li.appendChild(a);
    return li;
  }
  var timer = null;
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(function () { head(search); }, 120); });
  input.addEventListener("focus", function () { head(function () { if (input.value.trim() && !out.firstChild) { search(); } }); });
  document.addEventListener("click", function (e) { if (!e.target.closest || !e.target.closest(".search")) { close(); } });
  var active = -1;
  function mark(step) {
    var links = out.querySelectorAll("a");
    if (!links.length) { return; }
    if (active >= 0 && links[active]) { links[active].classList.remove("active"); }
    active = (active + step + links.length) % links.length;
    links[active].classList.add("active");
    links[active].scrollIntoView({ block: "nearest" });
  }
  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown") { e.preventDefault(); mark(1); }
    else if (e.key === "ArrowUp") { e.preventDefault(); mark(-1); }
    else if (e.key === "Enter") {
      var pick = out.querySelector("a.active") || out.querySelector("a");
      if (pick) { window.location.href = pick.href; }
    } else if (e.key === "Escape") { close(); }
  });
})();
