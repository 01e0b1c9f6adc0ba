package site

import (
	"fmt"
	"hash/maphash"
	"math/bits"
	"strconv"
	"time"
)

// keyer hashes the inputs of one output. Two builds give an output the same
// key exactly when they would render it the same, so a rebuild skips it.
// Keys live only in memory, within one process, so strings are hashed with
// maphash (fast, seeded once per process) and folded into one 64-bit state.
type keyer struct{ h uint64 }

var keySeed = maphash.MakeSeed()

func newKey(global uint64) *keyer {
	k := &keyer{h: 0x9e3779b97f4a7c15}
	return k.num(global)
}

func (k *keyer) str(ss ...string) *keyer {
	for _, s := range ss {
		k.num(uint64(len(s)), maphash.String(keySeed, s))
	}
	return k
}

// num folds numbers in with a multiply-rotate step (as in xxhash's rounds).
func (k *keyer) num(ns ...uint64) *keyer {
	for _, n := range ns {
		k.h = bits.RotateLeft64(k.h^(n*0xc2b2ae3d27d4eb4f), 31) * 0x9e3779b97f4a7c15
	}
	return k
}

// any hashes a value's printed form; for small settings structs only.
func (k *keyer) any(vs ...any) *keyer {
	for _, v := range vs {
		k.str(fmt.Sprintf("%#v", v))
	}
	return k
}

func (k *keyer) date(t time.Time) *keyer { return k.num(uint64(t.Unix())) }

// sum never returns 0, which means "always render".
func (k *keyer) sum() uint64 {
	v := k.h ^ k.h>>29
	v *= 0xbf58476d1ce4e5b9
	if v ^= v >> 32; v != 0 {
		return v
	}
	return 1
}

// docKey hashes everything a document's row and page show of one version.
// Positions in catalog.yaml are left out: an edit above a document moves it
// without changing it.
func docKey(v *DocView) uint64 {
	d := v.Document
	k := newKey(0).str(d.ID, d.Kind, d.Title, d.Summary, d.Series, d.Version, d.File, d.Description, v.URL,
		v.File.URL, v.File.Name, v.File.SHA256, strconv.FormatInt(v.File.Size, 10))
	for _, ids := range [][]string{d.Services, d.Standards, d.Regions, d.Industries} {
		k.num(uint64(len(ids))).str(ids...)
	}
	k.date(d.Published).date(v.RetainedUntil)
	if d.AuditPeriod != nil {
		k.date(d.AuditPeriod.From).date(d.AuditPeriod.To)
	}
	if d.Expires != nil {
		k.date(*d.Expires)
	}
	for _, b := range []bool{d.Public, d.AllServices, d.AllStandards, d.AllRegions, d.AllIndustries, v.Current, v.New, v.Updated} {
		if b {
			k.num(1)
		} else {
			k.num(0)
		}
	}
	return k.sum()
}

// keyMemo is what docKey hashed of a view besides its document, and the key.
type keyMemo struct {
	url                   string
	file                  FileView
	retained              time.Time
	current, new, updated bool
	key                   uint64
}

func (m keyMemo) sameView(o keyMemo) bool {
	return m.url == o.url && m.file == o.file && m.retained.Equal(o.retained) &&
		m.current == o.current && m.new == o.new && m.updated == o.updated
}
