package api_test

import (
	"fmt"
	"testing"

	"github.com/preventplatform/prevent/internal/api"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
)

// TestSentReferralThroughTheAPI gives the referrer their answers as sent, and nobody else.
func TestSentReferralThroughTheAPI(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newCaseFixture(t, db)
		var created api.ReferralView
		f.want(f.do("POST", "/api/v1/referrals", f.referrerA, f.referral("Sentperson")), 201, &created)
		path := fmt.Sprintf("/api/v1/referrals/%d/sent", created.ID)
		before := f.audits()
		var sent api.SentReferral
		f.want(f.do("GET", path, f.referrerA, nil), 200, &sent)
		if sent.ID != created.ID || sent.Reference != *created.Reference || sent.Person.GivenNames != "Sentperson" ||
			sent.Concern.WhatHappened != "Shared violent material in class" || sent.PersonKnows != "no" || sent.SubmittedAt.IsZero() {
			t.Errorf("sent = %+v", sent)
		}
		if f.audits() <= before {
			t.Error("reading the referral as sent left no audit entry")
		}
		for _, token := range []string{f.referrerB, f.officer, f.coordinator} {
			f.problem(f.do("GET", path, token, nil), 404)
		}
	})
}
