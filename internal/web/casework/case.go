package casework

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
	"github.com/preventplatform/prevent/internal/web/casepaths"
	"github.com/preventplatform/prevent/internal/web/core"
)

// caseSection is one part of the case page, under the sub navigation.
type caseSection struct{ Slug, Title string }

// caseSections are the case page's sub navigation, in order; the first is the summary at the case's path.
var caseSections = []caseSection{{"", "Summary"}, section(casepaths.Timeline, "Timeline"),
	section(casepaths.People, "People and agencies"), section(casepaths.Assessment, "Assessment"),
	section(casepaths.Panel, "Panel"), section(casepaths.Plan, "Plan"), section(casepaths.Documents, "Documents")}

// section is the case page's section at p (declared in internal/web/casepaths), under the case's own address.
func section(p core.Path2, title string) caseSection {
	slug, ok := strings.CutPrefix(p.Pattern(), casepaths.Case.Pattern()+"/")
	if !ok || slug == "" || strings.Contains(slug, "/") {
		panic("casework: " + p.Pattern() + " is not a section of the case page")
	}
	return caseSection{slug, title}
}

// caseView is the case page's data.
type caseView struct {
	PartnershipID prevent.ID
	Referral      casework.Referral
	Section       caseSection
	// History is the timeline, newest first, with who did each step as far as the reader may see.
	History       []historyItem
	Requests      []casework.InformationRequest
	Organisations map[prevent.ID]string
	ConcernTypes  []string
	CanScreen     bool
	// Actions is what the reader may do on the case now (casework.NextActions): the identity bar offers
	// exactly these, and the sections show the forms of those that have their controls there.
	Actions []casework.NextAction
	// Progress is the case's Channel stages, on the summary; empty for a case not referred to Channel.
	Progress []casework.ProgressItem
	Now      time.Time
	// Principal is the reader (whose the case's open steps are is said from their side) and Holidays the bank
	// holidays that due dates count working days around.
	Principal prevent.Principal
	Holidays  casework.Holidays
	// Channel holds what the assessment, panel and plan sections show.
	Channel channelCase
}

// historyItem is a step of the timeline and who took it.
type historyItem struct {
	casework.HistoryEntry
	// By names who took the step and their organisation, as far as the reader may see.
	By string
}

// can reports whether the reader is offered the action with this key (casework.NextAction.Key) now.
func (v caseView) can(key string) bool {
	return slices.ContainsFunc(v.Actions, func(a casework.NextAction) bool { return a.Key == key })
}

func (cp *casePages) handleCase(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	p := principalOf(r)
	if access.Permits(p, access.CaseView).Allow {
		err := cp.renderCase(w, r, pid, id, caseSections[0])
		if prevent.ErrorKind(err) != prevent.NotFound {
			return err
		}
	}
	// Someone who may not see the whole case sees the status of a referral they made.
	st, err := cp.svc.ReferralStatus(r.Context(), p, id)
	if err != nil {
		return err
	}
	l := cp.Layout(r, "Referral "+st.Reference)
	l.Back = ReferralsPath.Link(pid)
	return cp.Page(w, r, l, referralStatusPage(l, st))
}

func (cp *casePages) handleCaseSection(slug string) core.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		pid, id, err := core.PathIDs(r)
		if err != nil {
			return err
		}
		for _, sec := range caseSections {
			if sec.Slug == slug {
				return cp.renderCase(w, r, pid, id, sec)
			}
		}
		return access.NotFound("Page")
	}
}

func (cp *casePages) renderCase(w http.ResponseWriter, r *http.Request, pid, id prevent.ID, sec caseSection) error {
	ctx, p := r.Context(), principalOf(r)
	ref, err := cp.svc.Referral(ctx, p, id)
	if err != nil {
		return err
	}
	if ref.PartnershipID != pid || ref.State == casework.Draft {
		return access.NotFound("Referral")
	}
	now := cp.deps.Now()
	v := caseView{PartnershipID: pid, Referral: ref, Section: sec, Now: now, CanScreen: cp.May(r, pid, access.CaseScreen),
		Actions: casework.NextActions(ref, p, now)}
	for _, code := range ref.Details.Concern.Types {
		v.ConcernTypes = append(v.ConcernTypes, cp.svc.Label(ctx, casework.ConcernTypes, code, ref.SubmittedAt))
	}
	v.Principal = p
	if v.Holidays, err = cp.svc.BankHolidays(ctx); err != nil {
		return err
	}
	for _, t := range ref.Tasks {
		if t.OrgID != 0 && v.Organisations == nil {
			v.Organisations = map[prevent.ID]string{}
			if orgs, err := cp.deps.Partnership.Organisations(ctx, p, pid); err == nil {
				for _, o := range orgs {
					v.Organisations[o.ID] = o.Name
				}
			}
		}
	}
	switch sec.Slug {
	case "":
		if v.Progress, err = cp.svc.Progress(ctx, p, ref); err != nil {
			return err
		}
	case "timeline":
		if v.History, err = cp.history(ctx, p, pid, id); err != nil {
			return err
		}
	case "people":
		if v.CanScreen {
			if v.Requests, err = cp.svc.InformationRequests(ctx, p, id); err != nil {
				return err
			}
		}
		v.Organisations = map[prevent.ID]string{}
		if orgs, err := cp.deps.Partnership.Organisations(ctx, p, pid); err == nil {
			for _, o := range orgs {
				v.Organisations[o.ID] = o.Name
			}
		}
	}
	if err := cp.loadChannel(r, &v); err != nil {
		return err
	}
	l := cp.Layout(r, caseTitle(sec.Title, ref.Reference))
	l.Marking = ref.Marking
	l.Back = CasesPath.Link(pid)
	l.Errors = core.TakeRefusal(w, r, cp.deps.HTTPS)
	return cp.Page(w, r, l, casePage(l, v))
}

// caseTitle is the title of a page of a case (core.CaseTitle); the summary is the case page itself.
func caseTitle(page, reference string) string {
	if page == caseSections[0].Title {
		page = ""
	}
	return core.CaseTitle(page, reference)
}

// history is the case's timeline told in plain words, newest first, with who took each step: "you" for the
// reader's own steps, the service for its scheduled work, and otherwise the person's name and organisation
// when the reader may see the partnership's people.
func (cp *casePages) history(ctx context.Context, p prevent.Principal, pid, id prevent.ID) ([]historyItem, error) {
	entries, err := cp.svc.History(ctx, p, id)
	if err != nil {
		return nil, err
	}
	var actors []prevent.ID
	for _, e := range entries {
		actors = append(actors, e.ActorID)
	}
	names, err := core.LookupStaffNames(ctx, cp.deps.Partnership, p, pid, actors, cp.deps.Now())
	if err != nil {
		return nil, err
	}
	out := make([]historyItem, 0, len(entries))
	for _, e := range entries {
		by := "by a member of the partnership"
		switch who := names.Person(e.ActorID); {
		case e.ActorID == 0:
			by = "by the service"
		case e.ActorID == p.PersonID:
			by = "by you"
		case who != "":
			by = "by " + who
		}
		out = append(out, historyItem{HistoryEntry: e, By: by})
	}
	return out, nil
}

// caseListView is a page of a stage's cases.
type caseListView struct {
	PartnershipID prevent.ID
	Stage         casework.Stage
	Cases         []casework.Summary
	Next          string
	Query         string
	Search        bool
	Form          core.Form
}

var stageNames = []struct {
	Stage casework.Stage
	Name  string
}{{casework.StageAll, "All stages"}, {casework.StageTriage, "Triage"}, {casework.StageScreening, "Screening"},
	{casework.StagePanel, "Panel"}, {casework.StageSupport, "Support"}, {casework.StageReview, "Review"}, {casework.StageClosed, "Closed"}}

func (cp *casePages) handleCaseList(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := casework.ListFilter{PartnershipID: pid, Stage: casework.Stage(q.Get("stage")), Limit: 50}
	f.After = core.FormID(q.Get("after"))
	cases, next, err := cp.svc.List(r.Context(), principalOf(r), f)
	if err != nil {
		return err
	}
	v := caseListView{PartnershipID: pid, Stage: f.Stage, Cases: cases, Form: core.Form{Values: url.Values{}}}
	if next != 0 {
		nv := url.Values{"after": {core.IDText(next)}}
		if f.Stage != "" {
			nv.Set("stage", string(f.Stage))
		}
		v.Next = CasesPath.Link(pid) + "?" + nv.Encode()
	}
	l := cp.Layout(r, "Cases")
	return cp.Page(w, r, l, caseListPage(l, v))
}

func (cp *casePages) handleCaseSearch(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	q := r.URL.Query().Get("q")
	v := caseListView{PartnershipID: pid, Query: q, Search: true, Form: core.Form{Values: url.Values{"q": {q}}}}
	cases, err := cp.svc.Search(r.Context(), principalOf(r), pid, q)
	l := cp.Layout(r, "Search cases")
	switch {
	case prevent.ErrorKind(err) == prevent.Invalid:
		v.Form = v.Form.WithErr(err)
		l.Errors = v.Form.Errors
	case err != nil:
		return err
	}
	v.Cases = cases
	return cp.Page(w, r, l, caseListPage(l, v))
}

// requestForm is the information request form.
type requestForm struct {
	PartnershipID, ID prevent.ID
	Reference         string
	Organisations     []core.Option
	Form              core.Form
	Share             *disclosureView
}

func (cp *casePages) renderRequestForm(w http.ResponseWriter, r *http.Request, pid, id prevent.ID, f core.Form) error {
	ctx, p := r.Context(), principalOf(r)
	ref, err := cp.svc.Referral(ctx, p, id)
	if err != nil {
		return err
	}
	if ref.PartnershipID != pid {
		return access.NotFound("Referral")
	}
	orgs, err := cp.deps.Partnership.Organisations(ctx, p, pid)
	if err != nil {
		return err
	}
	v := requestForm{PartnershipID: pid, ID: id, Reference: ref.Reference, Form: f}
	for _, o := range orgs {
		v.Organisations = append(v.Organisations, core.Option{Value: core.IDText(o.ID), Text: o.Name})
	}
	if v.Share, err = cp.loadDisclosure(r, pid, shareSpec{ReferralID: id, ToOrg: f.ID("organisation"), Purpose: sharing.ChannelScreening,
		Intro: "A request tells the organisation about the person and the concern. When you ask another organisation than your own, record what the request shares."}, f); err != nil {
		return err
	}
	v.Form = v.Share.Form
	l := cp.Layout(r, caseTitle("Ask a partner for information", ref.Reference))
	l.Errors = f.Errors
	l.Marking = ref.Marking
	l.Back = casepaths.People.Link(pid, id)
	return cp.Page(w, r, l, requestFormPage(l, v))
}

func (cp *casePages) handleInfoRequestNew(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	return cp.renderRequestForm(w, r, pid, id, core.Form{Values: url.Values{}})
}

func (cp *casePages) handleInfoRequestNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	in := casework.InformationRequestInput{Asked: f.Get("asked"), Why: f.Get("why")}
	in.OrganisationID = f.ID("organisation")
	due, ok, derr := core.CaseDate(f.Values, "due")
	if derr == nil && ok {
		in.Due = due.Add(17 * time.Hour) // the end of the working day
	}
	if in.Share, err = readDisclosure(f); err == nil {
		_, err = cp.svc.RequestInformation(r.Context(), principalOf(r), id, in)
	}
	if err == nil {
		return cp.Flash(w, r, casepaths.People.Link(pid, id), "Information request sent")
	}
	if k := prevent.ErrorKind(err); k != prevent.Invalid && k != prevent.Conflict {
		return err
	}
	f = withShareErr(f, err, "organisation", "")
	for i, e := range f.Errors {
		if e.Field == "due" && (derr != nil || !ok) {
			f.Errors[i].Message = "Enter the date the answer is due, for example 27 3 2027"
		}
	}
	return cp.renderRequestForm(w, r, pid, id, f)
}

// answerView is the partner's page for one information request.
type answerView struct {
	PartnershipID, ReferralID prevent.ID
	Request                   casework.InformationRequest
	Form                      core.Form
	Now                       time.Time
	Share                     *disclosureView
}

func (cp *casePages) renderAnswer(w http.ResponseWriter, r *http.Request, f core.Form) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	rid, err := core.PathID(r, "rid")
	if err != nil {
		return err
	}
	reqs, err := cp.svc.InformationRequests(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	for _, q := range reqs {
		if q.ID == rid {
			v := answerView{PartnershipID: pid, ReferralID: id, Request: q, Form: f, Now: cp.deps.Now()}
			if q.AnsweredAt.IsZero() {
				if v.Share, err = cp.loadDisclosure(r, pid, shareSpec{ReferralID: id, Purpose: sharing.ChannelScreening,
					Intro: "Your answer goes to the organisation that asked. When that is another organisation than yours, record what you share, why and on what legal basis."}, f); err != nil {
					return err
				}
				v.Form = v.Share.Form
			}
			l := cp.Layout(r, "Information request "+q.Reference)
			l.Errors = f.Errors
			l.Marking = casework.DefaultMarking
			l.Back = cp.deps.MyWork.Link()
			return cp.Page(w, r, l, answerPage(l, v))
		}
	}
	return access.NotFound("Information request")
}

func (cp *casePages) handleInfoAnswer(w http.ResponseWriter, r *http.Request) error {
	return cp.renderAnswer(w, r, core.Form{Values: url.Values{}})
}

func (cp *casePages) handleInfoAnswerPost(w http.ResponseWriter, r *http.Request) error {
	rid, err := core.PathID(r, "rid")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	share, err := readDisclosure(f)
	if err == nil {
		err = cp.svc.AnswerInformationRequest(r.Context(), principalOf(r), rid, f.Get("answer"), share)
	}
	if err == nil {
		return cp.Flash(w, r, cp.deps.MyWork.Link(), "Your answer has been sent")
	}
	if k := prevent.ErrorKind(err); k != prevent.Invalid && k != prevent.Conflict {
		return err
	}
	return cp.renderAnswer(w, r, withShareErr(f, err, "", ""))
}

// ageText is the person's date of birth and age, or their approximate age.
func ageText(d casework.PersonDetails, now time.Time) string {
	if !d.DateOfBirth.IsZero() {
		age := now.Year() - d.DateOfBirth.Year()
		if now.YearDay() < d.DateOfBirth.YearDay() {
			age--
		}
		return core.DayText(d.DateOfBirth) + " (" + strconv.Itoa(age) + ")"
	}
	if d.ApproximateAge > 0 {
		return "About " + strconv.Itoa(d.ApproximateAge)
	}
	return "Not known"
}

// shareForm is the "Share this case" page: an organisation, some of its people, and the disclosure.
type shareForm struct {
	PartnershipID, ID prevent.ID
	Reference         string
	// Organisations are those the reader's organisation may share with today (sharing.Partners); the first
	// step chooses one of them, and the second (Chosen set) the people and the disclosure.
	Organisations []core.Option
	Chosen        bool
	To            string
	People        []core.Option
	Form          core.Form
	Share         *disclosureView
}

func (cp *casePages) renderShare(w http.ResponseWriter, r *http.Request, f core.Form) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	ctx, p := r.Context(), principalOf(r)
	ref, err := cp.caseOf(ctx, p, pid, id)
	if err != nil {
		return err
	}
	partners, err := cp.share.Partners(ctx, p, pid)
	if err != nil {
		return err
	}
	v := shareForm{PartnershipID: pid, ID: id, Reference: ref.Reference, Form: f}
	to := f.ID("organisation")
	for _, o := range partners {
		v.Organisations = append(v.Organisations, core.Option{Value: core.IDText(o.ID), Text: o.Name})
		if o.ID == to {
			v.Chosen, v.To = true, o.Name
		}
	}
	// Until an organisation that can receive is chosen, only that choice is asked: what else was refused
	// is asked again on the next step.
	if !v.Chosen && (to != 0 || len(f.Errors) > 0) {
		msg := "Select an organisation your organisation has an information sharing agreement in force with"
		for _, e := range f.Errors {
			if e.Field == ShareAgreement {
				msg = e.Message
			}
		}
		v.Form.Errors = []prevent.FieldError{{Field: "organisation", Message: msg}}
	}
	if v.Chosen && cp.May(r, pid, access.PersonView) {
		people, err := cp.deps.Partnership.People(ctx, p, pid, partnership.PeopleFilter{OrganisationID: to, Limit: 200})
		if err != nil {
			return err
		}
		for _, pe := range people {
			if pe.OrganisationID == to && !pe.Disabled {
				v.People = append(v.People, core.Option{Value: core.IDText(pe.ID), Text: pe.Name})
			}
		}
	}
	if v.Chosen {
		if v.Share, err = cp.loadDisclosure(r, pid, shareSpec{ReferralID: id, ToOrg: to, Purpose: sharing.ChannelScreening}, v.Form); err != nil {
			return err
		}
		v.Form = v.Share.Form
	}
	l := cp.Layout(r, caseTitle("Share this case", ref.Reference))
	l.Errors = v.Form.Errors
	l.Marking = ref.Marking
	l.Back = casepaths.People.Link(pid, id)
	if v.Chosen {
		l.Back = SharePath.Link(pid, id)
	}
	return cp.Page(w, r, l, sharePage(l, v))
}

func (cp *casePages) handleShare(w http.ResponseWriter, r *http.Request) error {
	f := core.Form{Values: url.Values{}}
	if o := r.URL.Query().Get("organisation"); o != "" {
		f.Values.Set("organisation", o)
	}
	return cp.renderShare(w, r, f)
}

func (cp *casePages) handleSharePost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	in, err := readDisclosure(f)
	if err == nil {
		in.ToOrg = f.ID("organisation")
		in.Recipients = core.FormIDs(f.List("recipients"))
		_, err = cp.svc.Share(r.Context(), principalOf(r), id, in)
	}
	if err == nil {
		return cp.Flash(w, r, casepaths.People.Link(pid, id), "The case is shared")
	}
	if k := prevent.ErrorKind(err); k != prevent.Invalid && k != prevent.Conflict {
		return err
	}
	return cp.renderShare(w, r, withShareErr(f, err, "organisation", "recipients"))
}

// SectionSlugs are the last parts of the addresses of the case page's sections after the summary, in order.
func SectionSlugs() []string {
	out := make([]string, 0, len(caseSections)-1)
	for _, sec := range caseSections[1:] {
		out = append(out, sec.Slug)
	}
	return out
}
