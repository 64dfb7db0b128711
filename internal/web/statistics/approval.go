package statistics

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/returns"
	"github.com/preventplatform/prevent/internal/web/core"
)

// The approval of an annual return: drafted from the return page, checked by a second person, approved by a
// coordinator who did neither, then exported as a signed bundle for the region.
var (
	// AnnualsPath is where a return is drafted for approval (POST, with the year and policy).
	AnnualsPath = core.NewPath1("/partnerships/{pid}/statistics/returns")
	// AnnualPath is one annual return on its way to approval, or approved.
	AnnualPath = core.NewPath2("/partnerships/{pid}/statistics/returns/{id}")
	// AnnualCheckPath records the check of the revision read.
	AnnualCheckPath = core.NewPath2("/partnerships/{pid}/statistics/returns/{id}/check")
	// AnnualApprovePath approves the revision read.
	AnnualApprovePath = core.NewPath2("/partnerships/{pid}/statistics/returns/{id}/approve")
	// AnnualBundlePath serves the signed bundle of an approved return.
	AnnualBundlePath = core.NewPath2("/partnerships/{pid}/statistics/returns/{id}/bundle")
)

func (p *pages) registerApproval(site core.Site) {
	site.Handle("POST", AnnualsPath.Pattern(), access.StatisticsView, p.handleDraft)
	site.Handle("GET", AnnualPath.Pattern(), access.StatisticsView, p.handleAnnual)
	site.Handle("POST", AnnualCheckPath.Pattern(), access.StatisticsView, p.handleCheck)
	site.Handle("POST", AnnualApprovePath.Pattern(), access.StatisticsView, p.handleApprove)
	site.Handle("GET", AnnualBundlePath.Pattern(), access.StatisticsView, p.handleBundle)
}

// annualView is an annual return's page.
type annualView struct {
	PID    prevent.ID
	Annual *returns.Annual
	// Names are the people who drafted, checked and approved it, as far as the reader may see them.
	Names map[prevent.ID]string
	// Reader is whoever is reading.
	Reader prevent.ID
	// CanCheck and CanApprove offer the next step only to someone who may take it now.
	CanCheck, CanApprove bool
}

// name is how a person who took a step is shown: "you", their name, or, when the reader may not see the
// partnership's people, "a colleague".
func (v annualView) name(id prevent.ID) string {
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

// handleDraft drafts the return of the year and policy posted, or drafts the open one again.
func (p *pages) handleDraft(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	c := p.readChoice(f.Values)
	if len(c.form.Errors) > 0 {
		return prevent.Validation(c.form.Errors)
	}
	a, err := p.d.Returns.DraftAnnual(r.Context(), prevent.PrincipalFrom(r.Context()), returns.Request{PartnershipID: pid, Year: c.year, Policy: c.policy})
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("The return for %s is drafted. Someone else must check it before it is approved", a.Year)
	if a.Revision > 1 {
		msg = fmt.Sprintf("The return for %s is drafted again with today's figures (revision %d). It needs checking again", a.Year, a.Revision)
	}
	return p.Flash(w, r, AnnualPath.Link(pid, a.ID), msg)
}

func (p *pages) loadAnnual(ctx context.Context, r *http.Request) (annualView, error) {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return annualView{}, err
	}
	pr := prevent.PrincipalFrom(ctx)
	a, err := p.d.Returns.AnnualReturn(ctx, pr, pid, id)
	if err != nil {
		return annualView{}, err
	}
	v := annualView{PID: pid, Annual: a, Reader: pr.PersonID, Names: map[prevent.ID]string{}}
	if p.d.Names != nil {
		if v.Names, err = p.d.Names(ctx, pr, pid, []prevent.ID{a.DraftedBy, a.CheckedBy, a.ApprovedBy}); err != nil {
			return annualView{}, err
		}
	}
	v.CanCheck = a.State == returns.AnnualDraft && a.DraftedBy != pr.PersonID
	v.CanApprove = a.State == returns.AnnualChecked && !slices.Contains([]prevent.ID{a.DraftedBy, a.CheckedBy}, pr.PersonID) &&
		p.May(r, pid, access.PlanApprove)
	return v, nil
}

// handleAnnual shows an annual return: where it stands, who took each step, the next step for the reader, and
// the figures as they will be published.
func (p *pages) handleAnnual(w http.ResponseWriter, r *http.Request) error {
	v, err := p.loadAnnual(r.Context(), r)
	if err != nil {
		return err
	}
	return p.showAnnual(w, r, v, nil)
}

func (p *pages) showAnnual(w http.ResponseWriter, r *http.Request, v annualView, errs []prevent.FieldError) error {
	l := p.Layout(r, fmt.Sprintf("Return for %s", v.Annual.Year))
	l.Back = ReturnPath.Link(v.PID) + "?year=" + v.Annual.Year.String()
	l.Errors = errs
	return p.Page(w, r, l, annualPage(l, v))
}

// step runs a check or an approval of the revision posted; a refusal the reader can act on (someone else must
// take the step, or the return changed since it was read) is shown on the return's page.
func (p *pages) step(w http.ResponseWriter, r *http.Request, do func(context.Context, prevent.Principal, prevent.ID, prevent.ID, int) error, done string) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	revision, _ := strconv.Atoi(f.Get("revision"))
	err = do(r.Context(), prevent.PrincipalFrom(r.Context()), pid, id, revision)
	if kind := prevent.ErrorKind(err); kind == prevent.Conflict || kind == prevent.Invalid {
		v, lerr := p.loadAnnual(r.Context(), r)
		if lerr != nil {
			return lerr
		}
		return p.showAnnual(w, r, v, []prevent.FieldError{{Message: prevent.PublicMessage(err)}})
	}
	if err != nil {
		return err
	}
	return p.Flash(w, r, AnnualPath.Link(pid, id), done)
}

func (p *pages) handleCheck(w http.ResponseWriter, r *http.Request) error {
	return p.step(w, r, p.d.Returns.CheckAnnual, "You checked the figures. A coordinator who neither drafted nor checked them can now approve the return")
}

func (p *pages) handleApprove(w http.ResponseWriter, r *http.Request) error {
	return p.step(w, r, p.d.Returns.ApproveAnnual, "The return is approved. Download its signed bundle to send it to the region")
}

// handleBundle serves the signed bundle of an approved (or superseded) return.
func (p *pages) handleBundle(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	pr := prevent.PrincipalFrom(r.Context())
	a, err := p.d.Returns.AnnualReturn(r.Context(), pr, pid, id)
	if err != nil {
		return err
	}
	body, err := p.d.Returns.Export(r.Context(), pr, pid, id)
	if err != nil {
		return err
	}
	return attach(w, "application/zip", fmt.Sprintf("prevent-return-%d-%d-%s.zip", pid, int(a.Year), a.BundleID), body)
}
