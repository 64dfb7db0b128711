package core

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/prevent"
)

// FuzzReadForm posts arbitrary bodies to the form decoder every page uses: it must never panic, and what it
// accepts must round-trip through the form's accessors.
func FuzzReadForm(f *testing.F) {
	f.Add("name=Hollowmere+Trust&sector=community&public-body=no")
	f.Add("roles=referrer&roles=analyst&email=a%40b.example")
	f.Add("%zz=%%&&==;")
	f.Add(strings.Repeat("a=b&", 1000))
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/x", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		fm, err := ReadForm(w, r)
		if err != nil {
			if prevent.ErrorKind(err) != prevent.Invalid {
				t.Fatalf("ReadForm error kind = %v, want Invalid", prevent.ErrorKind(err))
			}
			return
		}
		for k := range fm.Values {
			if got := fm.Get(k); got != strings.TrimSpace(fm.Values.Get(k)) {
				t.Fatalf("get(%q) = %q", k, got)
			}
			_ = fm.List(k)
		}
	})
}

func TestReadFormRefusesOversizedBodies(t *testing.T) {
	r := httptest.NewRequest("POST", "/x", strings.NewReader("a="+strings.Repeat("x", 70<<10)))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if _, err := ReadForm(httptest.NewRecorder(), r); prevent.ErrorKind(err) != prevent.Invalid {
		t.Fatalf("oversized form: err = %v, want Invalid", err)
	}
}

// TestFormIDIsTheOneReader: a form's id field is read as FormID reads an id, so that a page reading a form and
// one reading a query agree: a number, trimmed; anything else, blank or negative is no record (0).
func TestFormIDIsTheOneReader(t *testing.T) {
	for in, want := range map[string]prevent.ID{"": 0, "12": 12, " 12 ": 12, "-3": 0, "x": 0, "1e3": 0} {
		f := Form{Values: map[string][]string{"organisation": {in}}}
		if got := f.ID("organisation"); got != want {
			t.Errorf("Form.ID(%q) = %d, want %d", in, got, want)
		}
		if got := FormID(strings.TrimSpace(in)); got != want {
			t.Errorf("FormID(%q) = %d, want %d", in, got, want)
		}
	}
}

// TestReadFormRefusesControlCharacters: a value holding a NUL, another control character or bytes that are not
// UTF-8 is refused naming its field; tabs and line breaks, and any other text, are kept.
func TestReadFormRefusesControlCharacters(t *testing.T) {
	post := func(body string) (Form, error) {
		r := httptest.NewRequest("POST", "/x", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return ReadForm(httptest.NewRecorder(), r)
	}
	for _, bad := range []string{"postcode=AB1%002CD", "notes=ring%07bell", "name=%C3%28", "name=x%C2%9Bx", "name=del%7F"} {
		_, err := post("ok=fine&" + bad)
		fe := prevent.FieldErrors(err)
		if prevent.ErrorKind(err) != prevent.Invalid || len(fe) != 1 || fe[0].Field != strings.SplitN(bad, "=", 2)[0] {
			t.Errorf("%s: err = %v (%+v), want Invalid naming the field", bad, err, fe)
		}
	}
	f, err := post("notes=line+one%0D%0A%09line+two&name=Si%C3%A2n+O%E2%80%99Neill")
	if err != nil || f.Values.Get("notes") != "line one\r\n\tline two" || f.Get("name") != "Siân O’Neill" {
		t.Errorf("plain text: %+v, %v", f.Values, err)
	}
}
