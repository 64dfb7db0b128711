package api

import (
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
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

// sharingPartnerOut is an organisation of the page "Share this case"'s choice (sharing.Partners): the route lists
// only those a share can go to, so that a client need not discover a missing agreement by a refused share.
func sharingPartnerOut(p sharing.Partner) SharingPartner {
	return SharingPartner{OrganisationID: p.ID, Name: p.Name, Agreements: append([]string{}, p.Agreements...)}
}
