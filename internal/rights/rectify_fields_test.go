package rights_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/rights"
)

// TestEveryRectifiableFieldIsCorrected walks casework's field registry: each part of the person's details it
// lets be corrected is offered with its label, and a correction of it reads back from the case; every other
// part is refused.
func TestEveryRectifiableFieldIsCorrected(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		sc := f.sharedCase(t)
		var offered []rights.RectifiableField
		for _, p := range casework.Parts {
			if p.Correctable() {
				offered = append(offered, rights.RectifiableField{Field: p.Name(), Label: p.Label})
				continue
			}
			err := f.svc.Rectify(ctx, f.coordinator, sc.id, rights.RectifyInput{Field: p.Name(), Value: "x", Reason: "Checked"})
			wantKind(t, err, prevent.Invalid)
			if !slices.ContainsFunc(prevent.FieldErrors(err), func(e prevent.FieldError) bool { return e.Field == "field" }) {
				t.Errorf("%s, which cannot be corrected: %v", p.Key, err)
			}
		}
		if len(offered) == 0 || !slices.Equal(rights.RectifiableFields, offered) {
			t.Fatalf("rectifiable fields %v, want the registry's %v", rights.RectifiableFields, offered)
		}
		person := reflect.TypeFor[casework.PersonDetails]()
		for _, rf := range rights.RectifiableFields {
			var typ reflect.Type
			for i := range person.NumField() {
				if name, _, _ := strings.Cut(person.Field(i).Tag.Get("json"), ","); name == rf.Field {
					typ = person.Field(i).Type
				}
			}
			value, want := "Corrected "+rf.Label, any("Corrected "+rf.Label)
			switch typ {
			case reflect.TypeFor[time.Time]():
				value, want = "1991-03-04", time.Date(1991, 3, 4, 0, 0, 0, 0, time.UTC)
			case reflect.TypeFor[[]string]():
				value, want = "First, Second", []string{"First", "Second"}
			case reflect.TypeFor[string]():
				if rf.Field == "postcode" {
					// A postcode is bounded at 8 characters, as on the referral form.
					value, want = "SW1A 1AA", any("SW1A 1AA")
				}
			default:
				t.Fatalf("%s: correct a %v", rf.Field, typ)
			}
			if err := f.svc.Rectify(ctx, f.coordinator, sc.id, rights.RectifyInput{Field: rf.Field, Value: value, Reason: "Checked"}); err != nil {
				t.Fatalf("correct %s: %v", rf.Field, err)
			}
			r, err := f.casework.Referral(ctx, f.coordinator, sc.id)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(r.Details.Person)
			var byName map[string]json.RawMessage
			if err := json.Unmarshal(got, &byName); err != nil {
				t.Fatal(err)
			}
			if w, _ := json.Marshal(want); string(byName[rf.Field]) != string(w) {
				t.Errorf("%s corrected to %q reads back %s, want %s", rf.Field, value, byName[rf.Field], w)
			}
		}
	})
}
