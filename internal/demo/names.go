package demo

import (
	"math/rand/v2"
	"strings"
)

// The name lists are invented for the demo: common given names and surnames found across the United
// Kingdom's communities, combined at random, so that no pairing is meant to be anybody.
var firstNames = []string{
	"Amelia", "Oliver", "Priya", "Tomasz", "Chidi", "Siobhan", "Rhys", "Aisha", "Mei", "Callum",
	"Folasade", "Hamza", "Niamh", "Gurpreet", "Kofi", "Eilidh", "Dafydd", "Yasmin", "Marek", "Leanne",
	"Imran", "Zainab", "Declan", "Hannah", "Ravi", "Abena", "Fraser", "Nadia", "Owain", "Grace",
	"Tariq", "Bethan", "Anjali", "Lewis", "Ngozi", "Agnieszka", "Kieran", "Farah", "Jun", "Morag",
	"Samuel", "Halima", "Connor", "Sunita", "Delroy", "Catrin", "Yusuf", "Ruth", "Arjun", "Shona",
}

var lastNames = []string{
	"Ashworth", "Okonkwo", "Pritchard", "Chaudhry", "Kowalczyk", "MacLeod", "Mensah", "Brannigan", "Llewellyn", "Begum",
	"Whitfield", "Adeyemi", "Nowak", "Fairbairn", "Sandhu", "O'Donnell", "Thackeray", "Osei", "Hussain", "Greenhalgh",
	"Campbell", "Rahman", "Evans", "Mistry", "Quigley", "Bamidele", "Holloway", "Siddiqui", "Wiśniewski", "Lindqvist",
	"Moffat", "Ahmed", "Carrick", "Patel", "Treharne", "Nwosu", "Cheung", "Dunmore", "Kaur", "Birtwistle",
	"Gallagher", "Appiah", "Morrison", "Iqbal", "Penhaligon", "Achterberg", "Ferreira", "Lam", "Sutherland", "Odukoya",
}

// names hands out distinct full names from a fixed seed, so every load of the demo names the same people.
type names struct {
	r    *rand.Rand
	used map[string]bool
}

func newNames() *names {
	return &names{r: rand.New(rand.NewPCG(0x456c6d7368697265, 0x64656d6f)), used: map[string]bool{}}
}

// next returns a full name not handed out before.
func (n *names) next() (first, last string) {
	for {
		first = firstNames[n.r.IntN(len(firstNames))]
		last = lastNames[n.r.IntN(len(lastNames))]
		if !n.used[first] && !n.used[last] {
			n.used[first], n.used[last] = true, true
			return first, last
		}
	}
}

// emailLocal is firstname.lastname in lower case ASCII: letters outside a–z are dropped or simplified.
func emailLocal(first, last string) string {
	clean := func(s string) string {
		var b strings.Builder
		for _, r := range strings.ToLower(s) {
			switch {
			case r >= 'a' && r <= 'z':
				b.WriteRune(r)
			case r == 'ś':
				b.WriteRune('s')
			case r == 'ł':
				b.WriteRune('l')
			}
		}
		return b.String()
	}
	return clean(first) + "." + clean(last)
}
