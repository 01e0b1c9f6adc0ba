// STP Settings page: the organisation's settings. Every reader sees the
// choice their organisation's Portal Admins made; a Portal Admin also gets
// the form to change it. The page is the same for everyone, so the form
// is shown after /api/me says the reader is an admin, and the server
// refuses a change from anyone else whatever the page shows.
(function () {
  "use strict";
  var box = document.querySelector("[data-org]");
  if (!box || !window.fetch || !window.stp) return;
  var api = window.stp.base() + "api/";
  var form = box.querySelector("[data-org-form]");
  var summary = box.querySelector("[data-org-summary]");
  var status = box.querySelector("[data-org-status]");

  function getJSON(path) {
    return fetch(api + path, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      var json = (r.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!r.ok || !json) throw new Error(r.status);
      return r.json();
    });
  }
  // names are the terms' names as the page's own form shows them.
  function name(kind, id) {
    var input = document.querySelector("form[data-settings] input[name=" + kind + "][value='" + id.replace(/'/g, "") + "']");
    return input ? input.parentNode.textContent.trim() : id;
  }
  function list(kind, ids) {
    return ids.map(function (id) { return name(kind, id); }).join(", ");
  }
  function describe(s) {
    var parts = [];
    if (s.regions.length) parts.push("regions: " + list("region", s.regions));
    if (s.industries.length) parts.push("industries: " + list("industry", s.industries));
    if (!parts.length) return "Your organisation has chosen no regions or industries: you start from every document.";
    return "Your organisation chose " + parts.join("; ") + ".";
  }
  function show(s, admin) {
    var text = describe(s);
    if (!admin) text += " Only your organisation's Portal Admins can change it.";
    summary.textContent = text;
    form.querySelectorAll("input[type=checkbox]").forEach(function (c) {
      c.checked = (c.name === "org-region" ? s.regions : s.industries).indexOf(c.value) >= 0;
    });
  }

  Promise.all([getJSON("me"), getJSON("org/settings")]).then(function (r) {
    var me = r[0], s = r[1];
    window.stp.setOrg(s);
    show(s, me.admin);
    box.hidden = false;
    if (!me.admin) return;
    form.hidden = false;
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var next = { regions: [], industries: [] };
      form.querySelectorAll("input[type=checkbox]:checked").forEach(function (c) {
        (c.name === "org-region" ? next.regions : next.industries).push(c.value);
      });
      status.textContent = "Saving…";
      fetch(api + "org/settings", {
        method: "PUT",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(next)
      }).then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) throw new Error(body.error || r.status);
          return body;
        });
      }).then(function (saved) {
        window.stp.setOrg(saved);
        show(saved, true);
        status.textContent = "Saved. Everyone in your organisation now starts from this choice.";
      }).catch(function (e) {
        status.textContent = "Not saved: " + e.message;
      });
    });
  }).catch(function () { /* no API here (a static host, the dev server): the reader's own choice still works */ });
})();
