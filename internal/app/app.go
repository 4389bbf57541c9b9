// Package app wires the platform together: configuration → stores → crypto →
// services → transports. A test starts the whole platform in-process with New and
// Run on port 0 and a temporary data dir.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/openivr/ivr/internal/api"
	"github.com/openivr/ivr/internal/config"
	"github.com/openivr/ivr/internal/store"
)

// App is one running platform instance.
type App struct {
	cfg      config.Config
	log      *slog.Logger
	db       *store.DB
	server   *http.Server
	listener net.Listener
}

// New opens the database, applies migrations, builds the services and binds the
// listener. Nothing is served until Run. On error everything opened is closed.
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (a *App, err error) {
	a = &App{cfg: cfg, log: log}
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
	srv := api.New(api.Options{Log: log, Health: a.db, MaxBodyBytes: cfg.MaxBodyBytes})
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

// Close releases the listener and the database.
func (a *App) Close() error {
	var err error
	if a.listener != nil {
		a.listener.Close()
	}
	if a.db != nil {
		err = a.db.Close()
	}
	return err
}
