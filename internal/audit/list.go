package audit

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Page sizes for List.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Filter selects audit entries for the audit pages of the data protection officer and the auditor.
// Zero fields do not filter.
type Filter struct {
	Actor         prevent.ID
	ActorOrg      prevent.ID
	Action        Action
	RecordKind    string
	RecordID      prevent.ID
	PartnershipID prevent.ID
	// From and To bound the entry time: From <= at < To.
	From, To time.Time
	// Before is the keyset cursor: only entries with seq < Before (0: from the newest).
	Before int64
	// Limit is the page size: DefaultLimit when 0, at most MaxLimit.
	Limit int
}

// List returns the entries matching f, newest first, and the cursor for the next page (f.Before for the
// following call), which is 0 when there are no more. The caller decides who may see the log.
func List(ctx context.Context, q database.Querier, f Filter) ([]Entry, int64, error) {
	if f.Action != "" && !f.Action.Valid() {
		return nil, 0, prevent.Errorf(prevent.Invalid, "Select a valid action")
	}
	if f.Limit < 0 || f.Before < 0 {
		return nil, 0, prevent.Errorf(prevent.Invalid, "Enter a valid page")
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		return nil, 0, prevent.Errorf(prevent.Invalid, "The end date must be after the start date")
	}
	limit := f.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)

	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Actor != 0 {
		add("actor_id = $%d", f.Actor)
	}
	if f.ActorOrg != 0 {
		add("actor_org = $%d", f.ActorOrg)
	}
	if f.Action != "" {
		add("action = $%d", string(f.Action))
	}
	if f.RecordKind != "" {
		add("record_kind = $%d", f.RecordKind)
	}
	if f.RecordID != 0 {
		add("record_id = $%d", f.RecordID)
	}
	if f.PartnershipID != 0 {
		// A partnership's log is its own entries and the sign-ins and other partnership-less entries of the
		// people who hold a role in it.
		args = append(args, f.PartnershipID)
		n := len(args)
		where = append(where, fmt.Sprintf("(partnership_id = $%d OR (partnership_id = 0 AND actor_id IN (SELECT person_id FROM memberships WHERE partnership_id = $%d)))", n, n))
	}
	if !f.From.IsZero() {
		add("at >= $%d", f.From.UTC().Truncate(time.Microsecond))
	}
	if !f.To.IsZero() {
		add("at < $%d", f.To.UTC().Truncate(time.Microsecond))
	}
	if f.Before > 0 {
		add("seq < $%d", f.Before)
	}
	query := "SELECT " + entryColumns + " FROM audit_entries"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	args = append(args, limit+1)
	query += fmt.Sprintf(" ORDER BY seq DESC LIMIT $%d", len(args))

	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("audit: list: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var action string
		var leaf []byte
		if err := rows.Scan(&e.Seq, &e.At, &e.ActorID, &e.ActorOrg, &action, &e.RecordKind, &e.RecordID,
			&e.PartnershipID, &e.Purpose, &e.RecipientOrg, &e.RequestID, &e.Detail, &leaf); err != nil {
			return nil, 0, fmt.Errorf("audit: list: %w", err)
		}
		e.Action = Action(action)
		e.At = e.At.UTC()
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("audit: list: %w", err)
	}
	var next int64
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].Seq
	}
	return out, next, nil
}
