package api

import (
	"time"

	"github.com/preventplatform/prevent/internal/prevent"
)

// The programme of action's bodies. Money is in pence (integers); impact figures are decimal strings, as
// typed, so that no precision is lost; dates are "YYYY-MM-DD" strings as stored.

// PersonRef names a person.
type PersonRef struct {
	ID   prevent.ID `json:"id"`
	Name string     `json:"name"`
}

// PlanSection is one section of a delivery plan.
type PlanSection struct {
	Key    string `json:"key"`
	Group  string `json:"group"`
	Title  string `json:"title"`
	Body   string `json:"body"`
	Status string `json:"status"`
}

// Plan is a delivery plan; Sections is empty in lists.
type Plan struct {
	ID          prevent.ID    `json:"id"`
	Year        int           `json:"year"`
	Title       string        `json:"title"`
	Status      string        `json:"status"`
	Version     int           `json:"version"`
	ApprovedBy  *PersonRef    `json:"approved_by"`
	ApprovedAt  *time.Time    `json:"approved_at"`
	ActivatedAt *time.Time    `json:"activated_at"`
	ClosedAt    *time.Time    `json:"closed_at"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
	Sections    []PlanSection `json:"sections"`
}

// PlanList is a partnership's delivery plans.
type PlanList struct {
	Items []Plan `json:"items"`
}

// Milestone is a project milestone; done_on is empty until done.
type Milestone struct {
	ID     prevent.ID `json:"id"`
	Title  string     `json:"title"`
	DueOn  string     `json:"due_on"`
	DoneOn string     `json:"done_on"`
}

// Actual is an impact's measured value in one quarter ("2026-Q1" is April to June 2026).
type Actual struct {
	Quarter  string `json:"quarter"`
	Value    string `json:"value"`
	Evidence string `json:"evidence"`
}

// Impact is a measurable impact with baseline, target and actuals by quarter.
type Impact struct {
	ID        prevent.ID `json:"id"`
	Indicator string     `json:"indicator"`
	Unit      string     `json:"unit"`
	Baseline  string     `json:"baseline"`
	Target    string     `json:"target"`
	Evidence  string     `json:"evidence"`
	Actuals   []Actual   `json:"actuals"`
}

// Evaluation is a project's evaluation plan, following the CLG questions, and its findings.
type Evaluation struct {
	Why       string `json:"why"`
	What      string `json:"what"`
	Questions string `json:"questions"`
	Success   string `json:"success"`
	Data      string `json:"data"`
	Analysis  string `json:"analysis"`
	Use       string `json:"use"`
	Resources string `json:"resources"`
	Findings  string `json:"findings"`
}

// Project is a project or activity of the programme.
type Project struct {
	ID            prevent.ID        `json:"id"`
	PlanID        *prevent.ID       `json:"plan_id"`
	PublicTitle   string            `json:"public_title"`
	InternalTitle string            `json:"internal_title"`
	Lead          OrganisationRef   `json:"lead"`
	Partners      []OrganisationRef `json:"partners"`
	Objectives    []string          `json:"objectives"`
	Scope         string            `json:"scope"`
	Areas         string            `json:"areas"`
	Institutions  string            `json:"institutions"`
	StartsOn      string            `json:"starts_on"`
	EndsOn        string            `json:"ends_on"`
	RAG           string            `json:"rag"`
	RAGReason     string            `json:"rag_reason"`
	Risks         string            `json:"risks"`
	Milestones    []Milestone       `json:"milestones"`
	Impacts       []Impact          `json:"impacts"`
	Evaluation    Evaluation        `json:"evaluation"`
	CreatedAt     time.Time         `json:"created_at"`
	UpdatedAt     time.Time         `json:"updated_at"`
}

// ProjectList is a partnership's projects.
type ProjectList struct {
	Items []Project `json:"items"`
}

// Stream is a funding stream.
type Stream struct {
	ID          prevent.ID `json:"id"`
	Funder      string     `json:"funder"`
	Name        string     `json:"name"`
	Year        int        `json:"year"`
	AmountPence int64      `json:"amount_pence"`
	Conditions  string     `json:"conditions"`
	CreatedAt   time.Time  `json:"created_at"`
}

// StreamList is a partnership's funding streams.
type StreamList struct {
	Items []Stream `json:"items"`
}

// QuarterSpend is the spend from an allocation in one quarter (1 is April to June) of a financial year.
type QuarterSpend struct {
	Year        int   `json:"year"`
	Quarter     int   `json:"quarter"`
	AmountPence int64 `json:"amount_pence"`
}

// Allocation is money allocated from a stream to a project, with its spend.
type Allocation struct {
	ID           prevent.ID     `json:"id"`
	StreamID     prevent.ID     `json:"stream_id"`
	StreamName   string         `json:"stream_name"`
	ProjectID    prevent.ID     `json:"project_id"`
	ProjectTitle string         `json:"project_title"`
	AmountPence  int64          `json:"amount_pence"`
	AllocatedOn  string         `json:"allocated_on"`
	Note         string         `json:"note"`
	SpentPence   int64          `json:"spent_pence"`
	Spend        []QuarterSpend `json:"spend"`
}

// AllocationList is a partnership's allocations.
type AllocationList struct {
	Items []Allocation `json:"items"`
}

// AllocationInput allocates money to a project. Amount is in pounds, as people write it ("2500" or "2,500.00").
type AllocationInput struct {
	StreamID  prevent.ID `json:"stream_id"`
	ProjectID prevent.ID `json:"project_id"`
	Amount    string     `json:"amount"`
	Note      string     `json:"note"`
}

// BudgetLine is budget against spend for one stream, objective or organisation (awarded only for streams).
type BudgetLine struct {
	Key            string `json:"key"`
	Name           string `json:"name"`
	AwardedPence   int64  `json:"awarded_pence"`
	AllocatedPence int64  `json:"allocated_pence"`
	SpentPence     int64  `json:"spent_pence"`
	VariancePence  int64  `json:"variance_pence"`
}

// FundingReport is budget against spend with variance by stream, objective and organisation, and the total.
type FundingReport struct {
	Framework      string       `json:"framework"`
	ByStream       []BudgetLine `json:"by_stream"`
	ByObjective    []BudgetLine `json:"by_objective"`
	ByOrganisation []BudgetLine `json:"by_organisation"`
	Total          BudgetLine   `json:"total"`
}

// Standing is an organisation's shared-values due-diligence standing today. Message says why new
// allocations are blocked, when they are.
type Standing struct {
	Organisation      OrganisationRef `json:"organisation"`
	PublicBody        bool            `json:"public_body"`
	State             string          `json:"state"`
	DecidedOn         string          `json:"decided_on"`
	ReviewDue         string          `json:"review_due"`
	BlocksAllocations bool            `json:"blocks_allocations"`
	Message           string          `json:"message"`
}

// StandingList is every member organisation's standing.
type StandingList struct {
	Items []Standing `json:"items"`
}

// DocumentVersion is one uploaded version of a library document.
type DocumentVersion struct {
	Version     int       `json:"version"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	UploadedAt  time.Time `json:"uploaded_at"`
}

// Document is a library document's details; its content is at .../content.
type Document struct {
	ID             prevent.ID        `json:"id"`
	Title          string            `json:"title"`
	Kind           string            `json:"kind"`
	Marking        string            `json:"marking"`
	Originator     string            `json:"originator"`
	Audience       string            `json:"audience"`
	ReviewOn       string            `json:"review_on"`
	CurrentVersion int               `json:"current_version"`
	CreatedAt      time.Time         `json:"created_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
	Versions       []DocumentVersion `json:"versions"`
}

// DocumentList is the library documents the token owner's clearance covers.
type DocumentList struct {
	Items []Document `json:"items"`
}
