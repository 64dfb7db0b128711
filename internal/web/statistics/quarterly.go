package statistics

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
	"github.com/preventplatform/prevent/internal/returns"
	"github.com/preventplatform/prevent/internal/web/core"
)

// The quarterly return for funded areas: generated for a quarter that is over, its projects' achievements and
// issues written while it is a draft, then approved by a coordinator, after which it is read-only. Reading is
// for the statistics roles; generating and writing need the programme's funding work, approving a plan
// approver's (the domain decides; the pages offer a step only to those who may take it).
var (
	// QuarterliesPath lists the partnership's quarterly returns (GET) and generates one (POST, with the period).
	QuarterliesPath = core.NewPath1("/partnerships/{pid}/statistics/quarterly")
	// QuarterlyPath is one quarterly return.
	QuarterlyPath = core.NewPath2("/partnerships/{pid}/statistics/quarterly/{id}")
	// QuarterlyTextPath is the form for one project's achievements and issues, the project named by the
	// project query parameter (GET) or form field (POST).
	QuarterlyTextPath = core.NewPath2("/partnerships/{pid}/statistics/quarterly/{id}/text")
	// QuarterlyApprovePath approves a draft return.
	QuarterlyApprovePath = core.NewPath2("/partnerships/{pid}/statistics/quarterly/{id}/approve")
	// QuarterlyDownloadPath serves the return as a workbook.
	QuarterlyDownloadPath = core.NewPath2("/partnerships/{pid}/statistics/quarterly/{id}/download")
)

// quartersShown is how many quarters that are over the generate form offers.
const quartersShown = 8

func (p *pages) registerQuarterly(site core.Site) {
	site.Handle("GET", QuarterliesPath.Pattern(), access.StatisticsView, p.handleQuarterlies)
	site.Handle("POST", QuarterliesPath.Pattern(), access.StatisticsView, p.handleGenerateQuarterly)
	site.Handle("GET", QuarterlyPath.Pattern(), access.StatisticsView, p.handleQuarterly)
	site.Handle("GET", QuarterlyTextPath.Pattern(), access.StatisticsView, p.handleQuarterlyText)
	site.Handle("POST", QuarterlyTextPath.Pattern(), access.StatisticsView, p.handleSaveQuarterlyText)
	site.Handle("POST", QuarterlyApprovePath.Pattern(), access.StatisticsView, p.handleApproveQuarterly)
	site.Handle("GET", QuarterlyDownloadPath.Pattern(), access.StatisticsView, p.handleQuarterlyDownload)
}

// handleQuarterlyDownload serves a quarterly return as a workbook (format xlsx or ods).
func (p *pages) handleQuarterlyDownload(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if _, ok := downloadTypes[format]; !ok {
		return prevent.Errorf(prevent.Invalid, "Choose a download: XLSX, ODS or CSV")
	}
	q, err := p.d.Returns.Quarterly(r.Context(), prevent.PrincipalFrom(r.Context()), pid, id)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("prevent-quarterly-return-%d-%d-q%d", pid, int(q.Period.Year), q.Period.Quarter)
	var body []byte
	switch format {
	case "xlsx":
		body, err = q.XLSX()
	case "ods":
		body, err = q.ODS()
	default:
		id := r.URL.Query().Get("table")
		i := slices.IndexFunc(q.Tables(), func(t returns.Table) bool { return t.ID == id })
		if i < 0 {
			return prevent.Errorf(prevent.NotFound, "There is no table %q in the quarterly return", id)
		}
		body, err = q.CSV(q.Tables()[i])
		name += "-" + id
	}
	if err != nil {
		return err
	}
	return attach(w, downloadTypes[format], name+"."+format, body)
}

// quarterliesView is the list of quarterly returns and the form that generates one.
type quarterliesView struct {
	PID     prevent.ID
	Form    core.Form
	Returns []*returns.Quarterly
	// Periods are the quarters that are over, latest first, offered when the reader may generate a return.
	Periods []returns.Period
	CanEdit bool
}

// periodValue is how a quarter is named in the form: the year, a colon and the quarter ("2026/27:1").
func periodValue(p returns.Period) string { return p.Year.String() + ":" + strconv.Itoa(p.Quarter) }

// endedQuarters are the quarters that are over at now, latest first.
func endedQuarters(p *pages) []returns.Period {
	now := p.d.Now()
	var out []returns.Period
	for y := returns.YearOf(now); len(out) < quartersShown && y >= 2015; y-- {
		for q := 4; q >= 1 && len(out) < quartersShown; q-- {
			if per := (returns.Period{Year: y, Quarter: q}); !now.Before(per.End()) {
				out = append(out, per)
			}
		}
	}
	return out
}

func (p *pages) quarterlies(r *http.Request, pid prevent.ID, f core.Form) (quarterliesView, error) {
	v := quarterliesView{PID: pid, Form: f, CanEdit: p.May(r, pid, access.FundingEdit)}
	var err error
	if v.Returns, err = p.d.Returns.QuarterlyReturns(r.Context(), prevent.PrincipalFrom(r.Context()), pid); err != nil {
		return v, err
	}
	if v.CanEdit {
		v.Periods = endedQuarters(p)
	}
	return v, nil
}

func (p *pages) showQuarterlies(w http.ResponseWriter, r *http.Request, v quarterliesView) error {
	l := p.Layout(r, "Quarterly returns")
	l.Errors = v.Form.Errors
	return p.Page(w, r, l, quarterliesPage(l, v))
}

// handleQuarterlies lists the quarterly returns, latest quarter first, with the form to generate one.
func (p *pages) handleQuarterlies(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	v, err := p.quarterlies(r, pid, core.Form{Values: url.Values{}})
	if err != nil {
		return err
	}
	return p.showQuarterlies(w, r, v)
}

// readPeriodValue reads a quarter written as periodValue writes it.
func readPeriodValue(s string) (returns.Period, bool) {
	year, quarter, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return returns.Period{}, false
	}
	y, err := returns.ParseFinancialYear(year)
	q, qerr := strconv.Atoi(quarter)
	if err != nil || qerr != nil || q < 1 || q > 4 {
		return returns.Period{}, false
	}
	return returns.Period{Year: y, Quarter: q}, true
}

// handleGenerateQuarterly drafts the return of the quarter posted, or generates its draft's figures again;
// a quarter not chosen, not over or already approved is shown on the page that posted it.
func (p *pages) handleGenerateQuarterly(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	pr := prevent.PrincipalFrom(r.Context())
	per, ok := readPeriodValue(f.Get("period"))
	if !ok {
		f.Errors = []prevent.FieldError{{Field: "period", Message: "Choose the quarter to report on"}}
	} else {
		q, err := p.d.Returns.GenerateQuarterly(r.Context(), pr, pid, per.Year, per.Quarter)
		switch kind := prevent.ErrorKind(err); {
		case err == nil:
			msg := fmt.Sprintf("The quarterly return for %s has today's figures; any text written is kept", q.Period)
			return p.Flash(w, r, QuarterlyPath.Link(pid, q.ID), msg)
		case kind == prevent.Invalid || kind == prevent.Conflict:
			f.Errors = []prevent.FieldError{{Field: "period", Message: prevent.PublicMessage(err)}}
		default:
			return err
		}
	}
	v, err := p.quarterlies(r, pid, f)
	if err != nil {
		return err
	}
	return p.showQuarterlies(w, r, v)
}

// quarterlyView is one quarterly return's page.
type quarterlyView struct {
	PID       prevent.ID
	Quarterly *returns.Quarterly
	Names     map[prevent.ID]string
	Reader    prevent.ID
	// CanEdit and CanApprove offer the steps of a draft only to those who may take them.
	CanEdit, CanApprove bool
}

// name is how a person is shown: "You", their name, or "A colleague" when the reader may not see them.
func (v quarterlyView) name(id prevent.ID) string {
	switch {
	case id == 0:
		return ""
	case id == v.Reader:
		return "You"
	case v.Names[id] != "":
		return v.Names[id]
	}
	return "A colleague"
}

func (p *pages) loadQuarterly(r *http.Request) (quarterlyView, error) {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return quarterlyView{}, err
	}
	ctx := r.Context()
	pr := prevent.PrincipalFrom(ctx)
	q, err := p.d.Returns.Quarterly(ctx, pr, pid, id)
	if err != nil {
		return quarterlyView{}, err
	}
	v := quarterlyView{PID: pid, Quarterly: q, Reader: pr.PersonID, Names: map[prevent.ID]string{}}
	if p.d.Names != nil {
		if v.Names, err = p.d.Names(ctx, pr, pid, []prevent.ID{q.CreatedBy, q.ApprovedBy}); err != nil {
			return quarterlyView{}, err
		}
	}
	draft := q.State == returns.QuarterlyDraft
	v.CanEdit = draft && p.May(r, pid, access.FundingEdit)
	v.CanApprove = draft && p.May(r, pid, access.PlanApprove)
	return v, nil
}

func (p *pages) showQuarterly(w http.ResponseWriter, r *http.Request, v quarterlyView, errs []prevent.FieldError) error {
	l := p.Layout(r, "Quarterly return for "+v.Quarterly.Period.String())
	l.Back = QuarterliesPath.Link(v.PID)
	l.Errors = errs
	return p.Page(w, r, l, quarterlyPage(l, v))
}

// handleQuarterly shows a quarterly return: its state, the casework counts, and each project's outputs,
// impacts, money and text.
func (p *pages) handleQuarterly(w http.ResponseWriter, r *http.Request) error {
	v, err := p.loadQuarterly(r)
	if err != nil {
		return err
	}
	return p.showQuarterly(w, r, v, nil)
}

// handleApproveQuarterly approves a draft; a refusal the reader can act on (already approved) is shown on
// the return's page.
func (p *pages) handleApproveQuarterly(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	if _, err := core.ReadForm(w, r); err != nil {
		return err
	}
	err = p.d.Returns.ApproveQuarterly(r.Context(), prevent.PrincipalFrom(r.Context()), pid, id)
	if kind := prevent.ErrorKind(err); kind == prevent.Conflict || kind == prevent.Invalid {
		v, lerr := p.loadQuarterly(r)
		if lerr != nil {
			return lerr
		}
		return p.showQuarterly(w, r, v, []prevent.FieldError{{Message: prevent.PublicMessage(err)}})
	}
	if err != nil {
		return err
	}
	return p.Flash(w, r, QuarterlyPath.Link(pid, id), "The quarterly return is approved. It can no longer be changed")
}

// quarterlyTextView is the form for one project's text.
type quarterlyTextView struct {
	PID       prevent.ID
	Quarterly *returns.Quarterly
	Project   returns.ProjectFigures
	Form      core.Form
}

// textProject finds the project named in a return, or says it is not one of its projects.
func textProject(q *returns.Quarterly, s string) (returns.ProjectFigures, error) {
	id, _ := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	for _, pr := range q.Figures.Projects {
		if pr.ProjectID == id {
			return pr, nil
		}
	}
	return returns.ProjectFigures{}, access.NotFound("Project")
}

func (p *pages) showQuarterlyText(w http.ResponseWriter, r *http.Request, v quarterlyTextView) error {
	l := p.Layout(r, v.Project.Title+": achievements and issues")
	l.Back = QuarterlyPath.Link(v.PID, v.Quarterly.ID)
	l.Errors = v.Form.Errors
	return p.Page(w, r, l, quarterlyTextPage(l, v))
}

// handleQuarterlyText shows the form for a project's text, filled with what is written, to those who may
// write it while the return is a draft.
func (p *pages) handleQuarterlyText(w http.ResponseWriter, r *http.Request) error {
	v, err := p.loadQuarterly(r)
	if err != nil {
		return err
	}
	if !v.CanEdit {
		return access.NotFound("Quarterly return")
	}
	pr, err := textProject(v.Quarterly, r.URL.Query().Get("project"))
	if err != nil {
		return err
	}
	t := v.Quarterly.Text[pr.ProjectID]
	f := core.Form{Values: url.Values{"project": {strconv.FormatInt(pr.ProjectID, 10)}, "achievements": {t.Achievements}, "issues": {t.Issues}}}
	return p.showQuarterlyText(w, r, quarterlyTextView{PID: v.PID, Quarterly: v.Quarterly, Project: pr, Form: f})
}

// handleSaveQuarterlyText saves a project's text; errors are shown on the form with what was typed.
func (p *pages) handleSaveQuarterlyText(w http.ResponseWriter, r *http.Request) error {
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	v, err := p.loadQuarterly(r)
	if err != nil {
		return err
	}
	pr, err := textProject(v.Quarterly, f.Get("project"))
	if err != nil {
		return err
	}
	err = p.d.Returns.EditQuarterlyProject(r.Context(), prevent.PrincipalFrom(r.Context()), v.PID, v.Quarterly.ID, pr.ProjectID,
		returns.ProjectText{Achievements: f.Values.Get("achievements"), Issues: f.Values.Get("issues")})
	switch kind := prevent.ErrorKind(err); {
	case err == nil:
		return p.Flash(w, r, QuarterlyPath.Link(v.PID, v.Quarterly.ID)+"#project-"+strconv.FormatInt(pr.ProjectID, 10),
			"The achievements and issues of "+pr.Title+" are saved")
	case kind == prevent.Invalid || kind == prevent.Conflict:
		return p.showQuarterlyText(w, r, quarterlyTextView{PID: v.PID, Quarterly: v.Quarterly, Project: pr, Form: f.WithErr(err)})
	}
	return err
}

// pounds writes an amount in pence as pounds.
func pounds(pence int64) string { return programme.Pence(pence).String() }

// quarterlyTotals are the money of every project of the return.
func quarterlyTotals(q *returns.Quarterly) (allocated, spent, toDate int64) {
	for _, pr := range q.Figures.Projects {
		allocated += pr.AllocatedPence
		spent += pr.SpentPence
		toDate += pr.SpentToDatePence
	}
	return allocated, spent, toDate
}
