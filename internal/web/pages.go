package web

import (
	"fmt"
	"github.com/preventplatform/prevent/internal/web/admin"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/account"
	"github.com/preventplatform/prevent/internal/web/govuk"
)

func (s *Server) handleInfo(which string) handler {
	titles := map[string]string{"cookies": "Cookies", "accessibility": "Accessibility statement", "privacy": "Privacy notice"}
	return func(w http.ResponseWriter, r *http.Request) error {
		l := s.layout(r, titles[which])
		return s.page(w, r, l, infoPage(l, which))
	}
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) error {
	l := s.layout(r, "")
	p := l.Principal
	var links []navItem
	if access.Permits(p, access.CaseStatusView).Allow {
		links = append(links, navItem{Text: "My work: referrals and cases that need you", Href: "/work"})
	}
	for _, pid := range p.Partnerships() {
		links = append(links, navItem{Text: "Your partnership", Href: admin.PartnershipPath.Link(pid)})
		if access.Permits(p, access.PersonView).Allow {
			links = append(links, navItem{Text: "People and roles", Href: admin.PeoplePath.Link(pid)})
		}
		links = append(links, navItem{Text: "Member organisations", Href: admin.OrganisationsPath.Link(pid)})
		if access.Permits(p, access.PlanView).Allow {
			links = append(links, navItem{Text: "Programme of action: delivery plan, projects, funding, training and library", Href: fmt.Sprintf("/partnerships/%d/programme", pid)})
		}
	}
	if access.Permits(p, access.AuditView).Allow {
		links = append(links, navItem{Text: "Audit log", Href: "/audit"})
	}
	links = append(links, navItem{Text: "Your account and API tokens", Href: account.AccountPath.Link()})
	return s.page(w, r, l, homePage(l, links))
}

func auditActionItems() []govuk.SelectItem {
	items := []govuk.SelectItem{{Value: "", Text: "Any action"}}
	for _, a := range audit.Actions {
		items = append(items, govuk.SelectItem{Value: string(a), Text: string(a)})
	}
	return items
}

func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := form{Values: url.Values{}}
	for _, k := range []string{"actor", "action", "kind", "record"} {
		f.Values.Set(k, q.Get(k))
	}
	var filter audit.Filter
	var fields prevent.Fields
	num := func(name string) int64 {
		v := q.Get(name)
		if v == "" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			fields.Add(name, "Enter a number")
		}
		return n
	}
	filter.Actor = num("actor")
	filter.RecordID = num("record")
	filter.Action = audit.Action(q.Get("action"))
	if filter.Action != "" && !filter.Action.Valid() {
		fields.Add("action", "Select an action from the list")
		filter.Action = ""
	}
	filter.RecordKind = q.Get("kind")
	if b := q.Get("before"); b != "" {
		filter.Before, _ = strconv.ParseInt(b, 10, 64)
	}
	filter.Limit = 50
	l := s.layout(r, "Audit log")
	l.Errors = fields
	f.Errors = fields
	var entries []audit.Entry
	var names auditNames
	next := ""
	if len(fields) == 0 {
		var cursor int64
		var err error
		p := l.Principal
		var pid prevent.ID
		for _, id := range p.Partnerships() {
			if access.Decide(p, access.AuditView, access.Resource{Kind: "audit", PartnershipID: id}, s.deps.Now()).Allow {
				pid = id
				break
			}
		}
		entries, cursor, err = s.deps.AuditLog.Browse(r.Context(), p, pid, filter, s.deps.Now())
		if err != nil {
			return err
		}
		if names, err = s.lookupAuditNames(r.Context(), p, pid, entries); err != nil {
			return err
		}
		if cursor > 0 {
			nq := url.Values{}
			for k := range f.Values {
				if v := f.Values.Get(k); v != "" {
					nq.Set(k, v)
				}
			}
			nq.Set("before", strconv.FormatInt(cursor, 10))
			next = "/audit?" + nq.Encode()
		}
	}
	return s.page(w, r, l, auditPage(l, f, entries, names, next, s.checkpointStatus()))
}

// checkpointStatus says when the last signed checkpoint was written.
func (s *Server) checkpointStatus() string {
	if s.deps.AuditDir == "" {
		return ""
	}
	matches, _ := filepath.Glob(filepath.Join(s.deps.AuditDir, "checkpoints", "*"))
	var latest time.Time
	for _, m := range matches {
		if st, err := os.Stat(m); err == nil && st.ModTime().After(latest) {
			latest = st.ModTime()
		}
	}
	if latest.IsZero() {
		return "No signed checkpoint has been written yet."
	}
	return fmt.Sprintf("Last signed checkpoint: %s UTC (%d in all).", latest.UTC().Format("2 January 2006 15:04:05"), len(matches))
}
