package api

import (
	"net/http"
	"time"

	"github.com/preventplatform/prevent/internal/prevent"
)

// SentReferral is a referral as its referrer sent it: their own answers, with nothing of what happened to it
// since. Only the referrer who wrote it may read it.
type SentReferral struct {
	ID             prevent.ID      `json:"id"`
	Reference      string          `json:"reference"`
	SubmittedAt    time.Time       `json:"submitted_at"`
	Person         ReferralPerson  `json:"person"`
	Concern        ReferralConcern `json:"concern"`
	ReferrerSector string          `json:"referrer_sector"`
	PersonKnows    string          `json:"person_knows"`
	ParentKnows    string          `json:"parent_knows"`
}

// sentReferral is GET /referrals/{id}/sent: the page "View or print the referral you sent".
func (a *caseAPI) sentReferral(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	s, err := a.cw.SentReferral(r.Context(), prevent.PrincipalFrom(r.Context()), id)
	if err != nil {
		return err
	}
	d := s.Details
	return encode(w, http.StatusOK, SentReferral{ID: s.ID, Reference: s.Reference, SubmittedAt: s.SubmittedAt, Person: personOutOf(d.Person),
		Concern: ReferralConcern(d.Concern), ReferrerSector: d.ReferrerSector, PersonKnows: string(d.PersonKnows), ParentKnows: string(d.ParentKnows)})
}
