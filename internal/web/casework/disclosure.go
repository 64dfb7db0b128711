package casework

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
	"github.com/preventplatform/prevent/internal/web/core"
)

// The "Share information" fieldset: every page by which a case's personal data reaches another organisation
// (sharing the case, an information request and its answer, listing for a panel, an intervention, an export
// of minutes) carries it, and decodes it into a sharing.DisclosureInput that the casework service checks and
// records with the action. Its inputs are named share-*, so that they never collide with the page's own.

// The fieldset's input names.
const (
	ShareCategories = "share-categories"
	ShareFields     = "share-fields"
	SharePurpose    = "share-purpose"
	ShareOutcome    = "share-expected-outcome"
	ShareGateway    = "share-gateway"
	ShareConsent    = "share-consent"
	ShareReason     = "share-consent-reason"
	ShareNecessity  = "share-necessity"
	// ShareAgreement is the id of the agreements shown as information, where errors about the parties go.
	ShareAgreement = "share-agreement"
)

// disclosureView is what the fieldset shows.
type disclosureView struct {
	Form core.Form
	// To is the receiving organisation's name, or "" when it is chosen on the page.
	To string
	// Intro says when the fieldset is needed.
	Intro      string
	Gateways   []sharing.Gateway
	Agreements []agreementInfo
	// AgreementsHidden is true when the principal may not read agreements (they are checked all the same).
	AgreementsHidden bool
	Fields           []casework.FieldInfo
	// Consent describes the case's recorded consent to information sharing, or "".
	Consent string
}

// agreementInfo is an agreement in force, as the fieldset shows it.
type agreementInfo struct {
	Title      string
	With       []string
	Purposes   []string
	Categories []string
	Gateways   []string
	ReviewDate string
}

// shareSpec is what a page says about its disclosure.
type shareSpec struct {
	ReferralID prevent.ID
	// ToOrg is the receiving organisation when the page knows it; 0 when it is chosen on the page.
	ToOrg   prevent.ID
	Purpose sharing.Purpose
	Intro   string
}

// loadDisclosure builds the fieldset for a page. On a form not yet posted it pre-selects the purpose and
// pre-fills consent from the case's latest recorded consent to information sharing.
func (cp *casePages) loadDisclosure(r *http.Request, pid prevent.ID, spec shareSpec, f core.Form) (*disclosureView, error) {
	ctx, p := r.Context(), principalOf(r)
	now := cp.deps.Now()
	v := &disclosureView{Form: f, Intro: spec.Intro}
	orgs, err := cp.deps.Partnership.Organisations(ctx, p, pid)
	if err != nil {
		return nil, err
	}
	names := map[prevent.ID]string{}
	sector := ""
	for _, o := range orgs {
		names[o.ID] = o.Name
		if o.ID == p.OrganisationID {
			sector = string(o.Sector)
		}
	}
	v.To = names[spec.ToOrg]
	gws, err := cp.share.Gateways(ctx, p, pid, now)
	if err != nil {
		return nil, err
	}
	gwNames := map[string]string{}
	for _, g := range gws {
		gwNames[g.Code] = g.Name
		if sector == "" || g.For(sector) {
			v.Gateways = append(v.Gateways, g)
		}
	}
	if cp.May(r, pid, access.AgreementView) {
		ags, err := cp.share.Agreements(ctx, p, pid)
		if err != nil {
			return nil, err
		}
		for _, a := range ags {
			if a.StatusOn(now) != sharing.Active || !slices.Contains(a.Parties, p.OrganisationID) ||
				(spec.ToOrg != 0 && !slices.Contains(a.Parties, spec.ToOrg)) {
				continue
			}
			ai := agreementInfo{Title: a.Title, ReviewDate: core.DayText(a.ReviewDate)}
			for _, g := range a.Gateways {
				ai.Gateways = append(ai.Gateways, orDefault(gwNames[g], g))
			}
			for _, o := range a.Parties {
				if o != p.OrganisationID {
					ai.With = append(ai.With, names[o])
				}
			}
			for _, x := range a.Purposes {
				ai.Purposes = append(ai.Purposes, x.String())
			}
			for _, c := range a.Categories {
				ai.Categories = append(ai.Categories, c.String())
			}
			v.Agreements = append(v.Agreements, ai)
		}
	} else {
		v.AgreementsHidden = true
	}
	v.Fields = casework.CaseFields
	if spec.ReferralID != 0 && access.Permits(p, access.CaseView).Allow {
		v.Consent = cp.prefillConsent(ctx, p, spec.ReferralID, &v.Form)
	}
	if v.Form.Values.Get(SharePurpose) == "" && len(f.Errors) == 0 && spec.Purpose != "" {
		v.Form.Values.Set(SharePurpose, string(spec.Purpose))
	}
	return v, nil
}

// prefillConsent describes the case's latest consent to information sharing and, on a form not yet posted,
// pre-fills the consent status from it. A principal who may not read the case's consent records sees none.
func (cp *casePages) prefillConsent(ctx context.Context, p prevent.Principal, referralID prevent.ID, f *core.Form) string {
	recs, err := cp.svc.ConsentRecords(ctx, p, referralID)
	if err != nil {
		return ""
	}
	var last *casework.ConsentRecord
	for i := range recs {
		if recs[i].Scope == casework.ScopeInformationSharing {
			last = &recs[i]
		}
	}
	if last == nil {
		return ""
	}
	posted := f.Values.Get(ShareConsent) != "" || len(f.Errors) > 0
	var says string
	switch last.Decision {
	case casework.ConsentGiven:
		says = "given by " + last.GiverName
		if !posted {
			f.Values.Set(ShareConsent, string(sharing.ConsentGiven))
		}
	case casework.ConsentRefusedBy, casework.ConsentWithdrawnBy:
		says = string(last.Decision) + " by " + last.GiverName
		if !posted {
			f.Values.Set(ShareConsent, string(sharing.ConsentRefused))
			f.Values.Set(ShareReason, strings.TrimSpace("Consent "+string(last.Decision)+" on "+core.DayText(last.DecidedAt)+". "+last.Reason))
		}
	case casework.ConsentNotSought:
		says = "not sought"
		if !posted {
			f.Values.Set(ShareConsent, string(sharing.ConsentNotSought))
			f.Values.Set(ShareReason, last.Reason)
		}
	default:
		return ""
	}
	return "Consent to share information was " + says + " on " + core.DayText(last.DecidedAt) + "."
}

// readDisclosure decodes the fieldset into the parts of a disclosure the caller fills. Ticking some of the
// case's information limits the disclosure to it; ticking information whose category is not chosen is an
// error on the form.
func readDisclosure(f core.Form) (sharing.DisclosureInput, error) {
	in := sharing.DisclosureInput{Purpose: sharing.Purpose(f.Get(SharePurpose)), ExpectedOutcome: f.Get(ShareOutcome),
		Gateway: f.Get(ShareGateway), Consent: sharing.Consent(f.Get(ShareConsent)), Necessity: f.Get(ShareNecessity)}
	for _, c := range f.List(ShareCategories) {
		in.Categories = append(in.Categories, sharing.Category(c))
	}
	if in.Consent != sharing.ConsentGiven {
		in.ConsentReason = f.Get(ShareReason)
	}
	in.Fields = f.List(ShareFields)
	var errs prevent.Fields
	for _, name := range in.Fields {
		for _, fi := range casework.CaseFields {
			if fi.Field == name && len(in.Categories) > 0 && !slices.Contains(in.Categories, fi.Category) {
				errs.Add(ShareFields, fi.Label+" is in the category “"+fi.Category.String()+"”: select that category too, or do not share it")
			}
		}
	}
	return in, errs.Err()
}

// shareFieldIDs maps the field names of a refused disclosure to the fieldset's inputs.
var shareFieldIDs = map[string]string{
	"categories": ShareCategories, "fields": ShareFields, "purpose": SharePurpose, "expected-outcome": ShareOutcome,
	"gateway": ShareGateway, "consent": ShareConsent, "consent-reason": ShareReason, "necessity": ShareNecessity,
	"agreement": ShareAgreement, "from": ShareAgreement, "record": ShareAgreement, "acknowledgement": ShareAgreement,
}

// withShareErr keeps err on the form like WithErr, moving a refused disclosure's field errors onto the
// fieldset's inputs (to and recipients onto the page's own fields, when it has them) and writing each as a
// discSentence.
func withShareErr(f core.Form, err error, toField, recipientsField string) core.Form {
	f = f.WithErr(err)
	for i, e := range f.Errors {
		switch e.Field {
		case "to":
			e.Field = orDefault(toField, ShareAgreement)
		case "recipients":
			e.Field = orDefault(recipientsField, ShareAgreement)
		default:
			if id, ok := shareFieldIDs[e.Field]; ok {
				e.Field = id
			}
		}
		e.Message = discSentence(e.Message)
		f.Errors[i] = e
	}
	return f
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// discSentence starts s with a capital letter.
func discSentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || unicode.IsUpper(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
