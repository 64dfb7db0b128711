package rights

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// The subject access register (UK GDPR Art 15, DPA 2018 s.45): each request received, its statutory deadline
// and whether it was extended or answered, the person referred it is about, and the bundle that answers it.
// The register (subject_access_requests) is read and written only here; its deadlines are the data protection
// officer's tasks (tasks.go) and appear on their overview (RequestsDue). Every request is the data protection
// officer's (access.SubjectAccessManage).

// dateLayout is how days (receipt, completion) are stored.
const dateLayout = "2006-01-02"

func day(t time.Time) string { return t.UTC().Format(dateLayout) }

func parseDay(s string) time.Time {
	t, _ := time.Parse(dateLayout, s)
	return t
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
		return 0, fmt.Errorf("rights: register request: %w", err)
	}
	return id, nil
}

// loadRequest loads a request through q without deciding access or auditing: for a caller that decides.
func loadRequest(ctx context.Context, q database.Querier, id prevent.ID) (SubjectAccessRequest, error) {
	r := SubjectAccessRequest{ID: id}
	var received string
	var completed sql.NullString
	err := q.QueryRowContext(ctx, `SELECT partnership_id, received_on, requester, subject, regime, status, extended,
		extension_reason, completed_on, subject_id FROM subject_access_requests WHERE id = $1`, id).
		Scan(&r.PartnershipID, &received, &r.Requester, &r.Subject, &r.Regime, &r.Status, &r.Extended, &r.ExtensionReason, &completed, &r.SubjectID)
	if errors.Is(err, sql.ErrNoRows) {
		return r, access.NotFound("Request")
	}
	if err != nil {
		return r, fmt.Errorf("rights: request %d: %w", id, err)
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
		return SubjectAccessRequest{}, fmt.Errorf("rights: request: %w", err)
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
		return fmt.Errorf("rights: extend request: %w", err)
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
		return fmt.Errorf("rights: complete request: %w", err)
	}
	return nil
}

// openRequests lists the partnership's open requests through q, by deadline.
func openRequests(ctx context.Context, q database.Querier, partnership prevent.ID) ([]SubjectAccessRequest, error) {
	rows, err := q.QueryContext(ctx, `SELECT id FROM subject_access_requests WHERE partnership_id = $1 AND status = $2 ORDER BY id`,
		partnership, string(RequestOpen))
	if err != nil {
		return nil, fmt.Errorf("rights: open requests: %w", err)
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

// Requests lists the partnership's register, open requests first by deadline, then completed ones newest
// first. The register names people, so the read is audited.
func (s *Service) Requests(ctx context.Context, p prevent.Principal, partnership prevent.ID) ([]SubjectAccessRequest, error) {
	if err := s.authorise(p, access.SubjectAccessManage, "subject_access_request", partnership, "Partnership"); err != nil {
		return nil, err
	}
	var out []SubjectAccessRequest
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id FROM subject_access_requests WHERE partnership_id = $1 ORDER BY id DESC`, partnership)
		if err != nil {
			return err
		}
		var ids []prevent.ID
		for rows.Next() {
			var id prevent.ID
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			r, err := loadRequest(ctx, tx, id)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return s.record(ctx, tx, p, audit.Consult, "subject_access_request", 0, partnership, "subject access",
			fmt.Sprintf("register read (%d requests)", len(out)))
	})
	if err != nil {
		return nil, fmt.Errorf("rights: requests: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.Status == RequestOpen) != (b.Status == RequestOpen) {
			return a.Status == RequestOpen
		}
		if a.Status == RequestOpen {
			return a.Due.Before(b.Due) || (a.Due.Equal(b.Due) && a.ID < b.ID)
		}
		return a.ID > b.ID
	})
	return out, nil
}

// setRequestSubject links an open request to the person it is about (casework's subject id), inside the
// caller's transaction: the caller has decided access and checked that the subject belongs to the request's
// partnership.
func (s *Service) setRequestSubject(ctx context.Context, tx *database.Tx, p prevent.Principal, r SubjectAccessRequest, subjectID prevent.ID) error {
	if r.Status != RequestOpen {
		return prevent.Errorf(prevent.Conflict, "The request is completed: its subject cannot change")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE subject_access_requests SET subject_id = $1, updated_at = $2 WHERE id = $3`,
		subjectID, s.now(), r.ID); err != nil {
		return fmt.Errorf("rights: request subject: %w", err)
	}
	return s.record(ctx, tx, p, audit.Alter, "subject_access_request", r.ID, r.PartnershipID, "subject access",
		fmt.Sprintf("linked to subject %d", subjectID))
}

// SubjectMatch is a person referred who may be the subject of a request.
type SubjectMatch = casework.SubjectMatch

// FindSubjects lists up to 50 people referred in the partnership whose names contain every word of name
// (aliases count), and who were born on dob when it is given, for the data protection officer to link a
// subject access request to. The search is audited.
func (s *Service) FindSubjects(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, name string, dob time.Time) ([]SubjectMatch, error) {
	if err := s.authorise(p, access.SubjectAccessManage, "subject_access_request", partnershipID, "Partnership"); err != nil {
		return nil, err
	}
	words := strings.Fields(casework.NormaliseName(name))
	if len(words) == 0 {
		return nil, prevent.Validation([]prevent.FieldError{{Field: "name", Message: "Enter the person’s name"}})
	}
	var out []SubjectMatch
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		var err error
		if out, err = s.casework.MatchSubjects(ctx, tx, partnershipID, words, dob); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Consult, "case_subject", 0, partnershipID, "subject access",
			fmt.Sprintf("subjects searched for a subject access request (%d found)", len(out)))
	})
	return out, err
}

// LinkRequestSubject links a subject access request to the person referred it is about, so that the bundle
// is one action from the request. The subject must be of the request's partnership.
func (s *Service) LinkRequestSubject(ctx context.Context, p prevent.Principal, requestID, subjectID prevent.ID) error {
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		r, err := loadRequest(ctx, tx, requestID)
		if err != nil {
			return err
		}
		if err := s.authorise(p, access.SubjectAccessManage, "subject_access_request", r.PartnershipID, "Request"); err != nil {
			return err
		}
		pid, err := s.casework.SubjectPartnership(ctx, tx, subjectID)
		if prevent.ErrorKind(err) == prevent.NotFound || (err == nil && pid != r.PartnershipID) {
			return prevent.Validation([]prevent.FieldError{{Field: "subject", Message: "Select the person the request is about"}})
		}
		if err != nil {
			return fmt.Errorf("rights: link subject: %w", err)
		}
		return s.setRequestSubject(ctx, tx, p, r, subjectID)
	})
}

// RequestDue is an open subject access request, without the names in the register.
type RequestDue struct {
	ID       prevent.ID
	Received time.Time
	Due      time.Time
	Extended bool
	Overdue  bool
}

// RequestsDue lists the partnership's open subject access requests due within withinDays of now, or
// overdue, by id, for the data protection officer's overview. It returns no names and is not audited.
func (s *Service) RequestsDue(ctx context.Context, p prevent.Principal, partnership prevent.ID, now time.Time, withinDays int) ([]RequestDue, error) {
	if err := s.authorise(p, access.DataProtectionView, "data_protection", partnership, "Partnership"); err != nil {
		return nil, err
	}
	reqs, err := openRequests(ctx, s.db.Read(), partnership)
	if err != nil {
		return nil, err
	}
	horizon := now.AddDate(0, 0, withinDays)
	var out []RequestDue
	for _, r := range reqs {
		if day(r.Due) <= day(horizon) {
			out = append(out, RequestDue{ID: r.ID, Received: r.Received, Due: r.Due, Extended: r.Extended, Overdue: r.Overdue(now)})
		}
	}
	return out, nil
}
