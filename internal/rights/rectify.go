package rights

import (
	"context"
	"fmt"
	"strings"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// Rectification (UK GDPR Art 16, DPA 2018 s.46) and its notices (Art 19): a correction of the person's identity
// or contact details is written by casework in the records it holds, and every organisation the case was
// disclosed to is told through sharing.Notify, in the same transaction, to correct its copy and record that it
// did. The notices are sharing's (sharing_notices), as are those sent when consent to share is withdrawn.

// RectifiableField is a detail of the person referred that can be corrected: its name in the referral's
// person details, and its label.
type RectifiableField struct {
	Field, Label string
}

// RectifiableFields are the identity and contact details of the person referred that can be corrected, in the
// order of casework's field registry, which says which parts of the details can be corrected and how their
// corrected values are read (casework.Parts, casework.CorrectValue).
var RectifiableFields = func() []RectifiableField {
	var out []RectifiableField
	for _, p := range casework.Parts {
		if p.Correctable() {
			out = append(out, RectifiableField{Field: p.Name(), Label: p.Label})
		}
	}
	return out
}()

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

// maxReason bounds the reason for a correction, as casework bounds free text.
const maxReason = 10000

// Rectify corrects one identity or contact detail of the person a case is about, in the referral and in the
// person's subject record, with a timeline event and an audit entry; every organisation the case was
// disclosed to gets a notice (sharing.Notify, in the same transaction) to correct its copy and record that
// it did. The notice names the field, never the value. Only those whose role may correct cases
// (access.CaseRectify) may; a draft is corrected by its author.
func (s *Service) Rectify(ctx context.Context, p prevent.Principal, referralID prevent.ID, in RectifyInput) error {
	in.Value, in.Reason = strings.TrimSpace(in.Value), strings.TrimSpace(in.Reason)
	label := RectifiableLabel(in.Field)
	var f prevent.Fields
	if label == "" {
		f.Add("field", "Select the detail to correct")
	}
	raw, msg := casework.CorrectValue(in.Field, in.Value, s.now())
	if msg != "" {
		f.Add("value", msg)
	}
	if in.Reason == "" {
		f.Add("reason", "Enter why the detail is being corrected")
	} else if len(in.Reason) > maxReason {
		f.Add("reason", "The reason must be 10,000 characters or fewer")
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		c, err := s.casework.AuthoriseCase(ctx, tx, p, access.CaseRectify, referralID)
		if err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		if c.State == casework.Draft {
			return prevent.Errorf(prevent.Conflict, "A draft referral is corrected by its author")
		}
		detail := fmt.Sprintf("rectified: %s corrected (%s)", strings.ToLower(label), in.Reason)
		if err := s.casework.CorrectPerson(ctx, tx, p, c, in.Field, raw, detail); err != nil {
			return err
		}
		msg := fmt.Sprintf("The %s of the person in this case was corrected on %s. Correct any copy your organisation holds, "+
			"tell anyone you passed it to, and record what you did.", strings.ToLower(label), s.now().Format("2 January 2006"))
		sent, err := s.sharing.Notify(ctx, tx, p, sharing.NoticeInput{PartnershipID: c.PartnershipID, Kind: sharing.NoticeRectified,
			RecordKind: casework.RecordKind, RecordID: c.ID, RecordLabel: c.Reference, Message: msg})
		if err != nil {
			return err
		}
		return s.casework.AuditCase(ctx, tx, p, audit.Alter, referralID, c.PartnershipID,
			fmt.Sprintf("rectify: subject.%s; %d organisations notified", in.Field, len(sent)))
	})
}
