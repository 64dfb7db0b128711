// Package webhooks holds the administrator's pages for the partnership's webhook endpoints: the list, registering
// one (its signing secret shown once), one endpoint with its delivery log, and disabling, enabling, rotating the
// secret, deleting and sending a delivery again. The webhooks service decides every action again.
package webhooks

import (
	"net/http"
	"net/url"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/core"
	"github.com/preventplatform/prevent/internal/webhooks"
)

// Deps are what the pages need.
type Deps struct {
	Webhooks *webhooks.Service
	Now      func() time.Time
}

// The pages' addresses.
var (
	// ListPath lists the partnership's endpoints.
	ListPath = core.NewPath1("/partnerships/{pid}/webhooks")
	// NewPath registers an endpoint and shows its secret.
	NewPath = core.NewPath1("/partnerships/{pid}/webhooks/new")
	// EndpointPath is one endpoint with its delivery log.
	EndpointPath = core.NewPath2("/partnerships/{pid}/webhooks/{id}")
	// DisablePath stops telling the endpoint of events.
	DisablePath = core.NewPath2("/partnerships/{pid}/webhooks/{id}/disable")
	// EnablePath tells a disabled endpoint of events again.
	EnablePath = core.NewPath2("/partnerships/{pid}/webhooks/{id}/enable")
	// SecretPath replaces the endpoint's secret and shows the new one.
	SecretPath = core.NewPath2("/partnerships/{pid}/webhooks/{id}/secret")
	// DeletePath asks for, then makes, the endpoint's deletion.
	DeletePath = core.NewPath2("/partnerships/{pid}/webhooks/{id}/delete")
	// SendAgainPath queues another attempt of a delivery.
	SendAgainPath = core.NewPath3("/partnerships/{pid}/webhooks/{id}/deliveries/{did}/send-again")
)

type pages struct {
	core.Pages
	d Deps
}

// Register adds the webhook pages to the site.
func Register(site core.Site, d Deps) {
	if d.Now == nil {
		d.Now = time.Now
	}
	p := &pages{Pages: site, d: d}
	get, post := http.MethodGet, http.MethodPost
	m := access.PartnershipManage
	site.Handle(get, ListPath.Pattern(), m, p.handleList)
	site.Handle(get, NewPath.Pattern(), m, p.handleNew)
	site.Handle(post, NewPath.Pattern(), m, p.handleNewPost)
	site.Handle(get, EndpointPath.Pattern(), m, p.handleEndpoint)
	site.Handle(post, DisablePath.Pattern(), m, p.handleActive(false))
	site.Handle(post, EnablePath.Pattern(), m, p.handleActive(true))
	site.Handle(post, SecretPath.Pattern(), m, p.handleSecret)
	site.Handle(get, DeletePath.Pattern(), m, p.handleDelete)
	site.Handle(post, DeletePath.Pattern(), m, p.handleDeletePost)
	site.Handle(post, SendAgainPath.Pattern(), m, p.handleSendAgain)
}

func principalOf(r *http.Request) prevent.Principal { return prevent.PrincipalFrom(r.Context()) }

func (p *pages) handleList(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	eps, err := p.d.Webhooks.Endpoints(r.Context(), principalOf(r), pid)
	if err != nil {
		return err
	}
	l := p.Layout(r, "Webhooks")
	l.Back = "/partnerships/" + core.IDText(pid)
	return p.Page(w, r, l, listPage(l, pid, eps))
}

// newForm is the registration form's data.
type newForm struct {
	PartnershipID prevent.ID
	Form          core.Form
}

func (p *pages) renderNew(w http.ResponseWriter, r *http.Request, v newForm) error {
	l := p.Layout(r, "Register a webhook endpoint")
	l.Back, l.Errors = ListPath.Link(v.PartnershipID), v.Form.Errors
	return p.Page(w, r, l, newPage(l, v))
}

func (p *pages) handleNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	return p.renderNew(w, r, newForm{PartnershipID: pid, Form: core.Form{Values: url.Values{}}})
}

func (p *pages) handleNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	e, secret, err := p.d.Webhooks.Create(r.Context(), principalOf(r), pid, webhooks.EndpointInput{URL: f.Get("url"), Events: f.List("events")})
	if prevent.ErrorKind(err) == prevent.Invalid {
		return p.renderNew(w, r, newForm{PartnershipID: pid, Form: f.WithErr(err)})
	}
	if err != nil {
		return err
	}
	return p.showSecret(w, r, e, secret, "Webhook endpoint registered")
}

// showSecret draws the page that shows a secret, the one time it is shown. It is not kept for a redirect.
func (p *pages) showSecret(w http.ResponseWriter, r *http.Request, e webhooks.Endpoint, secret, title string) error {
	w.Header().Set("Cache-Control", "no-store")
	l := p.Layout(r, title)
	return p.Page(w, r, l, secretPage(l, e, secret, title))
}

// endpointView is one endpoint's page data.
type endpointView struct {
	Endpoint   webhooks.Endpoint
	Deliveries []webhooks.Delivery
}

func (p *pages) handleEndpoint(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	e, err := p.d.Webhooks.Endpoint(r.Context(), principalOf(r), pid, id)
	if err != nil {
		return err
	}
	ds, err := p.d.Webhooks.Deliveries(r.Context(), principalOf(r), pid, id)
	if err != nil {
		return err
	}
	l := p.Layout(r, "Webhook endpoint")
	l.Back = ListPath.Link(pid)
	return p.Page(w, r, l, endpointPage(l, endpointView{Endpoint: e, Deliveries: ds}))
}

func (p *pages) handleActive(active bool) core.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		pid, id, err := core.PathIDs(r)
		if err != nil {
			return err
		}
		if err := p.d.Webhooks.SetActive(r.Context(), principalOf(r), pid, id, active); err != nil {
			return err
		}
		msg := "Endpoint disabled: it is told of no events until it is enabled again"
		if active {
			msg = "Endpoint enabled"
		}
		return p.Flash(w, r, EndpointPath.Link(pid, id), msg)
	}
}

func (p *pages) handleSecret(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	secret, err := p.d.Webhooks.RotateSecret(r.Context(), principalOf(r), pid, id)
	if err != nil {
		return err
	}
	e, err := p.d.Webhooks.Endpoint(r.Context(), principalOf(r), pid, id)
	if err != nil {
		return err
	}
	return p.showSecret(w, r, e, secret, "Signing secret replaced")
}

func (p *pages) handleDelete(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	e, err := p.d.Webhooks.Endpoint(r.Context(), principalOf(r), pid, id)
	if err != nil {
		return err
	}
	l := p.Layout(r, "Delete this webhook endpoint?")
	l.Back = EndpointPath.Link(pid, id)
	return p.Page(w, r, l, deletePage(l, e))
}

func (p *pages) handleDeletePost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	if err := p.d.Webhooks.Delete(r.Context(), principalOf(r), pid, id); err != nil {
		return err
	}
	return p.Flash(w, r, ListPath.Link(pid), "Webhook endpoint deleted")
}

func (p *pages) handleSendAgain(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	did, err := core.PathID(r, "did")
	if err != nil {
		return err
	}
	if err := p.d.Webhooks.SendAgain(r.Context(), principalOf(r), pid, id, did); err != nil {
		return err
	}
	return p.Flash(w, r, EndpointPath.Link(pid, id), "Delivery queued to be sent again")
}
