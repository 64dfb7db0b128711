package casework

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// RecordKind is the record kind of a case in the disclosure ledger.
const RecordKind = "referral"

// disclose records, inside tx, the disclosure of case c to organisation to (and to its people recipients)
// that an action makes. The caller gives what is shared, why and on what basis (share); the case, the
// parties and the recipients are filled here. Nothing is needed when the receiving organisation is the
// acting principal's own: the share is then ignored and the id is 0. A refusal is an Invalid error saying
// what is missing; the caller's transaction then writes nothing of the action.
func (s *Service) disclose(ctx context.Context, tx *database.Tx, p prevent.Principal, c caseRow, to prevent.ID, recipients []prevent.ID, share sharing.DisclosureInput) (prevent.ID, error) {
	if to == p.OrganisationID {
		return 0, nil
	}
	share.PartnershipID, share.FromOrg, share.ToOrg = c.PartnershipID, p.OrganisationID, to
	share.Recipients = recipients
	share.RecordKind, share.RecordID = RecordKind, c.ID
	conflict, err := consentConflict(ctx, tx, c.ID, share.Consent)
	if err != nil {
		return 0, err
	}
	id, err := s.sharing.Disclose(ctx, tx, p, share)
	if conflict == "" {
		return id, err
	}
	var refused *prevent.Error
	switch {
	case err == nil:
		// Disclose wrote its row, but the transaction is refused and rolls back.
		refused = &prevent.Error{Kind: prevent.Invalid, Message: "This information cannot be shared: " + conflict}
	case errors.As(err, &refused) && refused.Kind == prevent.Invalid:
		refused = &prevent.Error{Kind: prevent.Invalid, Message: refused.Message + "; " + conflict, Fields: refused.Fields}
	default:
		return 0, err
	}
	refused.Fields = append(refused.Fields, prevent.FieldError{Field: "consent", Message: conflict})
	return 0, refused
}

// consentConflict says why a share claiming consent cannot stand: the case's latest recorded consent to
// information sharing was refused or withdrawn. It is empty when there is no conflict.
func consentConflict(ctx context.Context, q database.Querier, referralID prevent.ID, claimed sharing.Consent) (string, error) {
	if claimed != sharing.ConsentGiven {
		return "", nil
	}
	var decision string
	var at time.Time
	err := q.QueryRowContext(ctx, `SELECT decision, decided_at FROM consent_records WHERE referral_id = $1 AND scope = $2
		ORDER BY decided_at DESC, id DESC LIMIT 1`, referralID, string(ScopeInformationSharing)).Scan(&decision, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("casework: consent to share: %w", err)
	}
	if ConsentDecision(decision) == ConsentRefusedBy || ConsentDecision(decision) == ConsentWithdrawnBy {
		return fmt.Sprintf("consent to share information was %s on %s", decision, at.UTC().Format("2 January 2006")), nil
	}
	return "", nil
}

// partnershipRole is the role a person has in the partnership, to assign them to a case with; ok is false
// when they are not a member.
func partnershipRole(ctx context.Context, q database.Querier, partnershipID, personID prevent.ID) (prevent.Role, bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT role FROM memberships WHERE person_id = $1 AND partnership_id = $2 ORDER BY role`, personID, partnershipID)
	if err != nil {
		return "", false, fmt.Errorf("casework: membership: %w", err)
	}
	defer rows.Close()
	var roles []prevent.Role
	for rows.Next() {
		var r prevent.Role
		if err := rows.Scan(&r); err != nil {
			return "", false, err
		}
		roles = append(roles, r)
	}
	if err := rows.Err(); err != nil {
		return "", false, err
	}
	if len(roles) == 0 {
		return "", false, nil
	}
	// A casework role says more about why someone is on a case than an administrative one.
	for _, r := range roles {
		if access.Permits(prevent.Principal{PersonID: personID, MFA: true, Memberships: []prevent.Membership{{PartnershipID: partnershipID, Role: r}}}, access.CaseStatusView).Allow {
			return r, true, nil
		}
	}
	return roles[0], true, nil
}

// organisationOf returns a person's organisation and its name.
func organisationOf(ctx context.Context, q database.Querier, personID prevent.ID) (prevent.ID, string, error) {
	var org prevent.ID
	var name string
	err := q.QueryRowContext(ctx, `SELECT o.id, o.name FROM people pe JOIN organisations o ON o.id = pe.organisation_id WHERE pe.id = $1`,
		personID).Scan(&org, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("casework: organisation of person %d: %w", personID, err)
	}
	return org, name, nil
}

// Share discloses a case to another organisation of the partnership (in.ToOrg) and, optionally, to some of
// its people (in.Recipients), who are then assigned to the case with their role in the partnership, so that
// they may see it. The coordinator shares any case; otherwise only the organisation that holds the case
// shares it (access.MayShare). The caller fills what is shared and why (Categories, Fields, Purpose, ExpectedOutcome,
// Gateway, Consent, ConsentReason, Necessity); the disclosure is checked against the agreements in force and
// recorded with the assignments in one transaction. It returns the disclosure's id.
func (s *Service) Share(ctx context.Context, p prevent.Principal, referralID prevent.ID, in sharing.DisclosureInput) (prevent.ID, error) {
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		c, err := s.loadCase(ctx, tx, referralID)
		if err != nil {
			return err
		}
		if c.State == Draft || !access.MayShare(p, c.resource(), s.now()).Allow {
			return access.NotFound("Referral")
		}
		var f prevent.Fields
		if in.ToOrg == 0 {
			f.Add("to", "Select the organisation to share the case with")
		} else if in.ToOrg == p.OrganisationID {
			f.Add("to", "Select an organisation other than your own")
		}
		roles := make([]prevent.Role, len(in.Recipients))
		for i, r := range in.Recipients {
			role, ok, err := partnershipRole(ctx, tx, c.PartnershipID, r)
			if err != nil {
				return err
			}
			if !ok {
				if !f.Has("recipients") {
					f.Add("recipients", "Select people who are members of the partnership")
				}
				continue
			}
			roles[i] = role
		}
		if err := f.Err(); err != nil {
			return err
		}
		if id, err = s.disclose(ctx, tx, p, c, in.ToOrg, in.Recipients, in); err != nil {
			return err
		}
		for i, r := range in.Recipients {
			if err := s.assign(ctx, tx, referralID, r, roles[i]); err != nil {
				return err
			}
		}
		detail := fmt.Sprintf("shared with another organisation (disclosure %d)", id)
		if n := len(in.Recipients); n > 0 {
			detail += fmt.Sprintf("; %d of its people assigned", n)
		}
		if err := s.event(ctx, tx, p, referralID, "shared", c.State, c.State, detail); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Alter, "referral", referralID, c.PartnershipID, "share: "+detail)
	})
	return id, err
}
