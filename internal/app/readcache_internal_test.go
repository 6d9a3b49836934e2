package app

import (
	"testing"
	"time"
)

// A read in flight when a change forgets everything may hold the state before
// the change: it is not kept. A read with no change beside it is.
func TestReadsBeforeAForgetAreNotKept(t *testing.T) {
	r := newReadCache(time.Now)
	m := func() map[int64]kept[*ActorRecord] { return r.actors }
	_, _, gen, at := lookup(r, m, 1)
	r.forget()
	keep(r, m, gen, at, 1, &ActorRecord{})
	if _, ok, _, _ := lookup(r, m, 1); ok {
		t.Error("a read begun before a change was kept")
	}
	_, _, gen, at = lookup(r, m, 1)
	keep(r, m, gen, at, 1, &ActorRecord{})
	if _, ok, _, _ := lookup(r, m, 1); !ok {
		t.Error("a read with no change beside it was not kept")
	}
}
