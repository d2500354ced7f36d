/* Sidebar tree and full-text search for the offline site; runs from file:// with no network. */
(function () {
  "use strict";
  var body = document.body, root = body.getAttribute("data-root") || "", here = body.getAttribute("data-page");
  var nav = window.SITE_NAV || { dirs: [], nodes: [] }, kids = {}, current = -1;
  // Each node: [title, path, parent, kind]; the file stores [title, folder, name, parent, kind].
  var nodes = nav.nodes.map(function (n) {
    var dir = nav.dirs[n[1]], path = n[2] ? (dir ? dir + "/" : "") + n[2] : "";
    return [n[0], path, n[3], n[4]];
  });
  function enc(path) { return path.split("/").map(encodeURIComponent).join("/"); }
  nodes.forEach(function (n, i) {
    (kids[n[2]] = kids[n[2]] || []).push(i);
    if (n[1] === here) { current = i; }
  });
  var open = {};
  for (var c = current; c >= 0; c = nodes[c][2]) { open[c] = true; }
  function label(i) {
    var n = nodes[i], el;
    if (n[1]) { el = document.createElement("a"); el.href = root + enc(n[1]); if (i === current) { el.className = "current"; el.setAttribute("aria-current", "page"); } }
    else { el = document.createElement("span"); }
    el.textContent = n[0];
    return el;
  }
  function list(parent) {
    var ul = document.createElement("ul");
    (kids[parent] || []).forEach(function (i) {
      var li = document.createElement("li");
      if (kids[i]) {
        var d = document.createElement("details"), s = document.createElement("summary");
        s.appendChild(label(i)); d.appendChild(s);
        var filled = false;
        var fill = function () { if (!filled && d.open) { filled = true; d.appendChild(list(i)); } };
        d.addEventListener("toggle", fill);
        if (open[i]) { d.open = true; fill(); }
        li.appendChild(d);
      } else {
        var a = label(i); a.classList.add("leaf"); li.appendChild(a);
      }
      ul.appendChild(li);
    });
    return ul;
  }
  var side = document.getElementById("sidebar");
  if (side) {
    side.appendChild(list(-1));
    var cur = side.querySelector("a.current");
    if (cur && cur.scrollIntoView) { cur.scrollIntoView({ block: "center" }); }
  }
  var toggle = document.querySelector(".nav-toggle");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var small = window.matchMedia("(max-width: 800px)").matches;
      body.classList.toggle(small ? "nav-open" : "nav-hidden");
    });
  }

  window.addEventListener("beforeprint", function () {
    // Closed toggles would print as a bare summary line.
    Array.prototype.forEach.call(document.querySelectorAll("article details"), function (d) { d.open = true; });
  });

  var input = document.getElementById("search"), out = document.getElementById("search-results");
  if (!input || !out) { return; }
  var loading = false, pending = null;
  function load(then) {
    if (window.SITE_SEARCH) { then(); return; }
    pending = then;
    if (loading) { return; }
    loading = true;
    var s = document.createElement("script");
    s.src = root + "_site/search-index.js";
    s.onload = function () { if (pending) { pending(); } };
    document.head.appendChild(s);
  }
  var CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]/;
  function terms(q) {
    var out = [], words = q.toLowerCase().match(/[\p{L}\p{N}_]+/gu) || [];
    words.forEach(function (w) {
      if (CJK.test(w)) {
        var chars = Array.from(w).filter(function (ch) { return CJK.test(ch); });
        if (chars.length === 1) { out.push([chars[0], false]); }
        for (var i = 0; i + 1 < chars.length; i++) { out.push([chars[i] + chars[i + 1], false]); }
      } else if (w.length > 1) { out.push([w, true]); }
    });
    return out;
  }
  function decode(s) {
    var ids = [], prev = 0;
    s.split(",").forEach(function (d) { prev += parseInt(d, 36); ids.push(prev); });
    return ids;
  }
  var keys = null;
  function postings(term, prefix) {
    var idx = window.SITE_SEARCH.tokens, hit = {};
    if (!prefix) { return idx[term] ? decode(idx[term]) : []; }
    keys = keys || Object.keys(idx);
    var seen = 0;
    for (var k = 0; k < keys.length && seen < 200; k++) {
      if (keys[k].lastIndexOf(term, 0) === 0) { seen++; decode(idx[keys[k]]).forEach(function (n) { hit[n] = 1; }); }
    }
    return Object.keys(hit).map(Number);
  }
  function search() {
    var q = input.value.trim(), ts = terms(q);
    out.innerHTML = "";
    active = -1;
    if (!ts.length) { return; }
    var result = null;
    ts.forEach(function (t) {
      var set = {};
      postings(t[0], t[1]).forEach(function (n) { set[n] = 1; });
      result = result === null ? set : Object.keys(result).reduce(function (acc, n) { if (set[n]) { acc[n] = 1; } return acc; }, {});
    });
    var pages = window.SITE_SEARCH.pages, ql = q.toLowerCase();
    var ids = Object.keys(result || {}).map(Number);
    ids.sort(function (a, b) {
      var ta = pages[a][0].toLowerCase().indexOf(ql) >= 0 ? 0 : 1, tb = pages[b][0].toLowerCase().indexOf(ql) >= 0 ? 0 : 1;
      return ta - tb || pages[a][0].localeCompare(pages[b][0]);
    });
    ids.slice(0, 50).forEach(function (n) {
      var li = document.createElement("li"), a = document.createElement("a"), small = document.createElement("small");
      a.href = root + enc(pages[n][1]); a.textContent = pages[n][0]; small.textContent = pages[n][2];
      a.appendChild(small); li.appendChild(a); out.appendChild(li);
    });
    if (!ids.length) { var li = document.createElement("li"); li.textContent = "No page contains all of: " + q; out.appendChild(li); }
  }
  var timer = null;
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(function () { load(search); }, 120); });
  input.addEventListener("focus", function () { load(function () {}); });
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
    } else if (e.key === "Escape") { input.value = ""; out.innerHTML = ""; }
  });
})();
