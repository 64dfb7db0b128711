package casework

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// CorrectPerson sets one part of the person details of case c that can be corrected (Parts; field is its
// name, value its JSON from CorrectValue: null, "" or [] removes it), in the referral and in the person's subject
// record, and writes a "rectified" event with detail on the timeline, inside tx: the rectification of
// internal/rights, which has authorised p (AuthoriseCase), checked the field and value and records the
// correction. Whatever else the details hold is kept as stored. The person must still have a name.
func (s *Service) CorrectPerson(ctx context.Context, tx *database.Tx, p prevent.Principal, c CaseRef, field string, value json.RawMessage, detail string) error {
	if _, ok := correctable(field); !ok {
		return prevent.Validation([]prevent.FieldError{{Field: "field", Message: "Select the detail to correct"}})
	}
	var details string
	if err := tx.QueryRowContext(ctx, `SELECT details FROM referrals WHERE id = $1`, c.ID).Scan(&details); err != nil {
		return fmt.Errorf("casework: rectify: %w", err)
	}
	// Change only the one key, so that whatever else the details hold is kept as stored.
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(details), &doc); err != nil {
		return fmt.Errorf("casework: rectify: details: %w", err)
	}
	person := map[string]json.RawMessage{}
	if len(doc["person"]) > 0 {
		if err := json.Unmarshal(doc["person"], &person); err != nil {
			return fmt.Errorf("casework: rectify: person: %w", err)
		}
	}
	if string(value) == `null` || string(value) == `""` || string(value) == `[]` {
		delete(person, field)
	} else {
		person[field] = value
	}
	pj, err := json.Marshal(person)
	if err != nil {
		return err
	}
	var pd PersonDetails
	if err := json.Unmarshal(pj, &pd); err != nil {
		return fmt.Errorf("casework: rectify: person: %w", err)
	}
	if pd.FullName() == "" {
		return prevent.Validation([]prevent.FieldError{{Field: "value", Message: "The person must still have a name"}})
	}
	doc["person"] = pj
	dj, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	now := s.now()
	if _, err := tx.ExecContext(ctx, `UPDATE referrals SET details = $1, updated_at = $2 WHERE id = $3`, string(dj), now, c.ID); err != nil {
		return fmt.Errorf("casework: rectify: %w", err)
	}
	if c.SubjectID != 0 {
		if err := updateSubject(ctx, tx, c.SubjectID, pd, now); err != nil {
			return err
		}
	}
	return s.event(ctx, tx, p, c.ID, "rectified", c.State, c.State, detail)
}

// updateSubject rewrites the person's subject record (used for repeat-referral matching) from corrected details.
func updateSubject(ctx context.Context, tx *database.Tx, subjectID prevent.ID, d PersonDetails, now time.Time) error {
	var dob, age any
	if !d.DateOfBirth.IsZero() {
		dob = d.DateOfBirth.UTC().Format(dateLayout)
	}
	if d.ApproximateAge > 0 {
		age = d.ApproximateAge
	}
	_, err := tx.ExecContext(ctx, `UPDATE case_subjects SET given_names = $1, family_name = $2, aliases = $3, name_key = $4,
		date_of_birth = $5, approximate_age = $6, gender = $7, address_line1 = $8, postcode = $9, local_authority = $10, updated_at = $11
		WHERE id = $12`, strings.TrimSpace(d.GivenNames), strings.TrimSpace(d.FamilyName), strings.Join(d.Aliases, "\n"),
		NormaliseName(d.FullName()+" "+strings.Join(d.Aliases, " ")), dob, age, d.Gender, normaliseAddress(d.AddressLine1),
		NormalisePostcode(d.Postcode), d.LocalAuthority, now, subjectID)
	if err != nil {
		return fmt.Errorf("casework: rectify: subject: %w", err)
	}
	return nil
}
