package audit

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"runtime"

	"github.com/openivr/ivr/internal/store"
)

// VerifyOptions tunes Verify.
type VerifyOptions struct {
	// LogPath is the shipped checkpoint file (audit-checkpoints.jsonl) to check the
	// database against; "" checks the database's own checkpoints only, which cannot
	// reveal a rollback of the whole database.
	LogPath string
	// ChunkSize is the number of entries read per query; default 10000.
	ChunkSize int
	// Workers is the number of read transactions fetching chunks at once; default
	// GOMAXPROCS, at most 4.
	Workers int
	// MaxProblems caps the problems listed (all are counted); default 1000.
	MaxProblems int
}

// Problem is one finding: the sequence number where the chain goes wrong and what
// is wrong there.
type Problem struct {
	Seq  int64
	What string
}

// String implements fmt.Stringer.
func (p Problem) String() string { return fmt.Sprintf("seq %d: %s", p.Seq, p.What) }

// Report is the outcome of Verify.
type Report struct {
	Entries        int64 // entries read
	FirstSeq       int64 // first entry's seq (1 unless purged); 0 when there are none
	LastSeq        int64 // last entry's seq
	HeadSeq        int64 // the head row's seq
	Checkpoints    int   // checkpoints in the database
	LogCheckpoints int   // statements in the shipped log
	Anchors        int   // purge anchors in the database
	ProblemCount   int   // every problem found
	Problems       []Problem
}

// OK reports whether no problem was found.
func (r Report) OK() bool { return r.ProblemCount == 0 }

// FirstBad returns the problem with the lowest seq, if any.
func (r Report) FirstBad() (Problem, bool) {
	if len(r.Problems) == 0 {
		return Problem{}, false
	}
	return r.Problems[0], true
}

// ErrTampered is wrapped by the error Verify returns when it found a problem.
var ErrTampered = errors.New("audit chain does not verify")

// Verify recomputes the chain and checks it against every signed statement. It
// reads entries in seq order in chunks (keyset pagination) inside one read-only
// snapshot, and checks: seq is contiguous from 1 (or from a signed purge anchor);
// every prev_hash is the hash of the entry before; every hash matches the entry's
// canonical encoding; every checkpoint and anchor, in the database and in
// opts.LogPath, has a valid signature by pub and names the hash the chain has at its
// seq; every shipped statement the retained chain covers is also in the database;
// the head row is the last entry; and no signed statement lies beyond the last
// entry (a truncated tail, or a database restored from an older copy).
//
// Problems are listed by seq, so Report.FirstBad is the first bad entry; the error
// then wraps ErrTampered. Any other error means the check could not be completed.
func Verify(
	ctx context.Context, db *store.DB, pub ed25519.PublicKey, opts VerifyOptions,
) (Report, error) {
	v, err := newVerifier(pub, opts)
	if err != nil {
		return Report{}, err
	}
	v.db = db
	tx, err := v.beginRead(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("verify audit chain: %w", err)
	}
	defer tx.Rollback()
	if db.Dialect == store.Postgres {
		if err := tx.QueryRowContext(ctx, `SELECT pg_export_snapshot()`).Scan(&v.snapshot); err != nil {
			return Report{}, fmt.Errorf("verify audit chain: export snapshot: %w", err)
		}
	}
	if err := v.run(ctx, tx); err != nil {
		return v.rep, fmt.Errorf("verify audit chain: %w", err)
	}
	return v.finish()
}

type verifier struct {
	db       *store.DB
	snapshot string // PostgreSQL: the snapshot every reader shares
	pub      ed25519.PublicKey
	opts     VerifyOptions
	rep      Report
	log      []SignedCheckpoint
	byseq    map[int64][]source // validly signed statements by seq
	inDB     map[int64]bool     // checkpoint seqs in the database
	maxSeq   int64              // highest validly signed seq
	maxFrom  source
	prev     []byte
	expected int64
}

// source is a signed statement and where it was found.
type source struct {
	SignedCheckpoint
	where string // "database" or "log"
}

func newVerifier(pub ed25519.PublicKey, opts VerifyOptions) (*verifier, error) {
	if len(pub) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("verify audit chain: public key has %d bytes, want %d",
			len(pub), ed25519.PublicKeySize)
	}
	if opts.ChunkSize <= 0 {
		opts.ChunkSize = 10000
	}
	if opts.Workers <= 0 {
		opts.Workers = min(runtime.GOMAXPROCS(0), 4)
	}
	if opts.MaxProblems <= 0 {
		opts.MaxProblems = 1000
	}
	v := &verifier{pub: pub, opts: opts, byseq: map[int64][]source{}, inDB: map[int64]bool{}}
	if opts.LogPath != "" {
		var err error
		if v.log, err = ReadLog(opts.LogPath); err != nil {
			return nil, fmt.Errorf("verify audit chain: %w", err)
		}
	}
	return v, nil
}

func (v *verifier) problem(seq int64, format string, args ...any) {
	v.rep.ProblemCount++
	if len(v.rep.Problems) < v.opts.MaxProblems {
		v.rep.Problems = append(v.rep.Problems, Problem{Seq: seq, What: fmt.Sprintf(format, args...)})
	}
}

func (v *verifier) run(ctx context.Context, tx *sql.Tx) error {
	head, headHash, err := readHead(ctx, tx)
	if err != nil {
		return err
	}
	v.rep.HeadSeq = head
	if err := v.loadStatements(ctx, tx); err != nil {
		return err
	}
	if err := v.stream(ctx, tx); err != nil {
		return err
	}
	v.checkHead(head, headHash)
	v.checkBeyondEnd()
	return nil
}

// loadStatements reads the database's checkpoints and anchors, checks every
// signature (theirs and the log's) and indexes the valid ones by seq.
func (v *verifier) loadStatements(ctx context.Context, tx *sql.Tx) error {
	cps, err := loadSigned(ctx, tx, `SELECT seq, hash, at, key_id, signature
		FROM audit_checkpoints ORDER BY seq`, KindCheckpoint)
	if err != nil {
		return err
	}
	anchors, err := loadSigned(ctx, tx, `SELECT seq, hash, at, purged_before, key_id, signature
		FROM audit_anchors ORDER BY seq`, KindAnchor)
	if err != nil {
		return err
	}
	v.rep.Checkpoints, v.rep.Anchors, v.rep.LogCheckpoints = len(cps), len(anchors), len(v.log)
	for _, c := range append(cps, anchors...) {
		v.inDB[c.Seq] = true
		v.addStatement(source{c, "database"})
	}
	for _, c := range v.log {
		v.addStatement(source{c, "log"})
	}
	return nil
}

func (v *verifier) addStatement(s source) {
	if !s.VerifySignature(v.pub) {
		v.problem(s.Seq, "%s in the %s has an invalid signature (key %q)",
			s.Kind, s.where, s.KeyID)
		return
	}
	if s.Kind == KindAnchor && s.PurgedBefore.After(s.At.AddDate(-RetentionYears, 0, 0)) {
		v.problem(s.Seq, "purge anchor in the %s cut entries younger than %d years",
			s.where, RetentionYears)
	}
	v.byseq[s.Seq] = append(v.byseq[s.Seq], s)
	if s.Seq > v.maxSeq {
		v.maxSeq, v.maxFrom = s.Seq, s
	}
}
