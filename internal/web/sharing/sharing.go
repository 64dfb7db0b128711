// Package sharing holds the pages of information-sharing governance (internal/sharing): legal gateways,
// information sharing agreements with their signatories, acknowledgements of non-public bodies, the disclosure
// ledger, the subject access register, retention rules, legal holds, the data protection officer's dashboard
// and the UK GDPR Article 30 record of processing. The sharing service, and for the register, retention and
// holds the rights service, decides access again on every call.
//
// The "Share information" fieldset, by which a case's data reaches another organisation, is not here: it is
// part of the case pages that disclose (internal/web/casework), and the disclosures it records are what the ledger
// here lists.
package sharing

import (
	"net/http"
	"time"

	"github.com/a-h/templ"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/rights"
	"github.com/preventplatform/prevent/internal/sharing"
	"github.com/preventplatform/prevent/internal/web/admin"
	"github.com/preventplatform/prevent/internal/web/core"
)

// Deps are what the pages need.
type Deps struct {
	// Sharing keeps the gateways, agreements, acknowledgements and the disclosure ledger, and gives the
	// dashboard's overview, unusual access and the record of processing.
	Sharing *sharing.Service
	// Rights keeps the subject access register, the retention rules and the legal holds, and counts what
	// retention erases.
	Rights *rights.Service
	// Casework gives the references of the cases the ledger and the holds name.
	Casework *casework.Service
	// Partnership names the people who disclosed and received a case, as far as the reader may see them.
	Partnership *partnership.Service
	Now         func() time.Time
	// CasePath is the address of a case's page (not in this package), which a case's ledger links to for a
	// reader who may see the case.
	CasePath func(pid, id prevent.ID) string
}

// The pages' addresses.
var (
	// HomePath lists the information-sharing pages the reader may open.
	HomePath = core.NewPath1("/partnerships/{pid}/sharing")
	// DashboardPath is the data protection officer's dashboard.
	DashboardPath = core.NewPath1("/partnerships/{pid}/sharing/dashboard")
	// RecordOfProcessingPath is the UK GDPR Article 30 record, generated from the agreements.
	RecordOfProcessingPath = core.NewPath1("/partnerships/{pid}/sharing/record-of-processing")

	// GatewaysPath lists the legal gateways, national and local.
	GatewaysPath = core.NewPath1("/partnerships/{pid}/sharing/gateways")
	// NewGatewayPath adds a local gateway, or a new version of one.
	NewGatewayPath = core.NewPath1("/partnerships/{pid}/sharing/gateways/new")

	// AgreementsPath lists the information sharing agreements.
	AgreementsPath = core.NewPath1("/partnerships/{pid}/sharing/agreements")
	// NewAgreementPath drafts an agreement.
	NewAgreementPath = core.NewPath1("/partnerships/{pid}/sharing/agreements/new")
	// AgreementPath is an agreement: its details, parties and signatories, and its status.
	AgreementPath = core.NewPath2("/partnerships/{pid}/sharing/agreements/{id}")
	// AgreementEditPath amends a draft agreement.
	AgreementEditPath = core.NewPath2("/partnerships/{pid}/sharing/agreements/{id}/edit")
	// AgreementStatusPath makes an agreement active, suspends it or records it as expired.
	AgreementStatusPath = core.NewPath2("/partnerships/{pid}/sharing/agreements/{id}/status")
	// NewSignatoryPath records a signatory of an agreement.
	NewSignatoryPath = core.NewPath2("/partnerships/{pid}/sharing/agreements/{id}/signatories/new")

	// AcknowledgementsPath lists the member organisations that are not public bodies and their
	// acknowledgements of their own data protection duties.
	AcknowledgementsPath = core.NewPath1("/partnerships/{pid}/sharing/acknowledgements")
	// NewAcknowledgementPath records an acknowledgement; its organisation parameter chooses the organisation.
	NewAcknowledgementPath = core.NewPath1("/partnerships/{pid}/sharing/acknowledgements/new")

	// LedgerPath is the disclosure ledger, filtered by its query.
	LedgerPath = core.NewPath1("/partnerships/{pid}/sharing/disclosures")
	// CaseLedgerPath is every disclosure of one case, in full.
	CaseLedgerPath = core.NewPath2("/partnerships/{pid}/sharing/disclosures/cases/{id}")

	// RequestsPath is the subject access register.
	RequestsPath = core.NewPath1("/partnerships/{pid}/sharing/subject-access")
	// NewRequestPath registers a subject access request.
	NewRequestPath = core.NewPath1("/partnerships/{pid}/sharing/subject-access/new")
	// RequestPath is a request in the register, with its deadline and answer.
	RequestPath = core.NewPath2("/partnerships/{pid}/sharing/subject-access/{id}")
	// RequestExtendPath extends a request's deadline.
	RequestExtendPath = core.NewPath2("/partnerships/{pid}/sharing/subject-access/{id}/extend")
	// RequestCompletePath records that a request was answered.
	RequestCompletePath = core.NewPath2("/partnerships/{pid}/sharing/subject-access/{id}/complete")

	// RetentionPath lists the retention rules.
	RetentionPath = core.NewPath1("/partnerships/{pid}/sharing/retention")
	// RetentionSetPath sets a retention period; its rule parameter chooses the records.
	RetentionSetPath = core.NewPath1("/partnerships/{pid}/sharing/retention/set")

	// HoldsPath lists the legal holds.
	HoldsPath = core.NewPath1("/partnerships/{pid}/sharing/holds")
	// NewHoldPath places a legal hold on a case; its case parameter fills in the case.
	NewHoldPath = core.NewPath1("/partnerships/{pid}/sharing/holds/new")
	// HoldReleasePath releases a legal hold.
	HoldReleasePath = core.NewPath2("/partnerships/{pid}/sharing/holds/{id}/release")
)

// windowDays is how far ahead the dashboard looks for expiring agreements and requests due, and how far back
// it counts access to case records.
const windowDays = 30

// LedgerPageSize is how many disclosures a page of the ledger shows.
const LedgerPageSize = 25

type pages struct {
	core.Pages
	d Deps
}

// Register adds the pages of information-sharing governance to the site: gateways, agreements,
// acknowledgements, the disclosure ledger, the subject access register, retention rules, legal holds and the
// data protection officer's view.
func Register(site core.Site, d Deps) {
	if d.Now == nil {
		d.Now = time.Now
	}
	sp := &pages{Pages: site, d: d}
	get, post := http.MethodGet, http.MethodPost

	site.Handle(get, HomePath.Pattern(), access.AgreementView, sp.handleHome)
	site.Handle(get, DashboardPath.Pattern(), access.DataProtectionView, sp.handleDashboard)
	site.Handle(get, RecordOfProcessingPath.Pattern(), access.DataProtectionView, sp.handleRecordOfProcessing)

	site.Handle(get, GatewaysPath.Pattern(), access.GatewayView, sp.handleGateways)
	site.Handle(get, NewGatewayPath.Pattern(), access.GatewayManage, sp.handleGatewayNew)
	site.Handle(post, NewGatewayPath.Pattern(), access.GatewayManage, sp.handleGatewayNewPost)

	site.Handle(get, AgreementsPath.Pattern(), access.AgreementView, sp.handleAgreements)
	site.Handle(get, NewAgreementPath.Pattern(), access.AgreementManage, sp.handleAgreementNew)
	site.Handle(post, NewAgreementPath.Pattern(), access.AgreementManage, sp.handleAgreementNewPost)
	site.Handle(get, AgreementPath.Pattern(), access.AgreementView, sp.handleAgreement)
	site.Handle(get, AgreementEditPath.Pattern(), access.AgreementManage, sp.handleAgreementEdit)
	site.Handle(post, AgreementEditPath.Pattern(), access.AgreementManage, sp.handleAgreementEditPost)
	site.Handle(post, AgreementStatusPath.Pattern(), access.AgreementManage, sp.handleAgreementStatus)
	site.Handle(get, NewSignatoryPath.Pattern(), access.AgreementManage, sp.handleSignatoryNew)
	site.Handle(post, NewSignatoryPath.Pattern(), access.AgreementManage, sp.handleSignatoryNewPost)

	site.Handle(get, AcknowledgementsPath.Pattern(), access.AgreementView, sp.handleAcknowledgements)
	site.Handle(get, NewAcknowledgementPath.Pattern(), access.AgreementManage, sp.handleAcknowledgementNew)
	site.Handle(post, NewAcknowledgementPath.Pattern(), access.AgreementManage, sp.handleAcknowledgementNewPost)

	site.Handle(get, LedgerPath.Pattern(), access.DisclosureView, sp.handleLedger)
	site.Handle(get, CaseLedgerPath.Pattern(), access.DisclosureView, sp.handleCaseLedger)

	site.Handle(get, RequestsPath.Pattern(), access.SubjectAccessManage, sp.handleRequests)
	site.Handle(get, NewRequestPath.Pattern(), access.SubjectAccessManage, sp.handleRequestNew)
	site.Handle(post, NewRequestPath.Pattern(), access.SubjectAccessManage, sp.handleRequestNewPost)
	site.Handle(get, RequestPath.Pattern(), access.SubjectAccessManage, sp.handleRequest)
	site.Handle(post, RequestExtendPath.Pattern(), access.SubjectAccessManage, sp.handleRequestExtend)
	site.Handle(post, RequestCompletePath.Pattern(), access.SubjectAccessManage, sp.handleRequestComplete)

	site.Handle(get, RetentionPath.Pattern(), access.RetentionView, sp.handleRetention)
	site.Handle(get, RetentionSetPath.Pattern(), access.RetentionManage, sp.handleRetentionEdit)
	site.Handle(post, RetentionSetPath.Pattern(), access.RetentionManage, sp.handleRetentionEditPost)

	site.Handle(get, HoldsPath.Pattern(), access.LegalHoldView, sp.handleHolds)
	site.Handle(get, NewHoldPath.Pattern(), access.LegalHoldManage, sp.handleHoldNew)
	site.Handle(post, NewHoldPath.Pattern(), access.LegalHoldManage, sp.handleHoldNewPost)
	site.Handle(post, HoldReleasePath.Pattern(), access.LegalHoldManage, sp.handleHoldRelease)
}

func principalOf(r *http.Request) prevent.Principal { return prevent.PrincipalFrom(r.Context()) }

// formPage renders a form page with the user's input and the errors found in it.
func (sp *pages) formPage(w http.ResponseWriter, r *http.Request, title, back string, f core.Form, body func(core.Layout) templ.Component) error {
	l := sp.Layout(r, title)
	l.Back, l.Errors = back, f.Errors
	return sp.Page(w, r, l, body(l))
}

// members returns the partnership's member organisations and a name lookup.
func (sp *pages) members(r *http.Request, pid prevent.ID) ([]sharing.Member, map[prevent.ID]string, error) {
	ms, err := sp.d.Sharing.Members(r.Context(), principalOf(r), pid)
	if err != nil {
		return nil, nil, err
	}
	names := map[prevent.ID]string{}
	for _, m := range ms {
		names[m.ID] = m.Name
	}
	return ms, names, nil
}

// homeLink is one entry of the information-sharing home page.
type homeLink struct {
	Text, Href, Hint string
}

func (sp *pages) handleHome(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	var links []homeLink
	add := func(a access.Action, l homeLink) {
		if sp.May(r, pid, a) {
			links = append(links, l)
		}
	}
	add(access.DataProtectionView, homeLink{"Data protection dashboard", DashboardPath.Link(pid), "Disclosures, consent, requests due, agreements expiring, alerts and unusual access"})
	add(access.AgreementView, homeLink{"Information sharing agreements", AgreementsPath.Link(pid), "Agreements between member organisations, their signatories and status"})
	add(access.AgreementView, homeLink{"Acknowledgements of non-public bodies", AcknowledgementsPath.Link(pid), "Organisations that are not public bodies acknowledging their own data protection duties"})
	add(access.GatewayView, homeLink{"Legal gateways", GatewaysPath.Link(pid), "The powers and lawful bases that sharing may rely on, national and local"})
	add(access.DisclosureView, homeLink{"Disclosure ledger", LedgerPath.Link(pid), "Every disclosure of a case to another organisation"})
	add(access.SubjectAccessManage, homeLink{"Subject access requests", RequestsPath.Link(pid), "The register of requests, their deadlines and extensions"})
	add(access.RetentionView, homeLink{"Retention rules", RetentionPath.Link(pid), "How long records are kept, and the decision each period rests on"})
	add(access.LegalHoldView, homeLink{"Legal holds", HoldsPath.Link(pid), "Cases kept past their retention period for litigation, an inquiry or a complaint"})
	add(access.DataProtectionView, homeLink{"Record of processing", RecordOfProcessingPath.Link(pid), "The UK GDPR Article 30 record, generated from the agreements"})
	l := sp.Layout(r, "Information sharing")
	l.Back = admin.PartnershipPath.Link(pid)
	return sp.Page(w, r, l, homePage(l, links))
}
