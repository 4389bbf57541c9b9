package apitest_test

import (
	"time"

	"github.com/openivr/ivr/internal/domain"
)

func futureDate(days int) string {
	return time.Now().UTC().AddDate(0, 0, days).Format("2006-01-02")
}

func apitestAdmin() domain.Principal {
	return domain.Principal{UserID: "restore-check", Role: domain.RoleAdmin}
}
