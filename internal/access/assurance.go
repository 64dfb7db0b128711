package access

import (
	"slices"

	"github.com/preventplatform/prevent/internal/prevent"
)

// Actions on the partnership's self-assessment of its own delivery (internal/assurance): the frameworks it
// assesses itself against and its yearly assessments. None of these records is about a person.
const (
	// SelfAssessmentView: read the frameworks, the partnership's assessments and their year-on-year history.
	SelfAssessmentView Action = "self-assessment.view"
	// SelfAssessmentEdit: start an assessment, rate sections, write narratives, link evidence, keep improvement
	// actions, and submit it for approval.
	SelfAssessmentEdit Action = "self-assessment.edit"
	// SelfAssessmentApprove: approve a submitted assessment, or return it to draft with a reason.
	SelfAssessmentApprove Action = "self-assessment.approve"
	// AssuranceFrameworkManage: revise a framework's wording as a new version of the partnership's own.
	AssuranceFrameworkManage Action = "assurance-framework.manage"
)

// assuranceActions is the self-assessment part of the permission table, merged into permitted.
//
// The self-assessment is the partnership's judgement of its programme, so it follows the programme's rights:
// those who edit and approve the delivery plan (coordinators, who run the programme day to day, and
// administrators, who run the partnership) edit and approve the assessment, and every role that reads the plan
// reads the assessment, analysts included. Revising a framework's wording changes what every later assessment
// is measured against, so it is for administrators alone, as local legal gateways are.
var assuranceActions = map[prevent.Role][]Action{
	prevent.Administrator:  {SelfAssessmentView, SelfAssessmentEdit, SelfAssessmentApprove, AssuranceFrameworkManage},
	prevent.Coordinator:    {SelfAssessmentView, SelfAssessmentEdit, SelfAssessmentApprove},
	prevent.PoliceOfficer:  {SelfAssessmentView},
	prevent.Referrer:       {SelfAssessmentView},
	prevent.PanelChair:     {SelfAssessmentView},
	prevent.PanelMember:    {SelfAssessmentView},
	prevent.Provider:       {SelfAssessmentView},
	prevent.Analyst:        {SelfAssessmentView},
	prevent.DataProtection: {SelfAssessmentView},
	prevent.Auditor:        {SelfAssessmentView},
}

// AssuranceActions returns the self-assessment actions a role permits (for help pages and tests).
func AssuranceActions(r prevent.Role) []Action { return slices.Clone(assuranceActions[r]) }
