package loadtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"

	"guichet/internal/sqlstore"
)

// This file measures the limit beside Guichet: what the database itself does on
// this machine, through the same driver, pool and durability settings as the
// store (sqlstore.Open), on a scratch table of its own.

// RawWriters are the numbers of concurrent writers the raw insert rate is
// measured at: one, and as many as the users of the creation figure.
var RawWriters = []int{1, 16}

// rawLookupRows is the least number of rows the scratch table holds before the
// lookups run.
const rawLookupRows = 100_000

// rawPayload is about the size of a short ticket row.
var rawPayload = strings.Repeat("Import CSV des commandes refusé depuis la mise à jour. ", 4)

// Raw measures the raw rate of the database at dsn: single-row inserts into a
// scratch table, one per transaction, at each of RawWriters concurrent writers;
// then lookups of one row by primary key at 1 and 16 concurrent readers. Each
// phase is bounded by o (its Concurrency is ignored). The scratch table is
// dropped at the end. The report has one line per phase.
func Raw(ctx context.Context, dsn string, o Options) (rep *Report, err error) {
	o.Concurrency = 1
	if err := o.Check(); err != nil {
		return nil, err
	}
	st, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	db := st.DB()
	table := fmt.Sprintf("guichet_bench_raw_%d", os.Getpid())
	create := `CREATE TABLE ` + table + ` (id INTEGER PRIMARY KEY, body TEXT NOT NULL, created_at TIMESTAMP NOT NULL)`
	if st.Dialect() == sqlstore.Postgres {
		create = `CREATE TABLE ` + table + ` (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text NOT NULL,
			created_at timestamptz NOT NULL)`
	}
	if _, err := db.ExecContext(ctx, create); err != nil {
		return nil, fmt.Errorf("scratch table: %w", err)
	}
	defer func() {
		// The table goes even when ctx has ended.
		if _, dropErr := db.ExecContext(context.WithoutCancel(ctx), `DROP TABLE `+table); dropErr != nil {
			err = errors.Join(err, fmt.Errorf("drop the scratch table %s: %w", table, dropErr))
		}
	}()

	rep = &Report{Target: st.Dialect(), Auth: "raw database rate"}
	start := time.Now()
	insert := `INSERT INTO ` + table + ` (body, created_at) VALUES ($1, $2)`
	for _, writers := range RawWriters {
		o.Concurrency = writers
		r, err := run(ctx, []string{fmt.Sprintf("insert, 1 row per transaction, %d writer%s", writers, plural(writers))}, []int{1}, o,
			func(int) func(context.Context, int) error {
				return func(ctx context.Context, _ int) error { return insertOne(ctx, db, insert) }
			})
		if err != nil {
			return rep, err
		}
		rep.Operations = append(rep.Operations, r.Operations...)
	}

	var rows int64
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&rows); err != nil {
		return rep, err
	}
	if rows < rawLookupRows {
		fill := `WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ` +
			strconv.FormatInt(rawLookupRows-rows, 10) + `) INSERT INTO ` + table + ` (body, created_at) SELECT $1, $2 FROM n`
		if _, err := db.ExecContext(ctx, fill, rawPayload, time.Now().UTC()); err != nil {
			return rep, fmt.Errorf("fill the scratch table: %w", err)
		}
		rows = rawLookupRows
	}
	lookup := `SELECT id, body, created_at FROM ` + table + ` WHERE id = $1`
	for _, readers := range []int{1, 16} {
		o.Concurrency = readers
		r, err := run(ctx, []string{fmt.Sprintf("lookup by primary key, %d reader%s", readers, plural(readers))}, []int{1}, o,
			func(w int) func(context.Context, int) error {
				rng := rand.New(rand.NewPCG(o.Seed, uint64(w)))
				return func(ctx context.Context, _ int) error {
					var (
						id   int64
						body string
						when time.Time
					)
					return db.QueryRowContext(ctx, lookup, 1+rng.Int64N(rows)).Scan(&id, &body, &when)
				}
			})
		if err != nil {
			return rep, err
		}
		rep.Operations = append(rep.Operations, r.Operations...)
	}
	rep.Elapsed = Seconds(time.Since(start))
	return rep, nil
}

// insertOne inserts one row in a transaction of its own, as the store writes:
// BEGIN (IMMEDIATE on SQLite), INSERT, COMMIT.
func insertOne(ctx context.Context, db *sql.DB, insert string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, insert, rawPayload, time.Now().UTC()); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
