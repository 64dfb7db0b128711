package main

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestReadAccountsParsesServesTable(t *testing.T) {
	out := strings.Join([]string{
		"time=… level=INFO msg=starting",
		"=====",
		"ROLE                     NAME            ORGANISATION             EMAIL                        PASSWORD             TOTP SECRET",
		"Prevent coordinator      Tariq Dunmore   Elmshire County Council  tariq@elmshire-cc.example    Wicker-Harbour-44    EDFDOBCC3VVU6ZSD",
		"Police Prevent officer   Owain Pritchard Elmshire Constabulary    owain@police.example         Falcon-Lagoon-32     SL7FLDVQ35AD5VGC",
		"=====",
		"Second factor: …",
	}, "\n")
	got := readAccounts(strings.NewReader(out), &tail{max: 10})
	// The second data row has a single space between two columns, so it is not six columns and is skipped
	// rather than misread.
	if len(got) != 1 {
		t.Fatalf("accounts = %+v, want only the well-formed row", got)
	}
	want := account{"Prevent coordinator", "Tariq Dunmore", "Elmshire County Council", "tariq@elmshire-cc.example", "Wicker-Harbour-44", "EDFDOBCC3VVU6ZSD"}
	if got[0] != want {
		t.Fatalf("account = %+v, want %+v", got[0], want)
	}
}

func TestParseMix(t *testing.T) {
	m, err := parseMix("case-page=3, search=1")
	if err != nil || len(m) != 2 || m[0] != (kind{"case-page", 3}) || m[1] != (kind{"search", 1}) {
		t.Fatalf("parseMix = %v, %v", m, err)
	}
	for _, bad := range []string{"case-page", "case-page=x", "teapot=1", "search=-1"} {
		if _, err := parseMix(bad); err == nil {
			t.Errorf("parseMix(%q) accepted", bad)
		}
	}
	if m, _ := parseMix(""); len(m) != len(defaultMix) {
		t.Fatalf("the default mix has %d kinds, want %d", len(m), len(defaultMix))
	}
}

func TestPickFollowsTheWeights(t *testing.T) {
	mix := []kind{{"a", 1}, {"b", 0}, {"c", 3}}
	rng := rand.New(rand.NewPCG(1, 2))
	n := make([]int, len(mix))
	for range 40000 {
		n[pick(rng, mix)]++
	}
	if n[1] != 0 {
		t.Fatalf("a kind of weight 0 was picked %d times", n[1])
	}
	if r := float64(n[2]) / float64(n[0]); r < 2.8 || r > 3.2 {
		t.Fatalf("c ÷ a = %.2f, want about 3", r)
	}
}

func TestPercentiles(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	k := percentiles("x", ds)
	if k.Requests != 100 || k.P50 != 50 || k.P95 != 95 || k.P99 != 99 || k.Max != 100 {
		t.Fatalf("percentiles = %+v", k)
	}
	r := summarise([][]result{{{kind: 0, elapsed: time.Millisecond}, {kind: 1, elapsed: 3 * time.Millisecond, err: "boom"}}},
		[]kind{{"a", 1}, {"b", 1}}, 2*time.Second)
	if r.Requests != 2 || r.Errors != 1 || r.Throughput != 1 || r.Kinds[1].Errors != 1 || len(r.FirstErrors) != 1 {
		t.Fatalf("summarise = %+v", r)
	}
}
