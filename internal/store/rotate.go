package store

import (
	"context"
	"fmt"
	"strings"
)

// sealedColumn names one encrypted column and how its row id (the id bound into
// the ciphertext) is formed from the key columns.
type sealedColumn struct {
	table, column string // column without the _enc suffix
	keys          []string
}

// sealedColumns lists every PHI column the store encrypts; key rotation walks
// them all. A test checks it against the schema's *_enc columns.
var sealedColumns = []sealedColumn{
	{"patients", "initials", []string{"id"}}, {"patients", "first_name", []string{"id"}},
	{"patients", "middle_name", []string{"id"}}, {"patients", "last_name", []string{"id"}},
	{"patients", "birth_date", []string{"id"}}, {"patients", "sex", []string{"id"}},
	{"patients", "mrn", []string{"id"}}, {"patients", "phone", []string{"id"}},
	{"patients", "email", []string{"id"}}, {"patients", "address", []string{"id"}},
	{"patients", "flags", []string{"id"}},
	{"coverages", "member_id", []string{"id"}}, {"coverages", "group", []string{"id"}},
	{"coverages", "subscriber", []string{"id"}},
	{"ivrs", "clinical", []string{"id"}}, {"ivrs", "escalation", []string{"id"}},
	{"ivrs", "decision", []string{"id"}},
	{"ivr_status_history", "reason", []string{"id"}},
	{"ivr_messages", "body", []string{"id"}},
	{"ivr_benefits", "benefits", []string{"ivr_id", "coverage_rank"}},
	{"documents", "filename", []string{"id"}},
	{"eligibility_checks", "summary", []string{"id"}}, {"eligibility_checks", "raw270", []string{"id"}},
	{"eligibility_checks", "raw271", []string{"id"}},
	{"orders", "note", []string{"id"}}, {"orders", "cancel_reason", []string{"id"}},
	{"users", "mfa_secret", []string{"id"}},
	{"idempotency_keys", "response", []string{"user_id", "idem_key"}},
}

// dbColumn returns the column's name in the schema.
func (c sealedColumn) dbColumn() string {
	if c.table == "coverages" && c.column == "group" {
		return "group_enc"
	}
	return c.column + "_enc"
}

// fieldColumn returns the column name bound into the ciphertext.
func (c sealedColumn) fieldColumn() string {
	if c.table == "coverages" && c.column == "group" {
		return "group_number"
	}
	return c.column
}

// ReencryptAll re-encrypts, in batches of batch rows per transaction, every
// sealed value not under the keyring's primary key, while the platform keeps
// serving: each batch is a short transaction and readers decrypt old and new
// ciphertexts alike. It returns how many values it rewrote.
func (db *DB) ReencryptAll(ctx context.Context, batch int) (int, error) {
	total := 0
	for _, c := range sealedColumns {
		n, err := db.reencryptColumn(ctx, c, batch)
		total += n
		if err != nil {
			return total, fmt.Errorf("re-encrypt %s.%s: %w", c.table, c.column, err)
		}
	}
	return total, nil
}

func (db *DB) reencryptColumn(ctx context.Context, c sealedColumn, batch int) (int, error) {
	keyList := strings.Join(c.keys, ", ")
	col := c.dbColumn()
	total := 0
	after := make([]string, len(c.keys)) // the last key seen, for keyset paging
	for {
		done := 0
		err := db.InTx(ctx, func(tx *Tx) error {
			a := args{}
			rows, err := tx.QueryContext(ctx, `SELECT `+keyList+`, `+col+` FROM `+c.table+`
				WHERE `+col+` IS NOT NULL AND `+afterKeys(c.keys, after, &a)+`
				ORDER BY `+keyList+` LIMIT `+a.add(batch), a...)
			if err != nil {
				return err
			}
			type row struct {
				keys []any
				id   string
				ct   []byte
			}
			var todo []row
			for rows.Next() {
				vals := make([]any, len(c.keys))
				ptrs := make([]any, len(c.keys)+1)
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				var ct []byte
				ptrs[len(c.keys)] = &ct
				if err := rows.Scan(ptrs...); err != nil {
					rows.Close()
					return err
				}
				parts := make([]string, len(vals))
				for i, v := range vals {
					parts[i] = fmt.Sprint(asString(v))
				}
				todo = append(todo, row{vals, strings.Join(parts, "/"), ct})
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, r := range todo {
				for i, k := range r.keys {
					after[i] = asString(k)
				}
				done++
				if !tx.Keys.NeedsReencrypt(r.ct) {
					continue
				}
				s := newSealer(tx.Keys, c.table, r.id)
				fresh, err := tx.Keys.Reencrypt(r.ct, s.id(c.fieldColumn()))
				if err != nil {
					return err
				}
				where := make([]string, len(c.keys))
				args := []any{fresh}
				for i, k := range c.keys {
					args = append(args, r.keys[i])
					where[i] = fmt.Sprintf("%s = $%d", k, i+2)
				}
				if _, err := tx.ExecContext(ctx, `UPDATE `+c.table+` SET `+col+` = $1 WHERE `+
					strings.Join(where, " AND "), args...); err != nil {
					return err
				}
				total++
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		if done < batch {
			return total, nil
		}
	}
}

// afterKeys returns the predicate "keys sort after the given values", for one or
// two key columns, comparing as text (the keys are text ids and small integers
// rendered the same way on both engines).
func afterKeys(keys, after []string, a *args) string {
	k0 := "CAST(" + keys[0] + " AS TEXT)"
	if len(keys) == 1 {
		return k0 + " > " + a.add(after[0])
	}
	k1 := "CAST(" + keys[1] + " AS TEXT)"
	p0 := a.add(after[0])
	return "(" + k0 + " > " + p0 + " OR (" + k0 + " = " + p0 + " AND " + k1 + " > " + a.add(after[1]) + "))"
}

func asString(v any) string {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case string:
		return x
	default:
		return fmt.Sprint(x)
	}
}

// SealedColumnNames returns "table.column" for every encrypted column, as the
// schema names it.
func SealedColumnNames() []string {
	out := make([]string, len(sealedColumns))
	for i, c := range sealedColumns {
		out[i] = c.table + "." + c.dbColumn()
	}
	return out
}
