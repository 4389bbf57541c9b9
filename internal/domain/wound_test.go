package domain

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSuggestApplicationCodes(t *testing.T) {
	tests := []struct {
		name string
		site WoundSite
		area float64
		want []CPTLine
	}{
		// The reference's worked examples.
		{"12 foot", SiteFoot, 12, []CPTLine{{"15275", 1}}},
		{"60 leg", SiteLeg, 60, []CPTLine{{"15271", 1}, {"15272", 2}}},
		{"230 thigh", SiteThigh, 230, []CPTLine{{"15273", 1}, {"15274", 2}}},
		// Boundaries, trunk/arms/legs.
		{"0.01 leg", SiteLeg, 0.01, []CPTLine{{"15271", 1}}},
		{"25 leg", SiteLeg, 25, []CPTLine{{"15271", 1}}},
		{"25.01 leg", SiteLeg, 25.01, []CPTLine{{"15271", 1}, {"15272", 1}}},
		{"50 leg", SiteLeg, 50, []CPTLine{{"15271", 1}, {"15272", 1}}},
		{"50.01 leg", SiteLeg, 50.01, []CPTLine{{"15271", 1}, {"15272", 2}}},
		{"99.99 leg", SiteLeg, 99.99, []CPTLine{{"15271", 1}, {"15272", 3}}},
		{"100 leg", SiteLeg, 100, []CPTLine{{"15273", 1}}},
		{"100.01 leg", SiteLeg, 100.01, []CPTLine{{"15273", 1}, {"15274", 1}}},
		{"200 leg", SiteLeg, 200, []CPTLine{{"15273", 1}, {"15274", 1}}},
		{"200.01 leg", SiteLeg, 200.01, []CPTLine{{"15273", 1}, {"15274", 2}}},
		{"450 back", SiteBack, 450, []CPTLine{{"15273", 1}, {"15274", 4}}},
		// Boundaries, face/hands/feet.
		{"25 foot", SiteFoot, 25, []CPTLine{{"15275", 1}}},
		{"25.01 heel", SiteHeel, 25.01, []CPTLine{{"15275", 1}, {"15276", 1}}},
		{"99.99 hand", SiteHand, 99.99, []CPTLine{{"15275", 1}, {"15276", 3}}},
		{"100 scalp", SiteScalp, 100, []CPTLine{{"15277", 1}}},
		{"200 face", SiteFace, 200, []CPTLine{{"15277", 1}, {"15278", 1}}},
		{"200.01 face", SiteFace, 200.01, []CPTLine{{"15277", 1}, {"15278", 2}}},
		// Rounding to the hundredth: binary noise does not add a unit.
		{"noise at 25", SiteLeg, 25.000000001, []CPTLine{{"15271", 1}}},
		{"99.996 rounds to 100", SiteLeg, 99.996, []CPTLine{{"15273", 1}}},
		// Nothing to suggest.
		{"zero", SiteLeg, 0, nil},
		{"negative", SiteLeg, -4, nil},
		{"below a hundredth", SiteLeg, 0.001, nil},
		{"NaN", SiteLeg, math.NaN(), nil},
		{"Inf", SiteLeg, math.Inf(1), nil},
		{"unknown site", WoundSite("elbowish"), 10, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SuggestApplicationCodes(tt.site, tt.area)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("SuggestApplicationCodes(%s, %v) mismatch (-want +got):\n%s",
					tt.site, tt.area, diff)
			}
		})
	}
}

func TestWoundSiteGroups(t *testing.T) {
	want := map[WoundSite]SiteGroup{
		SiteFoot: SiteGroupHeadHandsFeet, SiteHeel: SiteGroupHeadHandsFeet,
		SiteToe: SiteGroupHeadHandsFeet, SiteHand: SiteGroupHeadHandsFeet,
		SiteFinger: SiteGroupHeadHandsFeet, SiteDigits: SiteGroupHeadHandsFeet,
		SiteFace: SiteGroupHeadHandsFeet, SiteScalp: SiteGroupHeadHandsFeet,
		SiteEyelid: SiteGroupHeadHandsFeet, SiteMouth: SiteGroupHeadHandsFeet,
		SiteNeck: SiteGroupHeadHandsFeet, SiteEar: SiteGroupHeadHandsFeet,
		SiteOrbit: SiteGroupHeadHandsFeet, SiteGenitalia: SiteGroupHeadHandsFeet,
		SiteAnkle: SiteGroupTrunkLimbs, SiteLowerLeg: SiteGroupTrunkLimbs,
		SiteLeg: SiteGroupTrunkLimbs, SiteKnee: SiteGroupTrunkLimbs,
		SiteThigh: SiteGroupTrunkLimbs, SiteHip: SiteGroupTrunkLimbs,
		SiteArm: SiteGroupTrunkLimbs, SiteForearm: SiteGroupTrunkLimbs,
		SiteTrunk: SiteGroupTrunkLimbs, SiteChest: SiteGroupTrunkLimbs,
		SiteBack: SiteGroupTrunkLimbs, SiteSacrum: SiteGroupTrunkLimbs,
		SiteCoccyx: SiteGroupTrunkLimbs, SiteButtock: SiteGroupTrunkLimbs,
		SiteAbdomen: SiteGroupTrunkLimbs,
	}
	if len(WoundSites) != len(want) {
		t.Errorf("len(WoundSites) = %d, want %d", len(WoundSites), len(want))
	}
	for _, s := range WoundSites {
		if !s.Valid() || s.Group() != want[s] {
			t.Errorf("%s: Valid=%v Group=%q, want true %q", s, s.Valid(), s.Group(), want[s])
		}
	}
	if WoundSite("elbowish").Valid() || WoundSite("").Group() != "" {
		t.Error("unknown site reported valid or grouped")
	}
}

func TestWoundArea(t *testing.T) {
	tests := []struct {
		l, w, want float64
	}{
		{3, 2, 6},
		{3.0, 2.1, 6.3},
		{0.1, 0.1, 0.01},
		{1.234, 1, 1.23},
		{1.235, 1, 1.24},
		{10, 10, 100},
		{0, 5, 0},
		{-2, -3, 0},
		{-2, 3, 0},
		{math.NaN(), 2, 0},
		{math.Inf(1), 2, 0},
	}
	for _, tt := range tests {
		if got := WoundArea(tt.l, tt.w); got != tt.want {
			t.Errorf("WoundArea(%v, %v) = %v, want %v", tt.l, tt.w, got, tt.want)
		}
	}
}
