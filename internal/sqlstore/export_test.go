package sqlstore

import "context"

// IndexNotedSQL is indexNotedSQL, for the tests outside the package.
const IndexNotedSQL = indexNotedSQL

// ScanIDs is scanIDs, for the tests outside the package.
var ScanIDs = scanIDs

// StopTitleMerger stops the store's title merger, for tests that merge in
// steps of their own.
func (s *Store) StopTitleMerger() { s.stopTitleMerger() }

// MergeTitles runs one step of the title merger.
func (s *Store) MergeTitles(ctx context.Context) (bool, error) {
	return mergeTitles(ctx, s.q.(*stmtDB).writes())
}
