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
      if (!isNaN(d)) t.textContent = (t.classList.contains("long") ? long : short).format(d);
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
    // Only the chosen filters go into the address, so it stays short enough
    // to read and share.
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var q = new URLSearchParams();
      fields.forEach(function (f) {
        if (form.elements[f] && form.elements[f].value) q.set(f, form.elements[f].value);
      });
      var s = q.toString();
      location.assign(location.pathname + (s ? "?" + s : ""));
    });
    var inURL = fields.some(function (f) { return params.get(f) && form.elements[f]; });
    // A reader's saved settings narrow lists that are not already about a
    // region or industry, unless the URL says otherwise; removable below.
    var useSaved = !inURL && params.get("all") === null &&
      ((saved.regions.length > 0 && !scope.region) || (saved.industries.length > 0 && !scope.industry));
    function fitsSaved(regions, industries) {
      function some(list, want) {
        return list.indexOf("*") >= 0 || list.some(function (x) { return want.indexOf(x) >= 0; });
      }
      if (saved.regions.length && !scope.region && !some(regions, saved.regions)) return false;
      if (saved.industries.length && !scope.industry && !some(industries, saved.industries)) return false;
      return true;
    }
    // The rows of this page carry their regions and industries, so a list
    // of one page is narrowed now, before the first paint, and nothing
    // moves under the reader when the catalog arrives.
    var narrowedHere = false;
    if (useSaved) {
      var rows = document.querySelectorAll("[data-results] tbody tr[data-regions]");
      if (rows.length && !document.querySelector("[data-pager]")) {
        var shown = 0;
        rows.forEach(function (tr) {
          var ok = fitsSaved(tr.getAttribute("data-regions").split(" "), tr.getAttribute("data-industries").split(" "));
          tr.hidden = !ok;
          if (ok) shown++;
        });
        matchNote(shown, true);
        narrowedHere = true;
      }
    }
    // Shown at once, not when the catalog arrives, so the page does not
    // shift; hidden again if the catalog cannot load.
    form.hidden = false;
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
      var chosen = {};
      fields.forEach(function (f) {
        var v = params.get(f);
        if (v && form.elements[f]) { form.elements[f].value = v; chosen[f] = v; }
      });
      if (!inURL && !useSaved) return;
      if (narrowedHere) return;
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
        return !useSaved || fitsSaved(d.regions, d.industries);
      });
      var byName = location.pathname.indexOf("/by-name/") >= 0;
      docs.sort(function (a, b) {
        if (byName) return a.title.localeCompare(b.title);
        return a.published < b.published ? 1 : a.published > b.published ? -1 : a.title.localeCompare(b.title);
      });
      render(docs, names, useSaved);
    }).catch(function () { form.hidden = true; /* the plain list and its links stay */ });
  }
  function matches(d, k, v) {
    if (k === "kind") return d.kind === v;
    var list = d[k === "industry" ? "industries" : k + "s"];
    return Array.isArray(list) && list.indexOf(v) >= 0;
  }
  // matchNote says how many documents the narrowed list shows and, when
  // the reader's settings narrowed it, how to see everything.
  function matchNote(n, fromSettings) {
    var total = document.querySelector("[data-total]");
    total.textContent = n + (n === 1 ? " document" : " documents") + " match";
    if (fromSettings) {
      var note = el("span", "Showing what fits your settings. ", { "class": "note" });
      var all = new URLSearchParams(location.search); all.set("all", "1");
      note.appendChild(el("a", "Show every document", { href: "?" + all.toString() }));
      total.appendChild(document.createTextNode(" "));
      total.appendChild(note);
    }
  }
  // size reads a file size as the build's lists do (1 KB = 1000 bytes).
  function size(n) {
    if (n < 1000) return n + " bytes";
    if (n < 1e6) return Math.round(n / 1000) + " KB";
    if (n < 1e9) return (n / 1e6).toFixed(1) + " MB";
    return (n / 1e9).toFixed(1) + " GB";
  }
  function render(docs, names, fromSettings) {
    var results = document.querySelector("[data-results]");
    var pager = document.querySelector("[data-pager]");
    if (pager) pager.hidden = true;
    matchNote(docs.length, fromSettings);
    var table = results.querySelector("table");
    if (!table) { results.textContent = ""; if (!docs.length) return; }
    var tbody = table.querySelector("tbody");
    tbody.textContent = "";
    docs.forEach(function (d) {
      var tr = el("tr"), th = el("th", null, { scope: "row" });
      th.appendChild(el("a", d.title, { href: d.url }));
      if (d.updated || d.new) { th.appendChild(document.createTextNode(" ")); th.appendChild(el("span", d.updated ? "Updated" : "New", { "class": "badge" })); }
      th.appendChild(el("span", d.summary, { "class": "summary" }));
      tr.appendChild(th);
      tr.appendChild(el("td", d.all_services ? "All services" : d.services.map(function (i) { return names[i] || i; }).join(", ")));
      tr.appendChild(el("td", d.standards.map(function (i) { return names[i] || i; }).join(", ") || "—"));
      var when = el("td");
      when.appendChild(el("time", d.published, { datetime: d.published }));
      if (d.audit_period) {
        var period = el("span", "Period ", { "class": "period" });
        period.appendChild(el("time", d.audit_period.from, { datetime: d.audit_period.from }));
        period.appendChild(document.createTextNode(" – "));
        period.appendChild(el("time", d.audit_period.to, { datetime: d.audit_period.to }));
        when.appendChild(period);
      }
      tr.appendChild(when);
      tr.appendChild(el("td", d.version));
      var dl = el("td");
      var link = { href: d.file.url, download: "", "class": "download" };
      if (d.file.type) link.type = d.file.type;
      var a = el("a", "Download", link);
      a.appendChild(el("span", " " + d.title + " version " + d.version, { "class": "visually-hidden" }));
      dl.appendChild(a);
      dl.appendChild(document.createTextNode(" "));
      dl.appendChild(el("span", size(d.file.size), { "class": "size" }));
      tr.appendChild(dl);
      tbody.appendChild(tr);
    });
    localDates();
  }

  // On a phone the list's filters fold away under one line, unless the
  // list is filtered; a wider window always shows them.
  function filtersToggle() {
    var d = document.querySelector("details[data-filters]");
    if (!d || !window.matchMedia) return;
    var phone = window.matchMedia("(max-width: 48rem)");
    var filtered = /[?&](kind|service|standard|region|industry|from|to)=/.test(location.search);
    if (phone.matches && !filtered) d.open = false;
    phone.addEventListener("change", function (e) { if (!e.matches) d.open = true; });
  }

  // Other scripts that add dates (search results) format them here too.
  window.stp = { localDates: localDates };

  function start() {
    filtersToggle();
    settingsForm();
    forYou();
    listFilter();
    localDates();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
