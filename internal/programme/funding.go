package programme

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Pence is an amount of money in whole pence.
type Pence int64

// String renders an amount as pounds, "£1,234.56" (negative as "-£12.00").
func (p Pence) String() string {
	sign := ""
	v := int64(p)
	if v < 0 {
		sign, v = "-", -v
	}
	pounds := strconv.FormatInt(v/100, 10)
	var b strings.Builder
	for i, c := range pounds {
		if i > 0 && (len(pounds)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return fmt.Sprintf("%s£%s.%02d", sign, b.String(), v%100)
}

// ParsePence reads an amount in pounds as people type it: "1234", "£1,234.5", "1234.56".
func ParsePence(s string) (Pence, bool) {
	s = strings.TrimPrefix(strings.ReplaceAll(strings.TrimSpace(s), ",", ""), "£")
	if s == "" || len(s) > 15 {
		return 0, false
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || (hasFrac && (len(frac) == 0 || len(frac) > 2)) {
		return 0, false
	}
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, false
	}
	var f int64
	if hasFrac {
		if len(frac) == 1 {
			frac += "0"
		}
		f, _ = strconv.ParseInt(frac, 10, 64)
	}
	return Pence(w*100 + f), true
}

// StreamInput is a funding stream as entered.
type StreamInput struct {
	Funder     string // "funder"
	Name       string // "name"
	Year       string // "year": the financial year it starts in
	Amount     string // "amount", in pounds
	Conditions string // "conditions"
}

// Stream is a funding stream.
type Stream struct {
	ID         prevent.ID
	Funder     string
	Name       string
	Year       int
	Amount     Pence
	Conditions string
	CreatedAt  time.Time
}

// CreateStream adds a funding stream.
func (s *Service) CreateStream(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, in StreamInput) (prevent.ID, error) {
	if err := s.decide(p, access.FundingEdit, partnershipID, 0, "Partnership"); err != nil {
		return 0, err
	}
	var f prevent.Fields
	checkText(&f, "funder", in.Funder, "Enter the funder", 200)
	checkText(&f, "name", in.Name, "Enter the name of the funding stream", 200)
	year, err := strconv.Atoi(strings.TrimSpace(in.Year))
	if err != nil || year < 2000 || year > 2100 {
		f.Add("year", "Enter the financial year the funding starts in, for example 2026")
	}
	amount, ok := ParsePence(in.Amount)
	if !ok {
		f.Add("amount", "Enter the amount in pounds, for example 25000 or 25,000.00")
	}
	checkText(&f, "conditions", in.Conditions, "", 5000)
	if err := f.Err(); err != nil {
		return 0, err
	}
	var id prevent.ID
	err = s.db.WithTx(ctx, func(tx *database.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO funding_streams (partnership_id, funder, name, year, amount_pence, conditions, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, partnershipID, strings.TrimSpace(in.Funder), strings.TrimSpace(in.Name), year,
			int64(amount), strings.TrimSpace(in.Conditions), s.now()).Scan(&id); err != nil {
			return fmt.Errorf("programme: create stream: %w", err)
		}
		return s.record(ctx, tx, p, audit.Collect, "funding_stream", id, partnershipID, "created funding stream")
	})
	return id, err
}

// Streams lists the partnership's funding streams, newest year first.
func (s *Service) Streams(ctx context.Context, p prevent.Principal, partnershipID prevent.ID) ([]Stream, error) {
	if err := s.decide(p, access.FundingView, partnershipID, 0, "Partnership"); err != nil {
		return nil, err
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT id, funder, name, year, amount_pence, conditions, created_at FROM funding_streams
		WHERE partnership_id = $1 ORDER BY year DESC, lower(name), id`, partnershipID)
	if err != nil {
		return nil, fmt.Errorf("programme: streams: %w", err)
	}
	defer rows.Close()
	var out []Stream
	for rows.Next() {
		var st Stream
		if err := rows.Scan(&st.ID, &st.Funder, &st.Name, &st.Year, &st.Amount, &st.Conditions, &st.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// AllocationInput is an allocation of a stream's money to a project.
type AllocationInput struct {
	StreamID  prevent.ID // "stream"
	ProjectID prevent.ID // "project"
	Amount    string     // "amount", in pounds
	Note      string     // "note"
}

// Allocate allocates money from a stream to a project. It is refused, saying why, when the stream has too little
// left, or when the shared-values due diligence of the project's lead organisation, or of any partner that is
// not a public body, is missing, overdue or negative.
func (s *Service) Allocate(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, in AllocationInput) (prevent.ID, error) {
	if err := s.decide(p, access.FundingEdit, partnershipID, 0, "Partnership"); err != nil {
		return 0, err
	}
	var f prevent.Fields
	amount, ok := ParsePence(in.Amount)
	if !ok || amount == 0 {
		f.Add("amount", "Enter the amount to allocate in pounds, more than zero")
	}
	checkText(&f, "note", in.Note, "", 2000)
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		var awarded, allocated int64
		err := tx.QueryRowContext(ctx, `SELECT st.amount_pence, COALESCE((SELECT SUM(a.amount_pence) FROM funding_allocations a WHERE a.stream_id = st.id), 0)
			FROM funding_streams st WHERE st.id = $1 AND st.partnership_id = $2`, in.StreamID, partnershipID).Scan(&awarded, &allocated)
		if errors.Is(err, sql.ErrNoRows) {
			f.Add("stream", "Select a funding stream")
		} else if err != nil {
			return fmt.Errorf("programme: allocate: %w", err)
		}
		var lead prevent.ID
		err = tx.QueryRowContext(ctx, `SELECT lead_org_id FROM projects WHERE id = $1 AND partnership_id = $2`, in.ProjectID, partnershipID).Scan(&lead)
		if errors.Is(err, sql.ErrNoRows) {
			f.Add("project", "Select a project")
		} else if err != nil {
			return fmt.Errorf("programme: allocate: %w", err)
		}
		if ok && amount > 0 && !f.Has("stream") && allocated+int64(amount) > awarded {
			f.Add("amount", "The stream has "+Pence(awarded-allocated).String()+" left to allocate")
		}
		if err := f.Err(); err != nil {
			return err
		}
		orgs := []prevent.ID{lead}
		rows, err := tx.QueryContext(ctx, `SELECT organisation_id FROM project_partners WHERE project_id = $1 ORDER BY organisation_id`, in.ProjectID)
		if err != nil {
			return fmt.Errorf("programme: allocate: %w", err)
		}
		for rows.Next() {
			var o prevent.ID
			if err := rows.Scan(&o); err != nil {
				rows.Close()
				return err
			}
			orgs = append(orgs, o)
		}
		rows.Close()
		for _, o := range orgs {
			st, err := standing(ctx, tx, partnershipID, o, s.today())
			if err != nil {
				return err
			}
			if st.Blocks() {
				return prevent.Errorf(prevent.Conflict, "This allocation cannot be made. %s.", st.Message)
			}
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO funding_allocations (stream_id, project_id, amount_pence, allocated_on, allocated_by, note, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, in.StreamID, in.ProjectID, int64(amount), s.today(), p.PersonID,
			strings.TrimSpace(in.Note), s.now()).Scan(&id); err != nil {
			return fmt.Errorf("programme: allocate: %w", err)
		}
		return s.record(ctx, tx, p, audit.Collect, "funding_allocation", id, partnershipID, "allocated "+amount.String()+" to project "+strconv.FormatInt(in.ProjectID, 10))
	})
	return id, err
}

// RecordSpend records money spent from an allocation in a quarter (1 is April to June) of a financial year.
func (s *Service) RecordSpend(ctx context.Context, p prevent.Principal, partnershipID, allocationID prevent.ID, year, quarter int, amount string) (prevent.ID, error) {
	if err := s.decide(p, access.FundingEdit, partnershipID, 0, "Allocation"); err != nil {
		return 0, err
	}
	var f prevent.Fields
	if year < 2000 || year > 2100 {
		f.Add("year", "Enter the financial year, for example 2026")
	}
	if quarter < 1 || quarter > 4 {
		f.Add("quarter", "Select the quarter")
	}
	v, ok := ParsePence(amount)
	if !ok || v == 0 {
		f.Add("amount", "Enter the amount spent in pounds, more than zero")
	}
	if err := f.Err(); err != nil {
		return 0, err
	}
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM funding_allocations a JOIN funding_streams st ON st.id = a.stream_id
			WHERE a.id = $1 AND st.partnership_id = $2`, allocationID, partnershipID).Scan(&n); err != nil {
			return fmt.Errorf("programme: record spend: %w", err)
		}
		if n == 0 {
			return access.NotFound("Allocation")
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO funding_spend (allocation_id, year, quarter, amount_pence, recorded_by, recorded_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, allocationID, year, quarter, int64(v), p.PersonID, s.now()).Scan(&id); err != nil {
			return fmt.Errorf("programme: record spend: %w", err)
		}
		return s.record(ctx, tx, p, audit.Collect, "funding_allocation", allocationID, partnershipID, fmt.Sprintf("spend %s in %d Q%d", v, year, quarter))
	})
	return id, err
}

// Allocation is money allocated to a project, with its spend by quarter.
type Allocation struct {
	ID           prevent.ID
	StreamID     prevent.ID
	StreamName   string
	ProjectID    prevent.ID
	ProjectTitle string // public title
	Amount       Pence
	AllocatedOn  string
	Note         string
	Spend        []QuarterSpend
	Spent        Pence
}

// QuarterSpend is the spend in one quarter.
type QuarterSpend struct {
	Year    int
	Quarter int
	Amount  Pence
}

// Allocations lists the partnership's allocations with spend by quarter.
func (s *Service) Allocations(ctx context.Context, p prevent.Principal, partnershipID prevent.ID) ([]Allocation, error) {
	if err := s.decide(p, access.FundingView, partnershipID, 0, "Partnership"); err != nil {
		return nil, err
	}
	q := s.db.Read()
	rows, err := q.QueryContext(ctx, `SELECT a.id, a.stream_id, st.name, a.project_id, pr.public_title, a.amount_pence, a.allocated_on, a.note
		FROM funding_allocations a JOIN funding_streams st ON st.id = a.stream_id JOIN projects pr ON pr.id = a.project_id
		WHERE st.partnership_id = $1 ORDER BY a.id`, partnershipID)
	if err != nil {
		return nil, fmt.Errorf("programme: allocations: %w", err)
	}
	var out []Allocation
	index := map[prevent.ID]int{}
	for rows.Next() {
		var a Allocation
		if err := rows.Scan(&a.ID, &a.StreamID, &a.StreamName, &a.ProjectID, &a.ProjectTitle, &a.Amount, &a.AllocatedOn, &a.Note); err != nil {
			rows.Close()
			return nil, err
		}
		index[a.ID] = len(out)
		out = append(out, a)
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT sp.allocation_id, sp.year, sp.quarter, SUM(sp.amount_pence) FROM funding_spend sp
		JOIN funding_allocations a ON a.id = sp.allocation_id JOIN funding_streams st ON st.id = a.stream_id
		WHERE st.partnership_id = $1 GROUP BY sp.allocation_id, sp.year, sp.quarter ORDER BY sp.allocation_id, sp.year, sp.quarter`, partnershipID)
	if err != nil {
		return nil, fmt.Errorf("programme: spend: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id prevent.ID
		var qs QuarterSpend
		if err := rows.Scan(&id, &qs.Year, &qs.Quarter, &qs.Amount); err != nil {
			return nil, err
		}
		a := &out[index[id]]
		a.Spend = append(a.Spend, qs)
		a.Spent += qs.Amount
	}
	return out, rows.Err()
}

// Line is one row of the budget report. Variance is Allocated minus Spent (negative when overspent).
type Line struct {
	Key       string
	Name      string
	Awarded   Pence // streams only: the stream's amount
	Allocated Pence
	Spent     Pence
	Variance  Pence
}

// Report is budget against spend by stream, by objective (of one framework) and by lead organisation. Each
// breakdown adds up exactly to Total: a project tagged with several objectives has its money split evenly
// between them in whole pence, the odd pence going to the objectives first in the framework's order.
type Report struct {
	Framework      Framework
	ByStream       []Line
	ByObjective    []Line
	ByOrganisation []Line
	Total          Line
}

// Untagged is the key of the objective line for projects with no objective in the report's framework.
const Untagged = ""

// BudgetReport computes budget against spend for the partnership.
func (s *Service) BudgetReport(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, fw Framework) (Report, error) {
	if err := s.decide(p, access.FundingView, partnershipID, 0, "Partnership"); err != nil {
		return Report{}, err
	}
	if fw != Prevent2009 && fw != Contest2023 {
		return Report{}, prevent.Validation([]prevent.FieldError{{Field: "framework", Message: "Select an objective framework"}})
	}
	q := s.db.Read()
	rep := Report{Framework: fw}
	streams, err := s.Streams(ctx, p, partnershipID)
	if err != nil {
		return rep, err
	}
	byStream := map[prevent.ID]*Line{}
	for _, st := range streams {
		rep.ByStream = append(rep.ByStream, Line{Key: strconv.FormatInt(st.ID, 10), Name: st.Name + " (" + st.Funder + ", " + strconv.Itoa(st.Year) + ")", Awarded: st.Amount})
		rep.Total.Awarded += st.Amount
	}
	for i := range rep.ByStream {
		id, _ := strconv.ParseInt(rep.ByStream[i].Key, 10, 64)
		byStream[id] = &rep.ByStream[i]
	}
	allocs, err := s.Allocations(ctx, p, partnershipID)
	if err != nil {
		return rep, err
	}
	projects, err := listProjects(ctx, q, partnershipID)
	if err != nil {
		return rep, err
	}
	byProject := map[prevent.ID]Project{}
	for _, pr := range projects {
		byProject[pr.ID] = pr
	}
	objs, err := objectives(ctx, q)
	if err != nil {
		return rep, err
	}
	objLines := map[string]*Line{}
	var objOrder []string
	for _, o := range objs {
		if o.Framework == fw {
			objLines[o.Code] = &Line{Key: o.Code, Name: o.Code + ": " + o.Title}
			objOrder = append(objOrder, o.Code)
		}
	}
	objLines[Untagged] = &Line{Key: Untagged, Name: "No objective under this framework"}
	orgLines := map[prevent.ID]*Line{}
	for _, a := range allocs {
		if l := byStream[a.StreamID]; l != nil {
			l.Allocated += a.Amount
			l.Spent += a.Spent
		}
		rep.Total.Allocated += a.Amount
		rep.Total.Spent += a.Spent
		pr := byProject[a.ProjectID]
		ol := orgLines[pr.Lead.ID]
		if ol == nil {
			ol = &Line{Key: strconv.FormatInt(pr.Lead.ID, 10), Name: pr.Lead.Name}
			orgLines[pr.Lead.ID] = ol
		}
		ol.Allocated += a.Amount
		ol.Spent += a.Spent
		var codes []string
		for _, code := range objOrder {
			for _, o := range pr.Objectives {
				if o.Framework == fw && o.Code == code {
					codes = append(codes, code)
				}
			}
		}
		if len(codes) == 0 {
			codes = []string{Untagged}
		}
		allocShares, spendShares := split(a.Amount, len(codes)), split(a.Spent, len(codes))
		for i, code := range codes {
			objLines[code].Allocated += allocShares[i]
			objLines[code].Spent += spendShares[i]
		}
	}
	for _, code := range append(objOrder, Untagged) {
		l := objLines[code]
		if code == Untagged && l.Allocated == 0 && l.Spent == 0 {
			continue
		}
		rep.ByObjective = append(rep.ByObjective, *l)
	}
	for _, l := range orgLines {
		rep.ByOrganisation = append(rep.ByOrganisation, *l)
	}
	sort.Slice(rep.ByOrganisation, func(i, j int) bool {
		return strings.ToLower(rep.ByOrganisation[i].Name) < strings.ToLower(rep.ByOrganisation[j].Name)
	})
	for _, lines := range [][]Line{rep.ByStream, rep.ByObjective, rep.ByOrganisation} {
		for i := range lines {
			lines[i].Variance = lines[i].Allocated - lines[i].Spent
		}
	}
	rep.Total.Key, rep.Total.Name = "total", "Total"
	rep.Total.Variance = rep.Total.Allocated - rep.Total.Spent
	return rep, nil
}

// split divides v into n whole-pence shares that add up to v, the first ones taking the odd pence.
func split(v Pence, n int) []Pence {
	out := make([]Pence, n)
	base, rem := int64(v)/int64(n), int64(v)%int64(n)
	for i := range out {
		out[i] = Pence(base)
		if int64(i) < rem {
			out[i]++
		}
	}
	return out
}

// CommissioningInput is a commissioning decision as entered.
type CommissioningInput struct {
	ProjectID prevent.ID // "project", optional
	Decision  string     // "decision"
	DecidedBy prevent.ID // "decided-by": the person (or chair) who decided
	DecidedOn string     // "decided-on"
	Evidence  string     // "evidence"
}

// CommissioningDecision is a recorded decision to commission (or not) a piece of work.
type CommissioningDecision struct {
	ID            prevent.ID
	ProjectID     prevent.ID
	Decision      string
	DecidedBy     prevent.ID
	DecidedByName string
	DecidedOn     string
	Evidence      string
	CreatedAt     time.Time
}

// RecordCommissioning records who decided what, on what evidence.
func (s *Service) RecordCommissioning(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, in CommissioningInput) (prevent.ID, error) {
	if err := s.decide(p, access.FundingEdit, partnershipID, 0, "Partnership"); err != nil {
		return 0, err
	}
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		var f prevent.Fields
		checkText(&f, "decision", in.Decision, "Enter the decision", 5000)
		if ok, err := memberPerson(ctx, tx, partnershipID, in.DecidedBy); err != nil {
			return err
		} else if !ok {
			f.Add("decided-by", "Select who decided from the partnership’s people")
		}
		if !validDate(in.DecidedOn) || in.DecidedOn > s.today() {
			f.Add("decided-on", "Enter the date of the decision as a real date, not in the future")
		}
		checkText(&f, "evidence", in.Evidence, "Enter the evidence the decision rests on", 10000)
		if in.ProjectID != 0 {
			if err := projectExists(ctx, tx, partnershipID, in.ProjectID); err != nil {
				f.Add("project", "Select one of the partnership’s projects")
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO commissioning_decisions (partnership_id, project_id, decision, decided_by, decided_on, evidence, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, partnershipID, nullID(in.ProjectID), strings.TrimSpace(in.Decision), in.DecidedBy,
			in.DecidedOn, strings.TrimSpace(in.Evidence), s.now()).Scan(&id); err != nil {
			return fmt.Errorf("programme: record commissioning: %w", err)
		}
		return s.record(ctx, tx, p, audit.Collect, "commissioning_decision", id, partnershipID, "recorded commissioning decision")
	})
	return id, err
}

// CommissioningDecisions lists the partnership's commissioning decisions, newest first.
func (s *Service) CommissioningDecisions(ctx context.Context, p prevent.Principal, partnershipID prevent.ID) ([]CommissioningDecision, error) {
	if err := s.decide(p, access.FundingView, partnershipID, 0, "Partnership"); err != nil {
		return nil, err
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT c.id, COALESCE(c.project_id, 0), c.decision, c.decided_by, pe.name, c.decided_on, c.evidence, c.created_at
		FROM commissioning_decisions c JOIN people pe ON pe.id = c.decided_by WHERE c.partnership_id = $1 ORDER BY c.decided_on DESC, c.id DESC`, partnershipID)
	if err != nil {
		return nil, fmt.Errorf("programme: commissioning: %w", err)
	}
	defer rows.Close()
	var out []CommissioningDecision
	for rows.Next() {
		var c CommissioningDecision
		if err := rows.Scan(&c.ID, &c.ProjectID, &c.Decision, &c.DecidedBy, &c.DecidedByName, &c.DecidedOn, &c.Evidence, &c.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
