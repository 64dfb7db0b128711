package partnership

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Names names the professionals and organisations a long document refers to (a subject access bundle names
// who recorded, disclosed and viewed each thing), reading each once through q, the caller's transaction.
// It does not decide access: the caller has decided that the document may name them. The first error is
// kept and returned by Err; a name that cannot be read is then empty.
type Names struct {
	ctx    context.Context
	q      database.Querier
	people map[prevent.ID][2]string
	orgs   map[prevent.ID]string
	err    error
}

// NewNames returns a Names reading through q.
func NewNames(ctx context.Context, q database.Querier) *Names {
	return &Names{ctx: ctx, q: q, people: map[prevent.ID][2]string{}, orgs: map[prevent.ID]string{}}
}

// Err is the first error met while naming.
func (n *Names) Err() error { return n.err }

func (n *Names) fail(err error) {
	if n.err == nil && err != nil {
		n.err = err
	}
}

// PersonOrg names a professional and their organisation. Person 0 is the system (a scheduled task); a person
// who is not known is "Person <id>".
func (n *Names) PersonOrg(id prevent.ID) (string, string) {
	if id == 0 {
		return "The system (a scheduled task)", ""
	}
	if v, ok := n.people[id]; ok {
		return v[0], v[1]
	}
	var v [2]string
	err := n.q.QueryRowContext(n.ctx, `SELECT pe.name, o.name FROM people pe JOIN organisations o ON o.id = pe.organisation_id
		WHERE pe.id = $1`, id).Scan(&v[0], &v[1])
	if errors.Is(err, sql.ErrNoRows) {
		v = [2]string{fmt.Sprintf("Person %d", id), ""}
	} else if err != nil {
		n.fail(fmt.Errorf("partnership: names: person: %w", err))
	}
	n.people[id] = v
	return v[0], v[1]
}

// Person names a professional with their organisation: "Name (Organisation)".
func (n *Names) Person(id prevent.ID) string {
	name, org := n.PersonOrg(id)
	if org == "" {
		return name
	}
	return name + " (" + org + ")"
}

// Organisation names an organisation; one that is not known is "Organisation <id>".
func (n *Names) Organisation(id prevent.ID) string {
	if name, ok := n.orgs[id]; ok {
		return name
	}
	var name string
	err := n.q.QueryRowContext(n.ctx, `SELECT name FROM organisations WHERE id = $1`, id).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		name = fmt.Sprintf("Organisation %d", id)
	} else if err != nil {
		n.fail(fmt.Errorf("partnership: names: organisation: %w", err))
	}
	n.orgs[id] = name
	return name
}
