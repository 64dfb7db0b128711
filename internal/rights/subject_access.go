package rights

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// The subject access register (UK GDPR Art 15, DPA 2018 s.45): each request received, its statutory deadline
// and whether it was extended or answered, the person referred it is about, and the bundle that answers it.
// The register is stored by internal/sharing (subject_access_requests), whose governance tasks and overview
// follow its deadlines; every request is the data protection officer's (access.SubjectAccessManage).

// SubjectAccessRequest is one entry of the register.
type SubjectAccessRequest = sharing.SubjectAccessRequest

// SubjectAccessInput is a request received.
type SubjectAccessInput = sharing.SubjectAccessInput

// Regime is the law a subject access request is answered under.
type Regime = sharing.Regime

// The regimes.
const (
	UKGDPR   = sharing.UKGDPR   // UK GDPR Art 15
	DPAPart3 = sharing.DPAPart3 // DPA 2018 s.45, law enforcement processing
)

// RequestStatus is where a subject access request is.
type RequestStatus = sharing.RequestStatus

// The request statuses.
const (
	RequestOpen      = sharing.RequestOpen
	RequestCompleted = sharing.RequestCompleted
)

// ExtensionMonths is how far an extension moves the deadline (UK GDPR Art 12(3)).
const ExtensionMonths = sharing.ExtensionMonths

// DueDate is the deadline for answering a request received on the day of received: one month from receipt,
// or three with an extension, each to the corresponding date of the month (or its last day when it has
// none). It is not moved off a weekend or bank holiday: the register shows the earlier, safer date.
func DueDate(received time.Time, extended bool) time.Time { return sharing.DueDate(received, extended) }

// RegisterRequest enters a subject access request in the partnership's register and returns its id.
func (s *Service) RegisterRequest(ctx context.Context, p prevent.Principal, partnership prevent.ID, in SubjectAccessInput) (prevent.ID, error) {
	return s.sharing.RegisterRequest(ctx, p, partnership, in)
}

// Request returns one request; the read is audited, since the register names people.
func (s *Service) Request(ctx context.Context, p prevent.Principal, id prevent.ID) (SubjectAccessRequest, error) {
	return s.sharing.Request(ctx, p, id)
}

// Requests lists the partnership's register, open requests first by deadline, then completed ones newest
// first. The read is audited.
func (s *Service) Requests(ctx context.Context, p prevent.Principal, partnership prevent.ID) ([]SubjectAccessRequest, error) {
	return s.sharing.Requests(ctx, p, partnership)
}

// ExtendRequest extends an open request's deadline by two further months, with the reason (complexity or a
// number of requests). It must be decided, and the requester told, within the first month.
func (s *Service) ExtendRequest(ctx context.Context, p prevent.Principal, id prevent.ID, reason string) error {
	return s.sharing.ExtendRequest(ctx, p, id, reason)
}

// CompleteRequest records that an open request was answered on the day of on.
func (s *Service) CompleteRequest(ctx context.Context, p prevent.Principal, id prevent.ID, on time.Time) error {
	return s.sharing.CompleteRequest(ctx, p, id, on)
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
		r, err := sharing.LoadRequest(ctx, tx, requestID)
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
		return s.sharing.SetRequestSubject(ctx, tx, p, requestID, subjectID)
	})
}
