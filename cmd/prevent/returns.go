package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ReturnDigestKeyFile is the file in the keys directory that holds the key of the returns' input digests.
const ReturnDigestKeyFile = "return-digest.key"

// loadOrCreateDigestKey reads the key that the statistical returns' input digests are keyed with, creating it
// (32 random bytes, hex, readable by the owner only) on first use. It is kept so that the same data gives the
// same digest from one start to the next; losing it changes digests, not figures.
func loadOrCreateDigestKey(dir string) ([]byte, error) {
	path := filepath.Join(dir, ReturnDigestKeyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			return loadOrCreateDigestKey(dir) // another start made it first
		}
		if err != nil {
			return nil, err
		}
		_, werr := f.WriteString(hex.EncodeToString(key) + "\n")
		serr := f.Sync()
		if err := errors.Join(werr, serr, f.Close()); err != nil {
			return nil, fmt.Errorf("write %s: %w", path, err)
		}
		return key, nil
	}
	if err != nil {
		return nil, err
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) < 32 {
		return nil, fmt.Errorf("%s: want 32 bytes in hex", path)
	}
	return key, nil
}
