package api

import (
	"net/http"

	"github.com/preventplatform/prevent/internal/prevent"
)

// SharingPartner is an organisation the caller's organisation may share a record with today: an information
// sharing agreement between the two is in force and the organisation can receive under it.
type SharingPartner struct {
	OrganisationID prevent.ID `json:"organisation_id"`
	Name           string     `json:"name"`
	// Agreements are the titles of the agreements in force between the two organisations.
	Agreements []string `json:"agreements"`
}

// SharingPartnerList is the organisations the caller's organisation may share with, by name.
type SharingPartnerList struct {
	Items []SharingPartner `json:"items"`
}

// listPartners is the page "Share this case"'s choice of organisation (sharing.Partners): only those a
// share can go to, so that a client need not discover a missing agreement by a refused share.
func (sa *sharingAPI) listPartners(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	ps, err := sa.svc.Partners(r.Context(), shareWho(r), pid)
	if err != nil {
		return err
	}
	out := SharingPartnerList{Items: []SharingPartner{}}
	for _, p := range ps {
		out.Items = append(out.Items, SharingPartner{OrganisationID: p.ID, Name: p.Name, Agreements: append([]string{}, p.Agreements...)})
	}
	return encode(w, http.StatusOK, out)
}
