package store

import (
	"strings"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/phi"
)

// searchIndex is one blind index to match, against the named column.
type searchIndex struct {
	column string // "name_dob", "last_dob", "mrn" or "member"
	value  []byte
}

// searchIndexes turns a free-text query into the blind indexes it could match.
// With a birth date (YYYY-MM-DD) the other words are names: "Ada Quill", "Quill
// Ada" and "Quill, Ada" all match, as does a last name alone. Without a date the
// query is an MRN or a member id. Nothing is compared in plain text.
func searchIndexes(keys *phi.Keyring, q string) ([]searchIndex, error) {
	if keys == nil {
		return nil, domain.Errorf(domain.CodeInternal, "search unavailable")
	}
	words := strings.Fields(strings.ReplaceAll(q, ",", " "))
	var dob string
	var names []string
	for _, w := range words {
		if domain.Date(w).Valid() {
			dob = w
		} else {
			names = append(names, w)
		}
	}
	var out []searchIndex
	add := func(col string, b []byte, err error) {
		if err == nil && b != nil {
			out = append(out, searchIndex{col, b})
		}
	}
	if dob == "" {
		term := strings.Join(words, "")
		b, err := keys.MRNIndex(term)
		add("mrn", b, err)
		b, err = keys.MemberIDIndex(term)
		add("member", b, err)
	} else {
		for i, last := range names {
			b, err := keys.LastNameDOBIndex(last, dob)
			add("last_dob", b, err)
			for j, first := range names {
				if i != j {
					b, err := keys.NameDOBIndex(last, first, dob)
					add("name_dob", b, err)
				}
			}
		}
	}
	if len(out) == 0 {
		return nil, &domain.Error{Code: domain.CodeBadRequest, Message: "bad search",
			Fields: map[string]string{"q": "give a name with a birth date (YYYY-MM-DD), an MRN or a member id"}}
	}
	return out, nil
}

// searchPredicate returns the OR of the index matches.
func searchPredicate(idx []searchIndex, a *args) string {
	var parts []string
	for _, s := range idx {
		switch s.column {
		case "member":
			parts = append(parts, "p.id IN (SELECT c.patient_id FROM coverages c WHERE c.member_bidx = "+
				a.add(s.value)+")")
		default:
			parts = append(parts, "p."+s.column+"_bidx = "+a.add(s.value))
		}
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}
