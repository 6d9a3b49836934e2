package sqlstore

import "context"

// IndexNotedSQL is indexNotedSQL, for the tests outside the package.
const IndexNotedSQL = indexNotedSQL

// ScanIDs is scanIDs, for the tests outside the package.
var ScanIDs = scanIDs

// StopTasks stops the store's background tasks, for tests that merge the
// title index in steps of their own.
func (s *Store) StopTasks() { s.endTasks() }

// TasksRun tells whether the store's background tasks run.
func (s *Store) TasksRun() bool { return s.stopTasks != nil }

// MergeTitles runs one step of the title merger.
func (s *Store) MergeTitles(ctx context.Context) (bool, error) {
	return mergeTitles(ctx, s.q.(*stmtDB).writes())
}
