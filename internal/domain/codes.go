package domain

// ValidNPI reports whether s is a National Provider Identifier: ten digits whose
// last is the Luhn check digit of the first nine prefixed with 80840.
func ValidNPI(s string) bool {
	if len(s) != 10 || !allDigits(s) {
		return false
	}
	return luhnValid("80840" + s)
}

// luhnValid reports whether the digit string s ends in a correct Luhn check digit.
func luhnValid(s string) bool {
	sum := 0
	double := false
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// ValidTIN reports whether s is a taxpayer identification number: nine digits,
// written either plain or as NN-NNNNNNN.
func ValidTIN(s string) bool {
	switch len(s) {
	case 9:
		return allDigits(s)
	case 10:
		return s[2] == '-' && allDigits(s[:2]) && allDigits(s[3:])
	}
	return false
}

// ValidMBI reports whether s is a Medicare Beneficiary Identifier: 11 characters,
// upper case, no separators; positions 1, 4, 7, 10 and 11 digits (position 1 not 0),
// positions 2, 5, 8 and 9 letters, positions 3 and 6 letters or digits, and no
// letter S, L, O, I, B or Z anywhere.
func ValidMBI(s string) bool {
	if len(s) != 11 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		var ok bool
		switch i + 1 {
		case 1:
			ok = c >= '1' && c <= '9'
		case 4, 7, 10, 11:
			ok = isDigit(c)
		case 2, 5, 8, 9:
			ok = mbiLetter(c)
		default: // 3 and 6
			ok = isDigit(c) || mbiLetter(c)
		}
		if !ok {
			return false
		}
	}
	return true
}

// mbiLetter reports whether c is an upper-case letter an MBI may use.
func mbiLetter(c byte) bool {
	switch c {
	case 'S', 'L', 'O', 'I', 'B', 'Z':
		return false
	}
	return c >= 'A' && c <= 'Z'
}

// ValidICD10CM reports whether s has the form of an ICD-10-CM code: an upper-case
// letter, a digit, a digit or letter, then optionally a dot followed by one to four
// digits or letters (E11.621, L97.422, I83.0). It checks the form only, not that the
// code exists in the current code set.
func ValidICD10CM(s string) bool {
	if len(s) < 3 || !isUpper(s[0]) || !isDigit(s[1]) || !isAlnum(s[2]) {
		return false
	}
	rest := s[3:]
	if rest == "" {
		return true
	}
	if rest[0] != '.' || len(rest) < 2 || len(rest) > 5 {
		return false
	}
	for i := 1; i < len(rest); i++ {
		if !isAlnum(rest[i]) {
			return false
		}
	}
	return true
}

// usStates holds the postal codes ValidUSState accepts: the 50 states, DC, and the
// territories PR (Puerto Rico), VI (US Virgin Islands), GU (Guam), AS (American
// Samoa) and MP (Northern Mariana Islands). Military codes (AA, AE, AP) and freely
// associated states (FM, MH, PW) are not accepted.
var usStates = map[string]bool{
	"AL": true, "AK": true, "AZ": true, "AR": true, "CA": true, "CO": true, "CT": true,
	"DE": true, "FL": true, "GA": true, "HI": true, "ID": true, "IL": true, "IN": true,
	"IA": true, "KS": true, "KY": true, "LA": true, "ME": true, "MD": true, "MA": true,
	"MI": true, "MN": true, "MS": true, "MO": true, "MT": true, "NE": true, "NV": true,
	"NH": true, "NJ": true, "NM": true, "NY": true, "NC": true, "ND": true, "OH": true,
	"OK": true, "OR": true, "PA": true, "RI": true, "SC": true, "SD": true, "TN": true,
	"TX": true, "UT": true, "VT": true, "VA": true, "WA": true, "WV": true, "WI": true,
	"WY": true, "DC": true, "PR": true, "VI": true, "GU": true, "AS": true, "MP": true,
}

// ValidUSState reports whether s is an upper-case two-letter postal code of a US
// state, DC, or the territories PR, VI, GU, AS and MP.
func ValidUSState(s string) bool { return usStates[s] }

// ValidZIP reports whether s is a US ZIP code: five digits, or ZIP+4 as
// NNNNN-NNNN.
func ValidZIP(s string) bool {
	switch len(s) {
	case 5:
		return allDigits(s)
	case 10:
		return s[5] == '-' && allDigits(s[:5]) && allDigits(s[6:])
	}
	return false
}

// macByState maps a state to its A/B Medicare contractor jurisdiction, from the
// reference table (verify against CMS before relying on it). Northern Virginia,
// partly served by JL, is given JM with the rest of the state.
var macByState = map[string]MAC{
	"CA": MACJE, "HI": MACJE, "NV": MACJE, "GU": MACJE, "AS": MACJE, "MP": MACJE,
	"AK": MACJF, "AZ": MACJF, "ID": MACJF, "MT": MACJF, "ND": MACJF, "OR": MACJF,
	"SD": MACJF, "UT": MACJF, "WA": MACJF, "WY": MACJF,
	"AR": MACJH, "CO": MACJH, "LA": MACJH, "MS": MACJH, "NM": MACJH, "OK": MACJH,
	"TX": MACJH,
	"DE": MACJL, "DC": MACJL, "MD": MACJL, "NJ": MACJL, "PA": MACJL,
	"IA": MACJ5, "KS": MACJ5, "MO": MACJ5, "NE": MACJ5,
	"IN": MACJ8, "MI": MACJ8,
	"IL": MACJ6, "MN": MACJ6, "WI": MACJ6,
	"CT": MACJK, "ME": MACJK, "MA": MACJK, "NH": MACJK, "NY": MACJK, "RI": MACJK,
	"VT": MACJK,
	"KY": MACJ15, "OH": MACJ15,
	"AL": MACJJ, "GA": MACJJ, "TN": MACJJ,
	"NC": MACJM, "SC": MACJM, "VA": MACJM, "WV": MACJM,
	"FL": MACJN, "PR": MACJN, "VI": MACJN,
}

// MedicareContractor returns the A/B MAC jurisdiction serving the practice's state
// (upper-case postal code), and false for a code it does not know.
func MedicareContractor(state string) (MAC, bool) {
	m, ok := macByState[state]
	return m, ok
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isAlnum(c byte) bool { return isDigit(c) || isUpper(c) }

// allDigits reports whether s is non-empty and all ASCII digits.
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}
