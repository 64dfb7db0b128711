package auth

import (
	"bytes"
	"testing"
)

func TestPHCRoundTrip(t *testing.T) {
	h, err := HashPassword("round-trip-password")
	if err != nil {
		t.Fatal(err)
	}
	p, err := parsePHC(h)
	if err != nil {
		t.Fatalf("parse %q: %v", h, err)
	}
	if p.memory != ArgonMemory || p.time != ArgonTime || p.threads != ArgonThreads || len(p.salt) != saltLen || len(p.key) != keyLen {
		t.Errorf("parsed %+v, want the floor parameters", p)
	}
	if p.String() != h {
		t.Errorf("re-encoded %q, want %q", p.String(), h)
	}
	if p.belowFloor() {
		t.Error("a new hash is below the floor")
	}
	for _, bad := range []string{
		h + "$",
		h[1:],
		"$argon2id$v=18$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$t=2,m=19456,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=019456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=19456,t=0,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=19456,t=2,p=0$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA==$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=19456,t=2,p=1$$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5",
	} {
		if _, err := parsePHC(bad); err == nil {
			t.Errorf("parsed %q; want an error", bad)
		}
	}
}

// FuzzParsePHC checks that the parser never panics, that what it accepts is within bounds, and that
// what it accepts encodes back to the same string (there is one spelling of each hash).
func FuzzParsePHC(f *testing.F) {
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5")
	f.Add("$argon2id$v=19$m=4096,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$zW2QyYhH5Ql1Tzr1NU1gLxJkqXX2eyHhqXwHZzOGmOM")
	f.Add("$argon2id$v=19$m=,t=,p=$$")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parsePHC(s)
		if err != nil {
			return
		}
		if p.memory > maxMemory || p.time > maxTime || p.threads > maxThreads || p.threads == 0 ||
			len(p.salt) < minSalt || len(p.salt) > maxSalt || len(p.key) < minKey || len(p.key) > maxKey {
			t.Fatalf("accepted out-of-bounds %+v from %q", p, s)
		}
		if p.String() != s {
			t.Fatalf("accepted %q but it encodes as %q", s, p.String())
		}
		q, err := parsePHC(p.String())
		if err != nil || q.memory != p.memory || !bytes.Equal(q.salt, p.salt) || !bytes.Equal(q.key, p.key) {
			t.Fatalf("round trip of %q: %+v, %v", s, q, err)
		}
	})
}
