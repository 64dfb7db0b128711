package prevent_test

import (
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/prevent"
)

func TestParseMarking(t *testing.T) {
	cases := map[string]prevent.Marking{
		"OFFICIAL": prevent.Official, "official-sensitive": prevent.OfficialSensitive, "OFFICIAL SENSITIVE": prevent.OfficialSensitive,
		"SECRET": prevent.Secret, "PROTECT": prevent.Official, "RESTRICTED": prevent.OfficialSensitive, "CONFIDENTIAL": prevent.OfficialSensitive,
	}
	for in, want := range cases {
		if got, err := prevent.ParseMarking(in); err != nil || got != want {
			t.Errorf("ParseMarking(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"TOP SECRET", "top_secret", "", "UNCLASSIFIED"} {
		if _, err := prevent.ParseMarking(in); prevent.ErrorKind(err) != prevent.Invalid {
			t.Errorf("ParseMarking(%q) accepted; want Invalid", in)
		}
	}
}

func TestClearance(t *testing.T) {
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	sc := prevent.Clearance{Level: prevent.SC, Expires: now.AddDate(1, 0, 0)}
	if !sc.Covers(prevent.Secret, now) || !sc.Covers(prevent.OfficialSensitive, now) {
		t.Error("current SC should cover SECRET and OFFICIAL-SENSITIVE")
	}
	if sc.Covers(prevent.Secret, now.AddDate(1, 0, 0)) {
		t.Error("SC on its expiry date should grant nothing")
	}
	if (prevent.Clearance{Level: prevent.CTC}).Covers(prevent.Secret, now) {
		t.Error("CTC alone must not cover SECRET")
	}
	if (prevent.Clearance{}).Covers(prevent.OfficialSensitive, now) {
		t.Error("no vetting must not cover OFFICIAL-SENSITIVE")
	}
	if !(prevent.Clearance{}).Covers(prevent.Official, now) {
		t.Error("OFFICIAL needs no national vetting")
	}
}

func TestErrors(t *testing.T) {
	var f prevent.Fields
	if f.Err() != nil {
		t.Fatal("no fields should be no error")
	}
	f.Add("name", "Enter a name")
	err := f.Err()
	if prevent.ErrorKind(err) != prevent.Invalid || len(prevent.FieldErrors(err)) != 1 || !f.Has("name") {
		t.Fatalf("Fields.Err = %v", err)
	}
	if prevent.PublicMessage(errPlain{}) != prevent.GenericMessage {
		t.Error("an unexpected error must show the generic message")
	}
}

type errPlain struct{}

func (errPlain) Error() string { return "database exploded at /var/lib/secret" }
