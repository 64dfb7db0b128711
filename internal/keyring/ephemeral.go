package keyring

import (
	"sync"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/keyset"

	"github.com/preventplatform/prevent/internal/database"
)

var ephemeral struct {
	once   sync.Once
	master *Master
	err    error
}

// Ephemeral returns a Keyring on db whose master key lives only in this process's memory and has no shred
// journal. It is for tests that build services directly: everything sealed under it becomes unreadable when
// the process ends. The command (cmd/prevent) always passes a Keyring on the master key file instead; never
// use this for data that must survive a restart. Every call in a process shares one master key, so services
// built separately on the same database read each other's data.
func Ephemeral(db *database.DB) *Keyring {
	ephemeral.once.Do(func() {
		h, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
		if err != nil {
			ephemeral.err = err
			return
		}
		m := &Master{}
		ephemeral.err = m.set(h)
		ephemeral.master = m
	})
	if ephemeral.err != nil {
		// Only a broken random source gets here; nothing can be sealed safely.
		panic("keyring: ephemeral master key: " + ephemeral.err.Error())
	}
	return &Keyring{DB: db, Master: ephemeral.master}
}

// Ephemeral reports whether the master key lives only in memory (see Ephemeral).
func (m *Master) Ephemeral() bool { return m.path == "" }
