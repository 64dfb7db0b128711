package auth

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Messages about passkeys.
const (
	msgPasskeyFailed    = "Your passkey could not be checked. Try again, or use your authenticator app"
	msgPasskeyNotSaved  = "Your passkey could not be saved. Try again"
	msgNoPasskey        = "Add a passkey first"
	msgPasskeyName      = "Passkey name must be 100 characters or fewer"
	msgCeremonyMissing  = "Start again: the passkey request has expired"
	passkeyKind         = "passkey"
	ceremonyRegistering = "registration"
	ceremonyLoggingIn   = "login"
)

// Passkey is a registered WebAuthn credential, for listing.
type Passkey struct {
	ID         prevent.ID
	Name       string
	CreatedAt  time.Time
	LastUsedAt time.Time // zero when never used
}

// passkeyUser adapts a person to webauthn.User. The user handle is the person's id as 8 bytes: it
// identifies nobody outside this service.
type passkeyUser struct {
	id          prevent.ID
	email, name string
	creds       []webauthn.Credential
}

func (u passkeyUser) WebAuthnID() []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, uint64(u.id))
	return b
}
func (u passkeyUser) WebAuthnName() string                       { return u.email }
func (u passkeyUser) WebAuthnDisplayName() string                { return u.name }
func (u passkeyUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

// ceremony is what sessions.challenge holds between the begin and finish steps of a ceremony.
type ceremony struct {
	Kind string               `json:"kind"`
	Data webauthn.SessionData `json:"data"`
}

// storedCredential is a webauthn_credentials row.
type storedCredential struct {
	id   prevent.ID
	cred webauthn.Credential
}

// PasskeysAvailable reports whether passkeys can be used: Deps.Origin must be an http(s) URL with a
// domain name (browsers refuse IP addresses as WebAuthn relying parties).
func (s *Service) PasskeysAvailable() bool { return s.webauthn != nil }

func (s *Service) passkeysAvailable() error {
	if s.webauthn == nil {
		return s.webauthnErr
	}
	return nil
}

func loadPasskeyUser(ctx context.Context, q database.Querier, personID prevent.ID) (passkeyUser, []storedCredential, error) {
	u := passkeyUser{id: personID}
	if err := q.QueryRowContext(ctx, "SELECT email, name FROM people WHERE id = $1", personID).Scan(&u.email, &u.name); err != nil {
		return u, nil, fmt.Errorf("auth: passkey user %d: %w", personID, err)
	}
	rows, err := q.QueryContext(ctx, "SELECT id, credential FROM webauthn_credentials WHERE person_id = $1 ORDER BY id", personID)
	if err != nil {
		return u, nil, fmt.Errorf("auth: passkeys of %d: %w", personID, err)
	}
	defer rows.Close()
	var stored []storedCredential
	for rows.Next() {
		var sc storedCredential
		var text string
		if err := rows.Scan(&sc.id, &text); err != nil {
			return u, nil, fmt.Errorf("auth: passkeys of %d: %w", personID, err)
		}
		if err := json.Unmarshal([]byte(text), &sc.cred); err != nil {
			return u, nil, fmt.Errorf("auth: passkey %d: %w", sc.id, err)
		}
		stored = append(stored, sc)
		u.creds = append(u.creds, sc.cred)
	}
	if err := rows.Err(); err != nil {
		return u, nil, fmt.Errorf("auth: passkeys of %d: %w", personID, err)
	}
	return u, stored, nil
}

func saveCeremony(ctx context.Context, tx *database.Tx, sessionID prevent.ID, kind string, data *webauthn.SessionData) error {
	b, err := json.Marshal(ceremony{Kind: kind, Data: *data})
	if err != nil {
		return fmt.Errorf("auth: passkey ceremony: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE sessions SET challenge = $1 WHERE id = $2", string(b), sessionID); err != nil {
		return fmt.Errorf("auth: passkey ceremony: %w", err)
	}
	return nil
}

// takeCeremony reads the session's pending ceremony of the given kind and clears it, so that a challenge
// is answered at most once.
func takeCeremony(ctx context.Context, tx *database.Tx, r session, kind string) (webauthn.SessionData, error) {
	if _, err := tx.ExecContext(ctx, "UPDATE sessions SET challenge = '' WHERE id = $1", r.id); err != nil {
		return webauthn.SessionData{}, fmt.Errorf("auth: passkey ceremony: %w", err)
	}
	var c ceremony
	if r.challenge == "" || json.Unmarshal([]byte(r.challenge), &c) != nil || c.Kind != kind {
		return webauthn.SessionData{}, prevent.Errorf(prevent.Invalid, msgCeremonyMissing)
	}
	return c.Data, nil
}

// BeginPasskeyRegistration starts adding a passkey for the person signed in with token and returns the
// JSON for navigator.credentials.create (a protocol.CredentialCreation). The session must have passed a
// second factor, unless the person has none yet (Forbidden otherwise).
func (s *Service) BeginPasskeyRegistration(ctx context.Context, token string) ([]byte, error) {
	if err := s.passkeysAvailable(); err != nil {
		return nil, err
	}
	now := s.clock()
	var out []byte
	var refused error
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		r, err := s.liveSession(ctx, tx, token, now)
		if err != nil {
			refused = err
			return nil
		}
		if err := s.mayAddFactor(ctx, tx, r); err != nil {
			return err
		}
		u, _, err := loadPasskeyUser(ctx, tx, r.personID)
		if err != nil {
			return err
		}
		exclude := make([]protocol.CredentialDescriptor, 0, len(u.creds))
		for i := range u.creds {
			exclude = append(exclude, u.creds[i].Descriptor())
		}
		creation, data, err := s.webauthn.BeginRegistration(u, webauthn.WithExclusions(exclude))
		if err != nil {
			return fmt.Errorf("auth: begin passkey registration: %w", err)
		}
		if err := saveCeremony(ctx, tx, r.id, ceremonyRegistering, data); err != nil {
			return err
		}
		out, err = json.Marshal(creation)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, refused
}

// FinishPasskeyRegistration checks the browser's answer (the JSON of the PublicKeyCredential) to the
// registration begun in the same session and stores the credential under name ("Passkey" when empty).
// When the session had not passed a second factor (the person's first), it now has. Audited (admin).
func (s *Service) FinishPasskeyRegistration(ctx context.Context, token, name string, response []byte) error {
	if err := s.passkeysAvailable(); err != nil {
		return err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = "Passkey"
	}
	if utf8.RuneCountInString(name) > 100 {
		return &prevent.Error{Kind: prevent.Invalid, Message: msgPasskeyName, Fields: []prevent.FieldError{{Field: "name", Message: msgPasskeyName}}}
	}
	now := s.clock()
	var outcome error
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		r, err := s.liveSession(ctx, tx, token, now)
		if err != nil {
			outcome = err
			return nil
		}
		data, err := takeCeremony(ctx, tx, r, ceremonyRegistering)
		if err != nil {
			outcome = err
			return nil
		}
		if err := s.mayAddFactor(ctx, tx, r); err != nil {
			return err
		}
		u, _, err := loadPasskeyUser(ctx, tx, r.personID)
		if err != nil {
			return err
		}
		parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
		if err != nil {
			outcome = prevent.Errorf(prevent.Invalid, msgPasskeyNotSaved)
			return nil
		}
		cred, err := s.webauthn.CreateCredential(u, data, parsed)
		if err != nil {
			outcome = prevent.Errorf(prevent.Invalid, msgPasskeyNotSaved)
			return nil
		}
		if _, err := storeCredential(ctx, tx, r.personID, name, cred, now); err != nil {
			return err
		}
		if !r.mfaAt.Valid {
			if err := markSecondFactor(ctx, tx, r, now); err != nil {
				return err
			}
		}
		return s.appendAudit(ctx, tx, now, audit.Admin, personKind, r.personID, "passkey added")
	})
	if err != nil {
		return err
	}
	return outcome
}

// storeCredential saves a verified credential as the JSON of webauthn.Credential.
func storeCredential(ctx context.Context, tx *database.Tx, personID prevent.ID, name string, cred *webauthn.Credential, now time.Time) (prevent.ID, error) {
	b, err := json.Marshal(cred)
	if err != nil {
		return 0, fmt.Errorf("auth: store passkey: %w", err)
	}
	var id prevent.ID
	err = tx.QueryRowContext(ctx, `INSERT INTO webauthn_credentials (person_id, credential_id, name, credential, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, personID, cred.ID, name, string(b), now).Scan(&id)
	if database.IsUniqueViolation(err) {
		return 0, prevent.Errorf(prevent.Conflict, "This passkey is already registered")
	}
	if err != nil {
		return 0, fmt.Errorf("auth: store passkey: %w", err)
	}
	return id, nil
}

// BeginPasskeyLogin starts checking a passkey as the second factor of the session token and returns the
// JSON for navigator.credentials.get (a protocol.CredentialAssertion).
func (s *Service) BeginPasskeyLogin(ctx context.Context, token string) ([]byte, error) {
	if err := s.passkeysAvailable(); err != nil {
		return nil, err
	}
	now := s.clock()
	var out []byte
	var refused error
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		r, err := s.liveSession(ctx, tx, token, now)
		if err != nil {
			refused = err
			return nil
		}
		u, _, err := loadPasskeyUser(ctx, tx, r.personID)
		if err != nil {
			return err
		}
		if len(u.creds) == 0 {
			refused = prevent.Errorf(prevent.Conflict, msgNoPasskey)
			return nil
		}
		assertion, data, err := s.webauthn.BeginLogin(u)
		if err != nil {
			return fmt.Errorf("auth: begin passkey login: %w", err)
		}
		if err := saveCeremony(ctx, tx, r.id, ceremonyLoggingIn, data); err != nil {
			return err
		}
		out, err = json.Marshal(assertion)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, refused
}

// FinishPasskeyLogin checks the browser's answer (the JSON of the PublicKeyCredential) to the login begun
// in the same session and, when it is right, marks the session as having passed its second factor. A
// failed check counts like a wrong code; an authenticator that looks cloned (its signature counter went
// backwards) is refused. Audited (sign-in).
func (s *Service) FinishPasskeyLogin(ctx context.Context, token string, response []byte) error {
	if err := s.passkeysAvailable(); err != nil {
		return err
	}
	now := s.clock()
	var outcome error
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		r, err := s.liveSession(ctx, tx, token, now)
		if err != nil {
			outcome = err
			return nil
		}
		data, err := takeCeremony(ctx, tx, r, ceremonyLoggingIn)
		if err != nil {
			outcome = err
			return nil
		}
		u, stored, err := loadPasskeyUser(ctx, tx, r.personID)
		if err != nil {
			return err
		}
		fail := func(what string) error {
			refusal, err := s.secondFactorFailed(ctx, tx, r, now, what)
			if refusal != nil {
				outcome = refusal
				if refusal.Kind == prevent.Invalid {
					outcome = prevent.Errorf(prevent.Invalid, msgPasskeyFailed)
				}
			}
			return err
		}
		parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
		if err != nil {
			return fail("passkey response unreadable")
		}
		cred, err := s.webauthn.ValidateLogin(u, data, parsed)
		if err != nil {
			return fail("passkey check failed")
		}
		if cred.Authenticator.CloneWarning {
			return fail("passkey signature counter went backwards (possible clone)")
		}
		var rowID prevent.ID
		for _, sc := range stored {
			if bytes.Equal(sc.cred.ID, cred.ID) {
				rowID = sc.id
			}
		}
		if rowID == 0 {
			return errors.New("auth: validated passkey is not stored")
		}
		b, err := json.Marshal(cred)
		if err != nil {
			return fmt.Errorf("auth: passkey login: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE webauthn_credentials SET credential = $1, last_used_at = $2 WHERE id = $3", string(b), now, rowID); err != nil {
			return fmt.Errorf("auth: passkey login: %w", err)
		}
		if err := markSecondFactor(ctx, tx, r, now); err != nil {
			return err
		}
		return s.auditSignIn(ctx, tx, now, r.personID, 0, r.personID, fmt.Sprintf("second factor passed: passkey %d", rowID))
	})
	if err != nil {
		return err
	}
	return outcome
}

// ListPasskeys returns the person's passkeys, oldest first.
func (s *Service) ListPasskeys(ctx context.Context, personID prevent.ID) ([]Passkey, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT id, name, created_at, last_used_at FROM webauthn_credentials
		WHERE person_id = $1 ORDER BY id`, personID)
	if err != nil {
		return nil, fmt.Errorf("auth: list passkeys of %d: %w", personID, err)
	}
	defer rows.Close()
	var out []Passkey
	for rows.Next() {
		var p Passkey
		var used sql.NullTime
		if err := rows.Scan(&p.ID, &p.Name, &p.CreatedAt, &used); err != nil {
			return nil, fmt.Errorf("auth: list passkeys of %d: %w", personID, err)
		}
		p.CreatedAt = p.CreatedAt.UTC()
		if used.Valid {
			p.LastUsedAt = used.Time.UTC()
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// RemovePasskey deletes one of the person's passkeys (NotFound when it is not theirs). Audited (admin).
func (s *Service) RemovePasskey(ctx context.Context, personID, passkeyID prevent.ID) error {
	now := s.clock()
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM webauthn_credentials WHERE id = $1 AND person_id = $2", passkeyID, personID)
		if err != nil {
			return fmt.Errorf("auth: remove passkey %d: %w", passkeyID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return prevent.Errorf(prevent.NotFound, "Passkey not found")
		}
		return s.appendAudit(ctx, tx, now, audit.Admin, passkeyKind, passkeyID, fmt.Sprintf("passkey of person %d removed", personID))
	})
}

// ResetSecondFactors removes the person's authenticator app and passkeys, for someone who has lost them,
// and ends their sessions. They set a factor up again at their next sign-in. Audited (admin).
func (s *Service) ResetSecondFactors(ctx context.Context, personID prevent.ID) error {
	now := s.clock()
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		for _, q := range []string{
			"DELETE FROM totp_secrets WHERE person_id = $1",
			"DELETE FROM webauthn_credentials WHERE person_id = $1",
		} {
			if _, err := tx.ExecContext(ctx, q, personID); err != nil {
				return fmt.Errorf("auth: reset second factors of %d: %w", personID, err)
			}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE sessions SET ended_at = $1, challenge = '' WHERE person_id = $2 AND ended_at IS NULL", now, personID); err != nil {
			return fmt.Errorf("auth: reset second factors of %d: %w", personID, err)
		}
		return s.appendAudit(ctx, tx, now, audit.Admin, personKind, personID, "second factors reset; sessions ended")
	})
}
