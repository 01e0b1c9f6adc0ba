package synth

import ("testing"; "os")

func TestTmpTwin(t *testing.T) {
	if err := WriteHugoExpert(os.Getenv("TW_OUT"), os.Getenv("TW_ROOT"), Today()); err != nil { t.Fatal(err) }
}

func TestTmpCompare(t *testing.T) {
	a, err := ListRows(os.Getenv("TW_STP")); if err != nil { t.Fatal(err) }
	b, err := ListRows(os.Getenv("TW_HUGO")); if err != nil { t.Fatal(err) }
	t.Logf("%d stp pages, %d hugo", len(a), len(b))
	for _, d := range CompareListRows(a, b, "stp", "hugo", 15) { t.Log(d) }
}
