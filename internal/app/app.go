// Package app wires the platform together: configuration → stores → crypto →
// services → transports. A test starts the whole platform in-process with New and
// Run on port 0 and a temporary data dir.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/openivr/ivr/internal/api"
	"github.com/openivr/ivr/internal/audit"
	"github.com/openivr/ivr/internal/auth"
	"github.com/openivr/ivr/internal/backup"
	"github.com/openivr/ivr/internal/blob"
	"github.com/openivr/ivr/internal/config"
	"github.com/openivr/ivr/internal/demo"
	"github.com/openivr/ivr/internal/eligibility"
	"github.com/openivr/ivr/internal/events"
	"github.com/openivr/ivr/internal/phi"
	"github.com/openivr/ivr/internal/service"
	"github.com/openivr/ivr/internal/store"
	"github.com/openivr/ivr/internal/web"
)

// App is one running platform instance.
type App struct {
	cfg      config.Config
	log      *slog.Logger
	db       *store.DB
	keys     *phi.Keyring
	svc      *service.Service
	hub      *events.Hub
	bus      events.Bus
	signer   *audit.KeyFile
	server   *http.Server
	listener net.Listener
}

// New opens the database, applies migrations, builds the services and binds the
// listener. Nothing is served until Run. On error everything opened is closed.
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (_ *App, err error) {
	a := &App{cfg: cfg, log: log}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory %s: %w", cfg.DataDir, err)
	}
	if a.db, err = store.Open(ctx, cfg.DatabaseURL, cfg.SQLitePath()); err != nil {
		return nil, err
	}
	n, err := a.db.Migrate(ctx)
	if err != nil {
		return nil, err
	}
	log.Info("database ready", "engine", string(a.db.Dialect), "migrations_applied", n)
	if err := a.wire(ctx); err != nil {
		return nil, err
	}
	payerIDs := eligibility.PayerMap{}
	a.svc.Checker = a.clearinghouse(payerIDs)
	if cfg.Demo {
		if err := demo.Seed(ctx, a.svc, cfg.DataDir, log); err != nil {
			return nil, err
		}
	}
	if err := a.mapPayers(ctx, payerIDs); err != nil {
		return nil, err
	}
	pages, err := web.New(a.svc, a.hub, log, web.Options{CSRFKey: cfg.CSRFKey()})
	if err != nil {
		return nil, err
	}
	srv := api.New(api.Options{Log: log, Health: a.db, Service: a.svc, Events: a.hub,
		MaxBodyBytes: cfg.MaxBodyBytes, MaxUploadBytes: cfg.MaxUploadSize, Web: pages})
	h, err := srv.Handler()
	if err != nil {
		return nil, err
	}
	a.server = &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if a.listener, err = net.Listen("tcp", cfg.Addr); err != nil {
		return nil, fmt.Errorf("listen on %s (IVR_ADDR): %w", cfg.Addr, err)
	}
	return a, nil
}

// wire builds the keyring, the services and the event hub.
func (a *App) wire(ctx context.Context) error {
	var err error
	a.keys, err = phi.Open(ctx, phi.Config{KMSURI: a.cfg.KMSURI, DataDir: a.cfg.DataDir, Logger: a.log})
	if err != nil {
		return fmt.Errorf("key provider (IVR_KMS_URI): %w", err)
	}
	a.db.Keys = a.keys
	if a.signer, err = audit.LoadOrCreateKeyFile(a.cfg.DataDir); err != nil {
		return fmt.Errorf("audit signing key: %w", err)
	}
	hasher, err := auth.NewHasher(auth.DefaultParams, 0)
	if err != nil {
		return err
	}
	if a.cfg.NATSURL != "" {
		if a.bus, err = events.NewNATSBus(a.cfg.NATSURL, "ivr.events"); err != nil {
			return fmt.Errorf("connect to NATS (IVR_NATS_URL): %w", err)
		}
	} else {
		a.bus = events.NewLocalBus()
	}
	a.hub = events.NewHub(a.db, a.bus, a.log)
	files, err := a.openBlobs(ctx)
	if err != nil {
		return err
	}
	a.svc = &service.Service{DB: a.db, Keys: a.keys, Hasher: hasher,
		Blobs:    blob.NewEncryptedStore(files, a.keys),
		Throttle: auth.NewMemoryThrottle(auth.ThrottleConfig{}),
		Sessions: auth.SessionPolicy{Idle: a.cfg.SessionIdle, Absolute: a.cfg.SessionMax},
		Log:      a.log, Notify: a.hub.Notify, BreakGlassFor: time.Hour}
	return nil
}

// DataDir returns the data directory.
func (a *App) DataDir() string { return a.cfg.DataDir }

// RotateKeys makes a new primary PHI key and re-encrypts every stored value under
// it, in short batches, so a running platform keeps serving throughout. Other
// instances pick the new key up when they first meet it.
func (a *App) RotateKeys(ctx context.Context) (int, error) {
	if err := a.keys.Rotate(ctx); err != nil {
		return 0, fmt.Errorf("rotate: %w", err)
	}
	return a.db.ReencryptAll(ctx, 500)
}

// mapPayers fills ids with the directory's payer ids at the configured
// clearinghouse. It runs at start, before any check; a payer added later is
// mapped at the next start.
func (a *App) mapPayers(ctx context.Context, ids eligibility.PayerMap) error {
	payers, err := a.db.ListPayers(ctx)
	if err != nil {
		return err
	}
	for _, p := range payers {
		if ext, ok := p.PayerIDs[a.cfg.Clearinghouse]; ok {
			ids[p.ID] = ext
		}
	}
	return nil
}

// clearinghouse builds the eligibility checker for IVR_CLEARINGHOUSE, mapping
// payers through ids.
func (a *App) clearinghouse(ids eligibility.PayerMap) *eligibility.Checker {
	creds := eligibility.Credentials{BearerToken: a.cfg.ClearingToken}
	var ch eligibility.Clearinghouse
	switch a.cfg.Clearinghouse {
	case "x12-http":
		ch = &eligibility.X12HTTP{URL: a.cfg.ClearingURL, Credentials: creds, Payers: ids}
	case "json-http":
		ch = &eligibility.JSONHTTP{URL: a.cfg.ClearingURL, Credentials: creds, Payers: ids}
	default:
		ch = &eligibility.Simulator{Payers: ids}
	}
	return &eligibility.Checker{Clearinghouse: ch}
}

// openBlobs opens the document backend: files in the data dir by default, or an
// S3-compatible bucket for IVR_BLOB_URL=s3://bucket/prefix?region=…&endpoint=….
func (a *App) openBlobs(ctx context.Context) (blob.Store, error) {
	if strings.HasPrefix(a.cfg.BlobURL, "s3://") {
		s, err := blob.OpenS3(ctx, a.cfg.BlobURL)
		if err != nil {
			return nil, fmt.Errorf("document store (IVR_BLOB_URL): %w", err)
		}
		return s, nil
	}
	fs, err := blob.NewFileStore(filepath.Join(a.cfg.DataDir, "documents"))
	if err != nil {
		return nil, fmt.Errorf("document store: %w", err)
	}
	return fs, nil
}

// Backup writes an encrypted backup of the database and the data dir to out.
func (a *App) Backup(ctx context.Context, out io.Writer) (backup.Stats, error) {
	return backup.Write(ctx, a.db, a.keys, a.cfg.DataDir, a.cfg.DatabaseURL, out)
}

// Service returns the use cases, for tests and subcommands.
func (a *App) Service() *service.Service { return a.svc }

// Addr returns the address the server listens on, with the real port when the
// configuration asked for port 0.
func (a *App) Addr() string { return a.listener.Addr().String() }

// DB returns the database, for tests and subcommands.
func (a *App) DB() *store.DB { return a.db }

// Run serves until ctx is cancelled, then stops accepting, lets in-flight requests
// finish (up to 20 seconds) and returns.
func (a *App) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- a.server.Serve(a.listener) }()
	bg, stopBG := context.WithCancel(context.Background())
	defer stopBG()
	a.background(bg)
	a.log.Info("serving", "addr", "http://"+a.Addr())
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	a.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := a.server.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// background starts the workers: the event relay, audit checkpoints and the
// expiry of approved IVRs. They stop when ctx is cancelled.
func (a *App) background(ctx context.Context) {
	go func() {
		if err := a.hub.Run(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("event hub stopped", "error", err)
		}
	}()
	cp := &audit.Checkpointer{DB: a.db, Signer: a.signer,
		LogPath: filepath.Join(a.cfg.DataDir, "audit-checkpoints.jsonl"), Logger: a.log}
	go cp.Run(ctx)
	go a.svc.RunExpiry(ctx, time.Minute)
	go a.svc.RunEligibility(ctx, 2*time.Second)
	go a.optimizeHourly(ctx)
}

// optimizeHourly keeps the planner's statistics fresh (SQLite), so queries such
// as the specialist queue keep using their indexes as the data grows.
func (a *App) optimizeHourly(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if err := a.db.Optimize(ctx); err != nil && ctx.Err() == nil {
			a.log.Warn("optimize database", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Close releases the listener, the event bus and the database.
func (a *App) Close() error {
	var err error
	if a.listener != nil {
		a.listener.Close()
	}
	if a.bus != nil {
		a.bus.Close()
	}
	if a.db != nil {
		err = a.db.Close()
	}
	return err
}
