package casework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/keyring"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Sealing. The special-category and criminal-offence free text of a case is encrypted under a data key of
// its own (internal/keyring), so that erasing the case destroys every copy of that text, backups included,
// by shredding one key:
//
//   - the referral's concern text (what happened, how it came to light, words used, online activity,
//     contacts, what the referrer fears), which describes beliefs and alleged offences, and the person's
//     additional needs and other agencies involved, which describe health and care — in
//     referrals.sealed_details;
//   - the deconfliction note (police intelligence) — in deconfliction_notes.note_sealed;
//   - the equality monitoring answers (ethnicity, mental health need or neurodiversity recorded), which are
//     written and never read back into a case — in referrals.sealed_monitoring (equality.go).
//
// Names, date of birth, address, concern type codes and sector stay in plain columns: repeat-referral
// matching and signposting search on them, and the statistics are counted from them.
//
// The key's subject reference is "referral:<id>", one key per referral, which exists from the first draft
// (a draft has no subject yet). Erasing a person shreds the key of each of their referrals. Every ciphertext
// is bound to its table, column and row (associated data), so it cannot be moved.

// referralSubject is the keyring subject reference of a referral's data key.
func referralSubject(id prevent.ID) string { return fmt.Sprintf("referral:%d", id) }

// keyring returns the Keyring that seals case data: the one given in Deps, or for tests that build the
// service without one, the process's ephemeral key (keyring.Ephemeral). cmd/prevent always gives one.
func (s *Service) keyring() *keyring.Keyring {
	if s.keys != nil {
		return s.keys
	}
	return keyring.Ephemeral(s.db)
}

// sealedDetails is the part of a referral's details kept encrypted.
type sealedDetails struct {
	WhatHappened    string `json:"what_happened,omitempty"`
	HowFound        string `json:"how_found,omitempty"`
	WordsUsed       string `json:"words_used,omitempty"`
	OnlineActivity  string `json:"online_activity,omitempty"`
	Contacts        string `json:"contacts,omitempty"`
	Fears           string `json:"fears,omitempty"`
	AdditionalNeeds string `json:"additional_needs,omitempty"`
	OtherAgencies   string `json:"other_agencies,omitempty"`
}

func (d sealedDetails) empty() bool { return d == sealedDetails{} }

// splitDetails takes the sealed fields out of in.
func splitDetails(in ReferralInput) (ReferralInput, sealedDetails) {
	c, p := &in.Concern, &in.Person
	sd := sealedDetails{WhatHappened: c.WhatHappened, HowFound: c.HowFound, WordsUsed: c.WordsUsed,
		OnlineActivity: c.OnlineActivity, Contacts: c.Contacts, Fears: c.Fears,
		AdditionalNeeds: p.AdditionalNeeds, OtherAgencies: p.OtherAgencies}
	c.WhatHappened, c.HowFound, c.WordsUsed, c.OnlineActivity, c.Contacts, c.Fears = "", "", "", "", "", ""
	p.AdditionalNeeds, p.OtherAgencies = "", ""
	return in, sd
}

// mergeDetails puts the sealed fields back into in.
func mergeDetails(in *ReferralInput, sd sealedDetails) {
	c, p := &in.Concern, &in.Person
	c.WhatHappened, c.HowFound, c.WordsUsed, c.OnlineActivity, c.Contacts, c.Fears =
		sd.WhatHappened, sd.HowFound, sd.WordsUsed, sd.OnlineActivity, sd.Contacts, sd.Fears
	p.AdditionalNeeds, p.OtherAgencies = sd.AdditionalNeeds, sd.OtherAgencies
}

func detailsAD(id prevent.ID) []byte { return fmt.Appendf(nil, "referrals/sealed_details/%d", id) }

func noteAD(id prevent.ID) []byte { return fmt.Appendf(nil, "deconfliction_notes/note_sealed/%d", id) }

// storeDetails writes a referral's details inside tx: the plain part to details, the sealed part encrypted
// to sealed_details.
func (s *Service) storeDetails(ctx context.Context, tx *database.Tx, id prevent.ID, in ReferralInput) error {
	plain, sd := splitDetails(in)
	pj, err := json.Marshal(plain)
	if err != nil {
		return fmt.Errorf("casework: details: %w", err)
	}
	var sealed []byte
	if !sd.empty() {
		sj, err := json.Marshal(sd)
		if err != nil {
			return fmt.Errorf("casework: details: %w", err)
		}
		if sealed, err = s.keyring().Seal(ctx, tx, referralSubject(id), sj, detailsAD(id)); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE referrals SET details = $1, sealed_details = $2, updated_at = $3 WHERE id = $4`,
		string(pj), sealed, s.now(), id); err != nil {
		return fmt.Errorf("casework: store details: %w", err)
	}
	if in.Monitoring != nil {
		return s.storeMonitoring(ctx, tx, id, *in.Monitoring)
	}
	return nil
}

// readDetails reads a referral's details through q, opening the sealed part. Once the referral has been
// erased its data key is gone and the sealed fields come back empty.
func (s *Service) readDetails(ctx context.Context, q database.Querier, id prevent.ID) (ReferralInput, error) {
	var details string
	var sealed []byte
	if err := q.QueryRowContext(ctx, `SELECT details, sealed_details FROM referrals WHERE id = $1`, id).Scan(&details, &sealed); err != nil {
		return ReferralInput{}, fmt.Errorf("casework: details: %w", err)
	}
	return s.openDetails(ctx, q, id, details, sealed)
}

// openDetails decodes the plain details and opens the sealed part. Rows written before sealing began hold
// everything in details and no sealed part.
func (s *Service) openDetails(ctx context.Context, q database.Querier, id prevent.ID, details string, sealed []byte) (ReferralInput, error) {
	var in ReferralInput
	if err := json.Unmarshal([]byte(details), &in); err != nil {
		return in, fmt.Errorf("casework: referral %d details: %w", id, err)
	}
	if len(sealed) == 0 {
		return in, nil
	}
	pt, err := s.openText(ctx, q, referralSubject(id), sealed, detailsAD(id))
	if err != nil || pt == nil {
		return in, err
	}
	var sd sealedDetails
	if err := json.Unmarshal(pt, &sd); err != nil {
		return in, fmt.Errorf("casework: referral %d sealed details: %w", id, err)
	}
	mergeDetails(&in, sd)
	return in, nil
}

// openText opens a ciphertext; it returns nil, and no error, when the subject has been erased.
func (s *Service) openText(ctx context.Context, q database.Querier, subject string, ct, ad []byte) ([]byte, error) {
	pt, err := s.keyring().OpenRead(ctx, q, subject, ct, ad)
	var pe *prevent.Error
	if errors.As(err, &pe) && pe.Kind == prevent.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("casework: open %s: %w", subject, err)
	}
	return pt, nil
}

// openNote fills n.Note from its sealed text, if it has one.
func (s *Service) openNote(ctx context.Context, q database.Querier, n *DeconflictionNote, sealed []byte) error {
	if len(sealed) == 0 {
		return nil
	}
	pt, err := s.openText(ctx, q, referralSubject(n.ReferralID), sealed, noteAD(n.ID))
	if err != nil {
		return err
	}
	n.Note = string(pt)
	return nil
}
