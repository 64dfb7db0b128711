package api

import (
	"time"

	"github.com/preventplatform/prevent/internal/prevent"
)

// The bodies of the programme of action's writes, and of the reads that show what they wrote. Dates are
// "YYYY-MM-DD" strings, checked by the programme service, so that a date that is not real is a 422 naming
// its member rather than a malformed body.

// PlanCreate starts a draft delivery plan for the financial year starting in year.
type PlanCreate struct {
	Year  int    `json:"year"`
	Title string `json:"title"`
}

// PlanSectionInput is a plan section's text; completed marks it done in the task list (it needs a body).
type PlanSectionInput struct {
	Body      string `json:"body"`
	Completed bool   `json:"completed"`
}

// PlanStatusInput moves a plan: to approved (every section completed), active (no other plan active), draft
// (withdraw approval) or closed (an active plan).
type PlanStatusInput struct {
	To string `json:"to"`
}

// ProjectInput is a project as entered. objectives are tags such as "contest-2023:A"; scope is individuals
// or community; rag is red, amber or green (red and amber need rag_reason); plan_id 0 or absent: not part
// of a plan.
type ProjectInput struct {
	PlanID           prevent.ID   `json:"plan_id,omitempty"`
	PublicTitle      string       `json:"public_title"`
	InternalTitle    string       `json:"internal_title"`
	LeadOrganisation prevent.ID   `json:"lead_organisation_id"`
	Partners         []prevent.ID `json:"partner_ids,omitempty"`
	Objectives       []string     `json:"objectives"`
	Scope            string       `json:"scope"`
	Areas            string       `json:"areas"`
	Institutions     string       `json:"institutions,omitempty"`
	StartsOn         string       `json:"starts_on"`
	EndsOn           string       `json:"ends_on"`
	RAG              string       `json:"rag"`
	RAGReason        string       `json:"rag_reason,omitempty"`
	Risks            string       `json:"risks,omitempty"`
}

// MilestoneCreate adds a milestone due on a day.
type MilestoneCreate struct {
	Title string `json:"title"`
	DueOn string `json:"due_on"`
}

// MilestoneUpdate marks a milestone done (on done_on, today when absent) or not done.
type MilestoneUpdate struct {
	Done   bool   `json:"done"`
	DoneOn string `json:"done_on,omitempty"`
}

// ImpactCreate adds a measurable impact. baseline and target are numbers as typed ("120" or "1,200.5").
type ImpactCreate struct {
	Indicator string `json:"indicator"`
	Unit      string `json:"unit,omitempty"`
	Baseline  string `json:"baseline"`
	Target    string `json:"target"`
	Evidence  string `json:"evidence"`
}

// ActualInput is an impact's measured value for the quarter the path names ("2026-Q1" is April to June 2026).
type ActualInput struct {
	Value    string `json:"value"`
	Evidence string `json:"evidence,omitempty"`
}

// LessonView is a lesson learned, shared across the partnership. project_id is null when it is not about
// one project.
type LessonView struct {
	ID        prevent.ID  `json:"id"`
	ProjectID *prevent.ID `json:"project_id"`
	Title     string      `json:"title"`
	Body      string      `json:"body"`
	Author    PersonRef   `json:"author"`
	CreatedAt time.Time   `json:"created_at"`
}

// LessonList is the partnership's lessons, newest first.
type LessonList struct {
	Items []LessonView `json:"items"`
}

// LessonCreate shares a lesson; project_id 0 or absent: not about one project.
type LessonCreate struct {
	ProjectID prevent.ID `json:"project_id,omitempty"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
}

// BoardAttendee is one person's attendance at a board meeting.
type BoardAttendee struct {
	Person  PersonRef `json:"person"`
	Present bool      `json:"present"`
}

// BoardDecisionView is a decision a board meeting recorded.
type BoardDecisionView struct {
	ID   prevent.ID `json:"id"`
	Text string     `json:"text"`
}

// BoardMeeting is a partnership board meeting with its attendance and decisions.
type BoardMeeting struct {
	ID         prevent.ID          `json:"id"`
	HeldOn     string              `json:"held_on"`
	Title      string              `json:"title"`
	Attendance []BoardAttendee     `json:"attendance"`
	Decisions  []BoardDecisionView `json:"decisions"`
}

// BoardMeetingList is the partnership's board meetings, newest first.
type BoardMeetingList struct {
	Items []BoardMeeting `json:"items"`
}

// BoardMeetingCreate records a board meeting; present and apologies are people of the partnership, each in
// one list only.
type BoardMeetingCreate struct {
	HeldOn    string       `json:"held_on"`
	Title     string       `json:"title"`
	Present   []prevent.ID `json:"present,omitempty"`
	Apologies []prevent.ID `json:"apologies,omitempty"`
}

// BoardDecisionCreate records a decision of a meeting.
type BoardDecisionCreate struct {
	Text string `json:"text"`
}

// BoardActionView is an entry of the action log: status is open, done or cancelled; overdue is true while
// open past its due date. meeting_id is null for an action not from a meeting.
type BoardActionView struct {
	ID          prevent.ID  `json:"id"`
	MeetingID   *prevent.ID `json:"meeting_id"`
	Description string      `json:"description"`
	Owner       PersonRef   `json:"owner"`
	DueOn       string      `json:"due_on"`
	Status      string      `json:"status"`
	Overdue     bool        `json:"overdue"`
}

// BoardActionList is the action log: open actions first by due date, then the rest.
type BoardActionList struct {
	Items []BoardActionView `json:"items"`
}

// BoardActionCreate adds an action to the log; meeting_id 0 or absent: not from a meeting.
type BoardActionCreate struct {
	MeetingID   prevent.ID `json:"meeting_id,omitempty"`
	Description string     `json:"description"`
	OwnerID     prevent.ID `json:"owner_id"`
	DueOn       string     `json:"due_on"`
}

// BoardActionStatusInput sets an action's status: open, done or cancelled.
type BoardActionStatusInput struct {
	Status string `json:"status"`
}

// CourseCoverage is how many of an organisation's people completed a course against its target (percent is
// 0 without a target).
type CourseCoverage struct {
	Organisation OrganisationRef `json:"organisation"`
	Target       int             `json:"target"`
	Completed    int             `json:"completed"`
	Percent      int             `json:"percent"`
}

// TrainingCourse is a training course with its coverage by organisation (counts, no names).
type TrainingCourse struct {
	ID       prevent.ID       `json:"id"`
	Title    string           `json:"title"`
	Kind     string           `json:"kind"`
	Coverage []CourseCoverage `json:"coverage"`
}

// TrainingCourseList is the partnership's courses.
type TrainingCourseList struct {
	Items []TrainingCourse `json:"items"`
}

// TrainingCourseCreate adds a course; kind is prevent-awareness, channel-awareness, workshop or other.
type TrainingCourseCreate struct {
	Title string `json:"title"`
	Kind  string `json:"kind"`
}

// CourseCompletion is a person's completion of a course, with their organisation and roles.
type CourseCompletion struct {
	ID           prevent.ID     `json:"id"`
	Person       PersonRef      `json:"person"`
	Organisation string         `json:"organisation"`
	Roles        []prevent.Role `json:"roles"`
	CompletedOn  string         `json:"completed_on"`
}

// CourseCompletionList is who completed a course, latest first.
type CourseCompletionList struct {
	Items []CourseCompletion `json:"items"`
}

// CourseCompletionCreate records that a person of the partnership completed the course (not in the future).
type CourseCompletionCreate struct {
	PersonID    prevent.ID `json:"person_id"`
	CompletedOn string     `json:"completed_on"`
}

// CourseTargetInput sets how many of an organisation's people should complete the course.
type CourseTargetInput struct {
	OrganisationID prevent.ID `json:"organisation_id"`
	Target         *int       `json:"target"`
}

// QuestionAnswer is one of the partnership's public questions and answers; sort is its place in the list.
type QuestionAnswer struct {
	ID       prevent.ID `json:"id"`
	Topic    string     `json:"topic"`
	Question string     `json:"question"`
	Answer   string     `json:"answer"`
	Sort     int        `json:"sort"`
}

// QuestionAnswerList is the public questions and answers, in order: the partnership's own once it has
// edited them, the service's defaults until then.
type QuestionAnswerList struct {
	Items []QuestionAnswer `json:"items"`
}

// QuestionAnswerInput is a question and answer as written.
type QuestionAnswerInput struct {
	Topic    string `json:"topic"`
	Question string `json:"question"`
	Answer   string `json:"answer"`
	Sort     int    `json:"sort"`
}

// DueDiligenceFinding is the result on one point of a review: clear, concern or adverse.
type DueDiligenceFinding struct {
	Item   string `json:"item"`
	Kind   string `json:"kind"`
	Text   string `json:"text"`
	Result string `json:"result"`
	Note   string `json:"note"`
}

// DueDiligenceReview is a recorded shared-values review of an organisation.
type DueDiligenceReview struct {
	ID             prevent.ID            `json:"id"`
	Organisation   OrganisationRef       `json:"organisation"`
	Basis          string                `json:"basis"`
	Findings       []DueDiligenceFinding `json:"findings"`
	Indicators     []string              `json:"indicators"`
	Evidence       string                `json:"evidence"`
	Decision       string                `json:"decision"`
	DecidedBy      PersonRef             `json:"decided_by"`
	SecondReviewer *PersonRef            `json:"second_reviewer"`
	DecidedOn      string                `json:"decided_on"`
	ReviewDue      string                `json:"review_due"`
	CreatedAt      time.Time             `json:"created_at"`
}

// DueDiligenceReviewList is an organisation's reviews, latest decision first.
type DueDiligenceReviewList struct {
	Items []DueDiligenceReview `json:"items"`
}

// DueDiligenceReviewCreate is a shared-values review of the organisation the path names, decided by the
// token's owner. basis is funding, venue or both; findings maps each of the ten items (discrimination,
// democracy, law, terrorism, isolation, rule-of-law, rejects-violence, free-speech, equality, respect) to
// clear, concern or adverse, and notes may add a note to any; indicators are among stated-aims,
// nature-of-work, public-statements, internal-consistency and engagement; decision is positive or negative
// (positive with any concern needs a second reviewer other than the decider; never with an adverse
// finding); review_due is after decided_on and within two years of it. Errors on an item name
// findings.<item> or notes.<item>.
type DueDiligenceReviewCreate struct {
	Basis            string            `json:"basis"`
	Findings         map[string]string `json:"findings"`
	Notes            map[string]string `json:"notes,omitempty"`
	Indicators       []string          `json:"indicators"`
	Evidence         string            `json:"evidence"`
	Decision         string            `json:"decision"`
	SecondReviewerID prevent.ID        `json:"second_reviewer_id,omitempty"`
	DecidedOn        string            `json:"decided_on"`
	ReviewDue        string            `json:"review_due"`
}

// EvaluationInput is a project's evaluation plan, following the CLG questions, and its findings; each
// member replaces what was there (absent: emptied).
type EvaluationInput struct {
	Why       string `json:"why,omitempty"`
	What      string `json:"what,omitempty"`
	Questions string `json:"questions,omitempty"`
	Success   string `json:"success,omitempty"`
	Data      string `json:"data,omitempty"`
	Analysis  string `json:"analysis,omitempty"`
	Use       string `json:"use,omitempty"`
	Resources string `json:"resources,omitempty"`
	Findings  string `json:"findings,omitempty"`
}

// StreamCreate adds a funding stream: year is the financial year it starts in; amount is in pounds, as people
// write it ("25000" or "25,000.00").
type StreamCreate struct {
	Funder     string `json:"funder"`
	Name       string `json:"name"`
	Year       int    `json:"year"`
	Amount     string `json:"amount"`
	Conditions string `json:"conditions,omitempty"`
}

// SpendCreate records money spent from the allocation in a quarter (1 is April to June) of a financial year;
// amount is in pounds, more than zero.
type SpendCreate struct {
	Year    int    `json:"year"`
	Quarter int    `json:"quarter"`
	Amount  string `json:"amount"`
}

// CommissioningView is a recorded decision to commission (or not) a piece of work. project_id is null when
// it is not about one project.
type CommissioningView struct {
	ID        prevent.ID  `json:"id"`
	ProjectID *prevent.ID `json:"project_id"`
	Decision  string      `json:"decision"`
	DecidedBy PersonRef   `json:"decided_by"`
	DecidedOn string      `json:"decided_on"`
	Evidence  string      `json:"evidence"`
	CreatedAt time.Time   `json:"created_at"`
}

// CommissioningList is the partnership's commissioning decisions, newest first.
type CommissioningList struct {
	Items []CommissioningView `json:"items"`
}

// CommissioningCreate records who decided what (a person of the partnership, on a day not in the future), on
// what evidence; project_id 0 or absent: not about one project.
type CommissioningCreate struct {
	ProjectID   prevent.ID `json:"project_id,omitempty"`
	Decision    string     `json:"decision"`
	DecidedByID prevent.ID `json:"decided_by_id"`
	DecidedOn   string     `json:"decided_on"`
	Evidence    string     `json:"evidence"`
}
