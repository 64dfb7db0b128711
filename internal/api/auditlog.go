package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/prevent"
)

// AuditEntry is one entry of the partnership's audit log: who (person and organisation ids) did what to which
// record, when, for what purpose, with a short description that holds no personal data.
type AuditEntry struct {
	Seq            int64      `json:"seq"`
	At             time.Time  `json:"at"`
	ActorID        prevent.ID `json:"actor_id"`
	ActorOrgID     prevent.ID `json:"actor_organisation_id"`
	Action         string     `json:"action"`
	RecordKind     string     `json:"record_kind"`
	RecordID       prevent.ID `json:"record_id"`
	Purpose        string     `json:"purpose"`
	RecipientOrgID prevent.ID `json:"recipient_organisation_id"`
	RequestID      string     `json:"request_id"`
	Detail         string     `json:"detail"`
}

// AuditPage is a page of the audit log, newest first; next is the cursor of the next (older) page.
type AuditPage struct {
	Items []AuditEntry `json:"items"`
	Next  *string      `json:"next"`
}

// registerAuditLog adds the audit log as a read for those allowed to audit the partnership.
func (s *Server) registerAuditLog() {
	s.handle(http.MethodGet, "/partnerships/{pid}/audit-log", access.AuditView, operation{id: "listAuditEntries",
		summary:  "The partnership's audit log, newest first, a page at a time; reading it is itself audited",
		response: AuditPage{}, query: []param{
			{name: "actor_id", description: "Only entries by this person", schema: map[string]any{"type": "integer", "format": "int64", "minimum": 1}},
			{name: "action", description: "Only entries of this action", schema: map[string]any{"type": "string", "enum": auditActionNames()}},
			{name: "record_kind", description: "Only entries about records of this kind (for example referral)", schema: map[string]any{"type": "string"}},
			{name: "record_id", description: "Only entries about this record", schema: map[string]any{"type": "integer", "format": "int64", "minimum": 1}},
			{name: "limit", description: "Page size, 1 to 200 (default 50)", schema: map[string]any{"type": "integer", "minimum": 1, "maximum": maxLimit}},
			{name: "after", description: "The next cursor of the previous page", schema: map[string]any{"type": "string"}},
		}}, s.listAuditEntries)
}

func auditActionNames() []string {
	out := make([]string, 0, len(audit.Actions))
	for _, a := range audit.Actions {
		out = append(out, string(a))
	}
	return out
}

func (s *Server) listAuditEntries(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	var f prevent.Fields
	num := func(name string) prevent.ID {
		v := q.Get(name)
		if v == "" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			f.Add(name, name+" must be a whole number greater than 0")
		}
		return n
	}
	filter := audit.Filter{Actor: num("actor_id"), RecordID: num("record_id"), RecordKind: q.Get("record_kind"),
		Action: audit.Action(q.Get("action")), Limit: 50}
	if filter.Action != "" && !filter.Action.Valid() {
		f.Add("action", "action must be one of the audit log's actions")
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			f.Add("limit", "limit must be a whole number from 1 to 200")
		}
		filter.Limit = n
	}
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			f.Add("after", "after must be the next cursor of a previous page")
		}
		filter.Before = n
	}
	if err := f.Err(); err != nil {
		return err
	}
	entries, next, err := s.deps.AuditLog.Browse(r.Context(), prevent.PrincipalFrom(r.Context()), pid, filter, s.now())
	if err != nil {
		return err
	}
	out := AuditPage{Items: make([]AuditEntry, 0, len(entries))}
	for _, e := range entries {
		out.Items = append(out.Items, AuditEntry{Seq: e.Seq, At: e.At.UTC(), ActorID: e.ActorID, ActorOrgID: e.ActorOrg,
			Action: string(e.Action), RecordKind: e.RecordKind, RecordID: e.RecordID, Purpose: e.Purpose,
			RecipientOrgID: e.RecipientOrg, RequestID: e.RequestID, Detail: e.Detail})
	}
	if next > 0 {
		c := strconv.FormatInt(next, 10)
		out.Next = &c
	}
	return encode(w, http.StatusOK, out)
}
