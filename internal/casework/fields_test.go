package casework_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
)

// partIn is the field of d at a registry key, found by the JSON names of the fields on the way.
func partIn(t *testing.T, d *casework.ReferralInput, key string) reflect.Value {
	t.Helper()
	v := reflect.ValueOf(d).Elem()
next:
	for _, name := range strings.Split(key, ".") {
		for i := range v.NumField() {
			if tag, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ","); tag == name {
				v = v.Field(i)
				continue next
			}
		}
		t.Fatalf("registry key %s: no field %s", key, name)
	}
	return v
}

// everyPart is a referral that can be submitted with every part of its details holding a value of its own,
// and, by key, what the subject access bundle shows of each. The codes, the sector and the answers to "who
// knows" are taken from the service's lists.
func everyPart(t *testing.T, f *fixture) (casework.ReferralInput, map[string]string) {
	t.Helper()
	var in casework.ReferralInput
	shown := map[string]string{}
	for i, p := range casework.Parts {
		v := partIn(t, &in, p.Key)
		marker := "marker-" + strings.ReplaceAll(p.Key, ".", "-")
		switch x := v.Addr().Interface().(type) {
		case *time.Time:
			*x = time.Date(1990, 1, 1+i, 0, 0, 0, 0, time.UTC)
			shown[p.Key] = x.Format("2 January 2006")
		case *[]string:
			*x = []string{marker + "-1", marker + "-2"}
			if p.Codes != "" {
				items, err := f.svc.Reference(ctx, p.Codes, f.clock.Now())
				if err != nil || len(items) == 0 {
					t.Fatalf("list %s: %v", p.Codes, err)
				}
				*x = []string{items[0].Code}
				shown[p.Key] = items[0].Label
			} else {
				shown[p.Key] = marker + "-1, " + marker + "-2"
			}
		case *int:
			*x = 20 + i
			shown[p.Key] = strconv.Itoa(*x)
		case *bool:
			*x = true
		case *casework.Knowledge:
			*x = casework.Knows
		case *string:
			if p.Key == "person.postcode" {
				marker = "ZZ9 9ZZ" // a postcode is at most 8 characters
			}
			*x, shown[p.Key] = marker, marker
		default:
			t.Fatalf("part %s: fill a %s", p.Key, v.Type())
		}
	}
	in.ReferrerSector = string(partnership.Sectors[0].Sector)
	return in, shown
}

// TestSealedPartsAreStoredSealed writes a draft with every part filled: each sealed part is absent from the
// plain details column, and nowhere in plain text in the row, and each plain part is there; reading the
// draft, and the case once submitted, gives every part back.
func TestSealedPartsAreStoredSealed(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		in, _ := everyPart(t, f)
		id, err := f.svc.SaveDraft(ctx, f.referrer, f.partnership, 0, in)
		if err != nil {
			t.Fatal(err)
		}
		var details string
		var sealed []byte
		if err := db.Read().QueryRowContext(ctx, `SELECT details, sealed_details FROM referrals WHERE id = $1`, id).Scan(&details, &sealed); err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(details), &doc); err != nil {
			t.Fatal(err)
		}
		for _, p := range casework.Parts {
			var at any = doc
			for _, name := range strings.Split(p.Key, ".") {
				if m, ok := at.(map[string]any); ok {
					at = m[name]
				}
			}
			if p.Sealed {
				marker := partIn(t, &in, p.Key).String()
				if at != nil || strings.Contains(details, marker) || strings.Contains(string(sealed), marker) {
					t.Errorf("sealed %s is stored in plain text (details %s)", p.Key, details)
				}
			} else if at == nil {
				t.Errorf("plain %s is not in the details column %s", p.Key, details)
			}
		}
		if len(sealed) == 0 {
			t.Error("nothing was sealed")
		}
		back, err := f.svc.Draft(ctx, f.referrer, id)
		if err != nil {
			t.Fatal(err)
		}
		if !equalJSON(t, back, in) {
			t.Errorf("the draft read back is\n%+v\nwant\n%+v", back, in)
		}
		if _, err := f.svc.Submit(ctx, f.referrer, id); err != nil {
			t.Fatal(err)
		}
		r, err := f.svc.Referral(ctx, f.coordinator, id)
		if err != nil {
			t.Fatal(err)
		}
		if !equalJSON(t, r.Details, in) {
			t.Errorf("the case read back is\n%+v\nwant\n%+v", r.Details, in)
		}
	})
}

// TestBundleShowsEveryPart submits a referral with every part filled and checks that the person's subject
// access bundle shows each part of the person's and the concern's details: as an item of its own, keyed and
// labelled by the registry, or within an item it shares with other parts (the address).
func TestBundleShowsEveryPart(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		in, shown := everyPart(t, f)
		id, _ := f.submit(t, f.referrer, in)
		var subject prevent.ID
		if err := db.Read().QueryRowContext(ctx, `SELECT subject_id FROM referrals WHERE id = $1`, id).Scan(&subject); err != nil {
			t.Fatal(err)
		}
		recs, err := f.svc.SubjectRecords(ctx, db.Read(), partnership.NewNames(ctx, db.Read()), f.partnership, subject)
		if err != nil || len(recs) != 1 {
			t.Fatalf("records %v, %v", recs, err)
		}
		sections := map[string]string{"person": "About the person", "concern": "The concern"}
		for _, p := range casework.Parts {
			prefix, _, _ := strings.Cut(p.Key, ".")
			title, ok := sections[prefix]
			if !ok || !strings.Contains(p.Key, ".") {
				continue // the referral's answers about itself are not details of the person or the concern
			}
			var found bool
			for _, sc := range recs[0].Sections {
				for _, it := range sc.Items {
					own := it.Key == fmt.Sprintf("referral:%d:%s", id, p.Key)
					if own && (sc.Title != title || it.Label != p.Label || it.Value != shown[p.Key]) {
						t.Errorf("%s is shown as %q: %q in %q", p.Key, it.Label, it.Value, sc.Title)
					}
					if own || (sc.Title == title && strings.Contains(it.Value, shown[p.Key])) {
						found = true
					}
				}
			}
			if !found {
				t.Errorf("%s (%q) is not in the bundle", p.Key, shown[p.Key])
			}
		}
	})
}
