package domain

import "math"

// SiteGroup is the anatomical group that decides which application codes a wound's
// treatment is billed under.
type SiteGroup string

// The two site groups of CPT 15271-15278.
const (
	// SiteGroupTrunkLimbs is trunk, arms and legs: codes 15271-15274.
	SiteGroupTrunkLimbs SiteGroup = "trunk_arms_legs"
	// SiteGroupHeadHandsFeet is face, scalp, eyelids, mouth, neck, ears, orbits,
	// genitalia, hands, feet and multiple digits: codes 15275-15278.
	SiteGroupHeadHandsFeet SiteGroup = "face_hands_feet"
)

// WoundSite is where on the body a wound is.
type WoundSite string

// The wound sites. Each belongs to one SiteGroup (see WoundSite.Group).
const (
	SiteFoot      WoundSite = "foot"
	SiteHeel      WoundSite = "heel"
	SiteToe       WoundSite = "toe"
	SiteAnkle     WoundSite = "ankle"
	SiteLowerLeg  WoundSite = "lower_leg"
	SiteLeg       WoundSite = "leg"
	SiteKnee      WoundSite = "knee"
	SiteThigh     WoundSite = "thigh"
	SiteHip       WoundSite = "hip"
	SiteArm       WoundSite = "arm"
	SiteForearm   WoundSite = "forearm"
	SiteHand      WoundSite = "hand"
	SiteFinger    WoundSite = "finger"
	SiteDigits    WoundSite = "multiple_digits"
	SiteTrunk     WoundSite = "trunk"
	SiteChest     WoundSite = "chest"
	SiteBack      WoundSite = "back"
	SiteSacrum    WoundSite = "sacrum"
	SiteCoccyx    WoundSite = "coccyx"
	SiteButtock   WoundSite = "buttock"
	SiteAbdomen   WoundSite = "abdomen"
	SiteFace      WoundSite = "face"
	SiteScalp     WoundSite = "scalp"
	SiteEyelid    WoundSite = "eyelid"
	SiteMouth     WoundSite = "mouth"
	SiteNeck      WoundSite = "neck"
	SiteEar       WoundSite = "ear"
	SiteOrbit     WoundSite = "orbit"
	SiteGenitalia WoundSite = "genitalia"
)

// siteGroups maps every wound site to its group. Ankle, knee and hip are parts of
// the leg; heel and toe are parts of the foot; a single finger is part of the hand.
var siteGroups = map[WoundSite]SiteGroup{
	SiteAnkle: SiteGroupTrunkLimbs, SiteLowerLeg: SiteGroupTrunkLimbs,
	SiteLeg: SiteGroupTrunkLimbs, SiteKnee: SiteGroupTrunkLimbs,
	SiteThigh: SiteGroupTrunkLimbs, SiteHip: SiteGroupTrunkLimbs,
	SiteArm: SiteGroupTrunkLimbs, SiteForearm: SiteGroupTrunkLimbs,
	SiteTrunk: SiteGroupTrunkLimbs, SiteChest: SiteGroupTrunkLimbs,
	SiteBack: SiteGroupTrunkLimbs, SiteSacrum: SiteGroupTrunkLimbs,
	SiteCoccyx: SiteGroupTrunkLimbs, SiteButtock: SiteGroupTrunkLimbs,
	SiteAbdomen: SiteGroupTrunkLimbs,

	SiteFoot: SiteGroupHeadHandsFeet, SiteHeel: SiteGroupHeadHandsFeet,
	SiteToe: SiteGroupHeadHandsFeet, SiteHand: SiteGroupHeadHandsFeet,
	SiteFinger: SiteGroupHeadHandsFeet, SiteDigits: SiteGroupHeadHandsFeet,
	SiteFace: SiteGroupHeadHandsFeet, SiteScalp: SiteGroupHeadHandsFeet,
	SiteEyelid: SiteGroupHeadHandsFeet, SiteMouth: SiteGroupHeadHandsFeet,
	SiteNeck: SiteGroupHeadHandsFeet, SiteEar: SiteGroupHeadHandsFeet,
	SiteOrbit: SiteGroupHeadHandsFeet, SiteGenitalia: SiteGroupHeadHandsFeet,
}

// WoundSites lists every wound site, legs and feet first.
var WoundSites = []WoundSite{
	SiteFoot, SiteHeel, SiteToe, SiteAnkle, SiteLowerLeg, SiteLeg, SiteKnee, SiteThigh,
	SiteHip, SiteArm, SiteForearm, SiteHand, SiteFinger, SiteDigits, SiteTrunk,
	SiteChest, SiteBack, SiteSacrum, SiteCoccyx, SiteButtock, SiteAbdomen, SiteFace,
	SiteScalp, SiteEyelid, SiteMouth, SiteNeck, SiteEar, SiteOrbit, SiteGenitalia,
}

// Valid reports whether s is a known wound site.
func (s WoundSite) Valid() bool {
	_, ok := siteGroups[s]
	return ok
}

// Group returns the site group of s, and "" for an unknown site.
func (s WoundSite) Group() SiteGroup { return siteGroups[s] }

// WoundArea returns length × width in cm², rounded half away from zero to the
// hundredth of a cm², so that sums of decimal measurements do not carry binary
// noise (3.0 × 2.1 gives 6.3, not 6.300000000000001). Non-positive or non-finite
// inputs give 0.
func WoundArea(lengthCm, widthCm float64) float64 {
	a := lengthCm * widthCm
	if !(lengthCm > 0) || !(widthCm > 0) || math.IsInf(a, 0) {
		return 0
	}
	return math.Round(a*100) / 100
}

// CPTLine is one suggested procedure code and how many units of it to bill.
type CPTLine struct {
	Code  string `json:"code"`
	Units int    `json:"units"`
}

// applicationCodes holds, per site group, the codes for a small total area (first
// 25 cm², each further 25 cm²) and a large one (first 100 cm², each further 100).
var applicationCodes = map[SiteGroup][4]string{
	SiteGroupTrunkLimbs:    {"15271", "15272", "15273", "15274"},
	SiteGroupHeadHandsFeet: {"15275", "15276", "15277", "15278"},
}

// SuggestApplicationCodes returns the skin substitute application codes for a
// wound at site with a total treated area of areaCm2: under 100 cm², the first
// code for up to 25 cm² plus one add-on unit for each further 25 cm² or part of it;
// from 100 cm², the first code for up to 100 cm² plus one add-on unit for each
// further 100 cm² or part of it. The area is taken to the hundredth of a cm². It
// returns nil for an unknown site or an area that is not above zero. The infant
// and child rule (percent of body area) is not applied.
func SuggestApplicationCodes(site WoundSite, areaCm2 float64) []CPTLine {
	codes, ok := applicationCodes[site.Group()]
	if !ok || !(areaCm2 > 0) || math.IsInf(areaCm2, 0) {
		return nil
	}
	// Work in hundredths of a cm² so that the boundaries are exact.
	area := int64(math.Round(areaCm2 * 100))
	if area == 0 {
		return nil
	}
	base, addOn, step := codes[0], codes[1], int64(2500)
	if area >= 10000 {
		base, addOn, step = codes[2], codes[3], 10000
	}
	lines := []CPTLine{{Code: base, Units: 1}}
	if extra := area - step; extra > 0 {
		units := (extra + step - 1) / step
		lines = append(lines, CPTLine{Code: addOn, Units: int(units)})
	}
	return lines
}
