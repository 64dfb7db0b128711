package casework

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/prevent"
)

// leaves lists the stored leaves of the struct type t by their index paths and JSON names: every exported
// field that encoding/json writes (not "-"), going into structs other than time.Time.
func leaves(t reflect.Type, index []int, path string) (out []leaf) {
	for i := range t.NumField() {
		f := t.Field(i)
		name := jsonName(f)
		if !f.IsExported() || name == "-" {
			continue
		}
		idx := append(slices.Clone(index), i)
		key := strings.TrimPrefix(path+"."+name, ".")
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeFor[time.Time]() {
			out = append(out, leaves(f.Type, idx, key)...)
			continue
		}
		out = append(out, leaf{key, idx})
	}
	return out
}

type leaf struct {
	key   string
	index []int
}

// coverage says what is wrong with parts as a registry of the leaves of t: a leaf no part covers, or more
// than one, and a part that is not a leaf.
func coverage(t reflect.Type, parts []Part) []string {
	var problems []string
	ls := leaves(t, nil, "")
	for _, l := range ls {
		n := 0
		for _, p := range parts {
			if slices.Equal(p.index, l.index) {
				n++
			}
		}
		if n != 1 {
			problems = append(problems, fmt.Sprintf("%s is covered by %d registry parts, want 1", l.key, n))
		}
	}
	for _, p := range parts {
		if !slices.ContainsFunc(ls, func(l leaf) bool { return slices.Equal(l.index, p.index) && l.key == p.Key }) {
			problems = append(problems, fmt.Sprintf("part %s is not a stored leaf of %s", p.Key, t))
		}
	}
	return problems
}

// TestRegistryCoversEveryDetail walks ReferralInput: every stored leaf of a referral's details (every exported
// field that is not a struct, at any depth, except one encoding/json never writes) must be exactly one part of
// the registry, so that a field added to the details without its entry fails here.
func TestRegistryCoversEveryDetail(t *testing.T) {
	rt := reflect.TypeFor[ReferralInput]()
	for _, p := range coverage(rt, Parts) {
		t.Error(p)
	}
	// The one leaf the registry leaves out is written nowhere in the details: the equality monitoring answers
	// are write-only and sealed in a column of their own (equality.go).
	var skipped []string
	for i := range rt.NumField() {
		if jsonName(rt.Field(i)) == "-" {
			skipped = append(skipped, rt.Field(i).Name)
		}
	}
	if !slices.Equal(skipped, []string{"Monitoring"}) {
		t.Errorf("fields of ReferralInput never stored: %v, want only Monitoring", skipped)
	}

	// The walk can fail: a registry missing a part, or covering one twice, is reported.
	missing := slices.DeleteFunc(slices.Clone(Parts), func(p Part) bool { return p.Key == "person.additional_needs" })
	if got := coverage(rt, missing); !slices.Equal(got, []string{"person.additional_needs is covered by 0 registry parts, want 1"}) {
		t.Errorf("a registry without additional needs: %q", got)
	}
	twice := append(slices.Clone(Parts), Parts[0])
	if got := coverage(rt, twice); !slices.Equal(got, []string{"person.given_names is covered by 2 registry parts, want 1"}) {
		t.Errorf("a registry with given names twice: %q", got)
	}
}

// TestRegistryEntries checks what each entry must hold for the rules that read it.
func TestRegistryEntries(t *testing.T) {
	fields, labels := map[string]bool{}, map[string]bool{}
	for _, fi := range CaseFields {
		if fields[fi.Field] || labels[fi.Label] || !fi.Category.Valid() || fi.Label == "" {
			t.Errorf("case field %s: duplicate name or label, unknown category or no label", fi.Field)
		}
		fields[fi.Field], labels[fi.Label] = true, true
		// Where a field is held agrees with what it has: a field of the details has parts (a field left
		// without any would never be withheld), the others none, and one held on the referral a function
		// that withholds it.
		parts := len(fieldParts[fi.Field])
		if (fi.held == inDetails) != (parts > 0) || (fi.held == onReferral) != (fi.withhold != nil) {
			t.Errorf("case field %s is held %d, with %d parts and withhold %v", fi.Field, fi.held, parts, fi.withhold != nil)
		}
	}
	inputs, sealedNames, correctionNames := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, p := range Parts {
		if p.Field != "" && !fields[p.Field] {
			t.Errorf("part %s belongs to %q, which is not a case field", p.Key, p.Field)
		}
		if p.Input == "" || inputs[p.Input] || p.Label == "" {
			t.Errorf("part %s: no or a duplicate form name, or no label", p.Key)
		}
		inputs[p.Input] = true
		f := reflect.TypeFor[ReferralInput]().FieldByIndex(p.index)
		if p.Sealed {
			// A sealed part is written under its name in the sealed JSON, and must be left out of the plain
			// details once taken out.
			if sealedNames[p.Name()] {
				t.Errorf("sealed part %s has the name of another", p.Key)
			}
			sealedNames[p.Name()] = true
			if opts := f.Tag.Get("json"); !strings.Contains(opts, ",omitempty") && !strings.Contains(opts, ",omitzero") {
				t.Errorf("sealed part %s would be written empty in the plain details: json tag %q", p.Key, opts)
			}
		}
		if p.Correctable() {
			if correctionNames[p.Name()] {
				t.Errorf("two parts that can be corrected are named %s", p.Name())
			}
			correctionNames[p.Name()] = true
		}
		if p.Codes != "" && f.Type != reflect.TypeFor[[]string]() {
			t.Errorf("part %s has codes of %s but is not a list", p.Key, p.Codes)
		}
	}
	// A sealed or corrected part that the registry would let through is refused before the service runs.
	for _, bad := range []Part{{Key: "person.additional_needs", Sealed: true, correct: correctText}, {Key: "concern.types", correct: correctText}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("part %s that can be corrected was accepted", bad.Key)
				}
			}()
			resolveParts([]Part{bad})
		}()
	}
}

// filled is a referral with every part of its details, its earlier referrals and its triage notes holding
// something, each part a value of its own.
func filled(t *testing.T) Referral {
	t.Helper()
	var r Referral
	for i, p := range Parts {
		v := p.value(&r.Details)
		switch x := v.Addr().Interface().(type) {
		case *time.Time:
			*x = time.Date(2001, 2, 3+i, 0, 0, 0, 0, time.UTC)
		case *[]string:
			*x = []string{fmt.Sprintf("%s-a", p.Key), fmt.Sprintf("%s-b", p.Key)}
		case *bool:
			*x = true
		default:
			switch v.Kind() {
			case reflect.String:
				v.SetString("value of " + p.Key)
			case reflect.Int:
				v.SetInt(int64(10 + i))
			default:
				t.Fatalf("part %s: fill a %s", p.Key, v.Type())
			}
		}
	}
	r.Previous = []PreviousReferral{{ID: 3, Reference: "PRV-2025-000003", State: Submitted}}
	r.Triage = TriageRecord{Outcome: EvPoliceLed, Reason: "reason", Service: "service", ReasonableGrounds: "grounds", Rationale: "rationale", By: 4}
	return r
}

// TestMinimiseWithholdsExactlyOneField withholds each case field in turn from a reader given every other
// field, and checks that the field's label alone is named and that the field alone was zeroed: each of its
// parts of the details, and what it holds outside them.
func TestMinimiseWithholdsExactlyOneField(t *testing.T) {
	reader := prevent.Principal{PersonID: 7, OrganisationID: 2}
	given := func(fields ...string) caseRow {
		return caseRow{ID: 9, PartnershipID: 1, ReferrerOrg: 1, DisclosedTo: []prevent.ID{2}, DisclosedFields: map[prevent.ID][]string{2: fields}}
	}
	var all []string
	for _, fi := range CaseFields {
		all = append(all, fi.Field)
	}
	full := filled(t)

	r := filled(t)
	minimiseReferral(reader, given(all...), &r)
	if r.Withheld != nil || !reflect.DeepEqual(r, full) {
		t.Fatalf("a reader given every field: withheld %q, changed %v", r.Withheld, !reflect.DeepEqual(r, full))
	}

	var inReferral []string
	for _, fi := range CaseFields {
		r := filled(t)
		minimiseReferral(reader, given(slices.DeleteFunc(slices.Clone(all), func(f string) bool { return f == fi.Field })...), &r)
		if fi.held == inRecords {
			// Held in records of its own: the read of the referral neither names nor changes it.
			if r.Withheld != nil || !reflect.DeepEqual(r, full) {
				t.Errorf("%s, held in records of its own, was withheld from the referral: %q", fi.Field, r.Withheld)
			}
			continue
		}
		inReferral = append(inReferral, fi.Label)
		if !slices.Equal(r.Withheld, []string{fi.Label}) {
			t.Errorf("withholding %s names %q, want only %q", fi.Field, r.Withheld, fi.Label)
		}
		for _, p := range Parts {
			got, was := p.value(&r.Details), p.value(&full.Details)
			if p.Field == fi.Field && !got.IsZero() {
				t.Errorf("withholding %s left %s: %v", fi.Field, p.Key, got)
			}
			if p.Field != fi.Field && !reflect.DeepEqual(got.Interface(), was.Interface()) {
				t.Errorf("withholding %s changed %s: %v", fi.Field, p.Key, got)
			}
		}
		wantPrevious, wantTriage := full.Previous, full.Triage
		switch fi.Field {
		case FieldPrevious:
			wantPrevious = nil
		case FieldTriage:
			wantTriage.Reason, wantTriage.ReasonableGrounds, wantTriage.Rationale = "", "", ""
		}
		if !reflect.DeepEqual(r.Previous, wantPrevious) || r.Triage != wantTriage {
			t.Errorf("withholding %s: earlier referrals %v, triage %+v", fi.Field, r.Previous, r.Triage)
		}
		r.Details, r.Previous, r.Triage, r.Withheld = full.Details, full.Previous, full.Triage, nil
		if !reflect.DeepEqual(r, full) {
			t.Errorf("withholding %s changed the referral outside its fields", fi.Field)
		}
	}

	// Given nothing, the reader is told of every field of the referral, in the catalogue's order.
	r = filled(t)
	minimiseReferral(reader, given(), &r)
	if !slices.Equal(r.Withheld, inReferral) {
		t.Errorf("given nothing, withheld %q, want %q", r.Withheld, inReferral)
	}
	for _, p := range Parts {
		if v := p.value(&r.Details); p.Field != "" && !v.IsZero() {
			t.Errorf("given nothing, %s is left: %v", p.Key, v)
		}
	}
}

// legacySealed is the sealed details as they were first written, by a struct of their own, before the
// registry named the sealed parts. Stored ciphertexts hold this JSON: the registry must read and write it.
type legacySealed struct {
	WhatHappened    string `json:"what_happened,omitempty"`
	HowFound        string `json:"how_found,omitempty"`
	WordsUsed       string `json:"words_used,omitempty"`
	OnlineActivity  string `json:"online_activity,omitempty"`
	Contacts        string `json:"contacts,omitempty"`
	Fears           string `json:"fears,omitempty"`
	AdditionalNeeds string `json:"additional_needs,omitempty"`
	OtherAgencies   string `json:"other_agencies,omitempty"`
}

func TestSealedDetailsFormat(t *testing.T) {
	in := filled(t).Details
	c, p := in.Concern, in.Person
	legacy := legacySealed{c.WhatHappened, c.HowFound, c.WordsUsed, c.OnlineActivity, c.Contacts, c.Fears, p.AdditionalNeeds, p.OtherAgencies}
	want, err := json.Marshal(legacy)
	if err != nil {
		t.Fatal(err)
	}
	plain, sealed, err := splitDetails(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(sealed) != string(want) {
		t.Errorf("sealed details\n%s\nwant as first written\n%s", sealed, want)
	}
	// What was sealed under the first format opens.
	back := plain
	if err := mergeDetails(&back, want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, in) {
		t.Errorf("details opened from the first format: %+v, want %+v", back, in)
	}
	// Each sealed part is taken out of the plain details, and only those.
	pj, err := json.Marshal(plain)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range Parts {
		if strings.Contains(string(pj), `"`+p.Name()+`"`) == p.Sealed {
			t.Errorf("%s (sealed %v) in the plain details: %s", p.Key, p.Sealed, pj)
		}
	}
	// Nothing to seal is no sealed part; a sealed part it does not name opens empty.
	if _, sealed, _ := splitDetails(ReferralInput{Person: PersonDetails{GivenNames: "Kit"}}); sealed != nil {
		t.Errorf("details with nothing sealed sealed %s", sealed)
	}
	back = in
	if err := mergeDetails(&back, []byte(`{"fears":"f"}`)); err != nil || back.Concern.Fears != "f" || back.Concern.WhatHappened != "" || back.Person.AdditionalNeeds != "" {
		t.Errorf("opened %+v, %v", back, err)
	}
}
