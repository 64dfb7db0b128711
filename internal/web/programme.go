package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/a-h/templ"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
)

// programmePages serves the partnership's programme of action (internal/programme): the delivery plan,
// projects, lessons, governance, funding, due diligence, training, the resources library and the public
// questions and answers. The programme service decides access again on every call.
type programmePages struct {
	*Server
	svc *programme.Service
}

// registerProgramme adds the programme pages. Every route names its action; the service checks each record
// against the partnership and, for library documents, the marking against the person's clearance.
func (s *Server) registerProgramme() {
	pg := &programmePages{Server: s, svc: s.deps.Programme}
	const P = "/partnerships/{pid}/programme"
	get, post := http.MethodGet, http.MethodPost

	s.handle(get, "/questions-and-answers", access.Public, pg.handlePublicQandA)
	s.handle(get, P, access.PlanView, pg.handleHome)

	s.handle(get, P+"/plans", access.PlanView, pg.handlePlans)
	s.handle(get, P+"/plans/new", access.PlanEdit, pg.handlePlanNew)
	s.handle(post, P+"/plans/new", access.PlanEdit, pg.handlePlanNewPost)
	s.handle(get, P+"/plans/{id}", access.PlanView, pg.handlePlan)
	s.handle(get, P+"/plans/{id}/sections/{key}", access.PlanEdit, pg.handleSection)
	s.handle(post, P+"/plans/{id}/sections/{key}", access.PlanEdit, pg.handleSectionPost)
	s.handle(post, P+"/plans/{id}/status", access.PlanApprove, pg.handlePlanStatus)
	s.handle(get, P+"/plans/{id}/versions", access.PlanView, pg.handleVersions)
	s.handle(get, P+"/plans/{id}/compare", access.PlanView, pg.handleCompare)
	s.handle(get, P+"/plans/{id}/print", access.PlanView, pg.handlePlanPrint)
	s.handle(get, P+"/plans/{id}/plan.csv", access.PlanView, pg.handlePlanExport("csv"))
	s.handle(get, P+"/plans/{id}/plan.xlsx", access.PlanView, pg.handlePlanExport("xlsx"))

	s.handle(get, P+"/projects", access.PlanView, pg.handleProjects)
	s.handle(get, P+"/projects/new", access.ProjectEdit, pg.handleProjectNew)
	s.handle(post, P+"/projects/new", access.ProjectEdit, pg.handleProjectNewPost)
	s.handle(get, P+"/projects/{id}", access.PlanView, pg.handleProject)
	s.handle(get, P+"/projects/{id}/edit", access.ProjectEdit, pg.handleProjectEdit)
	s.handle(post, P+"/projects/{id}/edit", access.ProjectEdit, pg.handleProjectEditPost)
	s.handle(post, P+"/projects/{id}/milestones", access.ProjectEdit, pg.handleMilestonePost)
	s.handle(post, P+"/projects/{id}/milestones/done", access.ProjectEdit, pg.handleMilestoneDone)
	s.handle(get, P+"/projects/{id}/impacts/new", access.ProjectEdit, pg.handleImpactNew)
	s.handle(post, P+"/projects/{id}/impacts/new", access.ProjectEdit, pg.handleImpactNewPost)
	s.handle(get, P+"/projects/{id}/actuals/new", access.ProjectEdit, pg.handleActualNew)
	s.handle(post, P+"/projects/{id}/actuals/new", access.ProjectEdit, pg.handleActualNewPost)
	s.handle(get, P+"/projects/{id}/evaluation", access.ProjectEdit, pg.handleEvaluation)
	s.handle(post, P+"/projects/{id}/evaluation", access.ProjectEdit, pg.handleEvaluationPost)
	s.handle(get, P+"/lessons", access.PlanView, pg.handleLessons)
	s.handle(get, P+"/lessons/new", access.PlanEdit, pg.handleLessonNew)
	s.handle(post, P+"/lessons/new", access.PlanEdit, pg.handleLessonNewPost)

	s.handle(get, P+"/governance", access.GovernanceView, pg.handleGovernance)
	s.handle(get, P+"/governance/meetings/new", access.GovernanceEdit, pg.handleMeetingNew)
	s.handle(post, P+"/governance/meetings/new", access.GovernanceEdit, pg.handleMeetingNewPost)
	s.handle(post, P+"/governance/meetings/{id}/decisions", access.GovernanceEdit, pg.handleDecisionPost)
	s.handle(get, P+"/governance/actions/new", access.GovernanceEdit, pg.handleActionNew)
	s.handle(post, P+"/governance/actions/new", access.GovernanceEdit, pg.handleActionNewPost)
	s.handle(post, P+"/governance/actions/{id}/status", access.GovernanceEdit, pg.handleActionStatus)
	s.handle(get, P+"/briefing", access.GovernanceView, pg.handleBriefing)

	s.handle(get, P+"/funding", access.FundingView, pg.handleFunding)
	s.handle(get, P+"/funding/report.csv", access.FundingView, pg.handleFundingExport("csv"))
	s.handle(get, P+"/funding/report.xlsx", access.FundingView, pg.handleFundingExport("xlsx"))
	s.handle(get, P+"/funding/streams/new", access.FundingEdit, pg.handleStreamNew)
	s.handle(post, P+"/funding/streams/new", access.FundingEdit, pg.handleStreamNewPost)
	s.handle(get, P+"/funding/allocations/new", access.FundingEdit, pg.handleAllocationNew)
	s.handle(post, P+"/funding/allocations/new", access.FundingEdit, pg.handleAllocationNewPost)
	s.handle(get, P+"/funding/spend/new", access.FundingEdit, pg.handleSpendNew)
	s.handle(post, P+"/funding/spend/new", access.FundingEdit, pg.handleSpendNewPost)
	s.handle(get, P+"/funding/commissioning/new", access.FundingEdit, pg.handleCommissioningNew)
	s.handle(post, P+"/funding/commissioning/new", access.FundingEdit, pg.handleCommissioningNewPost)

	s.handle(get, P+"/due-diligence", access.DueDiligenceView, pg.handleDueDiligence)
	s.handle(get, P+"/due-diligence/organisations/{id}", access.DueDiligenceView, pg.handleReviews)
	s.handle(get, P+"/due-diligence/organisations/{id}/review", access.DueDiligenceEdit, pg.handleReviewNew)
	s.handle(post, P+"/due-diligence/organisations/{id}/review", access.DueDiligenceEdit, pg.handleReviewNewPost)

	s.handle(get, P+"/training", access.TrainingView, pg.handleTraining)
	s.handle(get, P+"/training/courses/new", access.TrainingEdit, pg.handleCourseNew)
	s.handle(post, P+"/training/courses/new", access.TrainingEdit, pg.handleCourseNewPost)
	s.handle(get, P+"/training/courses/{id}", access.TrainingView, pg.handleCourse)
	s.handle(post, P+"/training/courses/{id}/completions", access.TrainingEdit, pg.handleCompletionPost)
	s.handle(post, P+"/training/courses/{id}/targets", access.TrainingEdit, pg.handleTargetPost)

	s.handle(get, P+"/library", access.LibraryView, pg.handleLibrary)
	s.handle(get, P+"/library/new", access.LibraryEdit, pg.handleDocumentNew)
	s.handle(post, P+"/library/new", access.LibraryEdit, pg.handleDocumentNewPost)
	s.handle(get, P+"/library/{id}", access.LibraryView, pg.handleDocument)
	s.handle(get, P+"/library/{id}/download", access.LibraryView, pg.handleDownload)
	s.handle(post, P+"/library/{id}/versions", access.LibraryEdit, pg.handleVersionPost)

	s.handle(get, P+"/questions-and-answers", access.QandAEdit, pg.handleQandAEditor)
	s.handle(get, P+"/questions-and-answers/new", access.QandAEdit, pg.handleQandANew)
	s.handle(post, P+"/questions-and-answers/new", access.QandAEdit, pg.handleQandASave)
	s.handle(get, P+"/questions-and-answers/{id}/edit", access.QandAEdit, pg.handleQandAEdit)
	s.handle(post, P+"/questions-and-answers/{id}/edit", access.QandAEdit, pg.handleQandASave)
	s.handle(post, P+"/questions-and-answers/{id}/delete", access.QandAEdit, pg.handleQandADelete)
}

// progPath is a path under the partnership's programme pages.
func progPath(pid prevent.ID, rest ...any) string {
	return partnershipPath(pid, append([]any{"programme"}, rest...)...)
}

func progPrincipal(r *http.Request) prevent.Principal { return prevent.PrincipalFrom(r.Context()) }

// formPage re-renders a form page with the user's input and the errors found in it.
func (pg *programmePages) formPage(w http.ResponseWriter, r *http.Request, title, back string, f form, body func(layout) templ.Component) error {
	l := pg.layout(r, title)
	l.Back, l.Errors = back, f.Errors
	return pg.page(w, r, l, body(l))
}

// invalid reports whether err is a validation failure to show on the form.
func isInvalid(err error) bool { return prevent.ErrorKind(err) == prevent.Invalid }

// refusal reports whether err is a refusal (conflict) to show on the form as it is.
func isRefusal(err error) bool { return prevent.ErrorKind(err) == prevent.Conflict }

func progAtoi(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return def
	}
	return n
}

func formID(s string) prevent.ID {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

func formIDs(ss []string) []prevent.ID {
	var out []prevent.ID
	for _, s := range ss {
		if id := formID(s); id > 0 {
			out = append(out, id)
		}
	}
	return out
}

func progEmptyForm() form { return form{Values: url.Values{}} }

// progDates reads a form's date inputs for the programme service, which takes each day as text (2006-01-02).
type progDates struct {
	f    form
	read []string // the names of the date inputs read
	errs []prevent.FieldError
	of   []string // the name of the date input of each error in errs
}

// day reads the required date input called name, whose messages call it label, as text for the service. A
// date left blank or not real is "", which the service refuses as it does every day it requires; the input's
// own GOV.UK message then takes the place of the service's.
func (d *progDates) day(name, label string) string {
	d.read = append(d.read, name)
	t, fe := readDate(d.f, name, label, true)
	if fe.Message != "" {
		d.errs, d.of = append(d.errs, fe), append(d.of, name)
		return ""
	}
	return t.Format(programme.DateLayout)
}

// withErr is the form with err's errors (as form.withErr keeps them), each date input's own message in place of
// the service's for that date, and the service's errors of the dates linked to their day field.
func (d *progDates) withErr(err error) form {
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
	return dateErrorsToDay(f, d.read...)
}

// progSetDay puts a day the service holds as text (2006-01-02) into the date input called name.
func progSetDay(v url.Values, name, day string) {
	if t, err := time.Parse(programme.DateLayout, day); err == nil {
		setDateInput(v, name, t)
	}
}

// programmeLink is one entry on the programme home page.
type programmeLink struct {
	Text, Href, Hint string
}

func (pg *programmePages) handleHome(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	links := []programmeLink{
		{"Delivery plans", progPath(pid, "plans"), "The yearly delivery plan, its status and version history"},
		{"Projects and activities", progPath(pid, "projects"), "Objectives, milestones, RAG status, impacts and evaluation"},
		{"Lessons learned", progPath(pid, "lessons"), "What partners have learned, shared across the partnership"},
	}
	add := func(a access.Action, l programmeLink) {
		if pg.may(r, pid, a) {
			links = append(links, l)
		}
	}
	add(access.GovernanceView, programmeLink{"Governance", progPath(pid, "governance"), "Board meetings, decisions and the action log"})
	add(access.GovernanceView, programmeLink{"Briefing for elected members", progPath(pid, "briefing"), "The plan’s current state, for elected members and MPs"})
	add(access.FundingView, programmeLink{"Funding and commissioning", progPath(pid, "funding"), "Streams, allocations, spend and budget against spend"})
	add(access.DueDiligenceView, programmeLink{"Shared-values due diligence", progPath(pid, "due-diligence"), "Reviews of funded and venue-using organisations"})
	add(access.TrainingView, programmeLink{"Training and awareness", progPath(pid, "training"), "Courses, completions and coverage against targets"})
	add(access.LibraryView, programmeLink{"Resources library", progPath(pid, "library"), "Local profiles, analysis, guidance and newsletters"})
	add(access.QandAEdit, programmeLink{"Questions and answers", progPath(pid, "questions-and-answers"), "Edit the public questions and answers page"})
	l := pg.layout(r, "Programme of action")
	l.Back = partnershipPath(pid)
	return pg.page(w, r, l, programmeHomePage(l, links))
}
