package core

import (
	"context"
	"slices"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
)

// StaffNames are the names of a partnership's people and organisations as far as the reader may see them,
// for pages that would otherwise show the numbers of the records that name them (the case's history, the
// audit log, the disclosure ledger).
type StaffNames struct {
	People        map[prevent.ID]partnership.Person
	Organisations map[prevent.ID]string
	// Reader is whoever is reading, whose own name is always known to them.
	Reader prevent.Principal
}

// LookupStaffNames reads, through the partnership service ps, the organisations of partnership pid and those
// of the people in ids: people only when the reader p may see the partnership's people (PersonView), a page
// of the listing at a time until every one is found. now is when the reader's access is decided. Each listing
// is audited by the partnership service.
func LookupStaffNames(ctx context.Context, ps *partnership.Service, p prevent.Principal, pid prevent.ID, ids []prevent.ID, now time.Time) (StaffNames, error) {
	n := StaffNames{People: map[prevent.ID]partnership.Person{}, Organisations: map[prevent.ID]string{}, Reader: p}
	if access.Decide(p, access.OrganisationView, access.Resource{Kind: "organisation", PartnershipID: pid}, now).Allow {
		orgs, err := ps.Organisations(ctx, p, pid)
		if err != nil {
			return n, err
		}
		for _, o := range orgs {
			n.Organisations[o.ID] = o.Name
		}
	}
	want := map[prevent.ID]bool{}
	for _, id := range ids {
		if id != 0 {
			want[id] = true
		}
	}
	if len(want) == 0 || !access.Decide(p, access.PersonView, access.Resource{Kind: "person", PartnershipID: pid}, now).Allow {
		return n, nil
	}
	const page = 200
	f := partnership.PeopleFilter{Limit: page}
	for len(want) > 0 {
		people, err := ps.People(ctx, p, pid, f)
		if err != nil {
			return n, err
		}
		for _, pe := range people {
			if want[pe.ID] {
				n.People[pe.ID] = pe
				delete(want, pe.ID)
			}
		}
		if len(people) < page {
			break
		}
		last := people[len(people)-1]
		f.AfterName, f.AfterID = last.Name, last.ID
	}
	return n, nil
}

// Person is the name of the person with id and their organisation ("Cara Coordinator, Elmshire County
// Council"), or "" when the reader may not see who they are.
func (n StaffNames) Person(id prevent.ID) string {
	if pe, ok := n.People[id]; ok {
		if org := n.Organisations[pe.OrganisationID]; org != "" {
			return pe.Name + ", " + org
		}
		return pe.Name
	}
	if id != 0 && id == n.Reader.PersonID && n.Reader.Name != "" {
		if org := n.Organisations[n.Reader.OrganisationID]; org != "" {
			return n.Reader.Name + ", " + org
		}
		return n.Reader.Name
	}
	return ""
}

// Names lists the people of ids whose names the reader may see, in order.
func (n StaffNames) Names(ids []prevent.ID) []string {
	var out []string
	for _, id := range ids {
		if s := n.Person(id); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
