package api

import (
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
)

// The programme of action's writes, and the reads that show what they wrote. Each makes the same programme
// service call, under the same access action, as the programme page it twins (internal/web/programme), so the
// service refuses and audits alike; its form field names are renamed to the JSON members here.

// registerProgrammeWrites adds the programme's write routes (the funding allocation is in registerProgramme)
// and the reads of lessons, governance, commissioning, training, questions and answers and due-diligence reviews.
func (s *Server) registerProgrammeWrites() {
	pa := &programmeAPI{Server: s, svc: s.deps.Programme}
	const P = "/partnerships/{pid}/programme"
	get, post, put := http.MethodGet, http.MethodPost, http.MethodPut

	// Delivery plans.
	s.handle(post, P+"/plans", access.PlanEdit, operation{id: "createPlan",
		summary: "Start a draft delivery plan for a year, every section not yet started; one plan a year (422 naming year otherwise)",
		request: PlanCreate{}, response: Plan{}, status: http.StatusCreated}, pa.createPlan)
	s.handle(put, P+"/plans/{id}/sections/{key}", access.PlanEdit, operation{id: "savePlanSection",
		summary: "Save a section of a draft plan; completed marks it done and needs a body. A plan past draft is refused (409 saying why)",
		request: PlanSectionInput{}, response: Plan{}, pathSchemas: map[string]map[string]any{"key": progSectionKeySchema()}}, pa.saveSection)
	s.handle(post, P+"/plans/{id}/status", access.PlanApprove, operation{id: "changePlanStatus",
		summary: "Approve (every section completed), activate (no other plan active), withdraw approval of, or close a plan; " +
			"a move the plan's status does not allow is refused (409 saying why)",
		request: PlanStatusInput{}, response: Plan{}}, pa.changePlanStatus)
	s.handle(get, P+"/lessons", access.PlanView, operation{id: "listLessons",
		summary: "The lessons learned shared across the partnership, newest first", response: LessonList{}},
		listOf[LessonList](pa.svc.Lessons, progLessonOut))
	s.handle(post, P+"/lessons", access.PlanEdit, operation{id: "shareLesson",
		summary: "Share a lesson learned with the whole partnership, about one project or none",
		request: LessonCreate{}, response: LessonView{}, status: http.StatusCreated}, pa.shareLesson)

	// Projects.
	s.handle(post, P+"/projects", access.ProjectEdit, operation{id: "createProject",
		summary: "Add a project or activity, led by a member organisation, against at least one objective",
		request: ProjectInput{}, response: Project{}, status: http.StatusCreated}, pa.createProject)
	s.handle(put, P+"/projects/{id}", access.ProjectEdit, operation{id: "updateProject",
		summary: "Change a project's details (its milestones, impacts and evaluation plan are kept)",
		request: ProjectInput{}, response: Project{}}, pa.updateProject)
	s.handle(post, P+"/projects/{id}/milestones", access.ProjectEdit, operation{id: "addMilestone",
		summary: "Add a milestone to a project", request: MilestoneCreate{}, response: Milestone{}, status: http.StatusCreated}, pa.addMilestone)
	s.handle(put, P+"/projects/{id}/milestones/{mid}", access.ProjectEdit, operation{id: "setMilestoneDone",
		summary: "Mark a milestone of the project done (today unless done_on says when) or not done",
		request: MilestoneUpdate{}, response: Milestone{}}, pa.setMilestoneDone)
	s.handle(post, P+"/projects/{id}/impacts", access.ProjectEdit, operation{id: "addImpact",
		summary: "Add a measurable impact to a project: an indicator with its baseline, target and where the evidence will come from",
		request: ImpactCreate{}, response: Impact{}, status: http.StatusCreated}, pa.addImpact)
	s.handle(put, P+"/projects/{id}/impacts/{iid}/actuals/{quarter}", access.ProjectEdit, operation{id: "recordActual",
		summary: "Record (or replace) an impact's actual value for a quarter such as 2026-Q1 (April to June 2026); " +
			"a quarter not of that form is a 422 naming quarter",
		request: ActualInput{}, response: Impact{}, pathSchemas: map[string]map[string]any{"quarter": {"type": "string", "pattern": `^20[0-9]{2}-Q[1-4]$`}}},
		pa.recordActual)
	s.handle(put, P+"/projects/{id}/evaluation", access.ProjectEdit, operation{id: "saveEvaluation",
		summary: "Save a project's evaluation plan and findings", request: EvaluationInput{}, response: Project{}}, pa.saveEvaluation)

	// Governance.
	s.handle(get, P+"/governance/meetings", access.GovernanceView, operation{id: "listBoardMeetings",
		summary: "The board's meetings, newest first, with attendance and decisions", response: BoardMeetingList{}},
		listOf[BoardMeetingList](pa.svc.Meetings, progMeetingOut))
	s.handle(post, P+"/governance/meetings", access.GovernanceEdit, operation{id: "recordBoardMeeting",
		summary: "Record a board meeting and who attended or sent apologies (people of the partnership, each in one list)",
		request: BoardMeetingCreate{}, response: BoardMeeting{}, status: http.StatusCreated}, pa.recordMeeting)
	s.handle(post, P+"/governance/meetings/{id}/decisions", access.GovernanceEdit, operation{id: "recordBoardDecision",
		summary: "Record a decision of a board meeting", request: BoardDecisionCreate{}, response: BoardDecisionView{}, status: http.StatusCreated},
		pa.recordDecision)
	s.handle(get, P+"/governance/actions", access.GovernanceView, operation{id: "listBoardActions",
		summary: "The action log: open actions first by due date, then the rest", response: BoardActionList{}},
		listOf[BoardActionList](pa.svc.Actions, progBoardActionOut))
	s.handle(post, P+"/governance/actions", access.GovernanceEdit, operation{id: "addBoardAction",
		summary: "Add an action to the log, owned by a person of the partnership, from a meeting or none",
		request: BoardActionCreate{}, response: BoardActionView{}, status: http.StatusCreated}, pa.addAction)
	s.handle(put, P+"/governance/actions/{id}/status", access.GovernanceEdit, operation{id: "setBoardActionStatus",
		summary: "Mark an action open, done or cancelled", request: BoardActionStatusInput{}, response: BoardActionView{}}, pa.setActionStatus)

	// Funding (allocations are in registerProgramme).
	s.handle(post, P+"/funding/streams", access.FundingEdit, operation{id: "createFundingStream",
		summary: "Add a funding stream: who funds it, for which financial year, and how much", request: StreamCreate{}, response: Stream{},
		status: http.StatusCreated}, pa.createStream)
	s.handle(post, P+"/funding/allocations/{id}/spend", access.FundingEdit, operation{id: "recordSpend",
		summary: "Record money spent from an allocation in a quarter of a financial year; the answer is the allocation with its spend",
		request: SpendCreate{}, response: Allocation{}, status: http.StatusCreated}, pa.recordSpend)
	s.handle(get, P+"/funding/commissioning", access.FundingView, operation{id: "listCommissioningDecisions",
		summary: "The partnership's commissioning decisions, newest first", response: CommissioningList{}},
		listOf[CommissioningList](pa.svc.CommissioningDecisions, progCommissioningOut))
	s.handle(post, P+"/funding/commissioning", access.FundingEdit, operation{id: "recordCommissioningDecision",
		summary: "Record a commissioning decision: who decided what, when, on what evidence", request: CommissioningCreate{},
		response: CommissioningView{}, status: http.StatusCreated}, pa.recordCommissioning)

	// Training and awareness.
	s.handle(get, P+"/training/courses", access.TrainingView, operation{id: "listCourses",
		summary:  "The partnership's training courses with coverage against targets by organisation (counts, no names)",
		response: TrainingCourseList{}}, pa.listCourses)
	s.handle(post, P+"/training/courses", access.TrainingEdit, operation{id: "createCourse",
		summary: "Add a training course", request: TrainingCourseCreate{}, response: TrainingCourse{}, status: http.StatusCreated}, pa.createCourse)
	s.handle(get, P+"/training/courses/{id}", access.TrainingView, operation{id: "getCourse",
		summary: "One course with its coverage against targets by organisation", response: TrainingCourse{}}, pa.getCourse)
	s.handle(get, P+"/training/courses/{id}/completions", access.TrainingEdit, operation{id: "listCourseCompletions",
		summary: "Who completed a course and when, with their organisation and roles", response: CourseCompletionList{}}, pa.listCompletions)
	s.handle(post, P+"/training/courses/{id}/completions", access.TrainingEdit, operation{id: "recordCourseCompletion",
		summary: "Record that a person of the partnership completed the course, on a day not in the future; once a person and day",
		request: CourseCompletionCreate{}, response: CourseCompletion{}, status: http.StatusCreated}, pa.recordCompletion)
	s.handle(put, P+"/training/courses/{id}/targets", access.TrainingEdit, operation{id: "setCourseTarget",
		summary: "Set how many of an organisation's people should complete the course", request: CourseTargetInput{},
		response: TrainingCourse{}}, pa.setTarget)

	// Public questions and answers.
	s.handle(get, P+"/questions-and-answers", access.QandAEdit, operation{id: "listQuestionsAndAnswers",
		summary:  "The partnership's public questions and answers, as the public page shows them (the service's defaults until first edited)",
		response: QuestionAnswerList{}}, pa.listQandA)
	s.handle(post, P+"/questions-and-answers", access.QandAEdit, operation{id: "addQuestionAndAnswer",
		summary: "Add a public question and answer (the first edit copies the service's defaults into the partnership's own list)",
		request: QuestionAnswerInput{}, response: QuestionAnswer{}, status: http.StatusCreated}, pa.addQandA)
	s.handle(put, P+"/questions-and-answers/{id}", access.QandAEdit, operation{id: "updateQuestionAndAnswer",
		summary: "Change a public question and answer; changing one of the defaults changes the partnership's copy, whose id the answer carries",
		request: QuestionAnswerInput{}, response: QuestionAnswer{}}, pa.updateQandA)
	s.handle(http.MethodDelete, P+"/questions-and-answers/{id}", access.QandAEdit, operation{id: "deleteQuestionAndAnswer",
		summary: "Remove a public question and answer (deleting every one shows the service's defaults again)", status: http.StatusNoContent},
		pa.deleteQandA)

	// Shared-values due diligence.
	s.handle(get, P+"/due-diligence/organisations/{id}/reviews", access.DueDiligenceView, operation{id: "listDueDiligenceReviews",
		summary: "A member organisation's shared-values reviews, latest decision first, with their findings", response: DueDiligenceReviewList{}},
		pa.listReviews)
	s.handle(post, P+"/due-diligence/organisations/{id}/reviews", access.DueDiligenceEdit, operation{id: "recordDueDiligenceReview",
		summary: "Record a shared-values review of a member organisation, decided by the token's owner; a positive decision with a concern " +
			"needs a second reviewer and one with an adverse finding is refused (422 naming the members)",
		request: DueDiligenceReviewCreate{}, response: DueDiligenceReview{}, status: http.StatusCreated}, pa.recordReview)

	// The resources library.
	s.handle(post, P+"/library", access.LibraryEdit, operation{id: "uploadDocument",
		summary: "Upload a document: the file is the request body (any Content-Type except a form; the type is found from the content: " +
			"PDF, Word, Excel, PowerPoint, OpenDocument, plain text, PNG, JPEG or GIF, smaller than 10 MiB) and its details are query " +
			"parameters. SECRET, or a marking above the uploader's vetting, is refused; errors name the parameter, or file for the body and filename",
		requestMedia: "application/octet-stream", response: Document{}, status: http.StatusCreated, query: progDocumentParams()}, pa.uploadDocument)
	s.handle(post, P+"/library/{id}/versions", access.LibraryEdit, operation{id: "uploadDocumentVersion",
		summary: "Upload a new version of a document: the file is the request body, as for uploadDocument, and filename a query parameter; " +
			"the answer is the document with its versions",
		requestMedia: "application/octet-stream", response: Document{}, status: http.StatusCreated,
		query: []param{{name: "filename", description: "The file's name, such as profile-2026.pdf", schema: map[string]any{"type": "string"}}}},
		pa.uploadVersion)
}

// progSectionKeySchema is a plan section's key in a path.
func progSectionKeySchema() map[string]any {
	var keys []any
	for _, d := range programme.PlanSections {
		keys = append(keys, d.Key)
	}
	return map[string]any{"type": "string", "enum": keys}
}

// progDocumentParams are the query parameters of an upload.
func progDocumentParams() []param {
	str := func(name, desc string) param {
		return param{name: name, description: desc, schema: map[string]any{"type": "string"}}
	}
	var kinds []any
	for _, k := range programme.DocumentKinds {
		kinds = append(kinds, k.Kind)
	}
	return []param{
		str("title", "The document's title"),
		{name: "kind", description: "The kind of document", schema: map[string]any{"type": "string", "enum": kinds}},
		{name: "marking", description: "Its protective marking", schema: map[string]any{"type": "string",
			"enum": []any{prevent.Official.String(), prevent.OfficialSensitive.String()}}},
		str("originator", "Who produced the document"),
		str("audience", "Who the document is for"),
		{name: "review_on", description: "When it should be reviewed, YYYY-MM-DD", schema: map[string]any{"type": "string", "format": "date"}},
		str("filename", "The file's name, such as profile-2026.pdf"),
	}
}

// Field renames: the programme service names its errors after the pages' form fields.
var (
	progProjectFields = map[string]string{"plan": "plan_id", "public-title": "public_title", "internal-title": "internal_title",
		"lead-organisation": "lead_organisation_id", "partners": "partner_ids", "starts-on": "starts_on", "ends-on": "ends_on",
		"rag-reason": "rag_reason"}
	progMeetingFields       = map[string]string{"held-on": "held_on"}
	progDecisionFields      = map[string]string{"decision": "text"}
	progBoardActFields      = map[string]string{"meeting": "meeting_id", "owner": "owner_id", "due-on": "due_on"}
	progCompleteFields      = map[string]string{"person": "person_id", "completed-on": "completed_on"}
	progTargetFields        = map[string]string{"organisation": "organisation_id"}
	progDocumentFields      = map[string]string{"review-on": "review_on"}
	progCommissioningFields = map[string]string{"project": "project_id", "decided-by": "decided_by_id", "decided-on": "decided_on"}
	progReviewFields        = func() map[string]string {
		m := map[string]string{"second-reviewer": "second_reviewer_id", "decided-on": "decided_on", "review-due": "review_due"}
		for _, it := range programme.DueDiligenceItems {
			m["item-"+it.Key] = "findings." + it.Key
			m["note-"+it.Key] = "notes." + it.Key
		}
		return m
	}()
)

func progInvalid(field, message string) error {
	return prevent.Validation([]prevent.FieldError{{Field: field, Message: message}})
}

// created writes v with 201 and a Location naming it under the request's path.
func progCreated(w http.ResponseWriter, r *http.Request, id prevent.ID, v any) error {
	w.Header().Set("Location", strings.TrimSuffix(r.URL.Path, "/")+"/"+itoa(id))
	return encode(w, http.StatusCreated, v)
}

// Delivery plans.

func (pa *programmeAPI) createPlan(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	in, err := decode[PlanCreate](r)
	if err != nil {
		return err
	}
	id, err := pa.svc.CreatePlan(r.Context(), progWho(r), pid, in.Year, in.Title)
	if err != nil {
		return err
	}
	pl, err := pa.svc.Plan(r.Context(), progWho(r), pid, id)
	if err != nil {
		return err
	}
	return progCreated(w, r, id, planOut(pl))
}

// plan reads the plan the path names.
func (pa *programmeAPI) plan(r *http.Request) (prevent.ID, programme.Plan, error) {
	pid, id, err := pidAndID(r)
	if err != nil {
		return 0, programme.Plan{}, err
	}
	pl, err := pa.svc.Plan(r.Context(), progWho(r), pid, id)
	return pid, pl, err
}

func (pa *programmeAPI) saveSection(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[PlanSectionInput](r)
	if err != nil {
		return err
	}
	pid, pl, err := pa.plan(r)
	if err != nil {
		return err
	}
	key, known := r.PathValue("key"), false
	for _, s := range pl.Sections {
		known = known || s.Key == key
	}
	if !known {
		return access.NotFound("Plan section")
	}
	if err := pa.svc.SaveSection(r.Context(), progWho(r), pid, pl.ID, key, in.Body, in.Completed); err != nil {
		return err
	}
	if pl, err = pa.svc.Plan(r.Context(), progWho(r), pid, pl.ID); err != nil {
		return err
	}
	return encode(w, http.StatusOK, planOut(pl))
}

func (pa *programmeAPI) changePlanStatus(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[PlanStatusInput](r)
	if err != nil {
		return err
	}
	pid, pl, err := pa.plan(r)
	if err != nil {
		return err
	}
	to := programme.PlanStatus(in.To)
	switch to {
	case programme.PlanDraft, programme.PlanApproved, programme.PlanActive, programme.PlanClosed:
	default:
		return progInvalid("to", "Choose the status to move the plan to: approved, active, draft or closed")
	}
	if err := pa.svc.TransitionPlan(r.Context(), progWho(r), pid, pl.ID, to); err != nil {
		return err
	}
	if pl, err = pa.svc.Plan(r.Context(), progWho(r), pid, pl.ID); err != nil {
		return err
	}
	return encode(w, http.StatusOK, planOut(pl))
}

func progLessonOut(l programme.Lesson) LessonView {
	out := LessonView{ID: l.ID, Title: l.Title, Body: l.Body, Author: PersonRef{ID: l.AuthorID, Name: l.AuthorName}, CreatedAt: l.CreatedAt}
	if l.ProjectID != 0 {
		id := l.ProjectID
		out.ProjectID = &id
	}
	return out
}

func (pa *programmeAPI) shareLesson(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	in, err := decode[LessonCreate](r)
	if err != nil {
		return err
	}
	id, err := pa.svc.ShareLesson(r.Context(), progWho(r), pid, in.ProjectID, in.Title, in.Body)
	if err != nil {
		return err
	}
	ls, err := pa.svc.Lessons(r.Context(), progWho(r), pid)
	if err != nil {
		return err
	}
	for _, l := range ls {
		if l.ID == id {
			return progCreated(w, r, id, progLessonOut(l))
		}
	}
	return access.NotFound("Lesson")
}

// Projects.

func (in ProjectInput) domain() programme.ProjectInput {
	return programme.ProjectInput{PlanID: in.PlanID, PublicTitle: in.PublicTitle, InternalTitle: in.InternalTitle,
		LeadOrganisation: in.LeadOrganisation, Partners: in.Partners, Objectives: in.Objectives, Scope: in.Scope, Areas: in.Areas,
		Institutions: in.Institutions, StartsOn: in.StartsOn, EndsOn: in.EndsOn, RAG: in.RAG, RAGReason: in.RAGReason, Risks: in.Risks}
}

func (pa *programmeAPI) createProject(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	in, err := decode[ProjectInput](r)
	if err != nil {
		return err
	}
	id, err := pa.svc.CreateProject(r.Context(), progWho(r), pid, in.domain())
	if err != nil {
		return rename(err, progProjectFields)
	}
	pr, err := pa.svc.Project(r.Context(), progWho(r), pid, id)
	if err != nil {
		return err
	}
	return progCreated(w, r, id, projectOut(pr))
}

func (pa *programmeAPI) updateProject(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pidAndID(r)
	if err != nil {
		return err
	}
	in, err := decode[ProjectInput](r)
	if err != nil {
		return err
	}
	if err := pa.svc.UpdateProject(r.Context(), progWho(r), pid, id, in.domain()); err != nil {
		return rename(err, progProjectFields)
	}
	pr, err := pa.svc.Project(r.Context(), progWho(r), pid, id)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, projectOut(pr))
}

// project reads the project the path names.
func (pa *programmeAPI) project(r *http.Request) (prevent.ID, programme.Project, error) {
	pid, id, err := pidAndID(r)
	if err != nil {
		return 0, programme.Project{}, err
	}
	pr, err := pa.svc.Project(r.Context(), progWho(r), pid, id)
	return pid, pr, err
}

// milestoneOf finds a milestone of the project the path names, read again after a change.
func (pa *programmeAPI) milestoneOf(r *http.Request, mid prevent.ID) (Milestone, error) {
	_, pr, err := pa.project(r)
	if err != nil {
		return Milestone{}, err
	}
	for _, m := range projectOut(pr).Milestones {
		if m.ID == mid {
			return m, nil
		}
	}
	return Milestone{}, access.NotFound("Milestone")
}

func (pa *programmeAPI) addMilestone(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pidAndID(r)
	if err != nil {
		return err
	}
	in, err := decode[MilestoneCreate](r)
	if err != nil {
		return err
	}
	mid, err := pa.svc.AddMilestone(r.Context(), progWho(r), pid, id, in.Title, in.DueOn)
	if err != nil {
		return rename(err, map[string]string{"due-on": "due_on"})
	}
	m, err := pa.milestoneOf(r, mid)
	if err != nil {
		return err
	}
	return progCreated(w, r, mid, m)
}

func (pa *programmeAPI) setMilestoneDone(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[MilestoneUpdate](r)
	if err != nil {
		return err
	}
	mid, err := pathID(r, "mid")
	if err != nil {
		return err
	}
	pid, _, err := pa.project(r)
	if err != nil {
		return err
	}
	if _, err := pa.milestoneOf(r, mid); err != nil {
		return err
	}
	done := ""
	switch {
	case in.Done && in.DoneOn == "":
		done = pa.deps.Now().UTC().Format(programme.DateLayout)
	case in.Done:
		done = in.DoneOn
	case in.DoneOn != "":
		return progInvalid("done_on", "Leave done_on out when marking the milestone not done")
	}
	if err := pa.svc.SetMilestoneDone(r.Context(), progWho(r), pid, mid, done); err != nil {
		return rename(err, map[string]string{"done-on": "done_on"})
	}
	m, err := pa.milestoneOf(r, mid)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, m)
}

// impactOf finds an impact of the project the path names, read again after a change.
func (pa *programmeAPI) impactOf(r *http.Request, iid prevent.ID) (Impact, error) {
	_, pr, err := pa.project(r)
	if err != nil {
		return Impact{}, err
	}
	for _, im := range projectOut(pr).Impacts {
		if im.ID == iid {
			return im, nil
		}
	}
	return Impact{}, access.NotFound("Impact")
}

func (pa *programmeAPI) addImpact(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pidAndID(r)
	if err != nil {
		return err
	}
	in, err := decode[ImpactCreate](r)
	if err != nil {
		return err
	}
	iid, err := pa.svc.AddImpact(r.Context(), progWho(r), pid, id, programme.ImpactInput{Indicator: in.Indicator, Unit: in.Unit,
		Baseline: in.Baseline, Target: in.Target, Evidence: in.Evidence})
	if err != nil {
		return err
	}
	im, err := pa.impactOf(r, iid)
	if err != nil {
		return err
	}
	return progCreated(w, r, iid, im)
}

func (pa *programmeAPI) recordActual(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[ActualInput](r)
	if err != nil {
		return err
	}
	iid, err := pathID(r, "iid")
	if err != nil {
		return err
	}
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	// The impact must be the project's, as the page offers only the project's impacts.
	if _, err := pa.impactOf(r, iid); err != nil {
		return err
	}
	if err := pa.svc.RecordActual(r.Context(), progWho(r), pid, iid, r.PathValue("quarter"), in.Value, in.Evidence); err != nil {
		return err
	}
	im, err := pa.impactOf(r, iid)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, im)
}

func (pa *programmeAPI) saveEvaluation(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[EvaluationInput](r)
	if err != nil {
		return err
	}
	pid, pr, err := pa.project(r)
	if err != nil {
		return err
	}
	t := strings.TrimSpace
	if err := pa.svc.SaveEvaluation(r.Context(), progWho(r), pid, pr.ID, programme.Evaluation{Why: t(in.Why), What: t(in.What),
		Questions: t(in.Questions), Success: t(in.Success), Data: t(in.Data), Analysis: t(in.Analysis), Use: t(in.Use),
		Resources: t(in.Resources), Findings: t(in.Findings)}); err != nil {
		return err
	}
	if _, pr, err = pa.project(r); err != nil {
		return err
	}
	return encode(w, http.StatusOK, projectOut(pr))
}

// Governance.

func progMeetingOut(m programme.Meeting) BoardMeeting {
	out := BoardMeeting{ID: m.ID, HeldOn: m.HeldOn, Title: m.Title, Attendance: []BoardAttendee{}, Decisions: []BoardDecisionView{}}
	for _, a := range m.Attendance {
		out.Attendance = append(out.Attendance, BoardAttendee{Person: PersonRef{ID: a.PersonID, Name: a.Name}, Present: a.Present})
	}
	for _, d := range m.Decisions {
		out.Decisions = append(out.Decisions, BoardDecisionView{ID: d.ID, Text: d.Text})
	}
	return out
}

func progBoardActionOut(a programme.BoardAction) BoardActionView {
	out := BoardActionView{ID: a.ID, Description: a.Description, Owner: PersonRef{ID: a.OwnerID, Name: a.OwnerName}, DueOn: a.DueOn,
		Status: string(a.Status), Overdue: a.Overdue}
	if a.MeetingID != 0 {
		id := a.MeetingID
		out.MeetingID = &id
	}
	return out
}

func (pa *programmeAPI) meeting(r *http.Request, pid, id prevent.ID) (programme.Meeting, error) {
	ms, err := pa.svc.Meetings(r.Context(), progWho(r), pid)
	if err != nil {
		return programme.Meeting{}, err
	}
	for _, m := range ms {
		if m.ID == id {
			return m, nil
		}
	}
	return programme.Meeting{}, access.NotFound("Meeting")
}

func (pa *programmeAPI) recordMeeting(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	in, err := decode[BoardMeetingCreate](r)
	if err != nil {
		return err
	}
	id, err := pa.svc.CreateMeeting(r.Context(), progWho(r), pid, programme.MeetingInput{HeldOn: in.HeldOn, Title: in.Title,
		Present: in.Present, Apologies: in.Apologies})
	if err != nil {
		return rename(err, progMeetingFields)
	}
	m, err := pa.meeting(r, pid, id)
	if err != nil {
		return err
	}
	return progCreated(w, r, id, progMeetingOut(m))
}

func (pa *programmeAPI) recordDecision(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pidAndID(r)
	if err != nil {
		return err
	}
	in, err := decode[BoardDecisionCreate](r)
	if err != nil {
		return err
	}
	did, err := pa.svc.RecordDecision(r.Context(), progWho(r), pid, id, in.Text)
	if err != nil {
		return rename(err, progDecisionFields)
	}
	m, err := pa.meeting(r, pid, id)
	if err != nil {
		return err
	}
	for _, d := range m.Decisions {
		if d.ID == did {
			return progCreated(w, r, did, BoardDecisionView{ID: d.ID, Text: d.Text})
		}
	}
	return access.NotFound("Decision")
}

func (pa *programmeAPI) boardAction(r *http.Request, pid, id prevent.ID) (BoardActionView, error) {
	as, err := pa.svc.Actions(r.Context(), progWho(r), pid)
	if err != nil {
		return BoardActionView{}, err
	}
	for _, a := range as {
		if a.ID == id {
			return progBoardActionOut(a), nil
		}
	}
	return BoardActionView{}, access.NotFound("Action")
}

func (pa *programmeAPI) addAction(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	in, err := decode[BoardActionCreate](r)
	if err != nil {
		return err
	}
	id, err := pa.svc.AddAction(r.Context(), progWho(r), pid, programme.ActionInput{MeetingID: in.MeetingID, Description: in.Description,
		OwnerID: in.OwnerID, DueOn: in.DueOn})
	if err != nil {
		return rename(err, progBoardActFields)
	}
	a, err := pa.boardAction(r, pid, id)
	if err != nil {
		return err
	}
	return progCreated(w, r, id, a)
}

func (pa *programmeAPI) setActionStatus(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pidAndID(r)
	if err != nil {
		return err
	}
	in, err := decode[BoardActionStatusInput](r)
	if err != nil {
		return err
	}
	if err := pa.svc.SetActionStatus(r.Context(), progWho(r), pid, id, programme.ActionStatus(in.Status)); err != nil {
		return err
	}
	a, err := pa.boardAction(r, pid, id)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, a)
}

// Funding.

func (pa *programmeAPI) createStream(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	in, err := decode[StreamCreate](r)
	if err != nil {
		return err
	}
	id, err := pa.svc.CreateStream(r.Context(), progWho(r), pid, programme.StreamInput{Funder: in.Funder, Name: in.Name,
		Year: strconv.Itoa(in.Year), Amount: in.Amount, Conditions: in.Conditions})
	if err != nil {
		return err
	}
	sts, err := pa.svc.Streams(r.Context(), progWho(r), pid)
	if err != nil {
		return err
	}
	for _, st := range sts {
		if st.ID == id {
			return progCreated(w, r, id, streamOut(st))
		}
	}
	return access.NotFound("Funding stream")
}

func (pa *programmeAPI) recordSpend(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pidAndID(r)
	if err != nil {
		return err
	}
	in, err := decode[SpendCreate](r)
	if err != nil {
		return err
	}
	if _, err := pa.svc.RecordSpend(r.Context(), progWho(r), pid, id, in.Year, in.Quarter, in.Amount); err != nil {
		return err
	}
	as, err := pa.allocations(r, pid)
	if err != nil {
		return err
	}
	for _, a := range as {
		if a.ID == id {
			return encode(w, http.StatusCreated, allocationOut(a))
		}
	}
	return access.NotFound("Allocation")
}

func progCommissioningOut(c programme.CommissioningDecision) CommissioningView {
	out := CommissioningView{ID: c.ID, Decision: c.Decision, DecidedBy: PersonRef{ID: c.DecidedBy, Name: c.DecidedByName},
		DecidedOn: c.DecidedOn, Evidence: c.Evidence, CreatedAt: c.CreatedAt}
	if c.ProjectID != 0 {
		id := c.ProjectID
		out.ProjectID = &id
	}
	return out
}

func (pa *programmeAPI) recordCommissioning(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	in, err := decode[CommissioningCreate](r)
	if err != nil {
		return err
	}
	id, err := pa.svc.RecordCommissioning(r.Context(), progWho(r), pid, programme.CommissioningInput{ProjectID: in.ProjectID,
		Decision: in.Decision, DecidedBy: in.DecidedByID, DecidedOn: in.DecidedOn, Evidence: in.Evidence})
	if err != nil {
		return rename(err, progCommissioningFields)
	}
	cs, err := pa.svc.CommissioningDecisions(r.Context(), progWho(r), pid)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c.ID == id {
			return progCreated(w, r, id, progCommissioningOut(c))
		}
	}
	return access.NotFound("Commissioning decision")
}

// Training and awareness.

func (pa *programmeAPI) courseOut(r *http.Request, pid prevent.ID, c programme.Course) (TrainingCourse, error) {
	cov, err := pa.svc.CourseCoverage(r.Context(), progWho(r), pid, c.ID)
	if err != nil {
		return TrainingCourse{}, err
	}
	out := TrainingCourse{ID: c.ID, Title: c.Title, Kind: c.Kind, Coverage: []CourseCoverage{}}
	for _, x := range cov {
		out.Coverage = append(out.Coverage, CourseCoverage{Organisation: OrganisationRef{ID: x.Organisation.ID, Name: x.Organisation.Name},
			Target: x.Target, Completed: x.Completed, Percent: x.Percent})
	}
	return out, nil
}

// course reads the course id of the partnership with its coverage.
func (pa *programmeAPI) course(r *http.Request, pid, id prevent.ID) (TrainingCourse, error) {
	cs, err := pa.svc.Courses(r.Context(), progWho(r), pid)
	if err != nil {
		return TrainingCourse{}, err
	}
	for _, c := range cs {
		if c.ID == id {
			return pa.courseOut(r, pid, c)
		}
	}
	return TrainingCourse{}, access.NotFound("Course")
}

func (pa *programmeAPI) listCourses(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	cs, err := pa.svc.Courses(r.Context(), progWho(r), pid)
	if err != nil {
		return err
	}
	out := TrainingCourseList{Items: []TrainingCourse{}}
	for _, c := range cs {
		x, err := pa.courseOut(r, pid, c)
		if err != nil {
			return err
		}
		out.Items = append(out.Items, x)
	}
	return encode(w, http.StatusOK, out)
}

func (pa *programmeAPI) getCourse(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pidAndID(r)
	if err != nil {
		return err
	}
	c, err := pa.course(r, pid, id)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, c)
}

func (pa *programmeAPI) createCourse(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	in, err := decode[TrainingCourseCreate](r)
	if err != nil {
		return err
	}
	id, err := pa.svc.CreateCourse(r.Context(), progWho(r), pid, in.Title, in.Kind)
	if err != nil {
		return err
	}
	c, err := pa.course(r, pid, id)
	if err != nil {
		return err
	}
	return progCreated(w, r, id, c)
}

func progCompletionOut(c programme.Completion) CourseCompletion {
	return CourseCompletion{ID: c.ID, Person: PersonRef{ID: c.PersonID, Name: c.Name}, Organisation: c.Organisation,
		Roles: append([]prevent.Role{}, c.Roles...), CompletedOn: c.CompletedOn}
}

func (pa *programmeAPI) listCompletions(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pidAndID(r)
	if err != nil {
		return err
	}
	cs, err := pa.svc.Completions(r.Context(), progWho(r), pid, id)
	if err != nil {
		return err
	}
	out := CourseCompletionList{Items: []CourseCompletion{}}
	for _, c := range cs {
		out.Items = append(out.Items, progCompletionOut(c))
	}
	return encode(w, http.StatusOK, out)
}

func (pa *programmeAPI) recordCompletion(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pidAndID(r)
	if err != nil {
		return err
	}
	in, err := decode[CourseCompletionCreate](r)
	if err != nil {
		return err
	}
	cid, err := pa.svc.RecordCompletion(r.Context(), progWho(r), pid, id, in.PersonID, in.CompletedOn)
	if err != nil {
		return rename(err, progCompleteFields)
	}
	cs, err := pa.svc.Completions(r.Context(), progWho(r), pid, id)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c.ID == cid {
			return progCreated(w, r, cid, progCompletionOut(c))
		}
	}
	return access.NotFound("Completion")
}

func (pa *programmeAPI) setTarget(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pidAndID(r)
	if err != nil {
		return err
	}
	in, err := decode[CourseTargetInput](r)
	if err != nil {
		return err
	}
	if in.Target == nil || *in.Target < 0 {
		return progInvalid("target", "Enter the target as a whole number of people")
	}
	if err := pa.svc.SetTarget(r.Context(), progWho(r), pid, id, in.OrganisationID, *in.Target); err != nil {
		return rename(err, progTargetFields)
	}
	c, err := pa.course(r, pid, id)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, c)
}

// Public questions and answers.

func progQandAOut(q programme.QandA) QuestionAnswer {
	return QuestionAnswer{ID: q.ID, Topic: q.Topic, Question: q.Question, Answer: q.Answer, Sort: q.Sort}
}

func (pa *programmeAPI) listQandA(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	qs, err := pa.svc.PublicQandA(r.Context(), pid)
	if err != nil {
		return err
	}
	out := QuestionAnswerList{Items: []QuestionAnswer{}}
	for _, q := range qs {
		out.Items = append(out.Items, progQandAOut(q))
	}
	return encode(w, http.StatusOK, out)
}

// saveQandA makes the page's save call: id 0 adds.
func (pa *programmeAPI) saveQandA(r *http.Request, pid, id prevent.ID) (QuestionAnswer, error) {
	in, err := decode[QuestionAnswerInput](r)
	if err != nil {
		return QuestionAnswer{}, err
	}
	saved, err := pa.svc.SaveQandA(r.Context(), progWho(r), pid, id, programme.QandAInput{Topic: in.Topic, Question: in.Question,
		Answer: in.Answer, Sort: strconv.Itoa(in.Sort)})
	if err != nil {
		return QuestionAnswer{}, err
	}
	qs, err := pa.svc.PublicQandA(r.Context(), pid)
	if err != nil {
		return QuestionAnswer{}, err
	}
	for _, q := range qs {
		if q.ID == saved {
			return progQandAOut(q), nil
		}
	}
	return QuestionAnswer{}, access.NotFound("Question")
}

func (pa *programmeAPI) addQandA(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	q, err := pa.saveQandA(r, pid, 0)
	if err != nil {
		return err
	}
	return progCreated(w, r, q.ID, q)
}

func (pa *programmeAPI) updateQandA(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pidAndID(r)
	if err != nil {
		return err
	}
	q, err := pa.saveQandA(r, pid, id)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, q)
}

func (pa *programmeAPI) deleteQandA(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pidAndID(r)
	if err != nil {
		return err
	}
	if err := pa.svc.DeleteQandA(r.Context(), progWho(r), pid, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Shared-values due diligence.

func progReviewOut(rv programme.Review) DueDiligenceReview {
	out := DueDiligenceReview{ID: rv.ID, Organisation: OrganisationRef{ID: rv.Organisation.ID, Name: rv.Organisation.Name}, Basis: rv.Basis,
		Findings: []DueDiligenceFinding{}, Indicators: append([]string{}, rv.Indicators...), Evidence: rv.Evidence, Decision: string(rv.Decision),
		DecidedBy: PersonRef{ID: rv.DecidedBy, Name: rv.DecidedByName}, DecidedOn: rv.DecidedOn, ReviewDue: rv.ReviewDue, CreatedAt: rv.CreatedAt}
	if rv.SecondReviewer != 0 {
		out.SecondReviewer = &PersonRef{ID: rv.SecondReviewer, Name: rv.SecondReviewerName}
	}
	for _, f := range rv.Findings {
		out.Findings = append(out.Findings, DueDiligenceFinding{Item: f.Key, Kind: string(f.Kind), Text: f.Text, Result: string(f.Result), Note: f.Note})
	}
	return out
}

// memberOrganisation checks that the path's organisation is one whose standing the partnership keeps, as the
// page's review form does.
func (pa *programmeAPI) memberOrganisation(r *http.Request) (prevent.ID, prevent.ID, error) {
	pid, id, err := pidAndID(r)
	if err != nil {
		return 0, 0, err
	}
	sts, err := pa.svc.Standings(r.Context(), progWho(r), pid)
	if err != nil {
		return 0, 0, err
	}
	for _, st := range sts {
		if st.Organisation.ID == id {
			return pid, id, nil
		}
	}
	return 0, 0, access.NotFound("Organisation")
}

func (pa *programmeAPI) reviews(r *http.Request, pid, org prevent.ID) ([]programme.Review, error) {
	return pa.svc.Reviews(r.Context(), progWho(r), pid, org)
}

func (pa *programmeAPI) listReviews(w http.ResponseWriter, r *http.Request) error {
	pid, org, err := pa.memberOrganisation(r)
	if err != nil {
		return err
	}
	rs, err := pa.reviews(r, pid, org)
	if err != nil {
		return err
	}
	out := DueDiligenceReviewList{Items: []DueDiligenceReview{}}
	for _, rv := range rs {
		out.Items = append(out.Items, progReviewOut(rv))
	}
	return encode(w, http.StatusOK, out)
}

func (pa *programmeAPI) recordReview(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[DueDiligenceReviewCreate](r)
	if err != nil {
		return err
	}
	pid, org, err := pa.memberOrganisation(r)
	if err != nil {
		return err
	}
	d := programme.ReviewInput{OrganisationID: org, Basis: in.Basis, Findings: map[string]string{}, Notes: map[string]string{},
		Indicators: in.Indicators, Evidence: in.Evidence, Decision: in.Decision, SecondReviewer: in.SecondReviewerID,
		DecidedOn: in.DecidedOn, ReviewDue: in.ReviewDue}
	for k, v := range in.Findings {
		d.Findings[k] = v
	}
	for k, v := range in.Notes {
		d.Notes[k] = v
	}
	id, err := pa.svc.RecordReview(r.Context(), progWho(r), pid, d)
	if err != nil {
		return rename(err, progReviewFields)
	}
	rs, err := pa.reviews(r, pid, org)
	if err != nil {
		return err
	}
	for _, rv := range rs {
		if rv.ID == id {
			return progCreated(w, r, id, progReviewOut(rv))
		}
	}
	return access.NotFound("Review")
}

// The resources library.

// readFile reads an upload's body: the file itself, of at most one byte more than the library takes, so
// that the service refuses a larger one as it does on the page. A form is refused: its envelope would be
// taken for the file.
func progReadFile(r *http.Request) ([]byte, error) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil &&
		(strings.HasPrefix(mt, "multipart/") || mt == "application/x-www-form-urlencoded") {
		return nil, &requestError{status: http.StatusUnsupportedMediaType,
			detail: "Send the file itself as the body, with its details as query parameters, not a form"}
	}
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, programme.MaxDocumentSize+1))
	if err != nil {
		return nil, badRequest("The body could not be read")
	}
	return b, nil
}

func (pa *programmeAPI) uploadDocument(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	content, err := progReadFile(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	id, err := pa.svc.Upload(r.Context(), progWho(r), pid, programme.DocumentInput{Title: q.Get("title"), Kind: q.Get("kind"),
		Marking: q.Get("marking"), Originator: q.Get("originator"), Audience: q.Get("audience"), ReviewOn: q.Get("review_on"),
		Filename: q.Get("filename"), Content: content})
	if err != nil {
		return rename(err, progDocumentFields)
	}
	d, err := pa.svc.Document(r.Context(), progWho(r), pid, id)
	if err != nil {
		return err
	}
	return progCreated(w, r, id, documentOut(d))
}

func (pa *programmeAPI) uploadVersion(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pidAndID(r)
	if err != nil {
		return err
	}
	content, err := progReadFile(r)
	if err != nil {
		return err
	}
	if _, err := pa.svc.AddVersion(r.Context(), progWho(r), pid, id, r.URL.Query().Get("filename"), content); err != nil {
		return err
	}
	d, err := pa.svc.Document(r.Context(), progWho(r), pid, id)
	if err != nil {
		return err
	}
	w.Header().Set("Location", strings.TrimSuffix(r.URL.Path, "/versions"))
	return encode(w, http.StatusCreated, documentOut(d))
}
