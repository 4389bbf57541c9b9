package audit

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/openivr/ivr/internal/store"
)

// The kinds of signed statement.
const (
	KindCheckpoint = "checkpoint" // the chain had reached Seq with hash Hash
	KindAnchor     = "anchor"     // entries 1..Seq were purged; Hash was entry Seq's hash
)

// SignedCheckpoint is a signed statement about the chain: a checkpoint of its head,
// or the anchor a purge leaves. Hash is the hash of entry Seq.
type SignedCheckpoint struct {
	Kind         string    `json:"kind"`
	Seq          int64     `json:"seq"`
	Hash         []byte    `json:"hash"` // base64 in JSON
	At           time.Time `json:"at"`
	PurgedBefore time.Time `json:"purged_before,omitzero"` // anchors only
	KeyID        string    `json:"key_id"`
	Signature    []byte    `json:"signature"` // base64 in JSON
}

// SignedMessage returns the bytes the signature covers:
//
//	checkpoint: "openivr-audit-checkpoint-v1" | seq | hash | at
//	anchor:     "openivr-audit-anchor-v1" | seq | hash | purged_before | at
//
// where seq is 8 bytes big-endian, hash the raw 32 bytes, and times 8-byte
// big-endian microseconds since the Unix epoch (UTC). It returns nil for an unknown
// kind.
func (c SignedCheckpoint) SignedMessage() []byte {
	var b []byte
	switch c.Kind {
	case KindCheckpoint:
		b = append(b, "openivr-audit-checkpoint-v1"...)
	case KindAnchor:
		b = append(b, "openivr-audit-anchor-v1"...)
	default:
		return nil
	}
	b = binary.BigEndian.AppendUint64(b, uint64(c.Seq))
	b = append(b, c.Hash...)
	if c.Kind == KindAnchor {
		b = binary.BigEndian.AppendUint64(b, uint64(c.PurgedBefore.UnixMicro()))
	}
	return binary.BigEndian.AppendUint64(b, uint64(c.At.UnixMicro()))
}

// VerifySignature reports whether c is signed by pub.
func (c SignedCheckpoint) VerifySignature(pub ed25519.PublicKey) bool {
	msg := c.SignedMessage()
	if msg == nil || len(c.Hash) != HashSize || len(pub) != ed25519.PublicKeySize {
		return false
	}
	return ed25519.Verify(pub, msg, c.Signature)
}

func sign(ctx context.Context, s Signer, c SignedCheckpoint) (SignedCheckpoint, error) {
	c.KeyID = s.KeyID()
	sig, err := s.Sign(ctx, c.SignedMessage())
	if err != nil {
		return c, fmt.Errorf("sign audit %s: %w", c.Kind, err)
	}
	c.Signature = sig
	return c, nil
}

// ErrEmptyChain is returned by Checkpoint when there is no entry to sign.
var ErrEmptyChain = errors.New("audit chain is empty")

// Checkpoint signs the current head of the chain, stores the checkpoint and, when
// logPath is not empty, appends it to that JSON-lines file (normally
// <data dir>/audit-checkpoints.jsonl) for shipping off the machine. Signing happens
// outside any transaction, so a slow KMS holds no lock. If the head already has a
// checkpoint, it returns that one and writes nothing. It returns ErrEmptyChain when
// nothing was ever appended.
func Checkpoint(
	ctx context.Context, db *store.DB, s Signer, logPath string,
) (SignedCheckpoint, error) {
	seq, hash, err := readHead(ctx, db.Reader())
	if err != nil {
		return SignedCheckpoint{}, err
	}
	if seq == 0 {
		return SignedCheckpoint{}, ErrEmptyChain
	}
	c := SignedCheckpoint{Kind: KindCheckpoint, Seq: seq, Hash: hash,
		At: db.Now().UTC().Truncate(time.Microsecond)}
	if c, err = sign(ctx, s, c); err != nil {
		return c, err
	}
	var added bool
	err = db.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO audit_checkpoints
			(seq, hash, at, key_id, signature) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (seq) DO NOTHING`, c.Seq, c.Hash, c.At, c.KeyID, c.Signature)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		added = n == 1
		return err
	})
	if err != nil {
		return c, fmt.Errorf("store audit checkpoint: %w", err)
	}
	if !added {
		return lastCheckpoint(ctx, db.Reader())
	}
	return c, AppendLog(logPath, c)
}

// readHead returns the head (0 and GenesisHash when no entry was ever appended).
func readHead(ctx context.Context, q querier) (int64, []byte, error) {
	var seq int64
	var hash []byte
	err := q.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).
		Scan(&seq, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, GenesisHash, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("read audit head: %w", err)
	}
	return seq, hash, nil
}

// querier is what *sql.DB, *sql.Tx and *store.Tx offer for reads.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// lastCheckpoint returns the newest stored checkpoint, or a zero one if none.
func lastCheckpoint(ctx context.Context, q querier) (SignedCheckpoint, error) {
	cps, err := loadSigned(ctx, q, `SELECT seq, hash, at, key_id, signature
		FROM audit_checkpoints ORDER BY seq DESC LIMIT 1`, KindCheckpoint)
	if err != nil || len(cps) == 0 {
		return SignedCheckpoint{}, err
	}
	return cps[0], nil
}

// loadSigned reads checkpoints (5 columns) or anchors (6, purged_before 4th).
func loadSigned(ctx context.Context, q querier, query, kind string) ([]SignedCheckpoint, error) {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("read audit %ss: %w", kind, err)
	}
	defer rows.Close()
	var out []SignedCheckpoint
	for rows.Next() {
		c := SignedCheckpoint{Kind: kind}
		dst := []any{&c.Seq, &c.Hash, &c.At, &c.KeyID, &c.Signature}
		if kind == KindAnchor {
			dst = []any{&c.Seq, &c.Hash, &c.At, &c.PurgedBefore, &c.KeyID, &c.Signature}
		}
		if err := rows.Scan(dst...); err != nil {
			return nil, fmt.Errorf("read audit %ss: %w", kind, err)
		}
		c.At, c.PurgedBefore = c.At.UTC(), c.PurgedBefore.UTC()
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit %ss: %w", kind, err)
	}
	return out, nil
}

// AppendLog appends c as one JSON line to the file at path (created 0600), and
// syncs it. An empty path does nothing.
func AppendLog(path string, c SignedCheckpoint) error {
	if path == "" {
		return nil
	}
	line, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode audit %s: %w", c.Kind, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open audit checkpoint log: %w", err)
	}
	_, err = f.Write(append(line, '\n'))
	if err = errors.Join(err, f.Sync(), f.Close()); err != nil {
		return fmt.Errorf("write audit checkpoint log: %w", err)
	}
	return nil
}

// ReadLog returns the statements in the JSON-lines file at path, in file order. A
// missing file yields none. A line that is not a statement is an error naming its
// line number.
func ReadLog(path string) ([]SignedCheckpoint, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open audit checkpoint log: %w", err)
	}
	defer f.Close()
	var out []SignedCheckpoint
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var c SignedCheckpoint
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return nil, fmt.Errorf("audit checkpoint log line %d: %w", n, err)
		}
		if c.Kind != KindCheckpoint && c.Kind != KindAnchor {
			return nil, fmt.Errorf("audit checkpoint log line %d: unknown kind", n)
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read audit checkpoint log: %w", err)
	}
	return out, nil
}
