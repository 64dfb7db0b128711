package statistics

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/returns"
	"github.com/preventplatform/prevent/internal/web/core"
)

// A region or a nation adds up the approved returns its partnerships send it. The administrator says which the
// partnership is and whose signing keys it trusts; its coordinators and analysts import the bundles and read
// the sums.
var (
	// RegionalPath is the sum of the imported returns for a year, and where bundles are imported.
	RegionalPath = core.NewPath1("/partnerships/{pid}/statistics/regional")
	// ImportsPath receives a bundle (POST, multipart).
	ImportsPath = core.NewPath1("/partnerships/{pid}/statistics/regional/imports")
	// SendersPath is the partnership's tier, its own public key, and the senders it trusts.
	SendersPath = core.NewPath1("/partnerships/{pid}/statistics/senders")
	// TierPath sets the tier (POST).
	TierPath = core.NewPath1("/partnerships/{pid}/statistics/tier")
)

// maxUpload bounds a bundle upload; a return's bundle is far smaller.
const maxUpload = 64 << 20

func (p *pages) registerRegion(site core.Site) {
	site.Handle("GET", RegionalPath.Pattern(), access.StatisticsView, p.handleRegional)
	site.Handle("POST", ImportsPath.Pattern(), access.StatisticsView, p.handleImport)
	site.Handle("GET", SendersPath.Pattern(), access.PartnershipManage, p.handleSenders)
	site.Handle("POST", SendersPath.Pattern(), access.PartnershipManage, p.handleSenderPost)
	site.Handle("POST", TierPath.Pattern(), access.PartnershipManage, p.handleTierPost)
}

// regionalView is the regional page.
type regionalView struct {
	PID      prevent.ID
	Tier     returns.Tier
	Form     core.Form
	Years    []returns.FinancialYear
	Policies []returns.Policy
	Year     returns.FinancialYear
	Imports  []*returns.Imported
	Regional *returns.Regional
	// Refused is why the sum cannot be shown (for example too few partnerships), when it cannot.
	Refused string
}

func (p *pages) handleRegional(w http.ResponseWriter, r *http.Request) error {
	return p.showRegional(w, r, nil)
}

// showRegional shows the tier, the import form, the year's imports and their sum; errs are the import form's.
func (p *pages) showRegional(w http.ResponseWriter, r *http.Request, errs []prevent.FieldError) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	ctx, pr := r.Context(), prevent.PrincipalFrom(r.Context())
	c := p.readChoice(r.URL.Query())
	v := regionalView{PID: pid, Form: c.form, Years: endedYears(returns.YearOf(p.d.Now())), Policies: returns.ReleasePolicies(), Year: c.year}
	if v.Tier, err = p.d.Returns.Tier(ctx, pr, pid); err != nil {
		return err
	}
	l := p.Layout(r, "Returns from partnerships")
	if v.Tier != returns.TierLocal && len(c.form.Errors) == 0 {
		if v.Imports, err = p.d.Returns.Imports(ctx, pr, pid, c.year); err != nil {
			return err
		}
		reg, err := p.d.Returns.RegionalReturn(ctx, pr, pid, c.year, c.policy)
		switch {
		case prevent.ErrorKind(err) == prevent.Invalid || prevent.ErrorKind(err) == prevent.Conflict:
			v.Refused = prevent.PublicMessage(err)
		case err != nil:
			return err
		default:
			v.Regional = reg
		}
	}
	v.Form.Errors = append(v.Form.Errors, errs...)
	l.Errors = v.Form.Errors
	return p.Page(w, r, l, regionalPage(l, v))
}

// handleImport reads an uploaded bundle and imports it; a refused bundle is an error on the file field, said
// the way the import service says it.
func (p *pages) handleImport(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload+1<<20)
	fail := func(msg string) error {
		r.URL.RawQuery = url.Values{"year": {r.FormValue("year")}}.Encode()
		return p.showRegional(w, r, []prevent.FieldError{{Field: "bundle", Message: msg}})
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return fail("The file must be smaller than 64 MB")
		}
		return fail("Choose the bundle (a ZIP file) to import")
	}
	defer r.MultipartForm.RemoveAll()
	file, _, err := r.FormFile("bundle")
	if err != nil {
		return fail("Choose the bundle (a ZIP file) to import")
	}
	defer file.Close()
	body, err := io.ReadAll(io.LimitReader(file, maxUpload+1))
	if err != nil {
		return err
	}
	if len(body) > maxUpload {
		return fail("The file must be smaller than 64 MB")
	}
	if len(body) == 0 {
		return fail("The file is empty: choose the bundle the partnership sent")
	}
	im, err := p.d.Returns.Import(r.Context(), prevent.PrincipalFrom(r.Context()), pid, body)
	if kind := prevent.ErrorKind(err); kind == prevent.Invalid || kind == prevent.Conflict {
		return fail(prevent.PublicMessage(err))
	}
	if err != nil {
		return err
	}
	to := RegionalPath.Link(pid) + "?" + url.Values{"year": {im.Year.String()}, "policy": {im.Policy.Key()}}.Encode()
	return p.Flash(w, r, to, fmt.Sprintf("Imported %s's return for %s, approved %s", im.SourcePartnership, im.Year, core.DayText(im.ApprovedAt)))
}

// sendersView is the administrator's page of the partnership's tier, its public key and its trusted senders.
type sendersView struct {
	PID       prevent.ID
	Tier      returns.Tier
	PublicKey string
	Senders   []returns.Sender
	Form      core.Form
}

func (p *pages) handleSenders(w http.ResponseWriter, r *http.Request) error {
	return p.showSenders(w, r, core.Form{})
}

func (p *pages) showSenders(w http.ResponseWriter, r *http.Request, f core.Form) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	ctx, pr := r.Context(), prevent.PrincipalFrom(r.Context())
	v := sendersView{PID: pid, PublicKey: p.d.Returns.PublicKey(), Form: f}
	if v.Tier, err = p.d.Returns.Tier(ctx, pr, pid); err != nil {
		return err
	}
	if v.Senders, err = p.d.Returns.Senders(ctx, pr, pid); err != nil {
		return err
	}
	if v.Form.Values == nil {
		v.Form.Values = url.Values{"tier": {string(v.Tier)}}
	}
	l := p.Layout(r, "Returns: tier, signing key and trusted senders")
	l.Errors = f.Errors
	return p.Page(w, r, l, sendersPage(l, v))
}

func (p *pages) handleTierPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	err = p.d.Returns.SetTier(r.Context(), prevent.PrincipalFrom(r.Context()), pid, returns.Tier(f.Get("tier")))
	if prevent.ErrorKind(err) == prevent.Invalid {
		f.Errors = []prevent.FieldError{{Field: "tier", Message: "Choose local, region or nation"}}
		return p.showSenders(w, r, f)
	}
	if err != nil {
		return err
	}
	return p.Flash(w, r, SendersPath.Link(pid), "The partnership's tier is now "+tierText(returns.Tier(f.Get("tier"))))
}

func (p *pages) handleSenderPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	name := f.Get("name")
	_, err = p.d.Returns.RegisterSender(r.Context(), prevent.PrincipalFrom(r.Context()), pid, name, f.Get("public-key"))
	if kind := prevent.ErrorKind(err); kind == prevent.Invalid || kind == prevent.Conflict {
		// The service names its members as the API does; the page's fields are called name and public-key.
		f.Errors = nil
		for _, fe := range prevent.FieldErrors(err) {
			if fe.Field == "public_key" {
				fe.Field = "public-key"
			}
			f.Errors = append(f.Errors, fe)
		}
		if len(f.Errors) == 0 {
			field := "public-key"
			if kind == prevent.Invalid {
				field = "tier" // only a region or a nation registers senders
			}
			f.Errors = []prevent.FieldError{{Field: field, Message: prevent.PublicMessage(err)}}
		}
		return p.showSenders(w, r, f)
	}
	if err != nil {
		return err
	}
	return p.Flash(w, r, SendersPath.Link(pid), "Registered "+name+": its approved returns can now be imported")
}

func tierText(t returns.Tier) string {
	switch t {
	case returns.TierRegion:
		return "a region: it imports its partnerships' returns"
	case returns.TierNation:
		return "the nation: it imports returns from every partnership"
	}
	return "local: it sends its returns to its region"
}
