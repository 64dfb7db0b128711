// Package auditlog holds the audit log page: the entries of the tamper-evident log (internal/audit) that the
// reader may browse, newest first, filtered by person, action, record type and record, with people,
// organisations and cases named as far as the reader may see them, and when the last signed checkpoint was
// written. It is called auditlog, not audit, so that it is not mistaken for the log itself, which it imports.
package auditlog

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/core"
	"github.com/preventplatform/prevent/internal/web/govuk"
)

// Deps are what the page needs.
type Deps struct {
	// AuditLog is the log the page browses.
	AuditLog *audit.Log
	// Partnership names the entries' people and organisations, as far as the reader may see them.
	Partnership *partnership.Service
	// Casework gives the references of the entries' cases.
	Casework *casework.Service
	// CheckpointDir is where the signed checkpoints are written (its checkpoints folder), for the page's status
	// line; without it the page has none.
	CheckpointDir string
	// Now is the service's clock.
	Now func() time.Time
}

// LogPath is the audit log; its query filters it (actor, action, kind, record) and pages to older entries
// (before).
var LogPath = core.NewPath0("/audit")

// pageSize is how many entries a page shows.
const pageSize = 50

type pages struct {
	core.Pages
	d Deps
}

// Register adds the audit log to the site, for those who may view it (access.AuditView).
func Register(site core.Site, d Deps) {
	p := &pages{Pages: site, d: d}
	site.Handle(http.MethodGet, LogPath.Pattern(), access.AuditView, p.handleAudit)
}

func auditActionItems() []govuk.SelectItem {
	items := []govuk.SelectItem{{Value: "", Text: "Any action"}}
	for _, a := range audit.Actions {
		items = append(items, govuk.SelectItem{Value: string(a), Text: string(a)})
	}
	return items
}

func (pg *pages) handleAudit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := core.Form{Values: url.Values{}}
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
	filter.Limit = pageSize
	l := pg.Layout(r, "Audit log")
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
			if access.Decide(p, access.AuditView, access.Resource{Kind: "audit", PartnershipID: id}, pg.d.Now()).Allow {
				pid = id
				break
			}
		}
		entries, cursor, err = pg.d.AuditLog.Browse(r.Context(), p, pid, filter, pg.d.Now())
		if err != nil {
			return err
		}
		if names, err = pg.lookupAuditNames(r.Context(), p, pid, entries); err != nil {
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
			next = LogPath.Link() + "?" + nq.Encode()
		}
	}
	return pg.Page(w, r, l, auditPage(l, f, entries, names, next, pg.checkpointStatus()))
}

// checkpointStatus says when the last signed checkpoint was written.
func (pg *pages) checkpointStatus() string {
	if pg.d.CheckpointDir == "" {
		return ""
	}
	matches, _ := filepath.Glob(filepath.Join(pg.d.CheckpointDir, "checkpoints", "*"))
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
