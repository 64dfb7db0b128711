package api

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/prevent"
)

func jsonRequest(body, contentType string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/api/v1/x", strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return r
}

func TestDecode(t *testing.T) {
	t.Parallel()
	big := `{"name":"` + strings.Repeat("a", MaxBodyBytes) + `"}`
	tests := []struct {
		name, body, ct string
		status         int
		detail         string
	}{
		{"ok", `{"name":"Leeds","sector":"police","public_body":true}`, "application/json", 0, ""},
		{"ok with charset", `{"name":"Leeds"}`, "application/json; charset=utf-8", 0, ""},
		{"no content type", `{}`, "", 415, "Content-Type: application/json"},
		{"form", `name=x`, "application/x-www-form-urlencoded", 415, "must be application/json"},
		{"latin1", `{}`, "application/json; charset=iso-8859-1", 415, "UTF-8"},
		{"empty", ``, "application/json", 400, "empty"},
		{"malformed", `{"name":}`, "application/json", 400, "not well-formed JSON (at byte"},
		{"truncated", `{"name":"x"`, "application/json", 400, "not well-formed"},
		{"unknown member", `{"name":"x","colour":"red"}`, "application/json", 400, `"colour"`},
		{"wrong type", `{"name":42}`, "application/json", 400, `"name" must be of JSON type string`},
		{"not an object", `[1,2]`, "application/json", 400, "must be a JSON object"},
		{"trailing", `{"name":"x"} {}`, "application/json", 400, "single JSON value"},
		{"too large", big, "application/json", 413, "1 MiB"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decode[OrganisationInput](jsonRequest(tc.body, tc.ct))
			if tc.status == 0 {
				if err != nil {
					t.Fatalf("decode: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("decode accepted %q", tc.body)
			}
			if got := statusOf(err); got != tc.status {
				t.Errorf("status = %d, want %d (%v)", got, tc.status, err)
			}
			if !strings.Contains(err.Error(), tc.detail) {
				t.Errorf("detail %q does not mention %q", err.Error(), tc.detail)
			}
		})
	}
}

func TestDecodeValues(t *testing.T) {
	t.Parallel()
	in, err := decode[PersonInput](jsonRequest(`{"name":"Sam Jones","email":"sam@example.gov.uk","organisation_id":7,"roles":["referrer"]}`, "application/json"))
	if err != nil {
		t.Fatal(err)
	}
	if in.Name != "Sam Jones" || in.OrganisationID != 7 || len(in.Roles) != 1 || in.Roles[0] != "referrer" {
		t.Errorf("decoded %+v", in)
	}
}

func TestProblemFor(t *testing.T) {
	t.Parallel()
	p := problemFor(errors.New("pq: relation secret_table does not exist"))
	if p.Status != 500 || p.Detail != prevent.GenericMessage || strings.Contains(p.Detail, "secret_table") {
		t.Errorf("internal error shown as %+v", p)
	}
	p = problemFor(rename(prevent.Validation([]prevent.FieldError{{Field: "public-body", Message: "Select yes"}}), organisationFields))
	if p.Status != 422 || len(p.Errors) != 1 || p.Errors[0].Field != "public_body" {
		t.Errorf("validation problem = %+v", p)
	}
	for kind, status := range map[prevent.Kind]int{prevent.NotFound: 404, prevent.Forbidden: 404,
		prevent.Unauthenticated: 401, prevent.Conflict: 409, prevent.Invalid: 422} {
		if got := problemFor(prevent.Errorf(kind, "x")).Status; got != status {
			t.Errorf("%s -> %d, want %d", kind, got, status)
		}
	}
}

// FuzzDecodeJSON checks that the decoder never panics, answers every refusal with a 4xx request error, and
// that what it accepts survives a round trip.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"name":"Leeds","sector":"police","public_body":true}`, `{}`, `{"name":}`, `[]`,
		`{"name":"x","roles":["referrer"],"organisation_id":1}`, `null`, `{"public_body":null}`, "\xff", `{"a":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := decode[PersonInput](jsonRequest(string(data), "application/json"))
		if err != nil {
			var re *requestError
			if !errors.As(err, &re) || re.status < 400 || re.status > 499 || re.detail == "" {
				t.Fatalf("refusal %v is not a 4xx request error", err)
			}
			return
		}
		rec := httptest.NewRecorder()
		if err := encode(rec, 200, in); err != nil {
			t.Fatalf("encode: %v", err)
		}
		again, err := decode[PersonInput](jsonRequest(rec.Body.String(), "application/json"))
		if err != nil {
			t.Fatalf("round trip of %q refused: %v", rec.Body.String(), err)
		}
		rec2 := httptest.NewRecorder()
		_ = encode(rec2, 200, again)
		if !bytes.Equal(rec.Body.Bytes(), rec2.Body.Bytes()) {
			t.Fatalf("round trip changed %s to %s", rec.Body.String(), rec2.Body.String())
		}
	})
}
