package domain

import "testing"

func BenchmarkIVRTransition(b *testing.B) {
	for b.Loop() {
		_, _ = IVRTransition(IVRInReview, IVRApprove, RoleSpecialist)
	}
}

func BenchmarkIVRTransitionRefused(b *testing.B) {
	for b.Loop() {
		_, _ = IVRTransition(IVRDraft, IVRApprove, RoleSpecialist)
	}
}

func BenchmarkSuggestApplicationCodes(b *testing.B) {
	for b.Loop() {
		_ = SuggestApplicationCodes(SiteThigh, 230)
	}
}

func BenchmarkPatientValidate(b *testing.B) {
	p := MustPatient(b)
	b.ResetTimer()
	for b.Loop() {
		if err := p.Validate(rulesNow); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIVRValidate(b *testing.B) {
	in := MustIVR(b)
	b.ResetTimer()
	for b.Loop() {
		if err := in.Validate(rulesNow); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkApprovalValidate(b *testing.B) {
	a := MustApproval(b)
	b.ResetTimer()
	for b.Loop() {
		if err := a.Validate(rulesNow); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidMBI(b *testing.B) {
	for b.Loop() {
		_ = ValidMBI("1EG4TE5MK73")
	}
}
