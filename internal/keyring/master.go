package keyring

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/insecurecleartextkeyset"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// MasterFile is the name of the master key file inside the directory given to LoadOrCreateMaster.
const MasterFile = "keyring-master.json"

// maxMasterSize bounds what LoadOrCreateMaster reads; a keyset of a few dozen keys is a few kilobytes.
const maxMasterSize = 1 << 20

// Master is the key-encryption key: a Tink AES-256-GCM keyset kept in a file outside the database. It wraps
// every subject's data key. It is safe for concurrent use; RotateMaster replaces the keyset in place.
type Master struct {
	path string

	mu     sync.RWMutex
	handle *keyset.Handle
	aead   tink.AEAD

	journalMu sync.Mutex // serialises the shred journal within this process
}

// LoadOrCreateMaster reads the master key from dir/keyring-master.json, creating the directory (mode 0700) and
// a new key (mode 0600) on first use. It refuses a key file that anyone but its owner can read or write, or
// that is not a regular file, because whoever holds it together with a copy of the database can read the
// personal data in that copy.
func LoadOrCreateMaster(dir string) (*Master, error) {
	if dir == "" {
		return nil, errors.New("keyring: no directory for the master key")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("keyring: master key directory: %w", err)
	}
	path := filepath.Join(dir, MasterFile)
	m := &Master{path: path}
	info, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		h, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
		if err != nil {
			return nil, fmt.Errorf("keyring: new master key: %w", err)
		}
		if err := writeMaster(path, h, true); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return LoadOrCreateMaster(dir) // another process created it first: use theirs
			}
			return nil, err
		}
		if err := m.set(h); err != nil {
			return nil, err
		}
		return m, nil
	case err != nil:
		return nil, fmt.Errorf("keyring: master key: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("keyring: master key %s is not a regular file", path)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("keyring: master key %s has mode %#o; it must be readable by its owner only (chmod 600)", path, perm)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("keyring: read master key: %w", err)
	}
	if len(raw) > maxMasterSize {
		return nil, fmt.Errorf("keyring: master key %s is too large", path)
	}
	h, err := insecurecleartextkeyset.Read(keyset.NewJSONReader(bytes.NewReader(raw)))
	if err != nil {
		return nil, fmt.Errorf("keyring: parse master key %s: %w", path, err)
	}
	if err := m.set(h); err != nil {
		return nil, err
	}
	return m, nil
}

// Path returns the master key file.
func (m *Master) Path() string { return m.path }

// KeyCount returns how many keys the master keyset holds (more than one between RotateMaster and RetireMaster).
func (m *Master) KeyCount() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.handle.Len()
}

// set installs h as the current keyset; the caller holds mu or owns m exclusively.
func (m *Master) set(h *keyset.Handle) error {
	a, err := aead.New(h)
	if err != nil {
		return fmt.Errorf("keyring: master key primitive: %w", err)
	}
	m.handle, m.aead = h, a
	return nil
}

// primitive returns the AEAD of the current master keyset: it encrypts with the primary key and decrypts with
// any enabled key.
func (m *Master) primitive() tink.AEAD {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.aead
}

// rotate adds a new AES-256-GCM key, makes it the primary, and saves the keyset. The old keys stay enabled, so
// subject keys wrapped under them still open until RetireMaster.
func (m *Master) rotate() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	mgr := keyset.NewManagerFromHandle(m.handle)
	id, err := mgr.Add(aead.AES256GCMKeyTemplate())
	if err != nil {
		return fmt.Errorf("keyring: add master key: %w", err)
	}
	if err := mgr.SetPrimary(id); err != nil {
		return fmt.Errorf("keyring: promote master key: %w", err)
	}
	h, err := mgr.Handle()
	if err != nil {
		return fmt.Errorf("keyring: master keyset: %w", err)
	}
	if m.path != "" { // an Ephemeral master has no file
		if err := writeMaster(m.path, h, false); err != nil {
			return err
		}
	}
	return m.set(h)
}

// primaryOnly returns the keyset in use (from), a keyset holding only its primary key, and that keyset's AEAD.
func (m *Master) primaryOnly() (from, only *keyset.Handle, _ tink.AEAD, _ error) {
	m.mu.RLock()
	h := m.handle
	m.mu.RUnlock()
	mgr := keyset.NewManagerFromHandle(h)
	primary, err := h.Primary()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("keyring: master primary: %w", err)
	}
	for i := 0; i < h.Len(); i++ {
		e, err := h.Entry(i)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("keyring: master key entry: %w", err)
		}
		if e.KeyID() == primary.KeyID() {
			continue
		}
		if err := mgr.Delete(e.KeyID()); err != nil {
			return nil, nil, nil, fmt.Errorf("keyring: drop old master key: %w", err)
		}
	}
	only, err = mgr.Handle()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("keyring: master keyset: %w", err)
	}
	a, err := aead.New(only)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("keyring: master key primitive: %w", err)
	}
	return h, only, a, nil
}

// replace saves h as the master keyset if the keyset in use is still from, and installs it.
func (m *Master) replace(from, h *keyset.Handle) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.handle != from {
		return errors.New("keyring: the master key changed while it was being retired; run it again")
	}
	if m.path != "" { // an Ephemeral master has no file
		if err := writeMaster(m.path, h, false); err != nil {
			return err
		}
	}
	return m.set(h)
}

// writeMaster writes h to path with mode 0600 through a temporary file, fsync and rename, so a crash leaves
// either the old key file or the new one. With create it refuses to replace an existing file.
func writeMaster(path string, h *keyset.Handle, create bool) error {
	var buf bytes.Buffer
	if err := insecurecleartextkeyset.Write(h, keyset.NewJSONWriter(&buf)); err != nil {
		return fmt.Errorf("keyring: encode master key: %w", err)
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".keyring-master-*")
	if err != nil {
		return fmt.Errorf("keyring: write master key: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op once renamed
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("keyring: write master key: %w", err)
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		f.Close()
		return fmt.Errorf("keyring: write master key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("keyring: sync master key: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("keyring: write master key: %w", err)
	}
	if create {
		// Link fails if another process created the key meanwhile; theirs wins and we read it next time.
		if err := os.Link(tmp, path); err != nil {
			return fmt.Errorf("keyring: create master key: %w", err)
		}
	} else if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("keyring: replace master key: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
