package search

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var fuzzSeeds = []string{
	"", "iso 27001", `"business associate"`, `"unclosed`, `""`, "a\"b\"c", "penetraton",
	"\x00\xff\xfe", "🙂", "\u202e\ufeff", strings.Repeat("word ", 40), "q=iso&standard=x", "ǅ Ⅻ ﬁ", "-+*:^~()",
}

// FuzzParseText checks that any search text parses without panicking and
// within the bounds the engine promises.
func FuzzParseText(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		p, err := parseText(text)
		if err != nil {
			if _, ok := err.(*InputError); !ok || utf8.RuneCountInString(text) <= MaxQueryLength {
				t.Fatalf("%q: unexpected error %v", text, err)
			}
			return
		}
		if len(p.clauses) > MaxClauses {
			t.Fatalf("%d clauses", len(p.clauses))
		}
		for i, c := range p.clauses {
			if len(c.terms) == 0 || len(c.terms) > MaxPhraseWords || c.phrase && len(c.terms) < 2 {
				t.Fatalf("bad clause %+v", c)
			}
			// Only a word is followed by the next word, and only by a word.
			if c.next && (c.phrase || i+1 == len(p.clauses) || p.clauses[i+1].phrase) {
				t.Fatalf("%q: clause %d says the next word follows it: %+v", text, i, p.clauses)
			}
			for _, term := range c.terms {
				if !utf8.ValidString(term) {
					t.Fatalf("invalid UTF-8 term %q", term)
				}
			}
		}
	})
}

// FuzzRun runs any query string against the sample index: it must answer
// or explain, quickly, and never panic.
func FuzzRun(f *testing.F) {
	idx := openSample(f)
	for _, s := range fuzzSeeds {
		f.Add("q=" + s)
	}
	f.Add("standard=iso-27001&region=europe&page=-3&size=9999999999999&from=2025-13-45")
	f.Fuzz(func(t *testing.T, raw string) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		start := time.Now()
		body, status := AnswerJSON(ctx, idx, raw)
		if status == 500 || len(body) == 0 {
			t.Fatalf("%q: %d %s", raw, status, body)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("%q took %v", raw, d)
		}
	})
}
