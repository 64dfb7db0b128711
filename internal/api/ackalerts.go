package api

import (
	"time"

	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// AgreementRef names an agreement.
type AgreementRef struct {
	ID    prevent.ID `json:"id"`
	Title string     `json:"title"`
}

// AcknowledgementAlert tells the data protection officer that an organisation party to agreements is no
// longer marked as a public body: nothing is disclosed to it under them until its acknowledgement of its own
// data protection duties is recorded. acknowledged is true when one is on record from before, to check.
type AcknowledgementAlert struct {
	ID             prevent.ID     `json:"id"`
	OrganisationID prevent.ID     `json:"organisation_id"`
	Organisation   string         `json:"organisation"`
	Agreements     []AgreementRef `json:"agreements"`
	RaisedAt       time.Time      `json:"raised_at"`
	Acknowledged   bool           `json:"acknowledged"`
}

func acknowledgementAlertsOut(in []sharing.AcknowledgementAlert) []AcknowledgementAlert {
	out := []AcknowledgementAlert{}
	for _, a := range in {
		x := AcknowledgementAlert{ID: a.ID, OrganisationID: a.OrganisationID, Organisation: a.Organisation, Agreements: []AgreementRef{},
			RaisedAt: a.RaisedAt.UTC(), Acknowledged: a.Acknowledged}
		for _, ag := range a.Agreements {
			x.Agreements = append(x.Agreements, AgreementRef{ID: ag.ID, Title: ag.Title})
		}
		out = append(out, x)
	}
	return out
}
