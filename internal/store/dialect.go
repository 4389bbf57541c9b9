package store

import (
	"context"
	"fmt"
)

// Dialect names the SQL engine. Statements are written once in the SQL both engines
// accept ($1 placeholders, RETURNING, ON CONFLICT); the differences are here.
type Dialect string

// The supported engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// LockSuffix returns the clause that locks selected rows for the rest of the
// transaction. SQLite needs none: a write transaction there holds the database's
// write lock from BEGIN IMMEDIATE on.
func (d Dialect) LockSuffix() string {
	if d == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// MigrationLock returns a statement that serialises migrators across processes,
// or "" when the engine's own write lock already does.
func (d Dialect) MigrationLock() string {
	if d == Postgres {
		// An arbitrary constant key shared by every ivr process.
		return `SELECT pg_advisory_xact_lock(7240190416)`
	}
	return ""
}

// ExistsTable returns a query with one placeholder for a table name that yields a
// row when the table exists.
func (d Dialect) ExistsTable() string {
	if d == Postgres {
		return `SELECT 1 FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_name = $1`
	}
	return `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1`
}

// Optimize refreshes the query planner's statistics where the engine needs to
// be asked: SQLite's PRAGMA optimize (which runs ANALYZE on tables whose
// statistics are stale). PostgreSQL's autovacuum does this by itself.
func (db *DB) Optimize(ctx context.Context) error {
	if db.Dialect != SQLite {
		return nil
	}
	if _, err := db.write.ExecContext(ctx, `PRAGMA optimize=0x10002`); err != nil {
		return fmt.Errorf("optimize: %w", err)
	}
	return nil
}
