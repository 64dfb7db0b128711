package casework

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// RectifiableFields are the identity and contact details of the person referred that can be corrected
// (UK GDPR Art 16, DPA 2018 s.46), by their key in the referral's person details, with their labels.
var RectifiableFields = []struct {
	Field, Label string
}{
	{"given_names", "Given names"},
	{"family_name", "Family name"},
	{"aliases", "Other names"},
	{"date_of_birth", "Date of birth"},
	{"gender", "Gender"},
	{"address_line1", "Address line 1"},
	{"address_line2", "Address line 2"},
	{"town", "Town or city"},
	{"postcode", "Postcode"},
	{"local_authority", "Local authority"},
}

// RectifiableLabel is the label of a rectifiable field, or "" when field is not one.
func RectifiableLabel(field string) string {
	for _, f := range RectifiableFields {
		if f.Field == field {
			return f.Label
		}
	}
	return ""
}

// RectifyInput is a correction: the field, its corrected value (a date of birth as YYYY-MM-DD, other names
// separated by commas; empty to remove a wrong value), and why it is corrected (for example "the person
// showed their passport").
type RectifyInput struct {
	Field  string
	Value  string
	Reason string
}

// Rectify corrects one identity or contact detail of the person a case is about, in the referral and in the
// person's subject record, with a timeline event and an audit entry; every organisation the case was
// disclosed to gets a notice (sharing.Notify, in the same transaction) to correct its copy and record that
// it did. The notice names the field, never the value.
func (s *Service) Rectify(ctx context.Context, p prevent.Principal, referralID prevent.ID, in RectifyInput) error {
	in.Value, in.Reason = strings.TrimSpace(in.Value), strings.TrimSpace(in.Reason)
	label := RectifiableLabel(in.Field)
	var f prevent.Fields
	if label == "" {
		f.Add("field", "Select the detail to correct")
	}
	var raw json.RawMessage
	switch in.Field {
	case "date_of_birth":
		if in.Value == "" {
			raw = json.RawMessage(`null`)
			break
		}
		d, err := time.Parse("2006-01-02", in.Value)
		if err != nil {
			f.Add("value", "Enter the date of birth as a real date")
		} else if d.After(s.now()) {
			f.Add("value", "Date of birth must be in the past")
		} else {
			raw, _ = json.Marshal(d)
		}
	case "aliases":
		var names []string
		for _, n := range strings.Split(in.Value, ",") {
			if n = strings.TrimSpace(n); n != "" {
				names = append(names, n)
			}
		}
		raw, _ = json.Marshal(names)
		if len(in.Value) > 1000 {
			f.Add("value", "Other names must be 1,000 characters or fewer")
		}
	default:
		raw, _ = json.Marshal(in.Value)
		if len(in.Value) > 200 {
			f.Add("value", "The corrected value must be 200 characters or fewer")
		}
	}
	if in.Reason == "" {
		f.Add("reason", "Enter why the detail is being corrected")
	} else if len(in.Reason) > maxText {
		f.Add("reason", "The reason must be 10,000 characters or fewer")
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseRectify, referralID)
		if err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		if c.State == Draft {
			return prevent.Errorf(prevent.Conflict, "A draft referral is corrected by its author")
		}
		var details string
		if err := tx.QueryRowContext(ctx, `SELECT details FROM referrals WHERE id = $1`, referralID).Scan(&details); err != nil {
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
		if string(raw) == `null` || string(raw) == `""` || string(raw) == `[]` {
			delete(person, in.Field)
		} else {
			person[in.Field] = raw
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
		if _, err := tx.ExecContext(ctx, `UPDATE referrals SET details = $1, updated_at = $2 WHERE id = $3`, string(dj), now, referralID); err != nil {
			return fmt.Errorf("casework: rectify: %w", err)
		}
		if c.SubjectID != 0 {
			if err := updateSubject(ctx, tx, c.SubjectID, pd, now); err != nil {
				return err
			}
		}
		msg := fmt.Sprintf("The %s of the person in this case was corrected on %s. Correct any copy your organisation holds, "+
			"tell anyone you passed it to, and record what you did.", strings.ToLower(label), now.Format("2 January 2006"))
		sent, err := s.notifyRecipients(ctx, tx, p, c, sharing.NoticeRectified, msg)
		if err != nil {
			return err
		}
		detail := fmt.Sprintf("rectified: %s corrected (%s)", strings.ToLower(label), in.Reason)
		if err := s.event(ctx, tx, p, referralID, "rectified", c.State, c.State, detail); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Alter, "referral", referralID, c.PartnershipID,
			fmt.Sprintf("rectify: subject.%s; %d organisations notified", in.Field, len(sent)))
	})
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

// notifyRecipients sends a notice of kind about case c to the organisations that received its data
// (sharing.Notify decides which), inside tx.
func (s *Service) notifyRecipients(ctx context.Context, tx *database.Tx, p prevent.Principal, c caseRow, kind sharing.NoticeKind, msg string) ([]prevent.ID, error) {
	var ref sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT reference FROM referrals WHERE id = $1`, c.ID).Scan(&ref); err != nil {
		return nil, fmt.Errorf("casework: notify: %w", err)
	}
	return s.sharing.Notify(ctx, tx, p, sharing.NoticeInput{PartnershipID: c.PartnershipID, Kind: kind, RecordKind: "referral",
		RecordID: c.ID, RecordLabel: ref.String, Message: msg})
}
