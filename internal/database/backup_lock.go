package database

import (
	"errors"

	"github.com/preventplatform/prevent/internal/prevent"
)

// ErrDirLocked is returned by LockDir when another process holds the directory's lock.
var ErrDirLocked = errors.New("database: the directory is locked by another process")

// lockBackupDir locks the backup directory for one Backup, so that a second backup into the same
// directory cannot remove the first one's partial file as a leftover.
func lockBackupDir(dir string) (unlock func(), err error) {
	unlock, err = LockDir(dir)
	if errors.Is(err, ErrDirLocked) {
		return nil, prevent.Errorf(prevent.Conflict, "Another backup is being written into %s; wait for it to finish", dir)
	}
	return unlock, err
}
