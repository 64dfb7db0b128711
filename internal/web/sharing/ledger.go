package sharing

import (
	"net/http"
	"net/url"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
	"github.com/preventplatform/prevent/internal/web/core"
)

// The disclosure ledger.

type ledgerView struct {
	PID      prevent.ID
	Page     sharing.LedgerPage
	Names    map[prevent.ID]string
	Members  []sharing.Member
	Gateways []sharing.Gateway
	Form     core.Form
	// NextHref is the link to the next page, empty on the last.
	NextHref string
	// Record is set on a per-case ledger.
	Record prevent.ID
	// Cases are the references of the cases disclosed, People the names of who disclosed and who received
	// them as far as the reader may see, and Agreements the titles of the agreements relied on.
	Cases      map[prevent.ID]string
	People     core.StaffNames
	Agreements map[prevent.ID]string
	// CanOpenCase links the per-case ledger to the case (CaseHref), for a reader who may see it.
	CanOpenCase bool
	CaseHref    string
}

// caseName is a disclosed case by its reference ("Case PRV-2026-000123").
func (v ledgerView) caseName(id prevent.ID) string {
	if ref := v.Cases[id]; ref != "" {
		return "Case " + ref
	}
	return "Case record " + core.IDText(id)
}

// nameLedger looks up what the ledger's rows name: the cases' references (casework.CaseReferences), the
// people who disclosed and received them (through the partnership service, for a reader who may see the
// partnership's people) and the agreements' titles.
func (sp *pages) nameLedger(r *http.Request, v *ledgerView) error {
	ctx, p := r.Context(), principalOf(r)
	var cases, people []prevent.ID
	for _, d := range v.Page.Items {
		if d.RecordKind == casework.RecordKind {
			cases = append(cases, d.RecordID)
		}
		people = append(append(people, d.DisclosedBy), d.Recipients...)
	}
	if v.Record != 0 {
		cases = append(cases, v.Record)
	}
	var err error
	if len(cases) > 0 {
		cw := sp.d.Casework
		if v.Cases, err = cw.CaseReferences(ctx, p, v.PID, cases); err != nil && prevent.ErrorKind(err) != prevent.NotFound {
			return err
		}
	}
	if v.People, err = core.LookupStaffNames(ctx, sp.d.Partnership, p, v.PID, people, sp.d.Now()); err != nil {
		return err
	}
	v.Agreements = map[prevent.ID]string{}
	if sp.May(r, v.PID, access.AgreementView) {
		as, err := sp.d.Sharing.Agreements(ctx, p, v.PID)
		if err != nil {
			return err
		}
		for _, a := range as {
			v.Agreements[a.ID] = a.Title
		}
	}
	v.CanOpenCase = sp.May(r, v.PID, access.CaseView)
	if v.CanOpenCase && v.Record != 0 {
		v.CaseHref = sp.d.CasePath(v.PID, v.Record)
	}
	return nil
}

func (sp *pages) handleLedger(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	v := ledgerView{PID: pid, Form: core.Form{Values: q}}
	var dates formDates
	filter := sharing.LedgerFilter{Gateway: q.Get("gateway"), OrganisationID: core.FormID(q.Get("organisation")),
		From: dates.read(v.Form, "from", "From"), To: dates.read(v.Form, "to", "To"), Before: core.FormID(q.Get("before")), Limit: LedgerPageSize}
	if v.Members, v.Names, err = sp.members(r, pid); err != nil {
		return err
	}
	if v.Gateways, err = sp.d.Sharing.AllGateways(r.Context(), principalOf(r), pid); err != nil {
		return err
	}
	if dates.bad() {
		v.Form = v.Form.WithErr(dates.merge(nil))
	} else {
		v.Page, err = sp.d.Sharing.Ledger(r.Context(), principalOf(r), pid, filter)
		if core.Invalid(err) {
			v.Form = v.Form.WithErr(dates.merge(err))
		} else if err != nil {
			return err
		}
	}
	if v.Page.Next != 0 {
		next := url.Values{}
		for _, k := range []string{"gateway", "organisation", "from-day", "from-month", "from-year", "to-day", "to-month", "to-year"} {
			if x := q.Get(k); x != "" {
				next.Set(k, x)
			}
		}
		next.Set("before", core.IDText(v.Page.Next))
		v.NextHref = LedgerPath.Link(pid) + "?" + next.Encode()
	}
	if err := sp.nameLedger(r, &v); err != nil {
		return err
	}
	l := sp.Layout(r, "Disclosure ledger")
	l.Back, l.Errors = HomePath.Link(pid), v.Form.Errors
	return sp.Page(w, r, l, ledgerPage(l, v))
}

func (sp *pages) handleCaseLedger(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	v := ledgerView{PID: pid, Record: id, Form: core.Form{Values: url.Values{}}}
	if v.Page.Items, err = sp.d.Sharing.Disclosures(r.Context(), principalOf(r), pid, "referral", id); err != nil {
		return err
	}
	if _, v.Names, err = sp.members(r, pid); err != nil {
		return err
	}
	if v.Gateways, err = sp.d.Sharing.AllGateways(r.Context(), principalOf(r), pid); err != nil {
		return err
	}
	if err := sp.nameLedger(r, &v); err != nil {
		return err
	}
	l := sp.Layout(r, "Disclosures: "+v.caseName(id))
	l.Back = LedgerPath.Link(pid)
	return sp.Page(w, r, l, caseLedgerPage(l, v))
}
