package api

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/prevent"
)

var validateNow = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func decodeAt[T any](body string) (T, error) {
	r := jsonRequest(body, "application/json")
	r = r.WithContext(withNow(r.Context(), validateNow))
	return decode[T](r)
}

// wantField checks that err is a 422 naming exactly field, with a message containing msg.
func wantField(t *testing.T, err error, field, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("accepted; want 422 naming %s", field)
	}
	if got := statusOf(err); got != http.StatusUnprocessableEntity {
		t.Fatalf("status = %d, want 422 (%v)", got, err)
	}
	fe := prevent.FieldErrors(err)
	if len(fe) != 1 || fe[0].Field != field || !strings.Contains(fe[0].Message, msg) {
		t.Errorf("errors = %+v, want one for %s mentioning %q", fe, field, msg)
	}
	if p := problemFor(err); len(p.Errors) != 1 || p.Errors[0].Field != field {
		t.Errorf("problem errors = %+v", p.Errors)
	}
}

func wantBadRequest(t *testing.T, err error, detail string) {
	t.Helper()
	if err == nil {
		t.Fatalf("accepted; want 400 mentioning %q", detail)
	}
	if got := statusOf(err); got != http.StatusBadRequest {
		t.Fatalf("status = %d, want 400 (%v)", got, err)
	}
	if !strings.Contains(err.Error(), detail) {
		t.Errorf("detail %q does not mention %q", err.Error(), detail)
	}
}

func TestDecodeTextLimits(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", maxMemberText+1)
	_, err := decodeAt[ReferralCreate](`{"partnership_id":1,"person":{"postcode":"` + strings.Repeat("A", 900000) + `"}}`)
	wantField(t, err, "person.postcode", "10,000 characters or fewer")
	_, err = decodeAt[ReferralCreate](`{"partnership_id":1,"concern":{"what_happened":"` + long + `"}}`)
	wantField(t, err, "concern.what_happened", "10,000 characters or fewer")
	_, err = decodeAt[ReferralCreate](`{"partnership_id":1,"person":{"aliases":["Sam","` + long + `"]}}`)
	wantField(t, err, "person.aliases[1]", "characters or fewer")
	// Characters, not bytes: 10,000 two-byte letters are within the limit.
	in, err := decodeAt[ReferralCreate](`{"partnership_id":1,"concern":{"what_happened":"` + strings.Repeat("é", maxMemberText) + `"}}`)
	if err != nil || len([]rune(in.Concern.WhatHappened)) != maxMemberText {
		t.Errorf("10,000 characters refused: %v", err)
	}
	// A code of a closed list is short.
	_, err = decodeAt[ReferralCreate](`{"partnership_id":1,"referrer_sector":"` + strings.Repeat("x", maxCodeText+1) + `"}`)
	wantField(t, err, "referrer_sector", "100 characters or fewer")
	// A map's values are bounded too.
	_, err = decodeAt[map[string]any](`{"note":{"text":"` + long + `"}}`)
	wantField(t, err, "note.text", "characters or fewer")
}

func TestDecodeControlCharacters(t *testing.T) {
	t.Parallel()
	for _, esc := range []string{`\u0000`, `\u0007`, `\u001b`, `\u007f`, `\u0085`} {
		_, err := decodeAt[ReferralCreate](`{"partnership_id":1,"person":{"family_name":"Jones` + esc + `"}}`)
		wantField(t, err, "person.family_name", "control characters")
	}
	in, err := decodeAt[ReferralCreate](`{"partnership_id":1,"concern":{"what_happened":"line one\r\n\tline two"}}`)
	if err != nil || in.Concern.WhatHappened != "line one\r\n\tline two" {
		t.Errorf("tab and line breaks refused: %v", err)
	}
	// Invalid UTF-8 is refused whole rather than replaced with U+FFFD.
	_, err = decodeAt[ReferralCreate]("{\"partnership_id\":1,\"person\":{\"family_name\":\"Jo\xffnes\"}}")
	wantBadRequest(t, err, "not valid UTF-8")
	_, err = decodeAt[ReferralCreate]("{\"partnership_id\":1,\"person\":{\"family_name\":\"\xed\xa0\x80\"}}")
	wantBadRequest(t, err, "not valid UTF-8")
}

func TestDecodeDuplicateMembers(t *testing.T) {
	t.Parallel()
	tests := []struct{ body, name string }{
		{`{"partnership_id":1,"partnership_id":2}`, `"partnership_id"`},
		{`{"partnership_id":1,"person":{"postcode":"LS1 1AA","town":"Leeds","postcode":"BD1 1AA"}}`, `"person.postcode"`},
		{`{"items":[{"x":1},{"x":2,"y":[{"z":1,"z":2}]}]}`, `"items[1].y[0].z"`},
		{`{"a":{"b":{}},"c":[[],{"d":1}],"a":1}`, `"a"`},
	}
	for _, tc := range tests {
		_, err := decodeAt[map[string]any](tc.body)
		wantBadRequest(t, err, "more than once")
		if err != nil && !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%s: %v does not name %s", tc.body, err, tc.name)
		}
	}
	// The same name in different objects is not a repetition.
	if _, err := decodeAt[map[string]any](`{"a":{"x":1},"b":{"x":2},"c":[{"x":3},{"x":4}]}`); err != nil {
		t.Errorf("names in separate objects refused: %v", err)
	}
}

func TestDecodeDates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ dob, msg string }{
		{"0000-01-01", "from 1900-01-01"},
		{"1800-05-17", "from 1900-01-01"},
		{"1899-12-31", "from 1900-01-01"},
		{"2026-03-03", "today or in the past"},
		{"2999-01-01", "from 1900-01-01"},
		{"2026-02-30", "YYYY-MM-DD"},
		{"02/03/2001", "YYYY-MM-DD"},
	} {
		_, err := decodeAt[ReferralCreate](`{"partnership_id":1,"person":{"date_of_birth":"` + tc.dob + `"}}`)
		wantField(t, err, "person.date_of_birth", tc.msg)
	}
	_, err := decodeAt[ReferralCreate](`{"partnership_id":1,"person":{"date_of_birth":20010302}}`)
	wantField(t, err, "person.date_of_birth", "YYYY-MM-DD")
	for _, dob := range []string{"1900-01-01", "2026-03-02", "2001-03-02"} {
		if _, err := decodeAt[ReferralCreate](`{"partnership_id":1,"person":{"date_of_birth":"` + dob + `"}}`); err != nil {
			t.Errorf("date of birth %s refused: %v", dob, err)
		}
	}
	// An event date may be ahead, but not by centuries.
	if _, err := decodeAt[InformationRequestCreate](`{"organisation_id":1,"due":"2030-01-01"}`); err != nil {
		t.Errorf("due date ahead refused: %v", err)
	}
	_, err = decodeAt[InformationRequestCreate](`{"organisation_id":1,"due":"2300-01-01"}`)
	wantField(t, err, "due", "to 2051-12-31")
	_, err = decodeAt[InformationRequestCreate](`{"organisation_id":1,"due":"1066-10-14"}`)
	wantField(t, err, "due", "from 1900-01-01")
}

func TestDecodeMaxlenTag(t *testing.T) {
	t.Parallel()
	type input struct {
		Name string `json:"name" maxlen:"5"`
		Note string `json:"note"`
	}
	if _, err := decodeAt[input](`{"name":"Adele","note":"ok"}`); err != nil {
		t.Errorf("five characters refused: %v", err)
	}
	_, err := decodeAt[input](`{"name":"Adeles"}`)
	wantField(t, err, "name", "name must be 5 characters or fewer")
}
