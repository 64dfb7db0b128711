package casework

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestDraftLimits checks the bounds a draft's parts keep, which the referral pages and the API share: each
// refused value is named by its question on the form, and the value at the limit is kept.
func TestDraftLimits(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	long := func(n int) string { return strings.Repeat("é", n) }
	tests := []struct {
		name  string
		set   func(*ReferralInput)
		field string // "" when the draft is accepted
	}{
		{"postcode", func(in *ReferralInput) { in.Person.Postcode = "SW1A 1AA" }, ""},
		{"postcode with spaces around", func(in *ReferralInput) { in.Person.Postcode = " SW1A 1AA " }, ""},
		{"long postcode", func(in *ReferralInput) { in.Person.Postcode = "SW1A  1AAX" }, "postcode"},
		{"huge postcode", func(in *ReferralInput) { in.Person.Postcode = strings.Repeat("A", 900000) }, "postcode"},
		{"address", func(in *ReferralInput) { in.Person.AddressLine1 = long(200) }, ""},
		{"long address", func(in *ReferralInput) { in.Person.AddressLine1 = long(201) }, "address-line1"},
		{"long address line 2", func(in *ReferralInput) { in.Person.AddressLine2 = long(201) }, "address-line2"},
		{"long town", func(in *ReferralInput) { in.Person.Town = long(201) }, "town"},
		{"long local authority", func(in *ReferralInput) { in.Person.LocalAuthority = long(201) }, "local-authority"},
		{"long setting", func(in *ReferralInput) { in.Person.Setting = long(201) }, "setting"},
		{"long gender", func(in *ReferralInput) { in.Person.Gender = long(101) }, "gender"},
		{"names in characters", func(in *ReferralInput) { in.Person.GivenNames = long(200) }, ""},
		{"long name", func(in *ReferralInput) { in.Person.FamilyName = long(201) }, "family-name"},
		{"long alias", func(in *ReferralInput) { in.Person.Aliases = []string{"Sam", long(201)} }, "aliases"},
		{"many aliases", func(in *ReferralInput) { in.Person.Aliases = make([]string, 21) }, "aliases"},
		{"many languages", func(in *ReferralInput) { in.Person.Languages = make([]string, 21) }, "languages"},
		{"long language", func(in *ReferralInput) { in.Person.Languages = []string{long(101)} }, "languages"},
		{"free text in characters", func(in *ReferralInput) { in.Concern.WhatHappened = long(maxText) }, ""},
		{"long free text", func(in *ReferralInput) { in.Concern.Fears = long(maxText + 1) }, "fears"},
		{"born 1900", func(in *ReferralInput) { in.Person.DateOfBirth = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC) }, ""},
		{"born 1800", func(in *ReferralInput) { in.Person.DateOfBirth = time.Date(1800, 5, 1, 0, 0, 0, 0, time.UTC) }, "date-of-birth"},
		{"born in year 1", func(in *ReferralInput) { in.Person.DateOfBirth = time.Date(1, 1, 2, 0, 0, 0, 0, time.UTC) }, "date-of-birth"},
		{"born tomorrow", func(in *ReferralInput) { in.Person.DateOfBirth = now.AddDate(0, 0, 1) }, "date-of-birth"},
	}
	for _, tc := range tests {
		var in ReferralInput
		tc.set(&in)
		f := in.validateDraft(now)
		if tc.field == "" {
			if len(f) != 0 {
				t.Errorf("%s: refused: %+v", tc.name, f)
			}
			continue
		}
		if len(f) != 1 || f[0].Field != tc.field {
			t.Errorf("%s: errors %+v, want one for %s", tc.name, f, tc.field)
		}
	}
}

// TestCorrectionLimits checks a corrected date of birth and postcode are bounded as a referral's are.
func TestCorrectionLimits(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	if _, msg := CorrectValue("date_of_birth", "1850-01-01", now); !strings.Contains(msg, "1900") {
		t.Errorf("birth in 1850: %q", msg)
	}
	raw, msg := CorrectValue("date_of_birth", "1990-01-01", now)
	var d time.Time
	if msg != "" || json.Unmarshal(raw, &d) != nil || d.Year() != 1990 {
		t.Errorf("birth in 1990: %s %q", raw, msg)
	}
	if _, msg := CorrectValue("postcode", strings.Repeat("A", 9), now); !strings.Contains(msg, "8 characters") {
		t.Errorf("a 9-character postcode: %q", msg)
	}
	if _, msg := CorrectValue("postcode", "SW1A 1AA", now); msg != "" {
		t.Errorf("SW1A 1AA: %q", msg)
	}
}
