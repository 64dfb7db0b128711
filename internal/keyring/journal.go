package keyring

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/database"
)

// ShredJournal is the name of the shred journal beside the master key file. Each line is
// "<RFC 3339 time>\t<subject reference>": it names who was erased and when, and holds no personal data
// beyond the reference. It lives outside the database so that restoring a database backup taken before an
// erasure does not bring the erased data back: SyncShreds shreds those subjects again.
const ShredJournal = "keyring-shredded.log"

func (m *Master) journalPath() string { return filepath.Join(filepath.Dir(m.path), ShredJournal) }

// recordShreds appends refs to the shred journal and syncs it.
func (m *Master) recordShreds(refs map[string]time.Time) error {
	if len(refs) == 0 || m.Ephemeral() {
		return nil
	}
	keys := make([]string, 0, len(refs))
	for r := range refs {
		keys = append(keys, r)
	}
	sort.Strings(keys)
	var sb strings.Builder
	for _, r := range keys {
		sb.WriteString(refs[r].UTC().Format(time.RFC3339Nano) + "\t" + r + "\n")
	}
	m.journalMu.Lock()
	defer m.journalMu.Unlock()
	f, err := os.OpenFile(m.journalPath(), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("keyring: shred journal: %w", err)
	}
	if _, err := f.WriteString(sb.String()); err != nil {
		f.Close()
		return fmt.Errorf("keyring: shred journal: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("keyring: shred journal: %w", err)
	}
	return f.Close()
}

// shreds reads the shred journal: subject reference to the earliest time it was shredded. A torn last line
// (a crash mid-append) is ignored.
func (m *Master) shreds() (map[string]time.Time, error) {
	m.journalMu.Lock()
	defer m.journalMu.Unlock()
	out := map[string]time.Time{}
	if m.Ephemeral() {
		return out, nil
	}
	f, err := os.Open(m.journalPath())
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("keyring: shred journal: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		at, ref, ok := strings.Cut(sc.Text(), "\t")
		if !ok || checkRef(ref) != nil {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, at)
		if err != nil {
			continue
		}
		if old, seen := out[ref]; !seen || t.Before(old) {
			out[ref] = t
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("keyring: shred journal: %w", err)
	}
	return out, nil
}

// SyncShreds makes the database and the shred journal agree, each gaining the shreds the other holds, and
// returns how many subjects it shredded in the database. Run it at start-up and straight after restoring a
// backup: a subject erased after the backup was taken is erased again before anyone can read it. It also
// heals a crash between a shred's commit and its journal line.
func (k *Keyring) SyncShreds(ctx context.Context) (int, error) {
	journal, err := k.Master.shreds()
	if err != nil {
		return 0, err
	}
	inDB := map[string]time.Time{}
	rows, err := k.DB.Read().QueryContext(ctx, `SELECT subject_ref, destroyed_at FROM subject_keys WHERE destroyed_at IS NOT NULL`)
	if err != nil {
		return 0, fmt.Errorf("keyring: sync shreds: %w", err)
	}
	for rows.Next() {
		var ref string
		var at time.Time
		if err := rows.Scan(&ref, &at); err != nil {
			rows.Close()
			return 0, fmt.Errorf("keyring: sync shreds: %w", err)
		}
		inDB[ref] = at
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("keyring: sync shreds: %w", err)
	}
	missing := map[string]time.Time{}
	for ref, at := range inDB {
		if _, ok := journal[ref]; !ok {
			missing[ref] = at
		}
	}
	if err := k.Master.recordShreds(missing); err != nil {
		return 0, err
	}
	var todo []string
	for ref := range journal {
		if _, ok := inDB[ref]; !ok {
			todo = append(todo, ref)
		}
	}
	sort.Strings(todo)
	if len(todo) == 0 {
		return 0, nil
	}
	err = k.DB.WithTx(ctx, func(tx *database.Tx) error {
		for _, ref := range todo {
			if err := k.shredAt(ctx, tx, ref, journal[ref].UTC().Truncate(time.Microsecond)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(todo), nil
}
