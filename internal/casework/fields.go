package casework

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/preventplatform/prevent/internal/sharing"
)

// The field registry. What the service knows about each field of a case is written here once, and the rules
// that treat fields alike read it instead of keeping lists of their own:
//
//   - CaseFields are the fields a disclosure names: each with its name in the disclosure ledger, its data
//     category and its label. Minimisation (minimise.go) withholds them, in this order, from an organisation
//     that was given only some of them, and names what it withheld by their labels.
//   - Parts are the leaves of a referral's details (ReferralInput, stored in referrals.details). Each belongs
//     to one case field, or to none for the referrer's own answers about the referral; it says which
//     question of the referral form it answers, what a draft may not hold in it, whether it is sealed
//     (stored only encrypted, sealed.go), how the subject access bundle shows it (subject_records.go) and
//     whether and how it is corrected (rectify.go, for internal/rights).
//
// Each case field says where it is held: in parts of the details, on the referral outside them (earlier
// referrals, the police triage notes), or in records of its own (the assessment, panel decisions, the support
// plan, interventions and sessions, consent), whose reads withhold it themselves. The pages and the API still
// show each field in their own words; CONTRIBUTING.md says what adding a field involves. Every stored leaf of
// ReferralInput is exactly one part, which the registry's tests check by walking the type.

// FieldInfo is one field of a case as a disclosure names it: the name recorded in the ledger, its data
// category, and its label for pages ("Not shared with your organisation") and in Referral.Withheld.
type FieldInfo struct {
	Field    string
	Category sharing.Category
	Label    string
	held     holder
	// withhold zeroes what a field held on the referral holds in a Referral, for a reader whose organisation
	// was not given it.
	withhold func(*Referral)
}

// holder is where a case field is held, which says how a read withholds it.
type holder int

const (
	// inDetails: its parts of the referral's details (Parts), which a read of the referral zeroes.
	inDetails holder = iota
	// onReferral: on the referral outside its details; its withhold function zeroes it.
	onReferral
	// inRecords: in records of its own (the assessment, panel decisions, the support plan, interventions and
	// sessions, consent), whose reads withhold it (PanelDecisions, Interventions); a read of the referral
	// neither zeroes nor names it.
	inRecords
)

func detailsField(name string, c sharing.Category, label string) FieldInfo {
	return FieldInfo{Field: name, Category: c, Label: label, held: inDetails}
}

func referralField(name string, c sharing.Category, label string, withhold func(*Referral)) FieldInfo {
	return FieldInfo{Field: name, Category: c, Label: label, held: onReferral, withhold: withhold}
}

func recordsField(name string, c sharing.Category, label string) FieldInfo {
	return FieldInfo{Field: name, Category: c, Label: label, held: inRecords}
}

// Field names of a case, as disclosures record them.
const (
	FieldName            = "subject.name"
	FieldAliases         = "subject.aliases"
	FieldDateOfBirth     = "subject.date_of_birth"
	FieldGender          = "subject.gender"
	FieldAddress         = "subject.address"
	FieldLanguages       = "subject.languages"
	FieldSetting         = "subject.setting"
	FieldAdditionalNeeds = "subject.additional_needs"
	FieldOtherAgencies   = "subject.other_agencies"
	FieldConcern         = "concern.details"
	FieldConcernTypes    = "concern.types"
	FieldKnowledge       = "concern.knowledge"
	FieldPrevious        = "referral.previous"
	FieldTriage          = "triage.notes"
	FieldAssessment      = "assessment"
	FieldPanelDecisions  = "panel.decisions"
	FieldSupportPlan     = "support_plan"
	FieldInterventions   = "interventions"
	FieldConsent         = "consent"
)

// CaseFields is the catalogue of a case's fields that a disclosure may name, in the order pages list them and
// a read names those it withheld. A disclosure that names categories only discloses every field of those
// categories.
var CaseFields = []FieldInfo{
	detailsField(FieldName, sharing.Identity, "Name"),
	detailsField(FieldAliases, sharing.Identity, "Other names"),
	detailsField(FieldDateOfBirth, sharing.Identity, "Date of birth or age"),
	detailsField(FieldGender, sharing.Identity, "Gender"),
	detailsField(FieldAddress, sharing.Contact, "Address and local authority"),
	detailsField(FieldLanguages, sharing.Identity, "Languages"),
	detailsField(FieldSetting, sharing.EducationData, "School, college or employer"),
	detailsField(FieldAdditionalNeeds, sharing.Health, "Additional needs"),
	detailsField(FieldOtherAgencies, sharing.SocialCare, "Other agencies involved"),
	detailsField(FieldConcern, sharing.ConcernData, "The concern and how it came to light"),
	detailsField(FieldConcernTypes, sharing.ConcernData, "Type of concern"),
	detailsField(FieldKnowledge, sharing.ConcernData, "Who knows about the referral"),
	referralField(FieldPrevious, sharing.ConcernData, "Earlier referrals", func(r *Referral) { r.Previous = nil }),
	referralField(FieldTriage, sharing.CriminalOffence, "Police triage notes", func(r *Referral) {
		r.Triage.Reason, r.Triage.ReasonableGrounds, r.Triage.Rationale = "", "", ""
	}),
	recordsField(FieldAssessment, sharing.Assessment, "Assessment"),
	recordsField(FieldPanelDecisions, sharing.Assessment, "Panel decisions and their reasons"),
	recordsField(FieldSupportPlan, sharing.SupportPlan, "Support plan"),
	recordsField(FieldInterventions, sharing.SupportPlan, "Interventions and sessions"),
	recordsField(FieldConsent, sharing.SupportPlan, "Consent records"),
}

// fieldInfo returns the catalogue entry of a field.
func fieldInfo(field string) (FieldInfo, bool) {
	for _, fi := range CaseFields {
		if fi.Field == field {
			return fi, true
		}
	}
	return FieldInfo{}, false
}

// Part is one leaf of a referral's details.
type Part struct {
	// Key is its path in the details as stored and as the API names it ("person.additional_needs"), and its
	// key in the subject access bundle (after "referral:<id>:"). Its last element, Name, names it in the
	// sealed details and in a correction.
	Key string
	// Field is the case field it belongs to (CaseFields); "" for the referrer's own answers about the
	// referral, which whoever may see the case sees.
	Field string
	// Input is the name of its question on the referral form, which names it in validation errors.
	Input string
	// Label names it where it is shown on its own: in the subject access bundle and in the choice of the
	// detail to correct.
	Label string
	// Sealed parts are stored only encrypted under the referral's data key (sealed.go): the special-category
	// and criminal-offence free text. Names, date of birth and address stay plain because matching searches
	// them. A sealed part is never corrected in place.
	Sealed bool
	// Codes is the reference list its values are codes of; the bundle shows their labels.
	Codes List

	check   check        // what a draft may not hold in it, even unfinished; nil for nothing
	correct correction   // how a corrected value is read; nil when it cannot be corrected
	group   *bundleGroup // the bundle item it shares with other parts; nil for an item of its own
	index   []int        // where it is in ReferralInput
}

// Name is the last element of the part's key.
func (p Part) Name() string { return p.Key[strings.LastIndex(p.Key, ".")+1:] }

// Correctable reports whether the part can be corrected (rectification): only plain parts of the person's
// details can be.
func (p Part) Correctable() bool { return p.correct != nil }

// value is the part in d, settable.
func (p Part) value(d *ReferralInput) reflect.Value {
	return reflect.ValueOf(d).Elem().FieldByIndex(p.index)
}

// bundleGroup is an item of the subject access bundle whose value joins the values of several parts.
type bundleGroup struct{ key, label string }

var addressItem = &bundleGroup{"person.address", "Address"}

// Parts are the leaves of a referral's details. The subject access bundle shows the person's parts ("person.…")
// and the concern's ("concern.…"), each in a section of its own, in this order; the referral's answers at the
// top level are not shown in it. The concern's free text comes before the person's additional needs and other
// agencies because that is the order in which a draft's checks report them and the sealed details are written.
var Parts = resolveParts([]Part{
	{Key: "person.given_names", Field: FieldName, Input: "given-names", Label: "Given names", check: atMost(200), correct: correctText},
	{Key: "person.family_name", Field: FieldName, Input: "family-name", Label: "Family name", check: atMost(200), correct: correctText},
	{Key: "person.aliases", Field: FieldAliases, Input: "aliases", Label: "Other names", check: eachAtMost(20, 200), correct: correctNames},
	{Key: "person.date_of_birth", Field: FieldDateOfBirth, Input: "date-of-birth", Label: "Date of birth", check: bornSince1900, correct: correctDate},
	{Key: "person.approximate_age", Field: FieldDateOfBirth, Input: "approximate-age", Label: "Approximate age", check: between(0, 120)},
	{Key: "person.gender", Field: FieldGender, Input: "gender", Label: "Gender", check: atMost(100), correct: correctText},
	{Key: "person.address_line1", Field: FieldAddress, Input: "address-line1", Label: "Address line 1", group: addressItem, check: atMost(200), correct: correctText},
	{Key: "person.address_line2", Field: FieldAddress, Input: "address-line2", Label: "Address line 2", group: addressItem, check: atMost(200), correct: correctText},
	{Key: "person.town", Field: FieldAddress, Input: "town", Label: "Town or city", group: addressItem, check: atMost(200), correct: correctText},
	{Key: "person.postcode", Field: FieldAddress, Input: "postcode", Label: "Postcode", group: addressItem, check: postcode, correct: correctPostcode},
	{Key: "person.local_authority", Field: FieldAddress, Input: "local-authority", Label: "Local authority", check: atMost(200), correct: correctText},
	{Key: "person.setting", Field: FieldSetting, Input: "setting", Label: "School, college or employer", check: atMost(200)},
	{Key: "person.languages", Field: FieldLanguages, Input: "languages", Label: "Languages", check: eachAtMost(20, 100)},
	{Key: "concern.types", Field: FieldConcernTypes, Input: "types", Label: "Types of concern", Codes: ConcernTypes},
	{Key: "concern.what_happened", Field: FieldConcern, Input: "what-happened", Label: "What happened", Sealed: true, check: freeText},
	{Key: "concern.how_found", Field: FieldConcern, Input: "how-found", Label: "How it came to light", Sealed: true, check: freeText},
	{Key: "concern.words_used", Field: FieldConcern, Input: "words-used", Label: "Words used", Sealed: true, check: freeText},
	{Key: "concern.online_activity", Field: FieldConcern, Input: "online-activity", Label: "Online activity", Sealed: true, check: freeText},
	{Key: "concern.contacts", Field: FieldConcern, Input: "contacts", Label: "Contacts and associates", Sealed: true, check: freeText},
	{Key: "concern.fears", Field: FieldConcern, Input: "fears", Label: "What the referrer feared", Sealed: true, check: freeText},
	{Key: "person.additional_needs", Field: FieldAdditionalNeeds, Input: "additional-needs", Label: "Additional needs", Sealed: true, check: freeText},
	{Key: "person.other_agencies", Field: FieldOtherAgencies, Input: "other-agencies", Label: "Other agencies involved", Sealed: true, check: freeText},
	{Key: "person_knows", Field: FieldKnowledge, Input: "person-knows", Label: "Whether the person knows of the referral"},
	{Key: "parent_knows", Field: FieldKnowledge, Input: "parent-knows", Label: "Whether a parent or carer knows of the referral"},
	{Key: "referrer_sector", Input: "sector", Label: "Sector of the referring organisation"},
	{Key: "danger_acknowledged", Input: "danger", Label: "The referrer confirmed nobody is in immediate danger"},
})

// fieldParts indexes Parts by their case field.
var fieldParts = func() map[string][]int {
	out := map[string][]int{}
	for i, p := range Parts {
		if p.Field != "" {
			out[p.Field] = append(out[p.Field], i)
		}
	}
	return out
}()

// resolveParts finds each part's key in ReferralInput by the JSON names of its fields. A key that names no
// field, or a part that can be corrected but is sealed or not the person's, is a mistake in the registry that
// the service must not run with: CorrectPerson rewrites one key of the person's plain details, and would
// write sealed text into them.
func resolveParts(parts []Part) []Part {
	t := reflect.TypeFor[ReferralInput]()
	for i, p := range parts {
		idx, ok := jsonPath(t, strings.Split(p.Key, "."))
		if !ok {
			panic(fmt.Sprintf("casework: registry part %q is not a field of ReferralInput", p.Key))
		}
		if p.correct != nil && (p.Sealed || p.Key != "person."+p.Name()) {
			panic(fmt.Sprintf("casework: registry part %q can be corrected but is sealed or not the person's", p.Key))
		}
		parts[i].index = idx
	}
	return parts
}

// jsonPath is the index of the field named by path (JSON names) in the struct type t.
func jsonPath(t reflect.Type, path []string) ([]int, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || jsonName(f) != path[0] {
			continue
		}
		if len(path) == 1 {
			return []int{i}, true
		}
		if f.Type.Kind() != reflect.Struct {
			return nil, false
		}
		rest, ok := jsonPath(f.Type, path[1:])
		return append([]int{i}, rest...), ok
	}
	return nil, false
}

// jsonName is the name encoding/json gives a struct field: "-" when it is never encoded.
func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" {
		return f.Name
	}
	return name
}

// empty reports whether v is left out of JSON under omitempty: the details store no empty part.
func empty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String, reflect.Slice, reflect.Map:
		return v.Len() == 0
	}
	return v.IsZero()
}

// check says what is wrong with a part's value v in a draft, by its label, or "".
type check func(label string, v reflect.Value, now time.Time) string

// atMost bounds a short text, such as a name, in characters.
func atMost(n int) check {
	return func(label string, v reflect.Value, _ time.Time) string {
		if utf8.RuneCountInString(v.String()) > n {
			return label + " must be " + thousands(n) + " characters or fewer"
		}
		return ""
	}
}

// eachAtMost bounds a list of short texts (other names, languages): at most count of them, each of at most n
// characters.
func eachAtMost(count, n int) check {
	return func(label string, v reflect.Value, _ time.Time) string {
		if v.Len() > count {
			return fmt.Sprintf("%s must be %d or fewer", label, count)
		}
		for i := range v.Len() {
			if utf8.RuneCountInString(v.Index(i).String()) > n {
				return "Each of the " + strings.ToLower(label) + " must be " + thousands(n) + " characters or fewer"
			}
		}
		return ""
	}
}

// maxPostcode is the length of the longest UK postcode written with its space ("SW1A 1AA"): an outward code
// of two to four characters, a space, and an inward code of three.
const maxPostcode = 8

// postcode bounds a postcode. Its format is not checked: a referrer may know only part of it.
func postcode(label string, v reflect.Value, _ time.Time) string {
	if utf8.RuneCountInString(strings.TrimSpace(v.String())) > maxPostcode {
		return label + " must be " + strconv.Itoa(maxPostcode) + " characters or fewer, like SW1A 1AA"
	}
	return ""
}

// freeText bounds an answer in the referrer's own words.
func freeText(_ string, v reflect.Value, _ time.Time) string {
	if utf8.RuneCountInString(v.String()) > maxText {
		return "Answer must be " + thousands(maxText) + " characters or fewer"
	}
	return ""
}

// earliestBirth is the first date of birth the service records, as its date inputs accept (a year of four
// figures from 1900).
var earliestBirth = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// bornSince1900 refuses a date of birth after now or before 1900.
func bornSince1900(label string, v reflect.Value, now time.Time) string {
	t := v.Interface().(time.Time)
	switch {
	case t.IsZero():
	case t.After(now):
		return label + " must be in the past"
	case t.Before(earliestBirth):
		return label + " must be in 1900 or later"
	}
	return ""
}

// between bounds a whole number.
func between(lo, hi int) check {
	return func(label string, v reflect.Value, _ time.Time) string {
		if n := v.Int(); n < int64(lo) || n > int64(hi) {
			return fmt.Sprintf("%s must be a number from %d to %d", label, lo, hi)
		}
		return ""
	}
}

// thousands writes n with a comma between each group of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// correction reads a corrected value (already trimmed) of the part labelled label into the JSON stored for it
// (null to remove it), or says what is wrong with it.
type correction func(label, value string, now time.Time) (json.RawMessage, string)

// correctText reads a short text.
func correctText(_, value string, _ time.Time) (json.RawMessage, string) {
	raw, _ := json.Marshal(value)
	if len(value) > 200 {
		return raw, "The corrected value must be 200 characters or fewer"
	}
	return raw, ""
}

// correctPostcode reads a corrected postcode, bounded as the referral form bounds it.
func correctPostcode(label, value string, _ time.Time) (json.RawMessage, string) {
	raw, _ := json.Marshal(value)
	if utf8.RuneCountInString(strings.TrimSpace(value)) > maxPostcode {
		return raw, label + " must be " + strconv.Itoa(maxPostcode) + " characters or fewer, like SW1A 1AA"
	}
	return raw, ""
}

// correctNames reads names separated by commas.
func correctNames(label, value string, _ time.Time) (json.RawMessage, string) {
	var names []string
	for _, n := range strings.Split(value, ",") {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}
	raw, _ := json.Marshal(names)
	if len(value) > 1000 {
		return raw, label + " must be " + thousands(1000) + " characters or fewer"
	}
	return raw, ""
}

// correctDate reads a date as YYYY-MM-DD, which must be in the past.
func correctDate(label, value string, now time.Time) (json.RawMessage, string) {
	if value == "" {
		return json.RawMessage(`null`), ""
	}
	d, err := time.Parse("2006-01-02", value)
	if err != nil {
		return nil, "Enter the " + strings.ToLower(label) + " as a real date"
	}
	if msg := bornSince1900(label, reflect.ValueOf(d), now); msg != "" {
		return nil, msg
	}
	raw, _ := json.Marshal(d)
	return raw, ""
}

// correctable returns the part of the person's details that the name of a correction names, if it can be
// corrected (only the person's plain parts can be; resolveParts makes sure).
func correctable(name string) (Part, bool) {
	for _, p := range Parts {
		if p.Correctable() && p.Name() == name {
			return p, true
		}
	}
	return Part{}, false
}

// CorrectValue reads a corrected value of the part a correction names (a date as YYYY-MM-DD, other names
// separated by commas, "" to remove a wrong value) into the JSON that CorrectPerson stores, or says what is
// wrong with it. A name that is not of a part that can be corrected is read as a short text, so that its value
// is still checked; the caller refuses the name itself.
func CorrectValue(name, value string, now time.Time) (json.RawMessage, string) {
	if p, ok := correctable(name); ok {
		return p.correct(p.Label, value, now)
	}
	return correctText("", value, now)
}
