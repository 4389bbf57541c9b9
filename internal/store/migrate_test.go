package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/openivr/ivr/internal/store"
	"github.com/openivr/ivr/internal/store/storetest"
)

func TestMigrationsHaveCounterparts(t *testing.T) {
	names := func(d store.Dialect) []int {
		ms, err := store.Migrations(d)
		if err != nil {
			t.Fatal(err)
		}
		var vs []int
		for _, m := range ms {
			vs = append(vs, m.Version)
		}
		return vs
	}
	if diff := cmp.Diff(names(store.SQLite), names(store.Postgres)); diff != "" {
		t.Errorf("migration numbers differ between dialects (-sqlite +postgres):\n%s", diff)
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		n, err := db.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("second Migrate applied %d migrations, want 0", n)
		}
		pending, err := db.Pending(ctx)
		if err != nil || pending != 0 {
			t.Errorf("Pending = %d, %v; want 0, nil", pending, err)
		}
	})
}

func TestPendingOnEmptyDatabase(t *testing.T) {
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			u := storetest.MustURL(t, d)
			db, err := store.Open(context.Background(), u, strings.TrimPrefix(u, "sqlite://"))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ms, _ := store.Migrations(d)
			got, err := db.Pending(context.Background())
			if err != nil || got != len(ms) {
				t.Errorf("Pending = %d, %v; want %d", got, err, len(ms))
			}
		})
	}
}

func TestOpenRefusesANonDatabaseFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ivr.db")
	junk := []byte(strings.Repeat("this is not a database file\n", 200))
	if err := os.WriteFile(path, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := store.Open(context.Background(), "", path)
	if err == nil {
		t.Fatal("Open succeeded on a file that is not a database")
	}
	got, _ := os.ReadFile(path)
	if string(got) != string(junk) {
		t.Error("Open changed the file it refused")
	}
}

func TestOpenRefusesAnUnwritableDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		// root writes anywhere; use a path below a regular file instead.
		f := filepath.Join(t.TempDir(), "file")
		os.WriteFile(f, nil, 0o600)
		if _, err := store.Open(context.Background(), "", filepath.Join(f, "ivr.db")); err == nil {
			t.Fatal("Open succeeded below a regular file")
		}
		return
	}
	dir := filepath.Join(t.TempDir(), "ro")
	os.Mkdir(dir, 0o500)
	if _, err := store.Open(context.Background(), "", filepath.Join(dir, "ivr.db")); err == nil {
		t.Fatal("Open succeeded in a read-only directory")
	}
}

func TestOpenReportsUnreachablePostgresWithoutPassword(t *testing.T) {
	_, err := store.Open(context.Background(),
		"postgres://u:s3cretpw@127.0.0.1:1/none?connect_timeout=2", "")
	if err == nil {
		t.Fatal("Open succeeded against a closed port")
	}
	if strings.Contains(err.Error(), "s3cretpw") {
		t.Errorf("error shows the password: %v", err)
	}
}
