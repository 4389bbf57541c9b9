package eligibility

import (
	"strconv"

	"github.com/openivr/ivr/x12"
)

// Amounts are illustrative, in whole dollars; remaining amounts vary per member.
const (
	simPartBDeductible  = 283
	simPPODeductible    = 1500
	simPPOFamilyDeduct  = 3000
	simPPOOutOfPocket   = 6000
	simPPOFamilyOOP     = 12000
	simOfficeCopay      = 40
	simPartAInpatient   = 1736
	simAdvantageOrgID   = "H9999"
	simAdvantagePlan    = "SIMULATED MEDICARE ADVANTAGE HMO"
	simAdvantagePayer   = "SIMULATED HEALTH PLAN"
	simCommercialPlan   = "SIMULATED GOLD PPO"
	simHMOPlan          = "SIMULATED CHOICE HMO"
	simMedicareServices = "30^1^2^98"
)

// benefits writes the 2110 loops of a scenario that found the patient.
func (b *builder271) benefits(sc Scenario) {
	year := b.q.serviceDate.Format("2006")
	yearRange := year + "0101-" + year + "1231"
	switch sc {
	case ScenarioActiveCommercial:
		b.commercial(yearRange)
	case ScenarioPriorAuthRequired:
		b.priorAuth(year)
	case ScenarioMedicareAdvantage:
		b.medicareParts()
		b.add("EB", "R", "", "30", "HN", simAdvantagePlan)
		b.add("DTP", "290", "D8", year+"0101")
		b.add("MSG", "ELIGIBILITY AND BENEFITS COME FROM THE MEDICARE ADVANTAGE PLAN")
		b.add("LS", "2120")
		b.add("NM1", "PRP", "2", simAdvantagePayer, "", "", "", "", "PI", simAdvantageOrgID)
		b.add("N3", "PO BOX 1000")
		b.add("N4", "DALLAS", "TX", "75201")
		b.add("PER", "IC", "", "TE", "8005550199")
		b.add("LE", "2120")
	case ScenarioInactive:
		last, _ := strconv.Atoi(year)
		prev := strconv.Itoa(last - 1)
		b.add("EB", "6", "IND", "30", "MB")
		b.add("DTP", "307", "RD8", "20150101-"+prev+"1231")
		b.add("MSG", "COVERAGE ENDED")
	default:
		b.medicareFFS(yearRange)
	}
}

func (b *builder271) medicareParts() {
	for _, part := range []string{"MA", "MB"} {
		b.add("EB", "1", "", x12.Repeat("30", "1", "2", "98"), part)
		b.add("DTP", "307", "D8", "20150101")
	}
}

func (b *builder271) medicareFFS(yearRange string) {
	b.medicareParts()
	remaining := int(b.memberHash() % (simPartBDeductible + 1))
	b.add("EB", "C", "IND", "30", "MB", "", "23", dollars(simPartBDeductible))
	b.add("DTP", "291", "RD8", yearRange)
	b.add("EB", "C", "IND", "30", "MB", "", "29", dollars(remaining))
	b.add("DTP", "291", "RD8", yearRange)
	b.add("EB", "A", "IND", "30", "MB", "", "", "", ".2")
	b.add("MSG", "PART B COINSURANCE APPLIES AFTER THE DEDUCTIBLE")
	b.add("EB", "C", "IND", "30", "MA", "", "26", dollars(simPartAInpatient))
}

func (b *builder271) commercial(yearRange string) {
	h := int(b.memberHash())
	indLeft := h % (simPPODeductible + 1)
	famMet := (h / 7) % (simPPOFamilyDeduct + 1)
	oopLeft := simPPOOutOfPocket - (h/11)%(simPPOOutOfPocket/2)
	b.add("EB", "1", "FAM", "30", "PR", simCommercialPlan)
	b.add("DTP", "346", "D8", yearRange[:8])
	inNet := func(code, level, period string, amount int) {
		b.add("EB", code, level, "30", "", "", period, dollars(amount), "", "", "", "", "Y")
	}
	inNet("C", "IND", "23", simPPODeductible)
	inNet("C", "IND", "29", indLeft)
	inNet("C", "FAM", "23", simPPOFamilyDeduct)
	inNet("C", "FAM", "24", famMet)
	inNet("G", "IND", "23", simPPOOutOfPocket)
	inNet("G", "IND", "29", oopLeft)
	inNet("G", "FAM", "23", simPPOFamilyOOP)
	b.add("EB", "C", "IND", "30", "", "", "23", dollars(2*simPPODeductible), "", "", "", "", "N")
	b.add("EB", "B", "IND", "98", "", "", "27", dollars(simOfficeCopay), "", "", "", "", "Y")
	b.add("EB", "A", "IND", "2", "", "", "", "", ".2", "", "", "N", "Y")
	b.add("EB", "A", "IND", "2", "", "", "", "", ".4", "", "", "N", "N")
}

func (b *builder271) priorAuth(year string) {
	b.add("EB", "1", "IND", "30", "HM", simHMOPlan)
	b.add("DTP", "346", "D8", year+"0101")
	b.add("EB", "C", "IND", "30", "", "", "23", "500", "", "", "", "", "Y")
	b.add("EB", "A", "IND", "2", "", "", "", "", ".1", "", "", "Y", "Y")
	b.add("MSG", "PRIOR AUTHORIZATION REQUIRED FOR SURGICAL SERVICES")
	if b.q.procedure != "" {
		b.add("EB", "CB", "IND", "2", "", "", "", "", "", "", "", "Y", "Y",
			x12.Composite("HC", b.q.procedure))
		b.add("MSG", "PRIOR AUTHORIZATION REQUIRED FOR THIS PROCEDURE")
	}
}
