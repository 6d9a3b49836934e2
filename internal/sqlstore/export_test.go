package sqlstore

// IndexNotedSQL is indexNotedSQL, for the tests outside the package.
const IndexNotedSQL = indexNotedSQL

// ScanIDs is scanIDs, for the tests outside the package.
var ScanIDs = scanIDs
