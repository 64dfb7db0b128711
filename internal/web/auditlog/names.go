package auditlog

import (
	"context"
	"strconv"
	"strings"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/core"
)

// auditNames names the people, organisations and cases of a page of the audit log as far as the reader
// may see them, so that the log shows names and case references rather than record numbers.
type auditNames struct {
	core.StaffNames
	Cases map[prevent.ID]string
}

// lookupAuditNames reads the names of the entries' people and organisations through the partnership
// service (core.LookupStaffNames), and the references of their cases through casework (CaseReferences).
func (pg *pages) lookupAuditNames(ctx context.Context, p prevent.Principal, pid prevent.ID, entries []audit.Entry) (auditNames, error) {
	var people, cases []prevent.ID
	for _, e := range entries {
		people = append(people, e.ActorID)
		switch e.RecordKind {
		case "person":
			people = append(people, e.RecordID)
		case casework.RecordKind:
			cases = append(cases, e.RecordID)
		}
	}
	n := auditNames{Cases: map[prevent.ID]string{}}
	var err error
	if n.StaffNames, err = core.LookupStaffNames(ctx, pg.d.Partnership, p, pid, people, pg.d.Now()); err != nil {
		return n, err
	}
	if len(cases) > 0 {
		refs, err := pg.d.Casework.CaseReferences(ctx, p, pid, cases)
		if err != nil && prevent.ErrorKind(err) != prevent.NotFound {
			return n, err
		}
		for id, ref := range refs {
			n.Cases[id] = ref
		}
	}
	return n, nil
}

// actor names who made an entry: the service itself for work nobody signed in did, the person's name when
// the reader may see the partnership's people, their number otherwise (the log's filter takes it).
func (n auditNames) actor(id prevent.ID) string {
	if id == 0 {
		return "The service"
	}
	if pe, ok := n.People[id]; ok {
		return pe.Name
	}
	return "Person " + strconv.FormatInt(id, 10)
}

// organisation names an entry's organisation.
func (n auditNames) organisation(id prevent.ID) string {
	if id == 0 {
		return ""
	}
	if name := n.Organisations[id]; name != "" {
		return name
	}
	return "Organisation " + strconv.FormatInt(id, 10)
}

// record names an entry's record: a case by its reference, a person or an organisation by name, anything
// else by its kind in words and its number.
func (n auditNames) record(kind string, id prevent.ID) string {
	switch {
	case kind == casework.RecordKind && n.Cases[id] != "":
		return "Case " + n.Cases[id]
	case kind == "person" && n.People[id].Name != "":
		return n.People[id].Name
	case kind == "organisation" && n.Organisations[id] != "":
		return n.Organisations[id]
	case kind == "":
		return ""
	}
	words := strings.ReplaceAll(kind, "_", " ")
	words = strings.ToUpper(words[:1]) + words[1:]
	if id == 0 {
		return words
	}
	return words + " " + strconv.FormatInt(id, 10)
}
