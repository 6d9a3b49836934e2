package desk

// Page asks for a slice of a list: at most Limit items after the cursor (an id).
type Page struct {
	After int64
	Limit int
}

// Page size bounds.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)
