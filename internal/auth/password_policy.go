package auth

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/preventplatform/prevent/internal/prevent"
)

// The password length limits, in characters.
const (
	MinPasswordLength = 12
	MaxPasswordLength = 256
)

// commonPasswordList is the zxcvbn frequency list of common and breached passwords; see wordlist/README.md.
//
//go:embed wordlist/common-passwords.txt
var commonPasswordList string

// commonPasswords is the list as a set, built on first use. It is read-only data, not state.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 30000)
	for line := range strings.Lines(commonPasswordList) {
		if w := strings.TrimSpace(line); w != "" {
			set[w] = struct{}{}
		}
	}
	return set
})

// The policy's messages, in GOV.UK style: what is wrong and how to put it right.
const (
	msgPasswordEmpty    = "Enter a password"
	msgPasswordShort    = "Password must be 12 characters or more"
	msgPasswordLong     = "Password must be 256 characters or fewer"
	msgPasswordCommon   = "Password is too easy to guess. Choose a password that is not a common word, phrase or pattern"
	msgPasswordHasEmail = "Password must not include your email address"
	msgPasswordHasName  = "Password must not include your name"
)

func passwordError(msg string) error {
	return &prevent.Error{Kind: prevent.Invalid, Message: msg, Fields: []prevent.FieldError{{Field: "password", Message: msg}}}
}

// CheckPassword applies the password policy for a person with the given email address and name. It
// returns an Invalid prevent.Error, with a field error on "password", when pw is shorter than 12 or longer
// than 256 characters, is common or breached (or one with digits and symbols added, letters swapped for
// look-alikes, or repeated), is a run or a repeat of a few characters, or includes the person's email
// address or name.
func CheckPassword(pw, email, name string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case pw == "":
		return passwordError(msgPasswordEmpty)
	case n < MinPasswordLength:
		return passwordError(msgPasswordShort)
	case n > MaxPasswordLength:
		return passwordError(msgPasswordLong)
	}
	lower := strings.ToLower(pw)
	if containsEmail(lower, email) {
		return passwordError(msgPasswordHasEmail)
	}
	if containsName(lower, name) {
		return passwordError(msgPasswordHasName)
	}
	if guessable(lower) {
		return passwordError(msgPasswordCommon)
	}
	return nil
}

// containsEmail reports whether pw (lower case) includes the email's local part, or a part of it of four
// letters or more split at dots, hyphens, underscores and plus signs.
func containsEmail(pw, email string) bool {
	local, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(email)), "@")
	if utf8.RuneCountInString(local) >= 3 && strings.Contains(pw, local) {
		return true
	}
	for _, part := range strings.FieldsFunc(local, func(r rune) bool { return strings.ContainsRune(".-_+", r) }) {
		if utf8.RuneCountInString(part) >= 4 && strings.Contains(pw, part) {
			return true
		}
	}
	return false
}

// containsName reports whether pw (lower case) includes the name written without spaces, or any part of
// the name of four letters or more.
func containsName(pw, name string) bool {
	name = strings.ToLower(name)
	parts := strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) })
	if whole := strings.Join(parts, ""); utf8.RuneCountInString(whole) >= 3 && strings.Contains(pw, whole) {
		return true
	}
	for _, p := range parts {
		if utf8.RuneCountInString(p) >= 4 && strings.Contains(pw, p) {
			return true
		}
	}
	return false
}

// guessable reports whether pw (lower case) is on the common list in any of the forms attackers try
// first, or is made of too few different characters, or is a run such as "abcdefghijkl".
func guessable(pw string) bool {
	if distinct(pw) < 5 || isRun(pw) {
		return true
	}
	common := commonPasswords()
	core := strings.TrimFunc(pw, func(r rune) bool { return !unicode.IsLetter(r) })
	for _, c := range []string{pw, core, unleet(pw, 'i'), unleet(pw, 'l'), unleet(core, 'i'), unleet(core, 'l'),
		strings.TrimFunc(unleet(pw, 'i'), func(r rune) bool { return !unicode.IsLetter(r) })} {
		if utf8.RuneCountInString(c) < 4 {
			continue
		}
		if _, ok := common[c]; ok {
			return true
		}
		if u := repeatedUnit(c); u != "" {
			if _, ok := common[u]; ok || distinct(u) < 5 {
				return true
			}
		}
	}
	return false
}

// distinct counts the different characters in s.
func distinct(s string) int {
	seen := map[rune]bool{}
	for _, r := range s {
		seen[r] = true
	}
	return len(seen)
}

// isRun reports whether every character of s is one after, or every one before, the previous one,
// digits wrapping from 9 to 0 ("1234567890", "zyxwvutsrqpo").
func isRun(s string) bool {
	rs := []rune(s)
	if len(rs) < 2 {
		return false
	}
	next := func(a, b rune, step rune) bool {
		if b-a == step {
			return true
		}
		return (step == 1 && a == '9' && b == '0') || (step == -1 && a == '0' && b == '9')
	}
	for _, step := range []rune{1, -1} {
		ok := true
		for i := 1; i < len(rs) && ok; i++ {
			ok = next(rs[i-1], rs[i], step)
		}
		if ok {
			return true
		}
	}
	return false
}

// repeatedUnit returns u when s is u written twice or more, and "" otherwise.
func repeatedUnit(s string) string {
	for size := 1; size <= len(s)/2; size++ {
		if len(s)%size == 0 && strings.Repeat(s[:size], len(s)/size) == s {
			return s[:size]
		}
	}
	return ""
}

// unleet reads look-alike digits and symbols as the letters they stand for; one is read as the given letter.
func unleet(s string, one rune) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '0':
			return 'o'
		case '1', '!', '|':
			return one
		case '3':
			return 'e'
		case '4', '@':
			return 'a'
		case '5', '$':
			return 's'
		case '7', '+':
			return 't'
		case '8':
			return 'b'
		case '9':
			return 'g'
		}
		return r
	}, s)
}
