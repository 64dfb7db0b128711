package sharing

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// NoticeKind is why organisations that received a record's data are told something.
type NoticeKind string

// The kinds of notice.
const (
	// NoticeConsentWithdrawn: consent to share information was withdrawn; sent to every organisation that
	// received the record's data under that consent (disclosures with consent "given").
	NoticeConsentWithdrawn NoticeKind = "consent_withdrawn"
	// NoticeRectified: the record was corrected (UK GDPR Art 19); sent to every prior recipient.
	NoticeRectified NoticeKind = "rectified"
)

// String is the kind's display name.
func (k NoticeKind) String() string {
	switch k {
	case NoticeConsentWithdrawn:
		return "Consent to share information withdrawn"
	case NoticeRectified:
		return "Record corrected"
	}
	return string(k)
}

// NoticeStatus is where a notice is: open until the receiving organisation records what it did.
type NoticeStatus string

// The notice statuses.
const (
	NoticeOpen      NoticeStatus = "open"
	NoticeCompleted NoticeStatus = "completed"
)

// NoticeDueDays is how many days a receiving organisation has to act on a notice before the data protection
// officer sees it as overdue. UK GDPR Art 19 asks for no more than "without undue delay"; two weeks is this
// platform's default.
const NoticeDueDays = 14

// NoticeInput is what happened to a record, for Notify. It names the record and what changed, never the
// personal data itself: people at the receiving organisation read the case for that, as far as it was
// disclosed to them.
type NoticeInput struct {
	PartnershipID prevent.ID
	Kind          NoticeKind
	RecordKind    string
	RecordID      prevent.ID
	// RecordLabel is how people know the record, such as a case reference.
	RecordLabel string
	// Message says what happened and what the receiving organisation should do.
	Message string
}

// Notice is one notice: a task for the receiving organisation.
type Notice struct {
	ID            prevent.ID
	PartnershipID prevent.ID
	Kind          NoticeKind
	RecordKind    string
	RecordID      prevent.ID
	RecordLabel   string
	FromOrg       prevent.ID
	FromOrgName   string
	ToOrg         prevent.ID
	ToOrgName     string
	// Disclosures are the ledger rows the notice is about.
	Disclosures     []prevent.ID
	Message         string
	SentBy          prevent.ID
	SentAt          time.Time
	Due             time.Time
	Status          NoticeStatus
	CompletedNote   string
	CompletedBy     prevent.ID
	CompletedByName string
	CompletedAt     time.Time
}

// Overdue reports whether the notice is still open after its due day at now.
func (n Notice) Overdue(now time.Time) bool { return n.Status == NoticeOpen && day(now) > day(n.Due) }

// Notify sends a notice inside the caller's transaction, so that the change and its notices commit together,
// to every organisation that received the record's data: for NoticeConsentWithdrawn, the organisations that
// received it under consent (disclosures with consent "given") not already told of an earlier withdrawal;
// for NoticeRectified, every prior recipient. The principal's own organisation is not sent one. It returns
// the notices sent (none when nobody received the data) and appends an audit entry for each, naming the
// receiving organisation.
func (s *Service) Notify(ctx context.Context, tx *database.Tx, p prevent.Principal, in NoticeInput) ([]prevent.ID, error) {
	if err := s.authorise(p, access.Disclose, "sharing_notice", in.PartnershipID, "Partnership"); err != nil {
		return nil, err
	}
	if in.Kind != NoticeConsentWithdrawn && in.Kind != NoticeRectified {
		return nil, fmt.Errorf("sharing: notify: unknown kind %q", in.Kind)
	}
	if strings.TrimSpace(in.RecordKind) == "" || in.RecordID <= 0 || strings.TrimSpace(in.Message) == "" {
		return nil, fmt.Errorf("sharing: notify: the record and the message are required")
	}
	told := map[prevent.ID]bool{}
	if in.Kind == NoticeConsentWithdrawn {
		rows, err := tx.QueryContext(ctx, `SELECT disclosures FROM sharing_notices WHERE record_kind = $1 AND record_id = $2 AND kind = $3`,
			in.RecordKind, in.RecordID, string(in.Kind))
		if err != nil {
			return nil, fmt.Errorf("sharing: notify: %w", err)
		}
		for rows.Next() {
			var ds string
			if err := rows.Scan(&ds); err != nil {
				rows.Close()
				return nil, err
			}
			for _, id := range splitIDs(ds) {
				told[id] = true
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, to_org, consent FROM sharing_disclosures
		WHERE partnership_id = $1 AND record_kind = $2 AND record_id = $3 ORDER BY id`, in.PartnershipID, in.RecordKind, in.RecordID)
	if err != nil {
		return nil, fmt.Errorf("sharing: notify: %w", err)
	}
	var orgs []prevent.ID
	byOrg := map[prevent.ID][]prevent.ID{}
	for rows.Next() {
		var id, org prevent.ID
		var consent Consent
		if err := rows.Scan(&id, &org, &consent); err != nil {
			rows.Close()
			return nil, err
		}
		if org == p.OrganisationID || told[id] || (in.Kind == NoticeConsentWithdrawn && consent != ConsentGiven) {
			continue
		}
		if !slices.Contains(orgs, org) {
			orgs = append(orgs, org)
		}
		byOrg[org] = append(byOrg[org], id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	due := day(now.AddDate(0, 0, NoticeDueDays))
	var out []prevent.ID
	for _, org := range orgs {
		var id prevent.ID
		if err := tx.QueryRowContext(ctx, `INSERT INTO sharing_notices (partnership_id, kind, record_kind, record_id, record_label, from_org,
			to_org, disclosures, message, sent_by, sent_at, due_on, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
			RETURNING id`, in.PartnershipID, string(in.Kind), in.RecordKind, in.RecordID, strings.TrimSpace(in.RecordLabel), p.OrganisationID,
			org, joinIDs(byOrg[org]), strings.TrimSpace(in.Message), p.PersonID, now, due, string(NoticeOpen)).Scan(&id); err != nil {
			return nil, fmt.Errorf("sharing: notify: %w", err)
		}
		e := audit.New(ctx, now, audit.Collect, "sharing_notice", id)
		e.ActorID, e.ActorOrg = p.PersonID, p.OrganisationID
		e.PartnershipID = in.PartnershipID
		e.Purpose = "notice to recipients"
		e.RecipientOrg = org
		e.Detail = fmt.Sprintf("notice: %s about %s %d; disclosures %s", in.Kind, in.RecordKind, in.RecordID, joinIDs(byOrg[org]))
		if _, err := audit.Append(ctx, tx, e); err != nil {
			return nil, fmt.Errorf("sharing: notify: audit: %w", err)
		}
		out = append(out, id)
	}
	return out, nil
}

const noticeColumns = `n.id, n.partnership_id, n.kind, n.record_kind, n.record_id, n.record_label, n.from_org, fo.name, n.to_org, tor.name,
	n.disclosures, n.message, n.sent_by, n.sent_at, n.due_on, n.status, n.completed_note, n.completed_by, COALESCE(cb.name, ''), n.completed_at
	FROM sharing_notices n JOIN organisations fo ON fo.id = n.from_org JOIN organisations tor ON tor.id = n.to_org
	LEFT JOIN people cb ON cb.id = n.completed_by`

func scanNotice(sc interface{ Scan(...any) error }) (Notice, error) {
	var n Notice
	var ds, due string
	var by sql.NullInt64
	var at sql.NullTime
	err := sc.Scan(&n.ID, &n.PartnershipID, &n.Kind, &n.RecordKind, &n.RecordID, &n.RecordLabel, &n.FromOrg, &n.FromOrgName, &n.ToOrg,
		&n.ToOrgName, &ds, &n.Message, &n.SentBy, &n.SentAt, &due, &n.Status, &n.CompletedNote, &by, &n.CompletedByName, &at)
	n.Disclosures, n.Due, n.CompletedBy, n.CompletedAt = splitIDs(ds), parseDay(due), by.Int64, at.Time
	n.SentAt = n.SentAt.UTC()
	if at.Valid {
		n.CompletedAt = at.Time.UTC()
	}
	return n, err
}

// Notices lists the partnership's notices sent to the organisation org, newest first (only the open ones
// when openOnly): people of that organisation whose role works cases see their own organisation's, and
// the data protection officer sees any organisation's, or every notice with org 0. Anything else is
// NotFound. The read is audited.
func (s *Service) Notices(ctx context.Context, p prevent.Principal, partnership, org prevent.ID, openOnly bool) ([]Notice, error) {
	now := s.now()
	oversee := access.DecideNotice(p, access.NoticeOversee, partnership, org, now).Allow
	if !oversee && (org == 0 || !access.DecideNotice(p, access.NoticeWork, partnership, org, now).Allow) {
		return nil, access.NotFound("Notices")
	}
	q := `SELECT ` + noticeColumns + ` WHERE n.partnership_id = $1 AND ($2 = 0 OR n.to_org = $2) AND ($3 = '' OR n.status = $3) ORDER BY n.id DESC`
	status := ""
	if openOnly {
		status = string(NoticeOpen)
	}
	var out []Notice
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		rows, err := tx.QueryContext(ctx, q, partnership, org, status)
		if err != nil {
			return err
		}
		for rows.Next() {
			n, err := scanNotice(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Consult, "sharing_notice", 0, partnership, "notices to recipients",
			fmt.Sprintf("notices listed for organisation %d (%d)", org, len(out)))
	})
	if err != nil {
		return nil, fmt.Errorf("sharing: notices: %w", err)
	}
	return out, nil
}

// CountOpenNotices returns how many open notices were sent to the principal's organisation in the
// partnership (0 when the principal may not work them), for "My work". It reads no personal data.
func (s *Service) CountOpenNotices(ctx context.Context, p prevent.Principal, partnership prevent.ID) (int, error) {
	if !access.DecideNotice(p, access.NoticeWork, partnership, p.OrganisationID, s.now()).Allow {
		return 0, nil
	}
	var n int
	if err := s.db.Read().QueryRowContext(ctx, `SELECT count(*) FROM sharing_notices WHERE partnership_id = $1 AND to_org = $2 AND status = $3`,
		partnership, p.OrganisationID, string(NoticeOpen)).Scan(&n); err != nil {
		return 0, fmt.Errorf("sharing: count notices: %w", err)
	}
	return n, nil
}

// loadNotice loads a notice through q for a person of the receiving organisation who works cases, or, when
// action is NoticeOversee, also for the data protection officer.
func (s *Service) loadNotice(ctx context.Context, q database.Querier, p prevent.Principal, id prevent.ID, action access.Action) (Notice, error) {
	n, err := scanNotice(q.QueryRowContext(ctx, `SELECT `+noticeColumns+` WHERE n.id = $1`, id))
	if isNoRows(err) {
		return n, access.NotFound("Notice")
	}
	if err != nil {
		return n, fmt.Errorf("sharing: notice %d: %w", id, err)
	}
	now := s.now()
	ok := access.DecideNotice(p, access.NoticeWork, n.PartnershipID, n.ToOrg, now).Allow
	if !ok && action == access.NoticeOversee {
		ok = access.DecideNotice(p, access.NoticeOversee, n.PartnershipID, n.ToOrg, now).Allow
	}
	if !ok {
		return Notice{}, access.NotFound("Notice")
	}
	return n, nil
}

// Notice returns one notice, to people of the receiving organisation and the data protection officer.
// The read is audited.
func (s *Service) Notice(ctx context.Context, p prevent.Principal, id prevent.ID) (Notice, error) {
	var n Notice
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		var err error
		if n, err = s.loadNotice(ctx, tx, p, id, access.NoticeOversee); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Consult, "sharing_notice", id, n.PartnershipID, "notices to recipients", "notice read")
	})
	if err != nil {
		return Notice{}, fmt.Errorf("sharing: notice: %w", err)
	}
	return n, nil
}

// CompleteNotice records what the receiving organisation did about an open notice (for example "deleted
// the copies held by the housing team and stopped sharing"), by whom and when. Only people of that
// organisation may; the note is required.
func (s *Service) CompleteNotice(ctx context.Context, p prevent.Principal, id prevent.ID, note string) error {
	note = strings.TrimSpace(note)
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		n, err := s.loadNotice(ctx, tx, p, id, access.NoticeWork)
		if err != nil {
			return err
		}
		switch {
		case note == "":
			return prevent.Validation([]prevent.FieldError{{Field: "note", Message: "Enter what your organisation did"}})
		case len(note) > 10000:
			return prevent.Validation([]prevent.FieldError{{Field: "note", Message: "What your organisation did must be 10,000 characters or fewer"}})
		case n.Status != NoticeOpen:
			return prevent.Errorf(prevent.Conflict, "This notice was already completed on %s", n.CompletedAt.Format("2 January 2006"))
		}
		res, err := tx.ExecContext(ctx, `UPDATE sharing_notices SET status = $1, completed_note = $2, completed_by = $3, completed_at = $4
			WHERE id = $5 AND status = $6`, string(NoticeCompleted), note, p.PersonID, s.now(), id, string(NoticeOpen))
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return prevent.Errorf(prevent.Conflict, "This notice was changed by someone else; reload it and try again")
		}
		return s.record(ctx, tx, p, audit.Alter, "sharing_notice", id, n.PartnershipID, "notices to recipients", "notice completed")
	})
	if err != nil {
		return fmt.Errorf("sharing: complete notice: %w", err)
	}
	return nil
}
