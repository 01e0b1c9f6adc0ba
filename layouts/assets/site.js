// STP portal script: settings kept in this browser, the "for you" part of
// the home page, the list filter, and dates in the reader's locale. Every
// page works without it; it only adds to what the plain URLs already give.
(function () {
  "use strict";
  var KEY = "stp.settings", ORG_KEY = "stp.org";

  // read is a choice kept under key: regions and industries, by id.
  function read(key) {
    try {
      var s = JSON.parse(localStorage.getItem(key) || "{}") || {};
      var list = function (v) { return Array.isArray(v) ? v.filter(function (x) { return typeof x === "string"; }) : []; };
      return { regions: list(s.regions), industries: list(s.industries) };
    } catch (e) {
      return { regions: [], industries: [] };
    }
  }
  // own is the reader's choice, kept in this browser.
  function own() { return read(KEY); }
  // load is the choice home, lists and search start from: the
  // organisation's (set by its Portal Admins, kept by the server, cached
  // here), narrowed by the reader's own. Where none of the reader's is in
  // the organisation's, the reader's own stands.
  function load() {
    var mine = own(), org = read(ORG_KEY);
    function narrow(o, m) {
      if (!o.length) return m;
      if (!m.length) return o;
      var both = m.filter(function (x) { return o.indexOf(x) >= 0; });
      return both.length ? both : m;
    }
    return { regions: narrow(org.regions, mine.regions), industries: narrow(org.industries, mine.industries) };
  }
  function save(s) { localStorage.setItem(KEY, JSON.stringify(s)); }
  function sameChoice(a, b) { return JSON.stringify(a) === JSON.stringify(b); }
  // setOrg caches the organisation's choice; it says whether it changed.
  function setOrg(s) {
    var before = read(ORG_KEY), next = { regions: s.regions || [], industries: s.industries || [] };
    if (!next.regions.length && !next.industries.length) localStorage.removeItem(ORG_KEY);
    else localStorage.setItem(ORG_KEY, JSON.stringify(next));
    return !sameChoice(before, read(ORG_KEY));
  }
  // gated says whether this page is behind the sign-in, where the
  // portal's API answers.
  function gated() { return location.pathname.indexOf(base() + "public/") !== 0; }
  // refreshOrg fetches the organisation's settings: the pages use the
  // cached copy at once, and this one from the next page on, or now on
  // the home page when it changed. A site without the API (a static host,
  // the dev server) has no organisation settings.
  function refreshOrg(changed) {
    if (!gated() || !window.fetch) return;
    fetch(base() + "api/org/settings", { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (r.status === 404) return { regions: [], industries: [] };
      var json = (r.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!r.ok || !json) throw new Error(r.status);
      return r.json();
    }).then(function (s) {
      if (setOrg(s)) changed();
    }).catch(function () { /* keep the cached copy */ });
  }
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
    var s = own();
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
      var org = read(ORG_KEY);
      status.textContent = org.regions.length || org.industries.length ?
        "Cleared. You start from your organisation's settings again." : "Cleared. You see every document again.";
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
    var b = base(), links = box.querySelector("[data-for-you-links]");
    links.textContent = "";
    box.hidden = true;
    if (!s.regions.length && !s.industries.length) return;
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
    var org = read(ORG_KEY), mine = own();
    var who = mine.regions.length || mine.industries.length ? "You chose " : org.regions.length || org.industries.length ? "Your organisation chose " : "You chose ";
    box.querySelector("[data-for-you-summary]").textContent = who + describe(s) + " in Settings. Start here:";
    box.hidden = false;
  }

  // Home: the "New and updated" list shows what fits the settings, like
  // the lists, with a way to see all of it. Its rows carry their regions
  // and industries.
  function recentFits() {
    var heading = document.getElementById("recent");
    var section = heading && heading.closest("section");
    if (!section || !document.querySelector("[data-for-you]")) return;
    var rows = section.querySelectorAll("tbody tr[data-regions]");
    var old = section.querySelector("[data-recent-note]");
    if (old) old.remove();
    var s = load();
    var all = new URLSearchParams(location.search).get("all") !== null;
    var narrow = !all && (s.regions.length || s.industries.length);
    var shown = 0;
    rows.forEach(function (tr) {
      var ok = !narrow || fits(s, tr.getAttribute("data-regions").split(" "), tr.getAttribute("data-industries").split(" "));
      tr.hidden = !ok;
      if (ok) shown++;
    });
    if (!narrow || !rows.length) return;
    var note = el("p", (shown ? shown + " of " + rows.length : "None of the " + rows.length) + " new and updated documents fit your settings. ",
      { "class": "note", "data-recent-note": "" });
    var link = new URLSearchParams(location.search); link.set("all", "1");
    note.appendChild(el("a", "Show every new document", { href: "?" + link.toString() + "#recent" }));
    heading.insertAdjacentElement("afterend", note);
  }
  // fits says whether a document of these regions and industries ("*":
  // all) fits the choice s.
  function fits(s, regions, industries) {
    function some(list, want) {
      return list.indexOf("*") >= 0 || list.some(function (x) { return want.indexOf(x) >= 0; });
    }
    return (!s.regions.length || some(regions, s.regions)) && (!s.industries.length || some(industries, s.industries));
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
  // search.js narrows its results with settings() too; the Settings
  // page's admin part (admin.js) shares the organisation's cache.
  window.stp = { localDates: localDates, settings: load, setOrg: setOrg, base: base };

  function start() {
    filtersToggle();
    settingsForm();
    forYou();
    recentFits();
    listFilter();
    localDates();
    refreshOrg(function () { forYou(); recentFits(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
