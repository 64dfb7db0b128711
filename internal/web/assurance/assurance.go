// Package assurance holds the pages of the partnership's self-assessment (internal/assurance): its yearly
// assessments against a framework, each section rated on the framework's scale with a narrative, evidence and
// improvement actions, submitted and approved or returned; the year-on-year history of each section; and the
// frameworks themselves, which an administrator may revise as a version of the partnership's own. Nothing here
// is about a person referred or supported.
package assurance

import (
	"net/url"
	"strconv"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/assurance"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
	"github.com/preventplatform/prevent/internal/web/core"
)

// Deps are what the pages need. Programme and Partnership only fill the choices of evidence and of an action's
// owner; the assurance service decides again what may be linked.
type Deps struct {
	Assurance   *assurance.Service
	Programme   *programme.Service
	Partnership *partnership.Service
	Now         func() time.Time
}

// The pages' addresses. A section is named by its code in the section query parameter, an action by its id in
// the action parameter.
var (
	// ListPath lists the partnership's assessments.
	ListPath = core.NewPath1("/partnerships/{pid}/self-assessments")
	// StartPath starts an assessment of a year against a framework version.
	StartPath = core.NewPath1("/partnerships/{pid}/self-assessments/start")
	// HistoryPath is the year-on-year history of one framework's sections, chosen with the framework parameter.
	HistoryPath = core.NewPath1("/partnerships/{pid}/self-assessments/history")
	// AssessmentPath is one assessment as a task list of its sections.
	AssessmentPath = core.NewPath2("/partnerships/{pid}/self-assessments/{id}")
	// SectionPath shows a section and saves its rating and narrative.
	SectionPath = core.NewPath2("/partnerships/{pid}/self-assessments/{id}/section")
	// EvidencePath links evidence to a section.
	EvidencePath = core.NewPath2("/partnerships/{pid}/self-assessments/{id}/evidence")
	// RemoveEvidencePath unlinks a piece of evidence.
	RemoveEvidencePath = core.NewPath2("/partnerships/{pid}/self-assessments/{id}/evidence/remove")
	// ActionsPath adds an improvement action to a section.
	ActionsPath = core.NewPath2("/partnerships/{pid}/self-assessments/{id}/actions")
	// ActionPath shows and changes one improvement action.
	ActionPath = core.NewPath2("/partnerships/{pid}/self-assessments/{id}/action")
	// RemoveActionPath removes an improvement action.
	RemoveActionPath = core.NewPath2("/partnerships/{pid}/self-assessments/{id}/action/remove")
	// SubmitPath submits a draft for approval.
	SubmitPath = core.NewPath2("/partnerships/{pid}/self-assessments/{id}/submit")
	// ApprovePath approves a submitted assessment.
	ApprovePath = core.NewPath2("/partnerships/{pid}/self-assessments/{id}/approve")
	// ReturnPath returns a submitted assessment to draft with a reason.
	ReturnPath = core.NewPath2("/partnerships/{pid}/self-assessments/{id}/return")
	// FrameworksPath lists the framework versions the partnership may assess itself against.
	FrameworksPath = core.NewPath1("/partnerships/{pid}/assurance-frameworks")
	// FrameworkPath is one framework version with its sections and scale.
	FrameworkPath = core.NewPath2("/partnerships/{pid}/assurance-frameworks/{id}")
	// RevisePath makes a new version of the partnership's own from a version.
	RevisePath = core.NewPath2("/partnerships/{pid}/assurance-frameworks/{id}/revise")
	// EditFrameworkPath rewords one of the partnership's own versions that no assessment uses yet.
	EditFrameworkPath = core.NewPath2("/partnerships/{pid}/assurance-frameworks/{id}/edit")
)

// sectionLink is the address of a section's page.
func sectionLink(pid, id prevent.ID, code string) string {
	return SectionPath.Link(pid, id) + "?" + url.Values{"section": {code}}.Encode()
}

// sectionPost is the address a section's form posts to, naming the section.
func sectionPost(p core.Path2, pid, id prevent.ID, code string) string {
	return p.Link(pid, id) + "?" + url.Values{"section": {code}}.Encode()
}

// actionLink is the address of an improvement action's page.
func actionLink(pid, id prevent.ID, code string, action prevent.ID) string {
	return ActionPath.Link(pid, id) + "?" + url.Values{"section": {code}, "action": {strconv.FormatInt(action, 10)}}.Encode()
}

// historyLink is the address of a framework's history.
func historyLink(pid prevent.ID, code string) string {
	return HistoryPath.Link(pid) + "?" + url.Values{"framework": {code}}.Encode()
}

type pages struct {
	core.Pages
	d Deps
}

// Register adds the self-assessment pages to the site.
func Register(site core.Site, d Deps) {
	if d.Now == nil {
		d.Now = time.Now
	}
	p := &pages{Pages: site, d: d}
	view, edit, approve, manage := access.SelfAssessmentView, access.SelfAssessmentEdit, access.SelfAssessmentApprove, access.AssuranceFrameworkManage
	site.Handle("GET", ListPath.Pattern(), view, p.handleList)
	site.Handle("GET", StartPath.Pattern(), edit, p.handleStart)
	site.Handle("POST", StartPath.Pattern(), edit, p.handleStartPost)
	site.Handle("GET", HistoryPath.Pattern(), view, p.handleHistory)
	site.Handle("GET", AssessmentPath.Pattern(), view, p.handleAssessment)
	site.Handle("GET", SectionPath.Pattern(), view, p.handleSection)
	site.Handle("POST", SectionPath.Pattern(), edit, p.handleRate)
	site.Handle("POST", EvidencePath.Pattern(), edit, p.handleAddEvidence)
	site.Handle("POST", RemoveEvidencePath.Pattern(), edit, p.handleRemoveEvidence)
	site.Handle("POST", ActionsPath.Pattern(), edit, p.handleAddAction)
	site.Handle("GET", ActionPath.Pattern(), edit, p.handleAction)
	site.Handle("POST", ActionPath.Pattern(), edit, p.handleUpdateAction)
	site.Handle("POST", RemoveActionPath.Pattern(), edit, p.handleRemoveAction)
	site.Handle("POST", SubmitPath.Pattern(), edit, p.handleSubmit)
	site.Handle("POST", ApprovePath.Pattern(), approve, p.handleApprove)
	site.Handle("POST", ReturnPath.Pattern(), approve, p.handleReturn)
	site.Handle("GET", FrameworksPath.Pattern(), view, p.handleFrameworks)
	site.Handle("GET", FrameworkPath.Pattern(), view, p.handleFramework)
	site.Handle("GET", RevisePath.Pattern(), manage, p.handleRevise)
	site.Handle("POST", RevisePath.Pattern(), manage, p.handleRevisePost)
	site.Handle("GET", EditFrameworkPath.Pattern(), manage, p.handleEditFramework)
	site.Handle("POST", EditFrameworkPath.Pattern(), manage, p.handleEditFrameworkPost)
}
