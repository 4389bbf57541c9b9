package audit

import (
	"bytes"
	"database/sql"
	"fmt"
	"sort"
	"time"
)

// scanRecord reads one row of entryColumns.
func scanRecord(rows *sql.Rows) (Record, error) {
	var r Record
	var fields, outcome, severity string
	e := &r.Entry
	err := rows.Scan(&r.Seq, &r.ID, &r.At, &e.ActorID, &e.ActorRole, &e.SessionID, &e.IP,
		&e.UserAgent, &e.Action, &e.ResourceType, &e.ResourceID, &e.PatientID, &fields,
		&outcome, &e.Reason, &severity, &r.PrevHash, &r.Hash)
	if err != nil {
		return r, fmt.Errorf("read audit entry: %w", err)
	}
	r.At = r.At.UTC()
	e.Fields, e.Outcome, e.Severity = splitFields(fields), Outcome(outcome), Severity(severity)
	return r, nil
}

// start sets the expected predecessor of the first retained entry: the genesis
// hash for entry 1, or the signed purge anchor just before it.
func (v *verifier) start(r Record) {
	v.rep.FirstSeq, v.expected, v.prev = r.Seq, r.Seq, r.PrevHash
	switch {
	case r.Seq == 1:
		v.prev = GenesisHash
	case r.Seq < 1:
		v.problem(r.Seq, "seq %d is not positive", r.Seq)
	default:
		a, ok := v.statement(r.Seq-1, KindAnchor)
		if !ok {
			v.problem(1, "entries 1..%d are missing and no signed purge anchor covers them",
				r.Seq-1)
			return
		}
		v.prev = a.Hash
	}
}

func (v *verifier) statement(seq int64, kind string) (source, bool) {
	for _, s := range v.byseq[seq] {
		if s.Kind == kind {
			return s, true
		}
	}
	return source{}, false
}

func (v *verifier) check(r Record, bad string) {
	gap := r.Seq != v.expected
	if gap {
		v.problem(v.expected, "entries %d..%d are missing", v.expected, r.Seq-1)
	}
	if bad != "" {
		v.problem(r.Seq, "%s", bad)
	} else {
		v.checkContents(r, gap)
	}
	v.prev, v.expected = r.Hash, r.Seq+1
	v.rep.Entries++
	v.rep.LastSeq = r.Seq
}

// checkContents checks r's links and hash, and the statements signed at its seq.
func (v *verifier) checkContents(r Record, gap bool) {
	if len(r.PrevHash) != HashSize || len(r.Hash) != HashSize {
		v.problem(r.Seq, "stored hash or prev_hash is not %d bytes", HashSize)
	} else if !gap && !bytes.Equal(r.PrevHash, v.prev) {
		v.problem(r.Seq, "prev_hash is not the hash of the entry before")
	}
	h := HashRecord(r)
	if !bytes.Equal(h, r.Hash) {
		v.problem(r.Seq, "hash does not match the entry's contents")
	}
	for _, s := range v.byseq[r.Seq] {
		if !bytes.Equal(s.Hash, h) {
			v.problem(r.Seq, "%s signed %s (in the %s) names a different hash",
				s.Kind, s.At.Format(time.RFC3339), s.where)
		}
		if s.where == "log" && !v.inDB[r.Seq] {
			v.problem(r.Seq, "%s in the shipped log is missing from the database", s.Kind)
		}
	}
}

// checkHead compares the head row with the last entry (or, when every entry was
// purged, with the anchor the purge left).
func (v *verifier) checkHead(head int64, headHash []byte) {
	if v.rep.Entries == 0 {
		if head == 0 {
			return
		}
		if a, ok := v.statement(head, KindAnchor); ok && bytes.Equal(a.Hash, headHash) {
			v.rep.FirstSeq, v.rep.LastSeq = head+1, head
			return
		}
		v.problem(1, "there are no entries but the head is at seq %d", head)
		return
	}
	last := v.rep.LastSeq
	switch {
	case head > last:
		v.problem(last+1, "the head is at seq %d but the entries end at seq %d", head, last)
	case head < last:
		v.problem(head+1, "entries run to seq %d, past the head at seq %d", last, head)
	case !bytes.Equal(headHash, v.prev):
		v.problem(last, "the head's hash is not the last entry's hash")
	}
}

// checkBeyondEnd reports a signed statement past the end of the chain: entries it
// covered have been removed, or the database was restored from an older copy.
func (v *verifier) checkBeyondEnd() {
	end := v.rep.LastSeq
	if v.maxSeq <= end {
		return
	}
	s := v.maxFrom
	v.problem(end+1, "the chain ends at seq %d but a %s signed %s (in the %s) records seq %d: "+
		"entries were removed or the database was restored from an older copy",
		end, s.Kind, s.At.Format(time.RFC3339), s.where, s.Seq)
}

func (v *verifier) finish() (Report, error) {
	sort.SliceStable(v.rep.Problems, func(i, j int) bool {
		return v.rep.Problems[i].Seq < v.rep.Problems[j].Seq
	})
	if p, ok := v.rep.FirstBad(); ok {
		return v.rep, fmt.Errorf("%w: %d problems, first at %s", ErrTampered, v.rep.ProblemCount, p)
	}
	return v.rep, nil
}
