// STP Settings page: the organisation's settings. Every reader sees the
// choice their organisation's Portal Admins made; a Portal Admin also gets
// the form to change it. The page is the same for everyone, so the form
// is shown after /api/me says the reader is an admin, and the server
// refuses a change from anyone else whatever the page shows.
(function () {
"use strict";

// callAPI sends a request to the portal's API and resolves with its JSON
// answer, or rejects with the API's message (and consent link, if any).
function callAPI(method, path, payload) {
  var init = { method: method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (method !== "GET") {
    init.headers["Content-Type"] = "application/json";
    if (payload) init.body = JSON.stringify(payload);
  }
  return fetch(window.stp.base() + "api/" + path, init).then(function (r) {
    var json = (r.headers.get("Content-Type") || "").indexOf("application/json") === 0;
    if (!json) throw new Error("the portal answered " + r.status);
    return r.json().then(function (v) {
      if (!r.ok) {
        var e = new Error(v.error || String(r.status));
        e.consent = v.consentUrl;
        throw e;
      }
      return v;
    });
  });
}

(function () {
  "use strict";
  var box = document.querySelector("[data-org]");
  if (!box || !window.fetch || !window.stp) return;
  var form = box.querySelector("[data-org-form]");
  var summary = box.querySelector("[data-org-summary]");
  var status = box.querySelector("[data-org-status]");

  function getJSON(path) { return callAPI("GET", path); }
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
      callAPI("PUT", "org/settings", next).then(function (saved) {
        window.stp.setOrg(saved);
        show(saved, true);
        status.textContent = "Saved. Everyone in your organisation now starts from this choice.";
      }).catch(function (e) {
        status.textContent = "Not saved: " + e.message;
      });
    });
  }).catch(function () { /* no API here (a static host, the dev server): the reader's own choice still works */ });
})();

// The Settings page's "People with access" part, for Portal Admins only:
// add a person of the organisation by e-mail with a role, see who holds
// which role since when and granted by whom, and remove a role given here
// (with a confirmation). Roles from the organisation's directory are
// listed but changed there. Every name and address is set as text, never
// as HTML; the server decides everything the page offers.
(function () {
  "use strict";
  var box = document.querySelector("[data-people]");
  if (!box || !window.fetch || !window.stp) return;
  var form = box.querySelector("[data-people-form]");
  var status = box.querySelector("[data-people-status]");
  var body = box.querySelector("[data-people-table] tbody");
  var roleNames = { "Portal.Admin": "Portal Admin", "Portal.User": "Portal User" };

  function say(text, link) {
    status.textContent = text;
    if (link && /^https:\/\/|^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(link)) {
      var a = document.createElement("a");
      a.href = link;
      a.textContent = "the consent page";
      status.appendChild(document.createTextNode(" Send your administrator "));
      status.appendChild(a);
      status.appendChild(document.createTextNode("."));
    }
  }
  function day(iso) {
    var d = new Date(iso);
    return isNaN(d) ? "" : d.toISOString().slice(0, 10);
  }
  function cell(tr, text) {
    var td = document.createElement("td");
    td.textContent = text;
    tr.appendChild(td);
    return td;
  }
  function row(p) {
    var tr = document.createElement("tr");
    tr.setAttribute("data-oid", p.oid);
    cell(tr, p.name || p.email);
    cell(tr, p.email);
    cell(tr, roleNames[p.role] || p.role);
    cell(tr, p.source === "directory" ? "seen " + day(p.since) : day(p.since));
    cell(tr, p.source === "directory" ? "your directory" : p.grantedBy);
    var action = cell(tr, "");
    if (p.removable) {
      var remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "Remove";
      remove.setAttribute("aria-label", "Remove " + (p.name || p.email) + "'s access");
      remove.addEventListener("click", function () { confirmRemoval(action, p, remove); });
      action.appendChild(remove);
    } else {
      action.textContent = p.note || "";
    }
    return tr;
  }
  function confirmRemoval(action, p, remove) {
    var who = p.name || p.email;
    action.textContent = "";
    var yes = document.createElement("button");
    yes.type = "button";
    yes.textContent = "Confirm removal";
    yes.setAttribute("aria-label", "Confirm: remove " + who + "'s access");
    var no = document.createElement("button");
    no.type = "button";
    no.textContent = "Cancel";
    no.addEventListener("click", function () {
      action.textContent = "";
      action.appendChild(remove);
      remove.focus();
    });
    yes.addEventListener("click", function () {
      yes.disabled = no.disabled = true;
      say("Removing " + who + "…");
      callAPI("DELETE", "org/users/" + encodeURIComponent(p.oid)).then(function () {
        say(who + " no longer has access to the portal.");
        return load();
      }).then(function () { form.querySelector("input").focus(); }).catch(function (e) {
        say("Not removed: " + e.message);
        yes.disabled = no.disabled = false;
      });
    });
    action.appendChild(yes);
    action.appendChild(document.createTextNode(" "));
    action.appendChild(no);
    yes.focus();
  }
  function load() {
    return callAPI("GET", "org/users").then(function (v) {
      body.textContent = "";
      v.people.forEach(function (p) { body.appendChild(row(p)); });
    });
  }

  callAPI("GET", "me").then(function (me) {
    if (!me.admin) return;
    return load().then(function () {
      box.hidden = false;
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var email = form.email.value.trim(), role = form.role.value;
        if (!email) return;
        say("Looking up " + email + " in your organisation's directory…");
        callAPI("POST", "org/users", { email: email, role: role }).then(function (p) {
          form.email.value = "";
          say((p.name || p.email) + " (" + p.email + ") is now a " + roleNames[p.role] +
            ". They can open the portal within a few seconds; if they are not signed in yet, they sign in with that address.");
          return load();
        }).catch(function (e) {
          say("Not added: " + e.message + ".", e.consent);
          form.email.focus();
        });
      });
    });
  }).catch(function () { /* no API here, or not an admin: nothing to show */ });
})();
})();
