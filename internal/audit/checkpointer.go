package audit

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/openivr/ivr/internal/store"
)

// Checkpointer signs the chain head in the background: when Every entries were
// appended since the last checkpoint, or when Interval has passed and at least one
// was. It looks at the head every Poll.
type Checkpointer struct {
	DB       *store.DB
	Signer   Signer
	LogPath  string        // the JSON-lines file; "" keeps checkpoints in the database only
	Every    int64         // default 1000
	Interval time.Duration // default 5 minutes
	Poll     time.Duration // default 1 second
	Logger   *slog.Logger  // default slog.Default()
}

// Run checkpoints until ctx is cancelled, then takes a last checkpoint of anything
// appended since (within five seconds) and returns nil. Failures are logged and
// retried at the next poll; they never stop the loop.
func (c *Checkpointer) Run(ctx context.Context) error {
	every, interval, poll, log := c.settings()
	last, err := lastCheckpoint(ctx, c.DB.Reader())
	if err != nil {
		log.Warn("audit checkpointer: read last checkpoint", "error", err)
	}
	lastSeq, lastAt := last.Seq, last.At
	if lastAt.IsZero() {
		lastAt = time.Now()
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			c.tick(fctx, log, lastSeq, 1)
			return nil
		case <-t.C:
		}
		need := every
		if time.Since(lastAt) >= interval {
			need = 1
		}
		if seq, ok := c.tick(ctx, log, lastSeq, need); ok {
			lastSeq, lastAt = seq, time.Now()
		}
	}
}

// tick checkpoints when the head is at least need entries past lastSeq, and
// reports the checkpointed seq.
func (c *Checkpointer) tick(
	ctx context.Context, log *slog.Logger, lastSeq, need int64,
) (int64, bool) {
	seq, _, err := readHead(ctx, c.DB.Reader())
	if err != nil {
		log.Warn("audit checkpointer: read head", "error", err)
		return 0, false
	}
	if seq-lastSeq < need {
		return 0, false
	}
	cp, err := Checkpoint(ctx, c.DB, c.Signer, c.LogPath)
	if err != nil && !errors.Is(err, ErrEmptyChain) {
		log.Error("audit checkpointer: checkpoint", "error", err)
		return 0, false
	}
	return cp.Seq, err == nil
}

func (c *Checkpointer) settings() (int64, time.Duration, time.Duration, *slog.Logger) {
	every, interval, poll, log := c.Every, c.Interval, c.Poll, c.Logger
	if every <= 0 {
		every = 1000
	}
	if interval <= 0 {
		interval = 5 * time.Minute
	}
	if poll <= 0 {
		poll = time.Second
	}
	if log == nil {
		log = slog.Default()
	}
	return every, interval, poll, log
}
