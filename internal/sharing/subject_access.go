package sharing

import (
	"cmp"
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

// AddMonths returns the day n calendar months after d: the corresponding date of that month, or its last
// day when it has no corresponding date (31 January + 1 month = 28 or 29 February). Unlike time.AddDate it
// never overflows into the month after.
func AddMonths(d time.Time, n int) time.Time {
	y, m, dd := d.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(dd, last), 0, 0, 0, 0, time.UTC)
}

// ExtensionMonths is how far an extension moves the deadline (UK GDPR Art 12(3)).
const ExtensionMonths = 2

// DueDate is the deadline for answering a request received on the day of received (UK GDPR Art 12(3),
// ICO guidance): one month from receipt to the corresponding date of the next month, or the last day of
// that month when there is none; with an extension, three months from receipt counted the same way (so a
// request received on 31 January is due on 30 April, not 28 April). The deadline is not moved off a
// weekend or bank holiday, although the ICO allows the next working day: the register shows the earlier,
// safer date.
func DueDate(received time.Time, extended bool) time.Time {
	n := 1
	if extended {
		n += ExtensionMonths
	}
	return AddMonths(parseDay(day(received)), n)
}

// Regime is the law a subject access request is answered under.
type Regime string

// The regimes.
const (
	UKGDPR   Regime = "uk_gdpr"   // UK GDPR Art 15
	DPAPart3 Regime = "dpa_part3" // DPA 2018 s.45, law enforcement processing
)

// RequestStatus is where a subject access request is.
type RequestStatus string

// The request statuses.
const (
	RequestOpen      RequestStatus = "open"
	RequestCompleted RequestStatus = "completed"
)

// SubjectAccessRequest is one entry of the register.
type SubjectAccessRequest struct {
	ID              prevent.ID
	PartnershipID   prevent.ID
	Received        time.Time
	Requester       string
	Subject         string
	Regime          Regime
	Status          RequestStatus
	Extended        bool
	ExtensionReason string
	CompletedOn     time.Time
	Due             time.Time
	// SubjectID is the person referred (casework's subject) the request was linked to; 0 until then.
	SubjectID prevent.ID
}

// Overdue reports whether the request is still open after its deadline at now.
func (r SubjectAccessRequest) Overdue(now time.Time) bool {
	return r.Status == RequestOpen && day(now) > day(r.Due)
}

// SubjectAccessInput is a request received.
type SubjectAccessInput struct {
	Received  time.Time
	Requester string
	Subject   string
	Regime    Regime
}

// RegisterRequest enters a subject access request in the partnership's register.
func (s *Service) RegisterRequest(ctx context.Context, p prevent.Principal, partnership prevent.ID, in SubjectAccessInput) (prevent.ID, error) {
	if err := s.authorise(p, access.SubjectAccessManage, "subject_access_request", partnership, "Partnership"); err != nil {
		return 0, err
	}
	var f prevent.Fields
	if in.Received.IsZero() {
		f.Add("received", "Enter the date the request was received")
	} else if day(in.Received) > day(s.now()) {
		f.Add("received", "The date received must be today or in the past")
	}
	if strings.TrimSpace(in.Requester) == "" {
		f.Add("requester", "Enter who made the request")
	}
	if strings.TrimSpace(in.Subject) == "" {
		f.Add("subject", "Enter who the request is about")
	}
	if in.Regime != UKGDPR && in.Regime != DPAPart3 {
		f.Add("regime", "Select the law the request is made under")
	}
	if err := f.Err(); err != nil {
		return 0, err
	}
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		now := s.now()
		if err := tx.QueryRowContext(ctx, `INSERT INTO subject_access_requests (partnership_id, received_on, requester, subject, regime,
			status, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
			partnership, day(in.Received), strings.TrimSpace(in.Requester), strings.TrimSpace(in.Subject), string(in.Regime),
			string(RequestOpen), p.PersonID, now).Scan(&id); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Collect, "subject_access_request", id, partnership, "subject access", "registered")
	})
	if err != nil {
		return 0, fmt.Errorf("sharing: register request: %w", err)
	}
	return id, nil
}

// LoadRequest loads a request through q without deciding access or auditing: for a caller that has
// decided (internal/rights: the subject access bundle and its redactions, inside its transaction).
func LoadRequest(ctx context.Context, q database.Querier, id prevent.ID) (SubjectAccessRequest, error) {
	return loadRequest(ctx, q, id)
}

func loadRequest(ctx context.Context, q database.Querier, id prevent.ID) (SubjectAccessRequest, error) {
	r := SubjectAccessRequest{ID: id}
	var received string
	var completed sql.NullString
	err := q.QueryRowContext(ctx, `SELECT partnership_id, received_on, requester, subject, regime, status, extended,
		extension_reason, completed_on, subject_id FROM subject_access_requests WHERE id = $1`, id).
		Scan(&r.PartnershipID, &received, &r.Requester, &r.Subject, &r.Regime, &r.Status, &r.Extended, &r.ExtensionReason, &completed, &r.SubjectID)
	if isNoRows(err) {
		return r, access.NotFound("Request")
	}
	if err != nil {
		return r, fmt.Errorf("sharing: request %d: %w", id, err)
	}
	r.Received = parseDay(received)
	if completed.Valid {
		r.CompletedOn = parseDay(completed.String)
	}
	r.Due = DueDate(r.Received, r.Extended)
	return r, nil
}

// Request returns one request; the read is audited, since the register names people.
func (s *Service) Request(ctx context.Context, p prevent.Principal, id prevent.ID) (SubjectAccessRequest, error) {
	var r SubjectAccessRequest
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		var err error
		if r, err = loadRequest(ctx, tx, id); err != nil {
			return err
		}
		if err := s.authorise(p, access.SubjectAccessManage, "subject_access_request", r.PartnershipID, "Request"); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Consult, "subject_access_request", id, r.PartnershipID, "subject access", "read")
	})
	if err != nil {
		return SubjectAccessRequest{}, fmt.Errorf("sharing: request: %w", err)
	}
	return r, nil
}

// ExtendRequest extends an open request's deadline by two further months, with the reason (complexity or a
// number of requests). It must be decided, and the requester told, within the first month.
func (s *Service) ExtendRequest(ctx context.Context, p prevent.Principal, id prevent.ID, reason string) error {
	reason = strings.TrimSpace(reason)
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		r, err := loadRequest(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.authorise(p, access.SubjectAccessManage, "subject_access_request", r.PartnershipID, "Request"); err != nil {
			return err
		}
		if reason == "" {
			return prevent.Validation([]prevent.FieldError{{Field: "reason", Message: "Enter the reason for the extension"}})
		}
		switch {
		case r.Status != RequestOpen:
			return prevent.Errorf(prevent.Conflict, "Only an open request can be extended")
		case r.Extended:
			return prevent.Errorf(prevent.Conflict, "The request has already been extended")
		case day(s.now()) > day(DueDate(r.Received, false)):
			return prevent.Errorf(prevent.Conflict, "The first month ended on %s: an extension must be made within it", day(DueDate(r.Received, false)))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE subject_access_requests SET extended = TRUE, extension_reason = $1, updated_at = $2
			WHERE id = $3`, reason, s.now(), id); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Alter, "subject_access_request", id, r.PartnershipID, "subject access",
			"extended to "+day(DueDate(r.Received, true)))
	})
	if err != nil {
		return fmt.Errorf("sharing: extend request: %w", err)
	}
	return nil
}

// CompleteRequest records that an open request was answered on the day of on.
func (s *Service) CompleteRequest(ctx context.Context, p prevent.Principal, id prevent.ID, on time.Time) error {
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		r, err := loadRequest(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.authorise(p, access.SubjectAccessManage, "subject_access_request", r.PartnershipID, "Request"); err != nil {
			return err
		}
		if r.Status != RequestOpen {
			return prevent.Errorf(prevent.Conflict, "The request is already completed")
		}
		if on.IsZero() || day(on) < day(r.Received) || day(on) > day(s.now()) {
			return prevent.Validation([]prevent.FieldError{{Field: "completed-on", Message: "Enter a date between receipt and today"}})
		}
		if _, err := tx.ExecContext(ctx, `UPDATE subject_access_requests SET status = $1, completed_on = $2, updated_at = $3
			WHERE id = $4`, string(RequestCompleted), day(on), s.now(), id); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Alter, "subject_access_request", id, r.PartnershipID, "subject access", "completed")
	})
	if err != nil {
		return fmt.Errorf("sharing: complete request: %w", err)
	}
	return nil
}

// openRequests lists the partnership's open requests through q, by deadline.
func openRequests(ctx context.Context, q database.Querier, partnership prevent.ID) ([]SubjectAccessRequest, error) {
	rows, err := q.QueryContext(ctx, `SELECT id FROM subject_access_requests WHERE partnership_id = $1 AND status = $2 ORDER BY id`,
		partnership, string(RequestOpen))
	if err != nil {
		return nil, fmt.Errorf("sharing: open requests: %w", err)
	}
	var ids []prevent.ID
	for rows.Next() {
		var id prevent.ID
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]SubjectAccessRequest, 0, len(ids))
	for _, id := range ids {
		r, err := loadRequest(ctx, q, id)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// SetRequestSubject links an open request to the person it is about (casework's subject id), inside the
// caller's transaction: the caller (internal/rights) has checked that the subject belongs to the request's
// partnership.
func (s *Service) SetRequestSubject(ctx context.Context, tx *database.Tx, p prevent.Principal, id, subjectID prevent.ID) error {
	r, err := loadRequest(ctx, tx, id)
	if err != nil {
		return err
	}
	if err := s.authorise(p, access.SubjectAccessManage, "subject_access_request", r.PartnershipID, "Request"); err != nil {
		return err
	}
	if r.Status != RequestOpen {
		return prevent.Errorf(prevent.Conflict, "The request is completed: its subject cannot change")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE subject_access_requests SET subject_id = $1, updated_at = $2 WHERE id = $3`,
		subjectID, s.now(), id); err != nil {
		return fmt.Errorf("sharing: request subject: %w", err)
	}
	return s.record(ctx, tx, p, audit.Alter, "subject_access_request", id, r.PartnershipID, "subject access",
		fmt.Sprintf("linked to subject %d", subjectID))
}

// DisclosuresFor returns the ledger rows of the records of one kind with the given ids, oldest first,
// through q and without deciding access or auditing: for a caller that has decided and audits (the
// subject access bundle).
func DisclosuresFor(ctx context.Context, q database.Querier, recordKind string, ids []prevent.ID) ([]Disclosure, error) {
	var out []Disclosure
	const chunk = 500
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		args := []any{recordKind}
		marks := make([]string, len(part))
		for i, id := range part {
			args = append(args, id)
			marks[i] = fmt.Sprintf("$%d", i+2)
		}
		rows, err := q.QueryContext(ctx, `SELECT id, partnership_id, agreement_id, from_org, to_org, recipients, record_id, categories, fields,
			purpose, expected_outcome, gateway_code, gateway_version, consent, consent_reason, necessity, disclosed_by, disclosed_at
			FROM sharing_disclosures WHERE record_kind = $1 AND record_id IN (`+strings.Join(marks, ", ")+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("sharing: disclosures for: %w", err)
		}
		for rows.Next() {
			d := Disclosure{RecordKind: recordKind}
			var recipients, cats, fields string
			if err := rows.Scan(&d.ID, &d.PartnershipID, &d.AgreementID, &d.FromOrg, &d.ToOrg, &recipients, &d.RecordID, &cats, &fields,
				&d.Purpose, &d.ExpectedOutcome, &d.Gateway, &d.GatewayVersion, &d.Consent, &d.ConsentReason, &d.Necessity,
				&d.DisclosedBy, &d.DisclosedAt); err != nil {
				rows.Close()
				return nil, err
			}
			d.Recipients, d.Categories, d.Fields = splitIDs(recipients), splitList[Category](cats), strings.Fields(fields)
			d.DisclosedAt = d.DisclosedAt.UTC()
			out = append(out, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b Disclosure) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}
