// Package demo seeds the demo world of `ivr serve --demo`: territories,
// organizations, users of every role (enrolled in MFA where the role requires it),
// a product catalog, a payer directory, synthetic patients, and IVRs and orders in
// every state. All data is plainly fake. The accounts, their passwords and TOTP
// secrets are written to <data dir>/demo-accounts.json.
package demo

import "github.com/openivr/ivr/internal/domain"

// territorySeed is one node of the demo territory tree.
type territorySeed struct {
	code, name, parent string
	states             []string
}

var territories = []territorySeed{
	{"EAST", "East", "", nil},
	{"EAST-NYNJ", "NY-NJ", "EAST", []string{"NY", "NJ"}},
	{"EAST-NE", "New England", "EAST", []string{"CT", "MA"}},
	{"WEST", "West", "", nil},
	{"WEST-CANV", "CA-NV", "WEST", []string{"CA", "NV"}},
	{"WEST-SW", "Southwest", "WEST", []string{"AZ", "TX"}},
}

// practiceSeed is one demo clinic, in one leaf territory.
type practiceSeed struct {
	territory, name, slug, city, state, zip, npi, tin string
}

// NPIs below pass the Luhn check with the 80840 prefix; they are made up.
var practices = []practiceSeed{
	{"EAST-NYNJ", "Harborview Wound Clinic", "harborview", "Newark", "NJ", "07102", "1234567893", "12-3456781"},
	{"EAST-NE", "Beacon Hill Limb Care", "beaconhill", "Boston", "MA", "02108", "1245319599", "22-3456782"},
	{"WEST-CANV", "Sierra Vista Wound Center", "sierravista", "Reno", "NV", "89501", "1003000126", "32-3456783"},
	{"WEST-SW", "Desert Bloom Podiatry", "desertbloom", "Phoenix", "AZ", "85004", "1104938422", "42-3456784"},
}

type productSeed struct {
	hcpcs, name, maker, category string
	sizes                        []domain.ProductSize
}

func sizes(labels ...string) []domain.ProductSize {
	areas := map[string]float64{"2x2 cm": 4, "2x3 cm": 6, "3x3 cm": 9, "4x4 cm": 16,
		"4x6 cm": 24, "4x8 cm": 32, "5x5 cm": 25, "7.5x7.5 cm": 56.25}
	out := make([]domain.ProductSize, len(labels))
	for i, l := range labels {
		out[i] = domain.ProductSize{Label: l, AreaCm2: areas[l]}
	}
	return out
}

// products is the demo catalog: well-known Q-codes from the reference notes;
// check each against the current HCPCS file before relying on it.
var products = []productSeed{
	{"Q4101", "Apligraf", "Organogenesis", "PMA", sizes("7.5x7.5 cm")},
	{"Q4102", "Oasis Wound Matrix", "Smith+Nephew", "510(k)", sizes("3x3 cm", "5x5 cm")},
	{"Q4106", "Dermagraft", "Organogenesis", "PMA", sizes("5x5 cm")},
	{"Q4121", "TheraSkin", "LifeNet Health", "Section 361 HCT/P", sizes("2x3 cm", "4x4 cm")},
	{"Q4151", "AmnioBand", "MTF Biologics", "Section 361 HCT/P", sizes("2x2 cm", "2x3 cm", "4x4 cm")},
	{"Q4158", "Kerecis Omega3", "Kerecis", "510(k)", sizes("3x3 cm", "4x6 cm")},
	{"Q4160", "NuShield", "Organogenesis", "Section 361 HCT/P", sizes("2x2 cm", "4x4 cm")},
	{"Q4186", "EpiFix", "MiMedx", "Section 361 HCT/P", sizes("2x2 cm", "2x3 cm", "4x4 cm", "4x8 cm")},
}

type payerSeed struct {
	name, kind, mac string
	plans           []string
	ids             map[string]string
}

var payers = []payerSeed{
	{"Medicare Part B (JL - Novitas)", "medicare", "JL", []string{"medicare_ffs"},
		map[string]string{"simulator": "MCR-JL", "x12-http": "12302", "json-http": "12302"}},
	{"Medicare Part B (JK - NGS)", "medicare", "JK", []string{"medicare_ffs"},
		map[string]string{"simulator": "MCR-JK", "x12-http": "13202", "json-http": "13202"}},
	{"Medicare Part B (JE - Noridian)", "medicare", "JE", []string{"medicare_ffs"},
		map[string]string{"simulator": "MCR-JE", "x12-http": "01112", "json-http": "01112"}},
	{"Medicare Part B (JF - Noridian)", "medicare", "JF", []string{"medicare_ffs"},
		map[string]string{"simulator": "MCR-JF", "x12-http": "03102", "json-http": "03102"}},
	{"Example Medicare Advantage Gold", "medicare_advantage", "", []string{"medicare_advantage"},
		map[string]string{"simulator": "MA-GOLD", "x12-http": "MAG01", "json-http": "MAG01"}},
	{"Example State Medicaid", "medicaid", "", []string{"medicaid", "managed_medicaid"},
		map[string]string{"simulator": "MCD-01", "x12-http": "SKNJ0", "json-http": "SKNJ0"}},
	{"Example Commercial PPO", "commercial", "", []string{"commercial"},
		map[string]string{"simulator": "COM-PPO", "x12-http": "60054", "json-http": "60054"}},
	{"Example Commercial HMO", "commercial", "", []string{"commercial"},
		map[string]string{"simulator": "COM-HMO", "x12-http": "87726", "json-http": "87726"}},
}

// firstNames and lastNames build plainly fake patients.
var firstNames = []string{"Ada", "Bram", "Cora", "Dov", "Edie", "Finn", "Gus", "Hana", "Ivo", "Jude",
	"Kit", "Lena", "Milo", "Nell", "Otto", "Pia", "Quin", "Rhea", "Sol", "Tess"}

var lastNames = []string{"Quill", "Testcase", "Sample", "Fakeworth", "Demoson", "Placeholder",
	"Mockley", "Synthwick", "Dummer", "Exampleton"}
