// STP search: the search page and the search boxes. The query runs in this
// browser, in the search engine compiled to WebAssembly, over the index the
// build wrote. Nothing loads until a reader focuses a search box or opens
// the search page; the page's address holds the query, so a search is a
// shareable URL (/search/?q=iso&standard=iso-27001&page=2).
//
// Every piece of text from the index is set with textContent; matches are
// <mark> elements built here, never HTML from the index.
(function () {
  "use strict";

  var FACETS = ["kind", "service", "standard", "region", "industry", "year"];
  var SETTINGS_KEY = "stp.settings";

  // ---- Loading the engine and index, once ------------------------------

  var enginePromise = null;

  function manifestURL() {
    var e = document.querySelector("[data-search-manifest]");
    return e ? e.getAttribute("data-search-manifest") : null;
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src;
      s.onload = resolve;
      s.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(s);
    });
  }

  function fetchOK(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(url + ": HTTP " + r.status);
      return r;
    });
  }

  // browserEngine loads the engine compiled to WebAssembly and the index
  // the manifest names, and resolves to {run(queryString) -> result}.
  function browserEngine(mURL, m) {
    var at = function (name) { return new URL(name, new URL(mURL, location.href)).href; };
    if (!m.engine) throw new Error("this site searches on the server, which did not answer");
    var indexBytes = fetchOK(at(m.index)).then(function (r) { return r.arrayBuffer(); });
    var wasm = fetchOK(at(m.engine));
    return loadScript(at(m.runtime)).then(function () {
      var go = new Go();
      var inst = WebAssembly.instantiateStreaming
        ? WebAssembly.instantiateStreaming(wasm, go.importObject).catch(function () {
            // A host that does not send application/wasm: compile from bytes.
            return fetchOK(at(m.engine)).then(function (r) { return r.arrayBuffer(); })
              .then(function (b) { return WebAssembly.instantiate(b, go.importObject); });
          })
        : wasm.then(function (r) { return r.arrayBuffer(); })
            .then(function (b) { return WebAssembly.instantiate(b, go.importObject); });
      return Promise.all([inst, indexBytes]).then(function (all) {
        go.run(all[0].instance);
        var opened = JSON.parse(globalThis.stpSearch.open(new Uint8Array(all[1])));
        if (opened.error) throw new Error(opened.error);
        return {
          documents: opened.documents,
          run: function (qs) { return JSON.parse(globalThis.stpSearch.run(qs)); }
        };
      });
    });
  }

  // serverEngine asks stp serve's endpoint, first with an empty query to
  // learn whether it answers (a static host has no /api/search).
  function serverEngine(api) {
    var ask = function (qs) {
      return fetch(api + "?" + qs, { credentials: "same-origin" }).then(function (r) {
        var json = (r.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (!json) throw new Error(api + ": HTTP " + r.status);
        return r.json();
      });
    };
    return ask("size=1").then(function () { return { run: ask }; });
  }

  // engine resolves to {run(queryString) -> result object}: the server's
  // endpoint when the page names one and it answers (search: server, or a
  // large catalog), else the browser engine when the build wrote one.
  function engine() {
    if (enginePromise) return enginePromise;
    var apiHost = document.querySelector("[data-search-api]");
    var api = apiHost && apiHost.getAttribute("data-search-api");
    var mURL = manifestURL();
    var inBrowser = function () {
      if (!mURL) throw new Error("this page has no search index");
      return fetchOK(mURL).then(function (r) { return r.json(); }).then(function (m) { return browserEngine(mURL, m); });
    };
    enginePromise = api ? serverEngine(api).catch(inBrowser) : Promise.resolve().then(inBrowser);
    enginePromise.catch(function () { enginePromise = null; });
    return enginePromise;
  }

  // Search boxes on other pages warm the engine on first focus, so the
  // search page answers at once.
  function warmOnFocus() {
    document.querySelectorAll('form[role="search"] input[type="search"]').forEach(function (input) {
      input.addEventListener("focus", function () { engine().catch(function () {}); }, { once: true });
    });
  }

  // ---- Helpers ----------------------------------------------------------

  function el(tag, text, attrs) {
    var e = document.createElement(tag);
    if (text != null) e.textContent = text;
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    return e;
  }

  // day is an ISO date as the lists show it: the date in the markup, put
  // in the reader's own format by site.js (stp.localDates).
  function day(iso) {
    return el("time", iso, { datetime: iso });
  }

  // segments appends [{text, hit}] to parent, hits as <mark>.
  function segments(parent, segs) {
    (segs || []).forEach(function (s) {
      parent.appendChild(s.hit ? el("mark", s.text) : document.createTextNode(s.text));
    });
    return parent;
  }

  function savedSettings() {
    // site.js knows the organisation's settings as well as the reader's.
    if (window.stp && window.stp.settings) {
      var e = window.stp.settings();
      return { region: e.regions, industry: e.industries };
    }
    try {
      var s = JSON.parse(localStorage.getItem(SETTINGS_KEY) || "{}") || {};
      var list = function (v) { return Array.isArray(v) ? v.filter(function (x) { return typeof x === "string"; }) : []; };
      return { region: list(s.regions), industry: list(s.industries) };
    } catch (e) {
      return { region: [], industry: [] };
    }
  }

  // siteBase is the base path the hits' site-relative URLs hang off.
  function siteBase(page) {
    var b = page.getAttribute("data-site-base");
    if (b) return b;
    var m = manifestURL() || "/";
    m = m.replace(/search\/[^/]*$/, "");
    return m.replace(/public\/$/, "");
  }

  // ---- The search page --------------------------------------------------

  function searchPage() {
    var page = document.querySelector("[data-search-page]");
    if (!page) return;
    var form = page.querySelector("form[role=search]");
    var input = form.elements.q;
    var status = page.querySelector("[data-search-status]");
    var active = page.querySelector("[data-search-active]");
    var list = page.querySelector("[data-search-results]");
    var facetsBox = page.querySelector("[data-search-facets]");
    var pager = page.querySelector("[data-search-pages]");
    var base = siteBase(page);
    var labels = {}; // facet -> id -> label, learnt from results
    var seq = 0;

    // state is the query as URL parameters, plus what came from settings.
    function stateFromURL() {
      var p = new URLSearchParams(location.search);
      var fromSettings = {};
      if (p.get("all") === null) {
        var saved = savedSettings();
        ["region", "industry"].forEach(function (f) {
          if (!p.has(f) && saved[f].length) {
            saved[f].forEach(function (v) { p.append(f, v); });
            fromSettings[f] = saved[f];
          }
        });
      }
      return { params: p, fromSettings: fromSettings };
    }

    var state = stateFromURL();

    // urlParams is what the address bar shows: settings stay out of it.
    function urlParams() {
      var p = new URLSearchParams(state.params);
      Object.keys(state.fromSettings).forEach(function (f) {
        var keep = p.getAll(f).filter(function (v) { return state.fromSettings[f].indexOf(v) < 0; });
        p.delete(f);
        keep.forEach(function (v) { p.append(f, v); });
      });
      return p;
    }

    function syncForm() {
      input.value = state.params.get("q") || "";
      ["from", "to", "sort"].forEach(function (n) {
        if (form.elements[n]) form.elements[n].value = state.params.get(n) || "";
      });
    }

    function update(push) {
      var qs = urlParams().toString();
      var url = location.pathname + (qs ? "?" + qs : "");
      if (url !== location.pathname + location.search) {
        history[push ? "pushState" : "replaceState"](null, "", url);
      }
      run();
    }

    // materialise turns filters taken from settings into ordinary ones in
    // the address (with all=1, as the lists do), once the reader changes
    // one of those facets; a reload then shows the same search.
    function materialise() {
      if (!Object.keys(state.fromSettings).length) return;
      state.params.set("all", "1");
      state.fromSettings = {};
    }

    function set(name, values) {
      if (state.fromSettings[name]) materialise();
      state.params.delete(name);
      values.forEach(function (v) { if (v !== "") state.params.append(name, v); });
      if (name !== "page") state.params.delete("page");
    }

    function removeValue(facet, id) {
      var rest = state.params.getAll(facet).filter(function (v) { return v !== id; });
      set(facet, rest);
      update(true);
    }

    function run() {
      var my = ++seq;
      if (!status.textContent) status.textContent = "Loading search…";
      page.setAttribute("aria-busy", "true");
      engine().then(function (eng) {
        return eng.run(state.params.toString());
      }).then(function (res) {
        if (my !== seq) return;
        page.removeAttribute("aria-busy");
        if (res.error) {
          status.textContent = res.error;
          list.textContent = "";
          pager.textContent = "";
          return;
        }
        render(res);
      }).catch(function (e) {
        page.removeAttribute("aria-busy");
        status.textContent = "Search could not load (" + e.message + "). Reload the page to try again, or browse the lists instead.";
      });
    }

    function render(res) {
      res.facets.forEach(function (f) {
        labels[f.name] = labels[f.name] || {};
        f.values.forEach(function (v) { labels[f.name][v.id] = v.label; });
      });
      var q = res.query.q || "";
      var what = res.total === 1 ? "1 document" : res.total + " documents";
      status.textContent = q ? what + " found for “" + q + "”" : what;
      if (res.pages > 1) status.textContent += ", page " + res.page + " of " + res.pages;
      (res.notices || []).forEach(function (n) { status.appendChild(el("span", " " + n, { "class": "notice" })); });
      renderActive();
      renderHits(res);
      renderFacets(res);
      renderPager(res);
    }

    function renderActive() {
      active.textContent = "";
      var any = false;
      FACETS.forEach(function (f) {
        state.params.getAll(f).forEach(function (id) {
          any = true;
          var fromSettings = state.fromSettings[f] && state.fromSettings[f].indexOf(id) >= 0;
          var name = (labels[f] && labels[f][id]) || id;
          var b = el("button", null, { type: "button", "class": "filter-chip" });
          b.appendChild(document.createTextNode(name + (fromSettings ? " (your settings)" : "")));
          b.appendChild(el("span", " ×", { "aria-hidden": "true" }));
          b.setAttribute("aria-label", "Remove filter " + name);
          b.addEventListener("click", function () { removeValue(f, id); });
          active.appendChild(b);
        });
      });
      ["from", "to"].forEach(function (f) {
        var v = state.params.get(f);
        if (!v) return;
        any = true;
        var b = el("button", (f === "from" ? "From " : "Until ") + v + " ×", { type: "button", "class": "filter-chip", "aria-label": "Remove date filter " + v });
        b.addEventListener("click", function () { set(f, []); syncForm(); update(true); });
        active.appendChild(b);
      });
      active.hidden = !any;
    }

    function renderHits(res) {
      list.textContent = "";
      list.setAttribute("start", String((res.page - 1) * res.pageSize + 1));
      res.hits.forEach(function (h, i) {
        var li = el("li");
        var article = el("article", null, { "aria-labelledby": "hit-" + i });
        var h2 = el("h2", null, { id: "hit-" + i });
        var a = el("a", null, { href: base + h.url });
        segments(a, h.title);
        h2.appendChild(a);
        article.appendChild(h2);
        var meta = el("p", null, { "class": "meta" });
        var tags = (h.standards || []).concat(h.services || []).map(function (t) { return t.label; });
        meta.appendChild(document.createTextNode(h.kind.label + (tags.length ? " · " + tags.join(", ") : "") + " · "));
        if (h.periodTo) {
          meta.append("Audit period ", day(h.periodFrom), " – ", day(h.periodTo));
        } else {
          meta.append("Published ", day(h.published));
        }
        meta.append(" · Version " + h.version + (h.current ? "" : " (earlier version)"));
        article.appendChild(meta);
        article.appendChild(segments(el("p", null, { "class": "summary" }), h.summary));
        // A document is one hit; its other matching versions (earlier
        // ones: the current one comes first) are named under it.
        var also = (h.versions || []).slice(1);
        if (also.length) {
          var more = el("p", "Also matches: ", { "class": "versions" });
          also.forEach(function (v, k) {
            if (k) more.append(k === also.length - 1 ? " and " : ", ");
            more.append("the " + v.version + " version (published ", day(v.published), ")");
          });
          article.appendChild(more);
        }
        li.appendChild(article);
        list.appendChild(li);
      });
      if (window.stp) window.stp.localDates();
    }

    function renderFacets(res) {
      facetsBox.textContent = "";
      res.facets.forEach(function (f) {
        if (!f.values.length) return;
        var fs = el("fieldset");
        fs.appendChild(el("legend", f.label));
        f.values.forEach(function (v) {
          var label = el("label");
          var box = el("input", null, { type: "checkbox", name: f.name, value: v.id });
          box.checked = !!v.selected;
          box.addEventListener("change", function () {
            var now = state.params.getAll(f.name).filter(function (x) { return x !== v.id; });
            if (box.checked) now.push(v.id);
            set(f.name, now);
            update(true);
          });
          label.appendChild(box);
          label.appendChild(document.createTextNode(" " + v.label + " "));
          label.appendChild(el("span", "(" + v.count + ")", { "class": "count" }));
          fs.appendChild(label);
        });
        facetsBox.appendChild(fs);
      });
    }

    function renderPager(res) {
      pager.textContent = "";
      if (res.pages <= 1) return;
      var ul = el("ul");
      var link = function (n, text, rel) {
        var li = el("li");
        if (n === res.page) {
          li.appendChild(el("span", text, { "aria-current": "page" }));
        } else {
          var p = urlParams();
          if (n > 1) p.set("page", String(n)); else p.delete("page");
          var a = el("a", text, { href: "?" + p.toString() });
          if (rel) a.setAttribute("rel", rel);
          a.addEventListener("click", function (ev) {
            ev.preventDefault();
            set("page", n > 1 ? [String(n)] : []);
            update(true);
            page.scrollIntoView();
          });
          li.appendChild(a);
        }
        ul.appendChild(li);
      };
      if (res.page > 1) link(res.page - 1, "Previous", "prev");
      var lo = Math.max(1, res.page - 3), hi = Math.min(res.pages, res.page + 3);
      if (lo > 1) link(1, "1");
      for (var n = lo; n <= hi; n++) link(n, String(n));
      if (hi < res.pages) link(res.pages, String(res.pages));
      if (res.page < res.pages) link(res.page + 1, "Next", "next");
      pager.appendChild(ul);
    }

    // Typing searches as you go; Enter (submit) records a history entry.
    var timer = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { set("q", [input.value]); update(false); }, 80);
    });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      clearTimeout(timer);
      set("q", [input.value]);
      ["from", "to", "sort"].forEach(function (n) {
        if (form.elements[n]) set(n, [form.elements[n].value]);
      });
      update(true);
    });
    ["from", "to", "sort"].forEach(function (n) {
      if (form.elements[n]) form.elements[n].addEventListener("change", function () {
        set(n, [form.elements[n].value]);
        update(true);
      });
    });
    window.addEventListener("popstate", function () {
      state = stateFromURL();
      syncForm();
      run();
    });

    syncForm();
    run();
  }

  function start() {
    warmOnFocus();
    searchPage();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
