package app

import (
	"context"
	"time"
)

// TransferStore is the store that `guichet import` and `guichet export` need: a
// Store whose transactions also offer TransferQueries, and a read-only snapshot
// for exports that run beside a live server.
type TransferStore interface {
	Store
	// InTransferTx runs fn in one read-write transaction, as InTx does: all of it
	// is saved, or none.
	InTransferTx(ctx context.Context, fn func(TransferQueries) error) error
	// InSnapshot runs fn in a read-only transaction that sees one consistent state
	// of the database from start to end, without holding back writers.
	InSnapshot(ctx context.Context, fn func(TransferQueries) error) error
}

// TransferQueries are Queries plus the few reads and writes that only import and
// export use.
type TransferQueries interface {
	Queries
	// RaiseTicketNumber makes sure that the space's ticket counter is at least
	// atLeast, so that tickets imported with their numbers are never numbered
	// again; a counter already higher is left alone.
	RaiseTicketNumber(ctx context.Context, spaceID, atLeast int64) error
	// ScheduleUntimed makes the open tickets that have no timers yet fall due,
	// so that the next sweep computes them; it returns how many it scheduled.
	ScheduleUntimed(ctx context.Context) (int64, error)
	// PasswordHashes returns the password hash of each user in userIDs.
	PasswordHashes(ctx context.Context, userIDs []int64) (map[int64]string, error)
	// CommentLikes lists who recommended the comments of a ticket, and when,
	// ordered by comment id, time and user id.
	CommentLikes(ctx context.Context, ticketID int64) ([]CommentLike, error)
}

// CommentLike is one person's recommendation of a comment.
type CommentLike struct {
	CommentID int64
	UserID    int64
	At        time.Time
}

// NoPassword is the password hash of an account that has no usable password: it
// matches no password, so the account cannot sign in until one is set. Accounts
// imported without a password hash get it.
const NoPassword = "!"
