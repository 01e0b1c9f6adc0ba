// STP portal script: settings kept in this browser, the "for you" part of
// the home page, the list filter, and dates in the reader's locale. Every
// page works without it; it only adds to what the plain URLs already give.
(function () {
  "use strict";
  var KEY = "stp.settings";

  function load() {
    try {
      var s = JSON.parse(localStorage.getItem(KEY) || "{}");
      return { regions: Array.isArray(s.regions) ? s.regions : [], industries: Array.isArray(s.industries) ? s.industries : [] };
    } catch (e) {
      return { regions: [], industries: [] };
    }
  }
  function save(s) { localStorage.setItem(KEY, JSON.stringify(s)); }
  function el(tag, text, attrs) {
    var e = document.createElement(tag);
    if (text) e.textContent = text;
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    return e;
  }
  function base() {
    var css = document.querySelector('link[rel="stylesheet"]').getAttribute("href");
    return css.slice(0, css.indexOf("public/assets/"));
  }

  // Dates: ISO in the markup, the reader's own format on screen.
  function localDates() {
    var long, short;
    try {
      long = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });
      short = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
    } catch (e) { return; }
    document.querySelectorAll("time[datetime]").forEach(function (t) {
      var d = new Date(t.getAttribute("datetime") + "T00:00:00Z");
      if (!isNaN(d)) t.textContent = (t.classList.contains("short") ? short : long).format(d);
    });
  }

  // Settings page: check regions and industries, save in this browser.
  function settingsForm() {
    var form = document.querySelector("form[data-settings]");
    if (!form) return;
    var s = load();
    form.querySelectorAll("input[type=checkbox]").forEach(function (c) {
      var list = c.name === "region" ? s.regions : s.industries;
      c.checked = list.indexOf(c.value) >= 0;
    });
    var status = form.querySelector("[data-status]");
    form.hidden = false;
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var next = { regions: [], industries: [] };
      form.querySelectorAll("input[type=checkbox]:checked").forEach(function (c) {
        (c.name === "region" ? next.regions : next.industries).push(c.value);
      });
      save(next);
      status.textContent = "Saved. The home page and the lists now start from " + describe(next) + ".";
    });
    form.querySelector("[data-clear]").addEventListener("click", function () {
      localStorage.removeItem(KEY);
      form.querySelectorAll("input[type=checkbox]").forEach(function (c) { c.checked = false; });
      status.textContent = "Cleared. You see every document again.";
    });
  }
  function describe(s) {
    var parts = [];
    if (s.regions.length) parts.push(s.regions.length + (s.regions.length === 1 ? " region" : " regions"));
    if (s.industries.length) parts.push(s.industries.length + (s.industries.length === 1 ? " industry" : " industries"));
    return parts.length ? parts.join(" and ") : "every document";
  }

  // Home: links to the pages that fit the saved choice.
  function forYou() {
    var box = document.querySelector("[data-for-you]");
    if (!box) return;
    var s = load();
    if (!s.regions.length && !s.industries.length) return;
    var b = base(), links = box.querySelector("[data-for-you-links]");
    var names = {};
    document.querySelectorAll(".browse a").forEach(function (a) { names[a.getAttribute("href")] = a.textContent; });
    function add(href, text) {
      var li = el("li"), a = el("a", text, { href: href });
      li.appendChild(a);
      links.appendChild(li);
    }
    function name(kind, id) { return names[b + kind + "/" + id + "/"] || id; }
    if (s.regions.length && s.industries.length) {
      s.regions.forEach(function (r) {
        s.industries.forEach(function (i) {
          add(b + "regions/" + r + "/industries/" + i + "/", name("industries", i) + " in " + name("regions", r));
        });
      });
    } else {
      s.regions.forEach(function (r) { add(b + "regions/" + r + "/", name("regions", r)); });
      s.industries.forEach(function (i) { add(b + "industries/" + i + "/", name("industries", i)); });
    }
    box.querySelector("[data-for-you-summary]").textContent = "You chose " + describe(s) + " in Settings. Start here:";
    box.hidden = false;
  }

  // Lists: filter and sort the whole list in the browser, from the area's
  // catalog.json. The filter lives in the query string, so a filtered list
  // is a shareable URL; without JavaScript the facet links do the job.
  function listFilter() {
    var form = document.querySelector("form[data-filter]");
    if (!form) return;
    var scope = JSON.parse(form.getAttribute("data-scope") || "{}") || {};
    var params = new URLSearchParams(location.search);
    var saved = load();
    var fields = ["kind", "service", "standard", "region", "industry", "from", "to"];
    fetch(form.getAttribute("data-source"), { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    }).then(function (cat) {
      var terms = { service: cat.services, standard: cat.standards, region: cat.regions, industry: cat.industries };
      form.querySelectorAll("select[data-terms]").forEach(function (sel) {
        (terms[sel.name] || []).forEach(function (t) { sel.appendChild(el("option", t.name, { value: t.id })); });
      });
      var names = {};
      Object.keys(terms).forEach(function (k) { (terms[k] || []).forEach(function (t) { names[t.id] = t.name; }); });
      var chosen = {}, any = false;
      fields.forEach(function (f) {
        var v = params.get(f);
        if (v && form.elements[f]) { form.elements[f].value = v; chosen[f] = v; any = true; }
      });
      // A reader's saved settings narrow lists that are not already about a
      // region or industry, unless the URL says otherwise; removable below.
      var useSaved = !any && params.get("all") === null;
      form.hidden = false;
      if (!any && !useSaved) return;
      var latest = {};
      cat.documents.forEach(function (d) {
        var cur = latest[d.series];
        if (!cur || (!cur.current && (d.current || d.published > cur.published))) latest[d.series] = d;
      });
      var docs = Object.keys(latest).map(function (k) { return latest[k]; }).filter(function (d) {
        for (var k in scope) {
          if (k === "year") { if (d.published.slice(0, 4) !== scope[k]) return false; continue; }
          if (!matches(d, k, scope[k])) return false;
        }
        for (var f in chosen) {
          if (f === "from") { if (d.published < chosen[f]) return false; continue; }
          if (f === "to") { if (d.published > chosen[f]) return false; continue; }
          if (!matches(d, f, chosen[f])) return false;
        }
        if (useSaved) {
          if (saved.regions.length && !scope.region && !d.regions.some(function (r) { return saved.regions.indexOf(r) >= 0; })) return false;
          if (saved.industries.length && !scope.industry && !d.industries.some(function (i) { return saved.industries.indexOf(i) >= 0; })) return false;
        }
        return true;
      });
      if (useSaved && ((!saved.regions.length || scope.region) && (!saved.industries.length || scope.industry))) return;
      var byName = location.pathname.indexOf("/by-name/") >= 0;
      docs.sort(function (a, b) {
        if (byName) return a.title.localeCompare(b.title);
        return a.published < b.published ? 1 : a.published > b.published ? -1 : a.title.localeCompare(b.title);
      });
      render(docs, names, useSaved);
    }).catch(function () { /* the plain list stays as it is */ });
  }
  function matches(d, k, v) {
    if (k === "kind") return d.kind === v;
    var list = d[k === "industry" ? "industries" : k + "s"];
    return Array.isArray(list) && list.indexOf(v) >= 0;
  }
  function render(docs, names, fromSettings) {
    var results = document.querySelector("[data-results]");
    var pager = document.querySelector("[data-pager]");
    if (pager) pager.hidden = true;
    var total = document.querySelector("[data-total]");
    total.textContent = docs.length + (docs.length === 1 ? " document" : " documents") + " match";
    if (fromSettings) {
      var note = el("p", "Showing what fits your settings. ");
      var all = new URLSearchParams(location.search); all.set("all", "1");
      note.appendChild(el("a", "Show every document", { href: "?" + all.toString() }));
      total.appendChild(document.createTextNode(" "));
      total.appendChild(note);
    }
    var table = results.querySelector("table");
    if (!table) { results.textContent = ""; if (!docs.length) return; }
    var tbody = table.querySelector("tbody");
    tbody.textContent = "";
    docs.forEach(function (d) {
      var tr = el("tr"), th = el("th", null, { scope: "row" });
      th.appendChild(el("a", d.title, { href: d.url }));
      if (d.new) { th.appendChild(document.createTextNode(" ")); th.appendChild(el("span", "New", { "class": "badge" })); }
      th.appendChild(el("span", d.summary, { "class": "summary" }));
      tr.appendChild(th);
      tr.appendChild(el("td", d.services.map(function (i) { return names[i] || i; }).join(", "), { "data-label": "Services" }));
      tr.appendChild(el("td", d.standards.map(function (i) { return names[i] || i; }).join(", ") || "—", { "data-label": "Standards" }));
      var when = el("td", null, { "data-label": "Date" });
      when.appendChild(el("time", d.published, { datetime: d.published, "class": "short" }));
      tr.appendChild(when);
      tr.appendChild(el("td", d.version, { "data-label": "Version" }));
      var dl = el("td", null, { "data-label": "Download" });
      dl.appendChild(el("a", "Download", { href: d.file.url, download: d.file.name, "class": "download" }));
      tr.appendChild(dl);
      tbody.appendChild(tr);
    });
    localDates();
  }

  function start() {
    settingsForm();
    forYou();
    listFilter();
    localDates();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
