// Package storetest gives tests a fresh, migrated database on every engine the run
// can reach: SQLite always, PostgreSQL when IVR_TEST_DATABASE_URL is set. Each test
// gets its own SQLite file or its own PostgreSQL schema, so tests run in parallel.
// With IVR_REQUIRE_POSTGRES=1 a missing PostgreSQL fails the test instead of
// skipping it.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/openivr/ivr/internal/store"
)

// Engines returns the engines this run tests: "sqlite" always, "postgres" when
// IVR_TEST_DATABASE_URL is set.
func Engines() []store.Dialect {
	if os.Getenv("IVR_TEST_DATABASE_URL") != "" {
		return []store.Dialect{store.SQLite, store.Postgres}
	}
	return []store.Dialect{store.SQLite}
}

// ForEachEngine runs fn as a subtest named after each engine, with a fresh migrated
// database. When PostgreSQL is required but not configured, it fails.
func ForEachEngine(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	RequirePostgresIfAsked(t)
	for _, d := range Engines() {
		t.Run(string(d), func(t *testing.T) {
			fn(t, MustOpen(t, d))
		})
	}
}

// RequirePostgresIfAsked fails tb when IVR_REQUIRE_POSTGRES=1 and no PostgreSQL
// URL is set, so CI cannot pass by skipping.
func RequirePostgresIfAsked(tb testing.TB) {
	tb.Helper()
	if os.Getenv("IVR_REQUIRE_POSTGRES") == "1" && os.Getenv("IVR_TEST_DATABASE_URL") == "" {
		tb.Fatal("IVR_REQUIRE_POSTGRES=1 but IVR_TEST_DATABASE_URL is not set")
	}
}

// MustOpen returns a fresh migrated database of dialect d, closed and dropped when
// the test ends.
func MustOpen(tb testing.TB, d store.Dialect) *store.DB {
	tb.Helper()
	url := MustURL(tb, d)
	db, err := store.Open(context.Background(), url, sqlitePathOf(url))
	if err != nil {
		tb.Fatalf("open %s: %v", d, err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		tb.Fatalf("migrate %s: %v", d, err)
	}
	return db
}

// MustURL returns a database URL for a fresh, empty database of dialect d: a new
// SQLite file in a temporary directory, or a new PostgreSQL schema (dropped at the
// end of the test) selected through search_path.
func MustURL(tb testing.TB, d store.Dialect) string {
	tb.Helper()
	if d == store.SQLite {
		return "sqlite://" + filepath.Join(tb.TempDir(), "test.db")
	}
	base := os.Getenv("IVR_TEST_DATABASE_URL")
	if base == "" {
		tb.Skip("IVR_TEST_DATABASE_URL not set")
	}
	schema := "t_" + randomHex(8)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("open postgres: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		a.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse IVR_TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func sqlitePathOf(u string) string {
	if len(u) > len("sqlite://") && u[:len("sqlite://")] == "sqlite://" {
		return u[len("sqlite://"):]
	}
	return ""
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
