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
//   - the parts of a referral's details that the field registry marks Sealed (fields.go): the concern text
//     (what happened, how it came to light, words used, online activity, contacts, what the referrer
//     fears), which describes beliefs and alleged offences, and the person's additional needs and other
//     agencies involved, which describe health and care — in referrals.sealed_details, as one JSON object
//     with each part under its name;
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

// splitDetails takes the sealed parts (Parts) out of in, and returns them as the sealed JSON object: each
// part under its name, in the registry's order, leaving out the empty ones as the details do; nil when every
// sealed part is empty. These names are the stored format: renaming a sealed part would hide what was sealed
// under its old name.
func splitDetails(in ReferralInput) (ReferralInput, []byte, error) {
	var sealed []byte
	for _, p := range Parts {
		if !p.Sealed {
			continue
		}
		v := p.value(&in)
		if empty(v) {
			continue
		}
		name, err := json.Marshal(p.Name())
		if err != nil {
			return in, nil, err
		}
		val, err := json.Marshal(v.Interface())
		if err != nil {
			return in, nil, err
		}
		if sealed == nil {
			sealed = append(sealed, '{')
		} else {
			sealed = append(sealed, ',')
		}
		sealed = append(append(append(sealed, name...), ':'), val...)
		v.SetZero()
	}
	if sealed != nil {
		sealed = append(sealed, '}')
	}
	return in, sealed, nil
}

// mergeDetails puts the sealed parts of the opened JSON object sealed back into in; a sealed part the object
// does not hold is empty.
func mergeDetails(in *ReferralInput, sealed []byte) error {
	var byName map[string]json.RawMessage
	if err := json.Unmarshal(sealed, &byName); err != nil {
		return err
	}
	for _, p := range Parts {
		if !p.Sealed {
			continue
		}
		v := p.value(in)
		v.SetZero()
		if raw, ok := byName[p.Name()]; ok {
			if err := json.Unmarshal(raw, v.Addr().Interface()); err != nil {
				return err
			}
		}
	}
	return nil
}

func detailsAD(id prevent.ID) []byte { return fmt.Appendf(nil, "referrals/sealed_details/%d", id) }

func noteAD(id prevent.ID) []byte { return fmt.Appendf(nil, "deconfliction_notes/note_sealed/%d", id) }

// storeDetails writes a referral's details inside tx: the plain part to details, the sealed part encrypted
// to sealed_details.
func (s *Service) storeDetails(ctx context.Context, tx *database.Tx, id prevent.ID, in ReferralInput) error {
	plain, sj, err := splitDetails(in)
	if err != nil {
		return fmt.Errorf("casework: details: %w", err)
	}
	pj, err := json.Marshal(plain)
	if err != nil {
		return fmt.Errorf("casework: details: %w", err)
	}
	var sealed []byte
	if sj != nil {
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
	if err := mergeDetails(&in, pt); err != nil {
		return in, fmt.Errorf("casework: referral %d sealed details: %w", id, err)
	}
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
