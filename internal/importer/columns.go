package importer

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"

	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/xuri/excelize/v2"
)

// Kind is what a file holds.
type Kind string

// The kinds of file.
const (
	People Kind = "people"
	Cases  Kind = "cases"
)

// Valid reports whether k is a kind of file that can be imported.
func (k Kind) Valid() bool { return k == People || k == Cases }

// Column is one column of a template: its heading, whether every row needs it, the form field its problems
// are reported against, and what it holds.
type Column struct {
	Name     string
	Required bool
	// Field is the name the domain's checks use for this column (the form field's name).
	Field string
	Help  string
}

// PeopleColumns are the columns of a people file, one person a row.
var PeopleColumns = []Column{
	{Name: "organisation", Required: true, Field: "organisation", Help: "The name of the person's organisation: a member of the partnership, or a new one described in the next two columns"},
	{Name: "sector", Field: "sector", Help: "For an organisation new to the service: its sector code (" + sectorCodes() + ")"},
	{Name: "public_body", Field: "public-body", Help: "For an organisation new to the service: yes or no"},
	{Name: "name", Required: true, Field: "name", Help: "The person's full name"},
	{Name: "email", Required: true, Field: "email", Help: "Their work email address, which they sign in with"},
	{Name: "job_title", Field: "job-title", Help: "Their job title"},
	{Name: "roles", Required: true, Field: "roles", Help: "Role codes separated by semicolons: " + roleCodes()},
}

// CaseColumns are the columns of a cases file, one referral or case a row.
var CaseColumns = []Column{
	{Name: "source_reference", Required: true, Field: "source-reference", Help: "The case's reference in the system it comes from; unique in the file and never imported before"},
	{Name: "stage", Required: true, Field: "stage", Help: "Where the case is: submitted, police_triage, closed_nfa, signposted, police_led_management, pursue_handover or channel_screening"},
	{Name: "referred_on", Required: true, Field: "referred-on", Help: "The date of the referral (YYYY-MM-DD or DD/MM/YYYY)"},
	{Name: "referrer_organisation", Required: true, Field: "referrer-organisation", Help: "The name of the referring member organisation"},
	{Name: "referrer_email", Field: "referrer", Help: "The email of the member of staff who referred, if they have an account"},
	{Name: "given_names", Field: "given-names", Help: "The person's given names (a given or family name is needed)"},
	{Name: "family_name", Field: "family-name", Help: "The person's family name"},
	{Name: "aliases", Field: "aliases", Help: "Other names, separated by semicolons"},
	{Name: "date_of_birth", Field: "date-of-birth", Help: "Date of birth (YYYY-MM-DD or DD/MM/YYYY)"},
	{Name: "approximate_age", Field: "approximate-age", Help: "Approximate age in years, when the date of birth is not known"},
	{Name: "address_line1", Field: "address-line1", Help: "Address line 1"},
	{Name: "address_line2", Field: "address-line2", Help: "Address line 2"},
	{Name: "town", Field: "town", Help: "Town or city"},
	{Name: "postcode", Field: "postcode", Help: "Postcode"},
	{Name: "local_authority", Field: "local-authority", Help: "Local authority"},
	{Name: "setting", Field: "setting", Help: "School, college or employer"},
	{Name: "languages", Field: "languages", Help: "Languages spoken, separated by semicolons"},
	{Name: "additional_needs", Field: "additional-needs", Help: "Additional needs"},
	{Name: "other_agencies", Field: "other-agencies", Help: "Other agencies involved"},
	{Name: "types", Required: true, Field: "types", Help: "Type of concern codes separated by semicolons, from the partnership's list of types of concern"},
	{Name: "what_happened", Required: true, Field: "what-happened", Help: "What happened that worried the referrer"},
	{Name: "how_found", Field: "how-found", Help: "How it came to light"},
	{Name: "words_used", Field: "words-used", Help: "Words used"},
	{Name: "online_activity", Field: "online-activity", Help: "Online activity"},
	{Name: "contacts", Field: "contacts", Help: "Contacts and associates"},
	{Name: "fears", Field: "fears", Help: "What the referrer feared"},
	{Name: "person_knows", Required: true, Field: "person-knows", Help: "Whether the person knows of the referral: yes, no or not_known"},
	{Name: "parent_knows", Field: "parent-knows", Help: "For a person under 18, whether a parent or carer knows: yes, no or not_known"},
	{Name: "triaged_by", Field: "triaged-by", Help: "After triage: the email of the police officer who triaged the referral"},
	{Name: "triaged_on", Field: "triaged-on", Help: "After triage: the date of the triage decision"},
	{Name: "deconfliction", Field: "deconfliction", Help: "After triage: no_trace, known_no_live_matter, live_investigation or other"},
	{Name: "reason", Field: "reason", Help: "For closed_nfa: the reason code for no further action"},
	{Name: "service", Field: "service", Help: "For signposted: the code of the service the person was signposted to"},
	{Name: "reasonable_grounds", Field: "reasonable-grounds", Help: "For channel_screening: why there were reasonable grounds to believe the person vulnerable to being drawn into terrorism"},
	{Name: "rationale", Field: "rationale", Help: "For police_led_management: the reason for the decision"},
	{Name: "case_officer", Field: "case-officer", Help: "For channel_screening: the email of the case officer who holds the case"},
}

func sectorCodes() string {
	var out []string
	for _, s := range partnership.Sectors {
		out = append(out, string(s.Sector))
	}
	return strings.Join(out, ", ")
}

func roleCodes() string {
	var out []string
	for _, r := range prevent.Roles {
		out = append(out, string(r))
	}
	return strings.Join(out, ", ")
}

// Columns returns the columns of a kind of file.
func Columns(k Kind) []Column {
	if k == People {
		return PeopleColumns
	}
	return CaseColumns
}

// columnOf returns the column a domain field's problem belongs to.
func columnOf(k Kind, field string) string {
	for _, c := range Columns(k) {
		if c.Field == field {
			return c.Name
		}
	}
	return strings.ReplaceAll(field, "-", "_")
}

// Template returns the empty template of a kind of file: CSV with the headings, or a workbook with the
// headings on its first sheet and a guidance sheet saying what each column holds.
func Template(k Kind, format string) ([]byte, error) {
	cols := Columns(k)
	var names []string
	for _, c := range cols {
		names = append(names, c.Name)
	}
	if format == "csv" {
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		if err := w.Write(names); err != nil {
			return nil, err
		}
		w.Flush()
		return b.Bytes(), w.Error()
	}
	f := excelize.NewFile()
	defer f.Close()
	sheet := string(k)
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	for i, n := range names {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		if err := f.SetCellStr(sheet, cell, n); err != nil {
			return nil, err
		}
	}
	if _, err := f.NewSheet("Guidance"); err != nil {
		return nil, err
	}
	for i, h := range []string{"Column", "Required", "What it holds"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		_ = f.SetCellStr("Guidance", cell, h)
	}
	for i, c := range cols {
		req := "no"
		if c.Required {
			req = "yes"
		}
		for j, v := range []string{c.Name, req, c.Help} {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+2)
			if err := f.SetCellStr("Guidance", cell, v); err != nil {
				return nil, err
			}
		}
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("importer: template: %w", err)
	}
	return b.Bytes(), nil
}
