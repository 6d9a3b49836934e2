package sqlstore

import (
	"log/slog"
	"sync/atomic"
)

// SQLite's checkpointer and title merger work in the background, where no
// request sees their errors. A failure there only postpones their work (a
// longer log, more segments to search), but one that persists, such as a
// damaged title index or a full disk, is worth an operator's attention: it is
// logged when a run of failures begins and when the task works again, so that
// a failure repeated every second is said once.

// SetLogger sets the logger of the store's background tasks; by default they
// log nothing.
func (s *Store) SetLogger(l *slog.Logger) { s.log.Store(l) }

// troubles follows the failures of one background task; only the task's
// goroutine calls report.
type troubles struct {
	log     *atomic.Pointer[slog.Logger]
	task    string
	failing bool
}

// report logs err if it begins a run of failures, or the success that ends one.
func (t *troubles) report(err error) {
	l := t.log.Load()
	switch {
	case err != nil && !t.failing:
		t.failing = true
		if l != nil {
			l.Warn(t.task+" failed; trying again", "err", err)
		}
	case err == nil && t.failing:
		t.failing = false
		if l != nil {
			l.Info(t.task + " works again")
		}
	}
}
