package audit

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/openivr/ivr/internal/store"
)

// CommandOptions overrides where VerifyCommandWith finds its inputs.
type CommandOptions struct {
	// PublicKeyFile is the PEM public key to trust; default
	// <data dir>/audit-signing.pub. Give the copy kept off the machine when the
	// data directory itself may have been tampered with.
	PublicKeyFile string
	// LogPath is the shipped checkpoint log; default <data dir>/audit-checkpoints.jsonl.
	// A missing file is read as empty.
	LogPath string
}

// Exit codes of VerifyCommand.
const (
	ExitOK       = 0 // the chain verifies
	ExitTampered = 1 // problems were found
	ExitError    = 2 // the check could not be run
)

// VerifyCommand is `ivr audit verify`: it verifies the chain in db against the key
// and checkpoint log in dataDir, prints a summary to stdout and returns the exit
// code (ExitOK, ExitTampered or ExitError).
func VerifyCommand(ctx context.Context, db *store.DB, dataDir string, stdout io.Writer) int {
	return VerifyCommandWith(ctx, db, dataDir, CommandOptions{}, stdout)
}

// VerifyCommandWith is VerifyCommand with explicit input files.
func VerifyCommandWith(
	ctx context.Context, db *store.DB, dataDir string, o CommandOptions, stdout io.Writer,
) int {
	if o.PublicKeyFile == "" {
		o.PublicKeyFile = filepath.Join(dataDir, PublicKeyFileName)
	}
	if o.LogPath == "" {
		o.LogPath = filepath.Join(dataDir, LogFileName)
	}
	pub, err := readPublicKey(o.PublicKeyFile)
	if err != nil {
		fmt.Fprintf(stdout, "audit verify: %v\n", err)
		return ExitError
	}
	rep, err := Verify(ctx, db, pub, VerifyOptions{LogPath: o.LogPath})
	if err != nil && !errors.Is(err, ErrTampered) {
		fmt.Fprintf(stdout, "audit verify: %v\n", err)
		return ExitError
	}
	printReport(stdout, rep, KeyID(pub))
	if !rep.OK() {
		return ExitTampered
	}
	return ExitOK
}

func readPublicKey(path string) (ed25519.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read public key: %w", err)
	}
	return ParsePublicKey(b)
}

func printReport(w io.Writer, r Report, keyID string) {
	fmt.Fprintf(w, "audit chain: %d entries (seq %d..%d), head at seq %d\n",
		r.Entries, r.FirstSeq, r.LastSeq, r.HeadSeq)
	fmt.Fprintf(w, "signed: %d checkpoints and %d purge anchors in the database, "+
		"%d statements in the log; key %s\n", r.Checkpoints, r.Anchors, r.LogCheckpoints, keyID)
	if r.OK() {
		fmt.Fprintln(w, "OK: the chain verifies")
		return
	}
	p, _ := r.FirstBad()
	fmt.Fprintf(w, "FAILED: %d problems; first bad entry at seq %d: %s\n",
		r.ProblemCount, p.Seq, p.What)
	for _, p := range r.Problems {
		fmt.Fprintf(w, "  %s\n", p)
	}
	if n := r.ProblemCount - len(r.Problems); n > 0 {
		fmt.Fprintf(w, "  ... and %d more\n", n)
	}
}
