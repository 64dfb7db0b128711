package casework

import (
	"slices"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// FieldInfo is one field of a case as a disclosure names it: the name recorded in the ledger, its data
// category, and its label for pages ("Not shared with your organisation").
type FieldInfo struct {
	Field    string
	Category sharing.Category
	Label    string
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

// CaseFields is the catalogue of a case's fields that a disclosure may name, in the order pages list them.
// A disclosure that names categories only discloses every field of those categories.
var CaseFields = []FieldInfo{
	{FieldName, sharing.Identity, "Name"},
	{FieldAliases, sharing.Identity, "Other names"},
	{FieldDateOfBirth, sharing.Identity, "Date of birth or age"},
	{FieldGender, sharing.Identity, "Gender"},
	{FieldAddress, sharing.Contact, "Address and local authority"},
	{FieldLanguages, sharing.Identity, "Languages"},
	{FieldSetting, sharing.EducationData, "School, college or employer"},
	{FieldAdditionalNeeds, sharing.Health, "Additional needs"},
	{FieldOtherAgencies, sharing.SocialCare, "Other agencies involved"},
	{FieldConcern, sharing.ConcernData, "The concern and how it came to light"},
	{FieldConcernTypes, sharing.ConcernData, "Type of concern"},
	{FieldKnowledge, sharing.ConcernData, "Who knows about the referral"},
	{FieldPrevious, sharing.ConcernData, "Earlier referrals"},
	{FieldTriage, sharing.CriminalOffence, "Police triage notes"},
	{FieldAssessment, sharing.Assessment, "Assessment"},
	{FieldPanelDecisions, sharing.Assessment, "Panel decisions and their reasons"},
	{FieldSupportPlan, sharing.SupportPlan, "Support plan"},
	{FieldInterventions, sharing.SupportPlan, "Interventions and sessions"},
	{FieldConsent, sharing.SupportPlan, "Consent records"},
}

// fieldInfo returns the catalogue entry of a field.
func fieldInfo(field string) (FieldInfo, bool) {
	i := slices.IndexFunc(CaseFields, func(fi FieldInfo) bool { return fi.Field == field })
	if i < 0 {
		return FieldInfo{}, false
	}
	return CaseFields[i], true
}

// visible reports whether p may see a field of case c (which p may see): access decides.
func visible(p prevent.Principal, c caseRow, field string) bool {
	fi, _ := fieldInfo(field)
	return access.FieldVisible(p, c.resource(), field, string(fi.Category))
}

// withheld is the minimiser of one read: it zeroes what p may not see of case c and lists its labels.
type withheld struct {
	p      prevent.Principal
	c      caseRow
	labels []string
}

// keep reports whether the field is visible; when not, it records the field's label and the caller zeroes it.
func (w *withheld) keep(field string) bool {
	if visible(w.p, w.c, field) {
		return true
	}
	fi, _ := fieldInfo(field)
	if !slices.Contains(w.labels, fi.Label) {
		w.labels = append(w.labels, fi.Label)
	}
	return false
}

// minimiseReferral zeroes the fields of r that p's organisation was not given, and lists their labels in
// r.Withheld. The organisation that holds the case and coordinating roles see everything.
func minimiseReferral(p prevent.Principal, c caseRow, r *Referral) {
	w := &withheld{p: p, c: c}
	d := &r.Details
	if !w.keep(FieldName) {
		d.Person.GivenNames, d.Person.FamilyName = "", ""
	}
	if !w.keep(FieldAliases) {
		d.Person.Aliases = nil
	}
	if !w.keep(FieldDateOfBirth) {
		d.Person.DateOfBirth, d.Person.ApproximateAge = time.Time{}, 0
	}
	if !w.keep(FieldGender) {
		d.Person.Gender = ""
	}
	if !w.keep(FieldAddress) {
		d.Person.AddressLine1, d.Person.AddressLine2, d.Person.Town, d.Person.Postcode, d.Person.LocalAuthority = "", "", "", "", ""
	}
	if !w.keep(FieldLanguages) {
		d.Person.Languages = nil
	}
	if !w.keep(FieldSetting) {
		d.Person.Setting = ""
	}
	if !w.keep(FieldAdditionalNeeds) {
		d.Person.AdditionalNeeds = ""
	}
	if !w.keep(FieldOtherAgencies) {
		d.Person.OtherAgencies = ""
	}
	if !w.keep(FieldConcern) {
		types := d.Concern.Types
		d.Concern = Concern{Types: types}
	}
	if !w.keep(FieldConcernTypes) {
		d.Concern.Types = nil
	}
	if !w.keep(FieldKnowledge) {
		d.PersonKnows, d.ParentKnows = "", ""
	}
	if !w.keep(FieldPrevious) {
		r.Previous = nil
	}
	if !w.keep(FieldTriage) {
		r.Triage.Reason, r.Triage.ReasonableGrounds, r.Triage.Rationale = "", "", ""
	}
	r.Withheld = w.labels
}
