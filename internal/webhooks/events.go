package webhooks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/jobs"
	"github.com/preventplatform/prevent/internal/prevent"
)

// The job and the task, and how they run.
const (
	// JobName is the job that makes one delivery.
	JobName = "webhook-delivery"
	// MaxAttempts is how many times a delivery is tried. With the queue's back-off the last try is about
	// three and a half hours after the first.
	MaxAttempts = 9
	// TaskName is the periodic task that reads the audit log for events.
	TaskName = "webhooks-events"
	// ScanEvery is how often it runs.
	ScanEvery = 30 * time.Second
	// cursorName is where the task keeps the last audit entry it read (jobs.Cursor).
	cursorName = "webhooks-events"
	// scanBatch is how many audit entries one transaction of the task reads.
	scanBatch = 500
)

// APIPrefix starts the API path of every resource an event names.
const APIPrefix = "/api/v1"

// EventType is one kind of event an endpoint can ask for.
type EventType struct {
	Name        string
	Description string
}

// Events are the event types, in the order the pages list them (docs/webhooks.md describes each).
var Events = []EventType{
	{"referral.submitted", "A referral was submitted"},
	{"case.triaged", "The police recorded a triage decision on a case"},
	{"case.state_changed", "A case moved to another stage"},
	{"case.assigned", "Someone was assigned to a case, or became its case officer"},
	{"assessment.recorded", "A vulnerability assessment of a case was recorded"},
	{"panel.decision_recorded", "A Channel panel recorded a decision on a case"},
	{"consent.recorded", "A decision on consent was recorded for a case"},
	{"support_plan.recorded", "A version of a case's support plan was recorded"},
	{"intervention.added", "An intervention was added to a case's support"},
	{"share.made", "Information on a case was shared with another organisation"},
	{"project.created", "A project was added to the partnership's programme"},
}

// KnownEvent reports whether name is one of the event types.
func KnownEvent(name string) bool {
	for _, e := range Events {
		if e.Name == name {
			return true
		}
	}
	return false
}

// event is one event derived from an audit entry.
type event struct {
	Type string
	Path string
	ID   prevent.ID
}

// transitionDetail is how casework writes a move of a case from one state to another: "… (from → to)".
var transitionDetail = regexp.MustCompile(`\([a-z_]+ → [a-z_]+\)$`)

// eventsOf maps one audit entry to the events it stands for: none for most entries (reads, sign-ins,
// administration and writes not in Events). Only the entry's action, record kind and id, partnership and
// detail are looked at; the detail is never sent.
func eventsOf(e audit.Entry) []event {
	if e.PartnershipID <= 0 || e.RecordID <= 0 || (e.Action != audit.Collect && e.Action != audit.Alter) {
		return nil
	}
	var out []event
	d := e.Detail
	switch e.RecordKind {
	case "referral":
		casePath := fmt.Sprintf("%s/referrals/%d", APIPrefix, e.RecordID)
		add := func(typ string) { out = append(out, event{Type: typ, Path: casePath, ID: e.RecordID}) }
		if transitionDetail.MatchString(d) {
			if e.Action == audit.Collect && strings.HasPrefix(d, "submit") {
				add("referral.submitted")
			}
			if strings.Contains(d, ": triage: ") {
				add("case.triaged")
			}
			add("case.state_changed")
			return out
		}
		switch {
		case strings.HasPrefix(d, "panel: decision recorded"):
			add("panel.decision_recorded")
		case strings.HasPrefix(d, "assign: "), strings.HasPrefix(d, "case officer: "):
			add("case.assigned")
		case e.Action == audit.Collect && strings.HasPrefix(d, "assessment: ") && strings.HasSuffix(d, " recorded"):
			add("assessment.recorded")
		case e.Action == audit.Collect && strings.HasPrefix(d, "consent: ") && strings.Contains(d, " consent "):
			add("consent.recorded")
		case e.Action == audit.Collect && strings.HasPrefix(d, "support plan: "):
			add("support_plan.recorded")
		case e.Action == audit.Collect && strings.HasPrefix(d, "support: intervention added"):
			out = append(out, event{Type: "intervention.added",
				Path: fmt.Sprintf("%s/partnerships/%d/cases/%d/interventions", APIPrefix, e.PartnershipID, e.RecordID), ID: e.RecordID})
		case strings.HasPrefix(d, "share: "):
			add("share.made")
		}
	case "project":
		if e.Action == audit.Collect && d == "created project" {
			out = append(out, event{Type: "project.created", Path: fmt.Sprintf("%s/partnerships/%d/programme", APIPrefix, e.PartnershipID), ID: e.RecordID})
		}
	}
	return out
}

// Payload is the body of a delivery, and all of it: what happened, to which resource, in which partnership and
// when. It holds no personal data.
type Payload struct {
	Type      string      `json:"type"`
	Timestamp time.Time   `json:"timestamp"`
	Data      PayloadData `json:"data"`
}

// PayloadData names the resource: fetch it at Path with an API token.
type PayloadData struct {
	PartnershipID prevent.ID `json:"partnership_id"`
	ID            prevent.ID `json:"id"`
	Path          string     `json:"path"`
}

// newMessageID makes a delivery's webhook-id.
func newMessageID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "msg_" + hex.EncodeToString(b)
}

// startCursor puts the task's cursor at the end of the audit log when it has none, so that events are told
// from when the first endpoint is registered on, never the log's whole history.
func (s *Service) startCursor(ctx context.Context, tx *database.Tx) error {
	pos, err := jobs.Cursor(ctx, tx, cursorName)
	if err != nil || pos != "" {
		return err
	}
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM audit_entries`).Scan(&last); err != nil {
		return fmt.Errorf("webhooks: cursor: %w", err)
	}
	return jobs.SetCursor(ctx, tx, cursorName, strconv.FormatInt(last, 10), s.now())
}

// Scan reads the audit entries appended since its last run, a batch per transaction, and for each event they
// stand for queues a delivery to every active endpoint of the entry's partnership that asked for that event.
// It is the service's periodic task.
func (s *Service) Scan(ctx context.Context) error {
	if s.d.Queue == nil {
		return errors.New("webhooks: no job queue")
	}
	more := jobs.Budget(ctx)
	for {
		done, err := s.scanBatch(ctx)
		if err != nil || done {
			return err
		}
		if !more() {
			return jobs.ErrMore
		}
	}
}

// scanBatch reads one batch; done says the log was read to its end.
func (s *Service) scanBatch(ctx context.Context) (done bool, err error) {
	err = s.d.DB.WithTx(ctx, func(tx *database.Tx) error {
		pos, err := jobs.Cursor(ctx, tx, cursorName)
		if err != nil {
			return err
		}
		if pos == "" {
			done = true
			return s.startCursor(ctx, tx)
		}
		after, err := strconv.ParseInt(pos, 10, 64)
		if err != nil {
			return fmt.Errorf("webhooks: cursor %q: %w", pos, err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT seq, at, action, record_kind, record_id, partnership_id, detail FROM audit_entries
			WHERE seq > $1 ORDER BY seq LIMIT $2`, after, scanBatch)
		if err != nil {
			return fmt.Errorf("webhooks: read audit: %w", err)
		}
		var entries []audit.Entry
		for rows.Next() {
			var e audit.Entry
			var action string
			if err := rows.Scan(&e.Seq, &e.At, &action, &e.RecordKind, &e.RecordID, &e.PartnershipID, &e.Detail); err != nil {
				rows.Close()
				return fmt.Errorf("webhooks: read audit: %w", err)
			}
			e.Action, e.At = audit.Action(action), e.At.UTC()
			entries = append(entries, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("webhooks: read audit: %w", err)
		}
		done = len(entries) < scanBatch
		if len(entries) == 0 {
			return nil
		}
		subs, err := s.subscribers(ctx, tx)
		if err != nil {
			return err
		}
		for _, e := range entries {
			for _, ev := range eventsOf(e) {
				for _, ep := range subs[e.PartnershipID] {
					if !ep.wants(ev.Type) {
						continue
					}
					if err := s.queue(ctx, tx, ep.id, e, ev); err != nil {
						return err
					}
				}
			}
		}
		return jobs.SetCursor(ctx, tx, cursorName, strconv.FormatInt(entries[len(entries)-1].Seq, 10), s.now())
	})
	return done, err
}

type subscriber struct {
	id     prevent.ID
	events []string
}

func (sb subscriber) wants(typ string) bool {
	for _, e := range sb.events {
		if e == typ {
			return true
		}
	}
	return false
}

// subscribers are the active endpoints, by partnership.
func (s *Service) subscribers(ctx context.Context, tx *database.Tx) (map[prevent.ID][]subscriber, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, partnership_id, events FROM webhook_endpoints WHERE active = TRUE ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("webhooks: endpoints: %w", err)
	}
	defer rows.Close()
	out := map[prevent.ID][]subscriber{}
	for rows.Next() {
		var id, pid prevent.ID
		var events string
		if err := rows.Scan(&id, &pid, &events); err != nil {
			return nil, fmt.Errorf("webhooks: endpoints: %w", err)
		}
		out[pid] = append(out[pid], subscriber{id: id, events: splitEvents(events)})
	}
	return out, rows.Err()
}

// queue records one delivery of ev to the endpoint and enqueues its job, in tx.
func (s *Service) queue(ctx context.Context, tx *database.Tx, endpointID prevent.ID, e audit.Entry, ev event) error {
	body, err := json.Marshal(Payload{Type: ev.Type, Timestamp: e.At.UTC(), Data: PayloadData{PartnershipID: e.PartnershipID, ID: ev.ID, Path: ev.Path}})
	if err != nil {
		return fmt.Errorf("webhooks: payload: %w", err)
	}
	var id prevent.ID
	if err := tx.QueryRowContext(ctx, `INSERT INTO webhook_deliveries (endpoint_id, partnership_id, message_id, event_type, audit_seq, body, status, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7) RETURNING id`,
		endpointID, e.PartnershipID, newMessageID(), ev.Type, e.Seq, string(body), s.now()).Scan(&id); err != nil {
		return fmt.Errorf("webhooks: queue delivery: %w", err)
	}
	return s.d.Queue.Enqueue(ctx, tx, JobName, strconv.FormatInt(id, 10))
}
