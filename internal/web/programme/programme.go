// Package programme holds the pages of the partnership's programme of action (internal/programme): the delivery
// plan, projects and activities, lessons learned, governance and the briefing for elected members, funding and
// commissioning, shared-values due diligence, training and awareness, the resources library and the public
// questions and answers. The programme service decides access again on every call, checks each record against
// the partnership and, for library documents, the marking against the person's clearance.
package programme

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/a-h/templ"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
	"github.com/preventplatform/prevent/internal/web/admin"
	"github.com/preventplatform/prevent/internal/web/core"
	"github.com/preventplatform/prevent/internal/web/govuk"
)

// Deps are what the pages need. Partnership only fills the choices of organisations and people on the forms;
// the programme service checks again whatever is chosen.
type Deps struct {
	Programme   *programme.Service
	Partnership *partnership.Service
	// Now is the clock: the financial year a form starts in, and the day a milestone is marked done.
	Now func() time.Time
}

// The pages' addresses. A plan's section is named by its key in the path (sectionPattern, sectionLink), the one
// address with a wildcard that is not a record id.
var (
	// PublicQuestionsPath is the public questions and answers page, read without signing in; the partnership
	// parameter chooses whose.
	PublicQuestionsPath = core.NewPath0("/questions-and-answers")
	// HomePath is the programme of action's home: a link to each part the reader may see.
	HomePath = core.NewPath1("/partnerships/{pid}/programme")

	// PlansPath lists the delivery plans.
	PlansPath = core.NewPath1("/partnerships/{pid}/programme/plans")
	// NewPlanPath starts a delivery plan.
	NewPlanPath = core.NewPath1("/partnerships/{pid}/programme/plans/new")
	// PlanPath is one plan as a task list of its sections, with its status actions.
	PlanPath = core.NewPath2("/partnerships/{pid}/programme/plans/{id}")
	// PlanStatusPath approves, activates, closes or withdraws approval of a plan.
	PlanStatusPath = core.NewPath2("/partnerships/{pid}/programme/plans/{id}/status")
	// PlanVersionsPath is a plan's version history.
	PlanVersionsPath = core.NewPath2("/partnerships/{pid}/programme/plans/{id}/versions")
	// PlanComparePath compares two versions of a plan, chosen with the a and b parameters.
	PlanComparePath = core.NewPath2("/partnerships/{pid}/programme/plans/{id}/compare")
	// PlanPrintPath is a plan laid out for printing.
	PlanPrintPath = core.NewPath2("/partnerships/{pid}/programme/plans/{id}/print")
	// PlanCSVPath downloads a plan as CSV.
	PlanCSVPath = core.NewPath2("/partnerships/{pid}/programme/plans/{id}/plan.csv")
	// PlanXLSXPath downloads a plan as a spreadsheet.
	PlanXLSXPath = core.NewPath2("/partnerships/{pid}/programme/plans/{id}/plan.xlsx")

	// ProjectsPath lists the projects and activities.
	ProjectsPath = core.NewPath1("/partnerships/{pid}/programme/projects")
	// NewProjectPath adds a project, in the plan given by the plan parameter if there is one.
	NewProjectPath = core.NewPath1("/partnerships/{pid}/programme/projects/new")
	// ProjectPath is one project with its milestones, impacts and evaluation plan.
	ProjectPath = core.NewPath2("/partnerships/{pid}/programme/projects/{id}")
	// ProjectEditPath changes a project.
	ProjectEditPath = core.NewPath2("/partnerships/{pid}/programme/projects/{id}/edit")
	// MilestonesPath adds a milestone to a project.
	MilestonesPath = core.NewPath2("/partnerships/{pid}/programme/projects/{id}/milestones")
	// MilestoneDonePath marks a milestone done, or not done.
	MilestoneDonePath = core.NewPath2("/partnerships/{pid}/programme/projects/{id}/milestones/done")
	// NewImpactPath adds an impact indicator to a project.
	NewImpactPath = core.NewPath2("/partnerships/{pid}/programme/projects/{id}/impacts/new")
	// NewActualPath records an actual against an impact indicator, chosen with the impact parameter.
	NewActualPath = core.NewPath2("/partnerships/{pid}/programme/projects/{id}/actuals/new")
	// EvaluationPath is a project's evaluation plan.
	EvaluationPath = core.NewPath2("/partnerships/{pid}/programme/projects/{id}/evaluation")

	// LessonsPath lists the lessons shared across the partnership.
	LessonsPath = core.NewPath1("/partnerships/{pid}/programme/lessons")
	// NewLessonPath shares a lesson.
	NewLessonPath = core.NewPath1("/partnerships/{pid}/programme/lessons/new")

	// GovernancePath is the board's meetings, decisions and action log.
	GovernancePath = core.NewPath1("/partnerships/{pid}/programme/governance")
	// NewMeetingPath records a board meeting.
	NewMeetingPath = core.NewPath1("/partnerships/{pid}/programme/governance/meetings/new")
	// DecisionsPath records a decision of a meeting.
	DecisionsPath = core.NewPath2("/partnerships/{pid}/programme/governance/meetings/{id}/decisions")
	// NewActionPath adds an action to the log.
	NewActionPath = core.NewPath1("/partnerships/{pid}/programme/governance/actions/new")
	// ActionStatusPath changes an action's status.
	ActionStatusPath = core.NewPath2("/partnerships/{pid}/programme/governance/actions/{id}/status")
	// BriefingPath is the briefing for elected members and MPs.
	BriefingPath = core.NewPath1("/partnerships/{pid}/programme/briefing")

	// FundingPath is the funding page: streams, allocations and spend, budget against spend, commissioning.
	FundingPath = core.NewPath1("/partnerships/{pid}/programme/funding")
	// FundingCSVPath downloads the budget report as CSV, grouped by the framework parameter.
	FundingCSVPath = core.NewPath1("/partnerships/{pid}/programme/funding/report.csv")
	// FundingXLSXPath downloads the budget report as a spreadsheet, grouped by the framework parameter.
	FundingXLSXPath = core.NewPath1("/partnerships/{pid}/programme/funding/report.xlsx")
	// NewStreamPath adds a funding stream.
	NewStreamPath = core.NewPath1("/partnerships/{pid}/programme/funding/streams/new")
	// NewAllocationPath allocates funding to a project.
	NewAllocationPath = core.NewPath1("/partnerships/{pid}/programme/funding/allocations/new")
	// NewSpendPath records spend against an allocation.
	NewSpendPath = core.NewPath1("/partnerships/{pid}/programme/funding/spend/new")
	// NewCommissioningPath records a commissioning decision.
	NewCommissioningPath = core.NewPath1("/partnerships/{pid}/programme/funding/commissioning/new")

	// DueDiligencePath is each member organisation's shared-values standing.
	DueDiligencePath = core.NewPath1("/partnerships/{pid}/programme/due-diligence")
	// ReviewsPath is one organisation's shared-values reviews.
	ReviewsPath = core.NewPath2("/partnerships/{pid}/programme/due-diligence/organisations/{id}")
	// NewReviewPath records a shared-values review of an organisation.
	NewReviewPath = core.NewPath2("/partnerships/{pid}/programme/due-diligence/organisations/{id}/review")

	// TrainingPath lists the courses with their coverage.
	TrainingPath = core.NewPath1("/partnerships/{pid}/programme/training")
	// NewCoursePath adds a course.
	NewCoursePath = core.NewPath1("/partnerships/{pid}/programme/training/courses/new")
	// CoursePath is one course: coverage against target, completions and the forms that record them.
	CoursePath = core.NewPath2("/partnerships/{pid}/programme/training/courses/{id}")
	// CompletionsPath records that someone completed a course.
	CompletionsPath = core.NewPath2("/partnerships/{pid}/programme/training/courses/{id}/completions")
	// TargetsPath sets an organisation's target for a course.
	TargetsPath = core.NewPath2("/partnerships/{pid}/programme/training/courses/{id}/targets")

	// LibraryPath lists the documents the reader's clearance covers.
	LibraryPath = core.NewPath1("/partnerships/{pid}/programme/library")
	// NewDocumentPath uploads a document.
	NewDocumentPath = core.NewPath1("/partnerships/{pid}/programme/library/new")
	// DocumentPath is one document with its versions.
	DocumentPath = core.NewPath2("/partnerships/{pid}/programme/library/{id}")
	// DownloadPath downloads a document, its current version or the one the version parameter names.
	DownloadPath = core.NewPath2("/partnerships/{pid}/programme/library/{id}/download")
	// DocumentVersionsPath uploads a new version of a document.
	DocumentVersionsPath = core.NewPath2("/partnerships/{pid}/programme/library/{id}/versions")

	// QuestionsPath edits the partnership's public questions and answers.
	QuestionsPath = core.NewPath1("/partnerships/{pid}/programme/questions-and-answers")
	// NewQuestionPath adds a question.
	NewQuestionPath = core.NewPath1("/partnerships/{pid}/programme/questions-and-answers/new")
	// QuestionEditPath changes a question.
	QuestionEditPath = core.NewPath2("/partnerships/{pid}/programme/questions-and-answers/{id}/edit")
	// QuestionDeletePath removes a question.
	QuestionDeletePath = core.NewPath2("/partnerships/{pid}/programme/questions-and-answers/{id}/delete")
)

// sectionPattern is a section of a plan, named by its key.
var sectionPattern = PlanPath.Pattern() + "/sections/{key}"

// sectionLink is the address of the section of plan id with key.
func sectionLink(pid, id prevent.ID, key string) string {
	return PlanPath.Link(pid, id) + "/sections/" + key
}

type pages struct {
	core.Pages
	d Deps
}

// Register adds the programme pages to the site. Every route names its action; the service checks each record
// against the partnership and, for library documents, the marking against the person's clearance.
func Register(site core.Site, d Deps) {
	if d.Now == nil {
		d.Now = time.Now
	}
	pg := &pages{Pages: site, d: d}
	get, post := http.MethodGet, http.MethodPost

	site.Handle(get, PublicQuestionsPath.Pattern(), access.Public, pg.handlePublicQandA)
	site.Handle(get, HomePath.Pattern(), access.PlanView, pg.handleHome)

	site.Handle(get, PlansPath.Pattern(), access.PlanView, pg.handlePlans)
	site.Handle(get, NewPlanPath.Pattern(), access.PlanEdit, pg.handlePlanNew)
	site.Handle(post, NewPlanPath.Pattern(), access.PlanEdit, pg.handlePlanNewPost)
	site.Handle(get, PlanPath.Pattern(), access.PlanView, pg.handlePlan)
	site.Handle(get, sectionPattern, access.PlanEdit, pg.handleSection)
	site.Handle(post, sectionPattern, access.PlanEdit, pg.handleSectionPost)
	site.Handle(post, PlanStatusPath.Pattern(), access.PlanApprove, pg.handlePlanStatus)
	site.Handle(get, PlanVersionsPath.Pattern(), access.PlanView, pg.handleVersions)
	site.Handle(get, PlanComparePath.Pattern(), access.PlanView, pg.handleCompare)
	site.Handle(get, PlanPrintPath.Pattern(), access.PlanView, pg.handlePlanPrint)
	site.Handle(get, PlanCSVPath.Pattern(), access.PlanView, pg.handlePlanExport("csv"))
	site.Handle(get, PlanXLSXPath.Pattern(), access.PlanView, pg.handlePlanExport("xlsx"))

	site.Handle(get, ProjectsPath.Pattern(), access.PlanView, pg.handleProjects)
	site.Handle(get, NewProjectPath.Pattern(), access.ProjectEdit, pg.handleProjectNew)
	site.Handle(post, NewProjectPath.Pattern(), access.ProjectEdit, pg.handleProjectNewPost)
	site.Handle(get, ProjectPath.Pattern(), access.PlanView, pg.handleProject)
	site.Handle(get, ProjectEditPath.Pattern(), access.ProjectEdit, pg.handleProjectEdit)
	site.Handle(post, ProjectEditPath.Pattern(), access.ProjectEdit, pg.handleProjectEditPost)
	site.Handle(post, MilestonesPath.Pattern(), access.ProjectEdit, pg.handleMilestonePost)
	site.Handle(post, MilestoneDonePath.Pattern(), access.ProjectEdit, pg.handleMilestoneDone)
	site.Handle(get, NewImpactPath.Pattern(), access.ProjectEdit, pg.handleImpactNew)
	site.Handle(post, NewImpactPath.Pattern(), access.ProjectEdit, pg.handleImpactNewPost)
	site.Handle(get, NewActualPath.Pattern(), access.ProjectEdit, pg.handleActualNew)
	site.Handle(post, NewActualPath.Pattern(), access.ProjectEdit, pg.handleActualNewPost)
	site.Handle(get, EvaluationPath.Pattern(), access.ProjectEdit, pg.handleEvaluation)
	site.Handle(post, EvaluationPath.Pattern(), access.ProjectEdit, pg.handleEvaluationPost)
	site.Handle(get, LessonsPath.Pattern(), access.PlanView, pg.handleLessons)
	site.Handle(get, NewLessonPath.Pattern(), access.PlanEdit, pg.handleLessonNew)
	site.Handle(post, NewLessonPath.Pattern(), access.PlanEdit, pg.handleLessonNewPost)

	site.Handle(get, GovernancePath.Pattern(), access.GovernanceView, pg.handleGovernance)
	site.Handle(get, NewMeetingPath.Pattern(), access.GovernanceEdit, pg.handleMeetingNew)
	site.Handle(post, NewMeetingPath.Pattern(), access.GovernanceEdit, pg.handleMeetingNewPost)
	site.Handle(post, DecisionsPath.Pattern(), access.GovernanceEdit, pg.handleDecisionPost)
	site.Handle(get, NewActionPath.Pattern(), access.GovernanceEdit, pg.handleActionNew)
	site.Handle(post, NewActionPath.Pattern(), access.GovernanceEdit, pg.handleActionNewPost)
	site.Handle(post, ActionStatusPath.Pattern(), access.GovernanceEdit, pg.handleActionStatus)
	site.Handle(get, BriefingPath.Pattern(), access.GovernanceView, pg.handleBriefing)

	site.Handle(get, FundingPath.Pattern(), access.FundingView, pg.handleFunding)
	site.Handle(get, FundingCSVPath.Pattern(), access.FundingView, pg.handleFundingExport("csv"))
	site.Handle(get, FundingXLSXPath.Pattern(), access.FundingView, pg.handleFundingExport("xlsx"))
	site.Handle(get, NewStreamPath.Pattern(), access.FundingEdit, pg.handleStreamNew)
	site.Handle(post, NewStreamPath.Pattern(), access.FundingEdit, pg.handleStreamNewPost)
	site.Handle(get, NewAllocationPath.Pattern(), access.FundingEdit, pg.handleAllocationNew)
	site.Handle(post, NewAllocationPath.Pattern(), access.FundingEdit, pg.handleAllocationNewPost)
	site.Handle(get, NewSpendPath.Pattern(), access.FundingEdit, pg.handleSpendNew)
	site.Handle(post, NewSpendPath.Pattern(), access.FundingEdit, pg.handleSpendNewPost)
	site.Handle(get, NewCommissioningPath.Pattern(), access.FundingEdit, pg.handleCommissioningNew)
	site.Handle(post, NewCommissioningPath.Pattern(), access.FundingEdit, pg.handleCommissioningNewPost)

	site.Handle(get, DueDiligencePath.Pattern(), access.DueDiligenceView, pg.handleDueDiligence)
	site.Handle(get, ReviewsPath.Pattern(), access.DueDiligenceView, pg.handleReviews)
	site.Handle(get, NewReviewPath.Pattern(), access.DueDiligenceEdit, pg.handleReviewNew)
	site.Handle(post, NewReviewPath.Pattern(), access.DueDiligenceEdit, pg.handleReviewNewPost)

	site.Handle(get, TrainingPath.Pattern(), access.TrainingView, pg.handleTraining)
	site.Handle(get, NewCoursePath.Pattern(), access.TrainingEdit, pg.handleCourseNew)
	site.Handle(post, NewCoursePath.Pattern(), access.TrainingEdit, pg.handleCourseNewPost)
	site.Handle(get, CoursePath.Pattern(), access.TrainingView, pg.handleCourse)
	site.Handle(post, CompletionsPath.Pattern(), access.TrainingEdit, pg.handleCompletionPost)
	site.Handle(post, TargetsPath.Pattern(), access.TrainingEdit, pg.handleTargetPost)

	site.Handle(get, LibraryPath.Pattern(), access.LibraryView, pg.handleLibrary)
	site.Handle(get, NewDocumentPath.Pattern(), access.LibraryEdit, pg.handleDocumentNew)
	site.Handle(post, NewDocumentPath.Pattern(), access.LibraryEdit, pg.handleDocumentNewPost)
	site.Handle(get, DocumentPath.Pattern(), access.LibraryView, pg.handleDocument)
	site.Handle(get, DownloadPath.Pattern(), access.LibraryView, pg.handleDownload)
	site.Handle(post, DocumentVersionsPath.Pattern(), access.LibraryEdit, pg.handleVersionPost)

	site.Handle(get, QuestionsPath.Pattern(), access.QandAEdit, pg.handleQandAEditor)
	site.Handle(get, NewQuestionPath.Pattern(), access.QandAEdit, pg.handleQandANew)
	site.Handle(post, NewQuestionPath.Pattern(), access.QandAEdit, pg.handleQandASave)
	site.Handle(get, QuestionEditPath.Pattern(), access.QandAEdit, pg.handleQandAEdit)
	site.Handle(post, QuestionEditPath.Pattern(), access.QandAEdit, pg.handleQandASave)
	site.Handle(post, QuestionDeletePath.Pattern(), access.QandAEdit, pg.handleQandADelete)
}

func principalOf(r *http.Request) prevent.Principal { return prevent.PrincipalFrom(r.Context()) }

// formPage shows a form page with the user's input and the errors found in it.
func (pg *pages) formPage(w http.ResponseWriter, r *http.Request, title, back string, f core.Form, body func(core.Layout) templ.Component) error {
	l := pg.Layout(r, title)
	l.Back, l.Errors = back, f.Errors
	return pg.Page(w, r, l, body(l))
}

// atoi is s as a number, or def when it is not one.
func atoi(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return def
	}
	return n
}

func emptyForm() core.Form { return core.Form{Values: url.Values{}} }

// financialYear is the year the financial year containing t starts in (April to March).
func financialYear(t time.Time) int {
	if t.Month() < time.April {
		return t.Year() - 1
	}
	return t.Year()
}

// dates reads a form's date inputs for the programme service, which takes each day as text (2006-01-02).
type dates struct {
	f    core.Form
	read []string // the names of the date inputs read
	errs []prevent.FieldError
	of   []string // the name of the date input of each error in errs
}

// day reads the required date input called name, whose messages call it label, as text for the service. A
// date left blank or not real is "", which the service refuses as it does every day it requires; the input's
// own GOV.UK message then takes the place of the service's.
func (d *dates) day(name, label string) string {
	d.read = append(d.read, name)
	t, fe := core.ReadDate(d.f, name, label, true)
	if fe.Message != "" {
		d.errs, d.of = append(d.errs, fe), append(d.of, name)
		return ""
	}
	return t.Format(programme.DateLayout)
}

// withErr is the form with err's errors (as Form.WithErr keeps them), each date input's own message in place of
// the service's for that date, and the service's errors of the dates linked to their day field.
func (d *dates) withErr(err error) core.Form {
	f := d.f.WithErr(err)
	var out []prevent.FieldError
	placed := make([]bool, len(d.errs))
	for _, e := range f.Errors {
		if i := slices.Index(d.of, e.Field); i >= 0 {
			if !placed[i] {
				out, placed[i] = append(out, d.errs[i]), true
			}
			continue
		}
		out = append(out, e)
	}
	for i, e := range d.errs {
		if !placed[i] {
			out = append(out, e)
		}
	}
	f.Errors = out
	return core.DateErrorsToDay(f, d.read...)
}

// setDay puts a day the service holds as text (2006-01-02) into the date input called name.
func setDay(v url.Values, name, day string) {
	if t, err := time.Parse(programme.DateLayout, day); err == nil {
		core.SetDateInput(v, name, t)
	}
}

// peopleItems lists the partnership's people for a select, with a blank first item.
func (pg *pages) peopleItems(r *http.Request, pid prevent.ID, blank string) ([]govuk.SelectItem, []partnership.Person, error) {
	people, err := pg.d.Partnership.People(r.Context(), principalOf(r), pid, partnership.PeopleFilter{Limit: 500})
	if err != nil {
		return nil, nil, err
	}
	items := []govuk.SelectItem{{Value: "", Text: blank}}
	for _, p := range people {
		items = append(items, govuk.SelectItem{Value: strconv.FormatInt(p.ID, 10), Text: p.Name + ", " + p.OrganisationName})
	}
	return items, people, nil
}

// timeText is when something was done: 2 November 2026 at 15:04.
func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 January 2006 at 15:04")
}

// homeLink is one entry on the programme home page.
type homeLink struct {
	Text, Href, Hint string
}

func (pg *pages) handleHome(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	links := []homeLink{
		{"Delivery plans", PlansPath.Link(pid), "The yearly delivery plan, its status and version history"},
		{"Projects and activities", ProjectsPath.Link(pid), "Objectives, milestones, RAG status, impacts and evaluation"},
		{"Lessons learned", LessonsPath.Link(pid), "What partners have learned, shared across the partnership"},
	}
	add := func(a access.Action, l homeLink) {
		if pg.May(r, pid, a) {
			links = append(links, l)
		}
	}
	add(access.GovernanceView, homeLink{"Governance", GovernancePath.Link(pid), "Board meetings, decisions and the action log"})
	add(access.GovernanceView, homeLink{"Briefing for elected members", BriefingPath.Link(pid), "The plan’s current state, for elected members and MPs"})
	add(access.FundingView, homeLink{"Funding and commissioning", FundingPath.Link(pid), "Streams, allocations, spend and budget against spend"})
	add(access.DueDiligenceView, homeLink{"Shared-values due diligence", DueDiligencePath.Link(pid), "Reviews of funded and venue-using organisations"})
	add(access.TrainingView, homeLink{"Training and awareness", TrainingPath.Link(pid), "Courses, completions and coverage against targets"})
	add(access.LibraryView, homeLink{"Resources library", LibraryPath.Link(pid), "Local profiles, analysis, guidance and newsletters"})
	add(access.QandAEdit, homeLink{"Questions and answers", QuestionsPath.Link(pid), "Edit the public questions and answers page"})
	l := pg.Layout(r, "Programme of action")
	l.Back = admin.PartnershipPath.Link(pid)
	return pg.Page(w, r, l, homePage(l, links))
}
