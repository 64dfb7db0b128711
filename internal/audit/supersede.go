package audit

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// SetAsideAfterRestore is for restoring a database backup whose audit log is shorter than the newest
// checkpoints in dir: those checkpoints describe entries the restore removed, so the log can no longer
// match them, and the Checkpointer would refuse to sign on top of them. When a checkpoint in dir covers
// more than size entries, it copies every checkpoint file, and the verifier key, into
// dir/before-restore-<UTC time>/ (an audit directory of its own, so that audit verify can check the
// database moved aside by the restore against it), then removes the checkpoints above size from dir. The
// checkpoints up to size stay, and go on vouching for the restored log. It returns the new directory and
// the sizes removed, or "" and none when no checkpoint covers more than size entries. Nothing is deleted
// that is not first copied and synced.
//
// It is superseded by StartEpochAfterRestore, which leaves every checkpoint where it is and continues the
// restored log in a new epoch under a signed statement; prevent restore does.
func SetAsideAfterRestore(dir string, size int64, now time.Time) (string, []int64, error) {
	cpdir := filepath.Join(dir, CheckpointDir)
	sizes, err := checkpointSizes(cpdir)
	if err != nil {
		return "", nil, err
	}
	var above []int64
	for _, s := range sizes {
		if s > size {
			above = append(above, s)
		}
	}
	if len(above) == 0 {
		return "", nil, nil
	}
	aside := filepath.Join(dir, "before-restore-"+now.UTC().Format("20060102T150405Z"))
	if _, err := os.Lstat(aside); err == nil {
		return "", nil, fmt.Errorf("audit: %s already exists; wait a second and restore again", aside)
	}
	asideCP := filepath.Join(aside, CheckpointDir)
	if err := os.MkdirAll(asideCP, 0o700); err != nil {
		return "", nil, fmt.Errorf("audit: %w", err)
	}
	copyInto := func(from, toDir, name string, perm os.FileMode) error {
		b, err := os.ReadFile(from)
		if err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		return writeFileAtomic(toDir, name, b, perm)
	}
	for _, s := range sizes {
		if err := copyInto(filepath.Join(cpdir, checkpointName(s)), asideCP, checkpointName(s), 0o644); err != nil {
			return "", nil, err
		}
	}
	if err := copyInto(filepath.Join(dir, VerifierKeyFile), aside, VerifierKeyFile, 0o644); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", nil, err
	}
	if err := syncDir(aside); err != nil {
		return "", nil, err
	}
	if err := syncDir(dir); err != nil {
		return "", nil, err
	}
	for _, s := range above {
		if err := os.Remove(filepath.Join(cpdir, checkpointName(s))); err != nil {
			return "", nil, fmt.Errorf("audit: %w", err)
		}
	}
	if err := syncDir(cpdir); err != nil {
		return "", nil, err
	}
	return aside, above, nil
}
