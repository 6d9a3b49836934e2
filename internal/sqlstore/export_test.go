package sqlstore

// IndexNotedSQL is indexNotedSQL, for the tests outside the package.
const IndexNotedSQL = indexNotedSQL
