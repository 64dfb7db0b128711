package access

import (
	"slices"

	"github.com/preventplatform/prevent/internal/prevent"
)

// Actions on the partnership's programme of action (internal/programme): the delivery plan, projects,
// governance, funding, shared-values due diligence, training and the resources library. None of these
// records is about a person referred, so none needs need-to-know; library documents carry a marking.
const (
	// PlanView: read the delivery plan, its projects, milestones, impacts, evaluation, lessons and the
	// objectives reference list.
	PlanView Action = "plan.view"
	// PlanEdit: draft the plan's sections, start a year's plan, share lessons learned.
	PlanEdit Action = "plan.edit"
	// PlanApprove: approve, activate, withdraw approval or close a plan.
	PlanApprove Action = "plan.approve"
	// ProjectEdit: add and change projects, milestones, impacts, evaluation plans and findings.
	ProjectEdit Action = "project.edit"
	// GovernanceView: read board meetings, decisions and the action log, and the elected-member briefing.
	GovernanceView Action = "governance.view"
	// GovernanceEdit: record board meetings, attendance, decisions and actions.
	GovernanceEdit Action = "governance.edit"
	// FundingView: read funding streams, allocations, spend and the budget report (aggregates, no people).
	FundingView Action = "funding.view"
	// FundingEdit: add streams, allocate, record spend and commissioning decisions.
	FundingEdit Action = "funding.edit"
	// DueDiligenceView: read shared-values due-diligence reviews of organisations.
	DueDiligenceView Action = "due-diligence.view"
	// DueDiligenceEdit: record a shared-values due-diligence review.
	DueDiligenceEdit Action = "due-diligence.edit"
	// TrainingView: read training coverage against targets (counts per organisation, no names).
	TrainingView Action = "training.view"
	// TrainingEdit: manage courses and targets, record and list completions by person.
	TrainingEdit Action = "training.edit"
	// LibraryView: list and read library documents whose marking the principal's clearance covers.
	LibraryView Action = "library.view"
	// LibraryEdit: upload documents and new versions, change their details.
	LibraryEdit Action = "library.edit"
	// QandAEdit: edit the partnership's public questions and answers (reading them is Public).
	QandAEdit Action = "qanda.edit"
)

// programmeActions is the programme part of the permission table, to be merged into roleActions.
//
// Coordinators run the programme day to day and administrators run the partnership, so both edit everything
// and approve plans. The police Prevent officer is a core partner: reads the plan, governance, funding and the
// library. Other working roles (referrers, panel members and chairs, providers) read the plan, its projects and
// the library: shared learning is for the whole partnership. Analysts see no personal data: they read the plan,
// funding aggregates, training coverage (counts) and the library. Auditors and the data protection officer
// read what they must assure: auditors everything but editing, the DPO the plan, due diligence (contestable
// decisions about organisations), governance and the library. Only editors list completions by named person.
var programmeActions = map[prevent.Role][]Action{
	prevent.Administrator: {PlanView, PlanEdit, PlanApprove, ProjectEdit, GovernanceView, GovernanceEdit,
		FundingView, FundingEdit, DueDiligenceView, DueDiligenceEdit, TrainingView, TrainingEdit,
		LibraryView, LibraryEdit, QandAEdit},
	prevent.Coordinator: {PlanView, PlanEdit, PlanApprove, ProjectEdit, GovernanceView, GovernanceEdit,
		FundingView, FundingEdit, DueDiligenceView, DueDiligenceEdit, TrainingView, TrainingEdit,
		LibraryView, LibraryEdit, QandAEdit},
	prevent.PoliceOfficer:  {PlanView, GovernanceView, FundingView, TrainingView, LibraryView},
	prevent.Referrer:       {PlanView, LibraryView},
	prevent.PanelChair:     {PlanView, GovernanceView, LibraryView},
	prevent.PanelMember:    {PlanView, LibraryView},
	prevent.Provider:       {PlanView, LibraryView},
	prevent.Analyst:        {PlanView, FundingView, TrainingView, LibraryView},
	prevent.DataProtection: {PlanView, GovernanceView, DueDiligenceView, LibraryView},
	prevent.Auditor:        {PlanView, GovernanceView, FundingView, DueDiligenceView, TrainingView, LibraryView},
}

// ProgrammeActions returns the programme actions a role permits (for help pages and tests).
func ProgrammeActions(r prevent.Role) []Action { return slices.Clone(programmeActions[r]) }
