package browsertest

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// focused describes the element that has the keyboard focus.
type focused struct {
	Tag          string  `json:"tag"`
	ID           string  `json:"id"`
	Class        string  `json:"cls"`
	Text         string  `json:"text"`
	Value        string  `json:"value"`
	Href         string  `json:"href"`
	Outline      string  `json:"outline"`
	OutlineWidth float64 `json:"outlineWidth"`
	FocusVisible bool    `json:"focusVisible"`
	InView       bool    `json:"inView"`
	InMain       bool    `json:"inMain"`
	InNav        bool    `json:"inNav"`
	InDocTable   bool    `json:"inDocTable"`
}

func (f focused) String() string {
	s := "<" + f.Tag
	if f.ID != "" {
		s += " #" + f.ID
	}
	if f.Href != "" {
		s += " " + f.Href
	}
	return s + "> " + f.Text
}

const focusedJS = `(function () {
  var e = document.activeElement;
  if (!e || e === document.body) return {tag: "body"};
  var s = getComputedStyle(e), r = e.getBoundingClientRect();
  return {
    tag: e.localName, id: e.id, cls: String(e.className), href: e.getAttribute("href") || "",
    value: typeof e.value === "string" ? e.value : "",
    text: (e.innerText || e.value || e.getAttribute("aria-label") || "").trim().slice(0, 60),
    outline: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth) || 0,
    focusVisible: e.matches(":focus-visible"),
    inView: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth,
    inMain: !!e.closest("main"), inNav: !!e.closest("nav.site-nav"), inDocTable: !!e.closest("table.docs")
  };
})()`

// press sends one key and returns the element focused after it.
func (tb *tab) press(key string, opts ...chromedp.KeyOption) focused {
	tb.t.Helper()
	tb.do(chromedp.KeyEvent(key, opts...))
	return eval[focused](tb, focusedJS)
}

// tabTo presses Tab until the focused element satisfies ok, checking on the
// way that every stop shows a visible focus indicator.
func (tb *tab) tabTo(what string, ok func(focused) bool) focused {
	tb.t.Helper()
	for range 120 {
		f := tb.press(kb.Tab)
		checkFocusVisible(tb.t, f)
		if ok(f) {
			return f
		}
	}
	tb.t.Fatalf("Tab never reached %s", what)
	return focused{}
}

func checkFocusVisible(t *testing.T, f focused) {
	t.Helper()
	if f.Tag == "body" {
		return
	}
	if !f.FocusVisible || f.Outline == "none" || f.OutlineWidth < 2 {
		t.Errorf("focus on %s is not visible: outline %s %gpx, :focus-visible %v", f, f.Outline, f.OutlineWidth, f.FocusVisible)
	}
	if !f.InView {
		t.Errorf("focused %s is out of view", f)
	}
}

// TestKeyboard walks the home page with Tab: the skip link comes first and
// works, every stop shows its focus, and the main navigation, the search
// box and the first document link are all reached. Then settings are
// saved and a search facet is checked with the keyboard alone.
func TestKeyboard(t *testing.T) {
	tb := newTab(t)
	tb.open("/settings/")
	eval[bool](tb, `localStorage.setItem("stp.settings", JSON.stringify({regions: ["europe"], industries: []})) === undefined`)
	tb.open("/")
	tb.wait(`!document.querySelector("[data-for-you]").hidden`, "the for-you box")

	// The skip link is the first stop, visible when focused, and moves on
	// to the main content.
	f := tb.press(kb.Tab)
	checkFocusVisible(t, f)
	if !strings.Contains(f.Class, "skip") {
		t.Fatalf("first Tab stop is %s, want the skip link", f)
	}
	tb.press(kb.Enter)
	if h := eval[string](tb, `location.hash`); h != "#main" {
		t.Errorf("skip link went to %q", h)
	}
	if f := tb.press(kb.Tab); !f.InMain {
		t.Errorf("after the skip link, Tab went to %s outside main", f)
	}

	// Walk the whole page from the top.
	tb.open("/")
	tb.wait(`!document.querySelector("[data-for-you]").hidden`, "the for-you box")
	var stops []focused
	reached := map[string]bool{}
	for range 200 {
		f := tb.press(kb.Tab)
		if f.Tag == "body" || (len(stops) > 0 && f == stops[0]) {
			break
		}
		checkFocusVisible(t, f)
		stops = append(stops, f)
		switch {
		case f.InNav:
			reached["main navigation"] = true
		case f.ID == "header-q":
			reached["search box"] = true
		case f.InDocTable && strings.Contains(f.Href, "/documents/") && !reached["first document link"]:
			reached["first document link"] = true
		}
	}
	for _, want := range []string{"main navigation", "search box", "first document link"} {
		if !reached[want] {
			t.Errorf("Tab never reached the %s", want)
		}
	}
	t.Logf("home: %d Tab stops, each with a visible focus", len(stops))

	// Settings by keyboard: Space checks, Enter on Save saves.
	tb.open("/settings/")
	tb.wait(`!document.querySelector("form[data-settings]").hidden`, "the settings form")
	tb.tabTo("the Germany checkbox", func(f focused) bool { return f.Tag == "input" && f.Value == "germany" })
	tb.press(" ")
	tb.tabTo("the Save button", func(f focused) bool { return f.Tag == "button" && f.Text == "Save" })
	tb.press(kb.Enter)
	tb.wait(`document.querySelector("[data-status]").textContent.indexOf("Saved") === 0`, "saved by keyboard")
	if got := eval[string](tb, `localStorage.getItem("stp.settings")`); !strings.Contains(got, "germany") {
		t.Errorf("settings after keyboard save: %s", got)
	}

	// A search facet by keyboard.
	tb.open("/search/?q=report&all=1")
	tb.wait(`document.querySelectorAll("[data-search-facets] input").length > 0`, "search facets")
	tb.tabTo("a facet checkbox", func(f focused) bool {
		return f.Tag == "input" && eval[bool](tb, `document.activeElement.closest("[data-search-facets]") !== null`)
	})
	name := eval[string](tb, `document.activeElement.name + "=" + document.activeElement.value`)
	tb.press(" ")
	tb.wait(`location.search.indexOf(`+jsString(name)+`) >= 0`, "the facet checked by keyboard")
}
