package search

import "math/bits"

// bitset is a dense set of document numbers.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (b bitset) set(d int)      { b[d>>6] |= 1 << (uint(d) & 63) }
func (b bitset) has(d int) bool { return b[d>>6]&(1<<(uint(d)&63)) != 0 }

// and keeps in b only what is also in o.
func (b bitset) and(o bitset) {
	for i := range b {
		b[i] &= o[i]
	}
}

// countAnd is |b ∩ o|.
func (b bitset) countAnd(o bitset) int {
	n := 0
	for i, w := range b {
		n += bits.OnesCount64(w & o[i])
	}
	return n
}

// docSet is the documents having one facet value: a sorted list when they
// are few (counting walks the list), a bitset when they are many.
type docSet struct {
	list []uint32
	bits bitset
}

func newDocSet(docs []uint32, n int) docSet {
	// A list costs 4 bytes a document, a bitset n/8 bytes in all.
	if len(docs)*32 < n {
		return docSet{list: docs}
	}
	b := newBitset(n)
	for _, d := range docs {
		b.set(int(d))
	}
	return docSet{bits: b}
}

// count is |s ∩ b|.
func (s *docSet) count(b bitset) int {
	if s.bits != nil {
		return b.countAnd(s.bits)
	}
	n := 0
	for _, d := range s.list {
		if b.has(int(d)) {
			n++
		}
	}
	return n
}

// orInto adds s to b.
func (s *docSet) orInto(b bitset) {
	if s.bits != nil {
		for i, w := range s.bits {
			b[i] |= w
		}
		return
	}
	for _, d := range s.list {
		b.set(int(d))
	}
}
