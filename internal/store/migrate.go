package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations
var migrationFS embed.FS

// Migration is one numbered, embedded schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the dialect's migrations in order. The error reports a file
// whose name does not start with a number.
func Migrations(d Dialect) ([]Migration, error) {
	dir := path.Join("migrations", string(d))
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and _", e.Name())
		}
		b, err := fs.ReadFile(migrationFS, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		ms = append(ms, Migration{Version: v, Name: e.Name(), SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at TIMESTAMP NOT NULL
)`

// Migrate applies every migration not yet recorded, each in its own transaction
// together with its record, and returns how many it applied.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	ms, err := Migrations(db.Dialect)
	if err != nil {
		return 0, err
	}
	if _, err := db.write.ExecContext(ctx, createMigrationsTable); err != nil {
		return 0, fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	applied := 0
	for _, m := range ms {
		did, err := db.apply(ctx, m)
		if err != nil {
			return applied, fmt.Errorf("migrate %s: %w", m.Name, err)
		}
		if did {
			applied++
		}
	}
	return applied, nil
}

func (db *DB) apply(ctx context.Context, m Migration) (bool, error) {
	did := false
	err := db.InTx(ctx, func(tx *Tx) error {
		if lock := db.Dialect.MigrationLock(); lock != "" {
			if _, err := tx.ExecContext(ctx, lock); err != nil {
				return err
			}
		}
		var one int
		err := tx.QueryRowContext(ctx,
			`SELECT 1 FROM schema_migrations WHERE version = $1`, m.Version).Scan(&one)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx,
			`INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
			m.Version, m.Name, tx.Now)
		did = err == nil
		return err
	})
	return did, err
}

// Pending returns how many migrations are not yet applied; /readyz needs zero.
func (db *DB) Pending(ctx context.Context) (int, error) {
	ms, err := Migrations(db.Dialect)
	if err != nil {
		return 0, err
	}
	var exists int
	err = db.read.QueryRowContext(ctx, db.Dialect.ExistsTable(), "schema_migrations").Scan(&exists)
	if errors.Is(err, sql.ErrNoRows) {
		return len(ms), nil
	} else if err != nil {
		return 0, fmt.Errorf("check migrations: %w", err)
	}
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		return 0, fmt.Errorf("check migrations: %w", err)
	}
	return len(ms) - n, nil
}
