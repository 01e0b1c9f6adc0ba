package browsertest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// axeTags are the rule sets for WCAG 2.2 level AA.
const axeTags = `["wcag2a","wcag2aa","wcag21a","wcag21aa","wcag22aa"]`

// axeResult is what runAxe brings back from the page.
type axeResult struct {
	Violations []struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  []struct {
			Target  string `json:"target"`
			HTML    string `json:"html"`
			Summary string `json:"summary"`
		} `json:"nodes"`
	} `json:"violations"`
	Passes     int      `json:"passes"`
	Incomplete []string `json:"incomplete"`
}

// runAxe injects axe-core (through the protocol, which the page's CSP does
// not govern) and runs the WCAG 2.2 AA rules on the whole page.
func runAxe(tb *tab) axeResult {
	tb.t.Helper()
	if !eval[bool](tb, `typeof window.axe === "object"`) {
		eval[bool](tb, axeSource+"\n;true")
	}
	return eval[axeResult](tb, `axe.run(document, {runOnly: {type: "tag", values: `+axeTags+`}, resultTypes: ["violations"]}).then(function (r) {
  return {
    violations: r.violations.map(function (v) {
      return {id: v.id, impact: v.impact || "", help: v.help, nodes: v.nodes.slice(0, 6).map(function (n) {
        return {target: n.target.join(" "), html: n.html.slice(0, 240), summary: n.failureSummary || ""};
      })};
    }),
    passes: r.passes.length,
    incomplete: r.incomplete.map(function (v) { return v.id + " (" + v.nodes.length + ")"; })
  };
})`)
}

// checkAxe fails the test for every violation, with the elements.
func checkAxe(t *testing.T, tb *tab, where string) axeResult {
	t.Helper()
	r := runAxe(tb)
	for _, v := range r.Violations {
		var b strings.Builder
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n    %s  %s\n      %s", n.Target, n.HTML, strings.ReplaceAll(n.Summary, "\n", "; "))
		}
		t.Errorf("%s: axe %s (%s): %s%s", where, v.ID, v.Impact, v.Help, b.String())
	}
	return r
}

// structure checks what axe's WCAG rules leave to best practice:
// landmarks, one h1, heading levels, labelled navigation, table headers.
const structure = `(function () {
  var p = [];
  function count(sel) { return document.querySelectorAll(sel).length; }
  if (count("main") !== 1) p.push(count("main") + " main landmarks");
  if (count("body > header") !== 1) p.push("no single banner (body > header)");
  if (count("body > footer") !== 1) p.push("no single contentinfo (body > footer)");
  if (count("h1") !== 1) p.push(count("h1") + " h1 elements");
  if (!document.documentElement.lang) p.push("no lang on html");
  var labels = {};
  document.querySelectorAll("nav, aside, section[aria-label], section[aria-labelledby], [role=search]").forEach(function (n) {
    var name = n.getAttribute("aria-label") || (n.getAttribute("aria-labelledby") && (document.getElementById(n.getAttribute("aria-labelledby")) || {}).textContent) || "";
    var role = n.getAttribute("role") || n.localName;
    if (!name && (role === "nav" || role === "aside")) p.push(role + " without a label: " + n.outerHTML.slice(0, 80));
    if (name && n.offsetParent !== null) {
      var key = role + ":" + name;
      if (labels[key]) p.push("two " + role + " landmarks named " + name);
      labels[key] = true;
    }
  });
  var last = 0;
  document.querySelectorAll("h1, h2, h3, h4, h5, h6").forEach(function (h) {
    if (h.closest("[hidden]")) return;
    var level = +h.localName[1];
    if (last && level > last + 1) p.push("heading jumps from h" + last + " to h" + level + ": " + h.textContent.trim().slice(0, 60));
    last = level;
  });
  document.querySelectorAll("table").forEach(function (t) {
    if (!t.caption || !t.caption.textContent.trim()) p.push("table without caption");
    t.querySelectorAll("thead th").forEach(function (th) { if (th.getAttribute("scope") !== "col") p.push("column header without scope=col"); });
    t.querySelectorAll("tbody tr").forEach(function (tr) {
      var first = tr.firstElementChild;
      if (!first || first.localName !== "th" || first.getAttribute("scope") !== "row") p.push("table row without a row header: " + tr.textContent.trim().slice(0, 60));
    });
  });
  return p;
})()`

// a11yPage is a page the accessibility test visits.
type a11yPage struct {
	name, path string
	// ready is a JavaScript condition that is true once the page's scripts
	// have done their part.
	ready string
}

var a11yPages = []a11yPage{
	{"home", "/", `!document.querySelector("[data-for-you]").hidden`},
	{"list", "/regions/north-america/industries/healthcare/", `!document.querySelector("form[data-filter]").hidden`},
	{"list-filtered", "/compliance-reports/?standard=soc-2", `document.querySelector("[data-total]").textContent.indexOf("match") > 0`},
	{"document", "/documents/contoso-365-soc-2-type-2/", ""},
	{"settings", "/settings/", `!document.querySelector("form[data-settings]").hidden`},
	{"search", "/search/?q=soc+2+typ", `document.querySelectorAll("[data-search-results] li").length > 0 && document.querySelectorAll("[data-search-facets] fieldset").length > 0`},
	{"regions", "/regions/", ""},
	{"page", "/public/getting-started/", ""},
	{"public-home", "/public/", ""},
	{"public-help", "/public/help/", ""},
	{"404", "/not-a-page/", ""},
}

// TestAccessibility runs axe-core's WCAG 2.2 AA rules on the key pages in
// light and dark colour schemes and at phone width, checks the page
// structure, and keeps screenshots of each.
func TestAccessibility(t *testing.T) {
	tb := newTab(t)
	// A reader with saved settings, so that home shows the for-you box and
	// search shows its settings chips.
	tb.open("/settings/")
	eval[bool](tb, `localStorage.setItem("stp.settings", JSON.stringify({regions: ["north-america"], industries: ["healthcare"]})) === undefined`)

	for _, p := range a11yPages {
		t.Run(p.name, func(t *testing.T) {
			tb.t = t
			defer func() { tb.t = t }()
			tb.colorScheme("light")
			tb.open(p.path)
			if p.ready != "" {
				tb.wait(p.ready, p.name+" ready")
			}
			for _, problem := range eval[[]string](tb, structure) {
				t.Errorf("%s: %s", p.path, problem)
			}
			light := checkAxe(t, tb, p.path+" (light)")
			tb.screenshot(p.name + "-desktop")

			tb.colorScheme("dark")
			dark := checkAxe(t, tb, p.path+" (dark)")
			tb.screenshot(p.name + "-dark-desktop")

			// At phone width the page is loaded afresh, as a phone would.
			tb.colorScheme("light")
			tb.do(phone(tb))
			tb.open(p.path)
			if p.ready != "" {
				tb.wait(p.ready, p.name+" ready")
			}
			small := checkAxe(t, tb, p.path+" (phone)")
			tb.screenshot(p.name + "-phone")
			tb.do(chromedp.EmulateViewport(1280, 900))

			t.Logf("%s: axe WCAG 2.2 AA: %d/%d/%d violations (light/dark/phone), %d rules passed, needs review: %v",
				p.path, len(light.Violations), len(dark.Violations), len(small.Violations), light.Passes, light.Incomplete)
		})
	}
}

// TestPrintDocument prints a document page: the site's navigation goes,
// the facts, checksum and download addresses stay. The PDF and a picture
// of the print layout are kept as artefacts.
func TestPrintDocument(t *testing.T) {
	tb := newTab(t)
	tb.open("/documents/contoso-365-soc-2-type-2/")
	tb.do(call(emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}))
	for _, sel := range []string{".site-nav", ".header-search", ".site-footer", ".crumbs", ".skip"} {
		if d := eval[string](tb, `getComputedStyle(document.querySelector(`+jsString(sel)+`)).display`); d != "none" {
			t.Errorf("%s prints (display %s)", sel, d)
		}
	}
	if after := eval[string](tb, `getComputedStyle(document.querySelector(".download-box .download"), "::after").content`); !strings.Contains(after, "attr(href)") && !strings.Contains(after, ".pdf") {
		t.Errorf("the printed download link does not show its address: %s", after)
	}
	if !tb.visible(".checksum code") || !tb.visible("table.versions") {
		t.Error("checksum or versions missing from the print")
	}
	tb.screenshot("document-print")
	pdf, err := chromedp.Run(tb.ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4)))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(artifacts, "document-print.pdf"), pdf, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestAxeCatchesViolations proves the accessibility check can fail: axe-core
// must find low-contrast text and an unlabelled field put into a page.
func TestAxeCatchesViolations(t *testing.T) {
	tb := newTab(t)
	tb.open("/public/help/")
	eval[bool](tb, `(function () {
  var p = document.createElement("p");
  p.textContent = "Barely readable";
  p.style.color = "#c8c8c8";
  p.style.background = "#ffffff";
  var input = document.createElement("input");
  input.type = "text";
  document.querySelector("main").append(p, input);
  return true;
})()`)
	found := map[string]bool{}
	for _, v := range runAxe(tb).Violations {
		found[v.ID] = true
	}
	for _, want := range []string{"color-contrast", "label"} {
		if !found[want] {
			t.Errorf("axe did not report %s (found %v)", want, found)
		}
	}
}
