package browsertest

import (
	"strings"
	"testing"
)

const adminTestSecret = "b7Tq2Lx9Vw4Kd8Rz1Mn6Hp3Fs5Gc0YaQ"

// Issue 23: the Settings page shows its admin part to a Portal Admin only;
// what the admin saves is every reader's starting point, the home page's
// "New and updated" list included; the page passes axe either way.
func TestOrganisationSettings(t *testing.T) {
	if skipped != "" {
		t.Skip("browser tests skipped: " + skipped)
	}
	h, idp := portal(t)
	adeleURL := asSession(t, h, idp, "adele@contoso.example")
	alexURL := asSession(t, h, idp, "alex@contoso.example")
	leeURL := asSession(t, h, idp, "lee@fabrikam.example")

	adele := newTab(t)
	adele.open(adeleURL + "/settings/")
	adele.wait(`!document.querySelector("[data-org-form]").hidden`, "the organisation's form for a Portal Admin")
	checkAxe(t, adele, "settings, Portal Admin")
	for _, sel := range []string{`input[name=org-region][value=japan]`, `input[name=org-industry][value=healthcare]`, `[data-org-form] button[type=submit]`} {
		eval[bool](adele, `document.querySelector(`+jsString(sel)+`).click(), true`)
	}
	adele.wait(`document.querySelector("[data-org-status]").textContent.indexOf("Saved") === 0`, "the organisation's settings saved")
	adele.screenshots("settings-portal-admin")

	alex := newTab(t)
	alex.open(alexURL + "/settings/")
	alex.wait(`!document.querySelector("[data-org]").hidden`, "the organisation's settings for a Portal User")
	if alex.visible("[data-org-form]") || eval[int](alex, `document.querySelectorAll("[data-org-form]:not([hidden]) input").length`) != 0 {
		t.Error("a Portal User sees the organisation's form")
	}
	summary := alex.text("[data-org-summary]")
	if !strings.Contains(summary, "Japan") || !strings.Contains(summary, "Healthcare") || !strings.Contains(summary, "Only your organisation's Portal Admins") {
		t.Errorf("what a Portal User reads: %q", summary)
	}
	checkAxe(t, alex, "settings, Portal User")
	alex.screenshots("settings-portal-user")

	// Lee reads Fabrikam's settings, not Contoso's.
	lee := newTab(t)
	lee.open(leeURL + "/settings/")
	lee.wait(`!document.querySelector("[data-org]").hidden`, "the organisation's settings for a reader of another tenant")
	if got := lee.text("[data-org-summary]"); strings.Contains(got, "Japan") || !strings.Contains(got, "chosen no regions") {
		t.Errorf("what a reader of Fabrikam reads: %q", got)
	}

	// Alex's home starts from Contoso's choice: the Germany-only report is
	// not in his "New and updated" list, and one click shows it.
	alex.open(alexURL + "/")
	alex.wait(`!document.querySelector("[data-for-you]").hidden`, "the for-you box from the organisation's settings")
	if got := alex.text("[data-for-you-summary]"); !strings.Contains(got, "Your organisation chose") {
		t.Errorf("for-you summary: %q", got)
	}
	hidden := eval[int](alex, `Array.prototype.filter.call(document.querySelectorAll("#recent ~ .table-wrap tbody tr"), function (tr) {
		return tr.hidden && tr.getAttribute("data-regions").indexOf("*") < 0 && tr.getAttribute("data-regions").indexOf("japan") < 0; }).length`)
	shownForeign := eval[int](alex, `Array.prototype.filter.call(document.querySelectorAll("#recent ~ .table-wrap tbody tr"), function (tr) {
		return !tr.hidden && tr.getAttribute("data-regions").indexOf("*") < 0 && tr.getAttribute("data-regions").indexOf("japan") < 0; }).length`)
	if hidden == 0 || shownForeign != 0 {
		t.Errorf("New and updated: %d documents of other regions hidden, %d shown", hidden, shownForeign)
	}
	if !strings.Contains(alex.text("[data-recent-note]"), "fit your settings") {
		t.Errorf("no note on the narrowed list: %q", alex.text("[data-recent-note]"))
	}
	checkAxe(t, alex, "home, narrowed by the organisation's settings")
}
