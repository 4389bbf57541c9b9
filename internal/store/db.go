// Package store is the SQL adapter of the platform: it opens SQLite or PostgreSQL,
// applies the embedded migrations, and implements the domain's stores with plain
// SQL that both engines accept. The few dialect differences live in dialect.go.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/openivr/ivr/internal/phi"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// DB is an open database. On SQLite, writes go through a pool of one connection so
// writers queue in Go instead of spinning on the file lock, and reads use their own
// pool; on PostgreSQL both are the same pool.
type DB struct {
	Dialect Dialect
	write   *sql.DB
	read    *sql.DB
	// Now returns the current time; tests replace it. Stores read it once per
	// transaction.
	Now func() time.Time
	// Keys encrypts and decrypts PHI columns and computes blind indexes. The
	// stores of PHI-bearing records need it; reference data does not.
	Keys *phi.Keyring
}

// Open connects to the database named by url (empty or sqlite://path for SQLite
// at sqlitePath, postgres://… for PostgreSQL) and checks that it answers. It does
// not migrate. The error names the problem without echoing credentials.
func Open(ctx context.Context, databaseURL, sqlitePath string) (*DB, error) {
	if strings.HasPrefix(databaseURL, "postgres://") || strings.HasPrefix(databaseURL, "postgresql://") {
		return openPostgres(ctx, databaseURL)
	}
	return openSQLite(ctx, sqlitePath)
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres %s: %w", RedactURL(dsn), err)
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to postgres %s: %w", RedactURL(dsn), err)
	}
	return &DB{Dialect: Postgres, write: db, read: db, Now: utcNow}, nil
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create database directory: %w", err)
	}
	if err := checkWritable(filepath.Dir(path)); err != nil {
		return nil, err
	}
	dsn := sqliteDSN(path)
	w, err := sql.Open("sqlite", dsn+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", dsn)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	db := &DB{Dialect: SQLite, write: w, read: r, Now: utcNow}
	// A file that is not a database fails here, before anything is written to it.
	var n int
	if err := r.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master`).Scan(&n); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if _, err := w.ExecContext(ctx, `PRAGMA journal_mode = WAL`); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: set WAL: %w", path, err)
	}
	return db, nil
}

func sqliteDSN(path string) string {
	q := url.Values{}
	for _, p := range []string{"synchronous(FULL)", "foreign_keys(1)", "busy_timeout(10000)"} {
		q.Add("_pragma", p)
	}
	q.Set("_time_format", "sqlite")
	return "file:" + path + "?" + q.Encode()
}

func checkWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".write-check-*")
	if err != nil {
		return fmt.Errorf("data directory %s is not writable: %w", dir, errors.Unwrap(err))
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

func utcNow() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// Close closes both pools.
func (db *DB) Close() error {
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// Reader returns the pool for queries outside a transaction.
func (db *DB) Reader() *sql.DB { return db.read }

// Tx is a write transaction with the time it started, read once.
type Tx struct {
	*sql.Tx
	Dialect Dialect
	Now     time.Time
	Keys    *phi.Keyring
}

// InTx runs fn in one write transaction and commits if fn returns nil; otherwise
// it rolls back and returns fn's error.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{Tx: sqlTx, Dialect: db.Dialect, Now: db.Now(), Keys: db.Keys}
	defer sqlTx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// RedactURL returns u with any password replaced, for messages and logs.
func RedactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparseable URL)"
	}
	return p.Redacted()
}
