package search

import (
	"fmt"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"
)

// analyzerTexts are the sample catalog's kind of text and the edge cases of
// each step: possessives with three apostrophes, stop words, a final
// capital sigma, capitals whose lower case is wider, numbers, ideographs.
var analyzerTexts = []string{
	"Contoso Cloud SOC 2 Type 2 report (2024) for Azure’s services",
	"The vendor's ISO/IEC 27001:2022 certificate; it's the ISMS ＇s scope",
	"Penetration testing summaries and business continuity / disaster recovery (BCDR)",
	"ΟΔΥΣΣΕΥΣ ΣΊΣΥΦΟΣ Ⱥ Ⱦ straße İstanbul ǅemal",
	"日本語のテキスト 中文 한국어 3.14 1,000,000 v2.1.0 e-mail foo@bar.com",
	"don't won't aren't were yourselves HIPAA/HITECH sub-processors' list's",
	"", "   ", "a", "s", "'s", "’s", "ﬁnancial ﬂow",
}

// TestAnalyzersMatchBleve holds the analyzers to Bleve's own ("en" and
// the unstemmed one built from Bleve's filters), token for token.
func TestAnalyzersMatchBleve(t *testing.T) {
	bleveEN, err := registry.NewCache().AnalyzerNamed(en.AnalyzerName)
	if err != nil {
		t.Fatal(err)
	}
	bleveWords := &analysis.DefaultAnalyzer{
		Tokenizer:    unicode.NewUnicodeTokenizer(),
		TokenFilters: []analysis.TokenFilter{en.NewPossessiveFilter(), lowercase.NewLowerCaseFilter()},
	}
	texts := analyzerTexts
	for _, r := range sampleRecords() {
		texts = append(texts, r.Title, r.Summary, r.Body)
	}
	for _, pair := range []struct {
		name       string
		ours, want analysis.Analyzer
	}{{"en", textEN, bleveEN}, {"words", wordAnalyzer, bleveWords}} {
		for _, text := range texts {
			got, want := tokenString(pair.ours, text), tokenString(pair.want, text)
			if got != want {
				t.Errorf("%s analyzer on %q:\n got %s\nwant %s", pair.name, text, got, want)
			}
		}
	}
}

func tokenString(a analysis.Analyzer, text string) string {
	var s string
	for _, t := range a.Analyze([]byte(text)) {
		s += fmt.Sprintf("%q@%d[%d:%d]%d ", t.Term, t.Position, t.Start, t.End, t.Type)
	}
	return s
}

// FuzzAnalyzersMatchBleve is TestAnalyzersMatchBleve on any text.
func FuzzAnalyzersMatchBleve(f *testing.F) {
	for _, s := range analyzerTexts {
		f.Add(s)
	}
	bleveEN, err := registry.NewCache().AnalyzerNamed(en.AnalyzerName)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if got, want := tokenString(textEN, text), tokenString(bleveEN, text); got != want {
			t.Errorf("en analyzer on %q:\n got %s\nwant %s", text, got, want)
		}
	})
}
