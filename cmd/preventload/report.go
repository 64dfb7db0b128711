package main

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"
)

// report is what a run measured. Times are in milliseconds.
type report struct {
	Engine           string       `json:"engine"`
	Users            int          `json:"users"`
	Think            string       `json:"think"`
	Seconds          float64      `json:"seconds"`
	Requests         int          `json:"requests"`
	Errors           int          `json:"errors"`
	Throughput       float64      `json:"requests_per_second"`
	All              kindReport   `json:"all"`
	Kinds            []kindReport `json:"kinds"`
	PeakRSSDuringRun int64        `json:"peak_rss_during_run_bytes"`
	PeakRSSLifetime  int64        `json:"peak_rss_lifetime_bytes"`
	LoadAverageStart string       `json:"load_average_start"`
	LoadAverageEnd   string       `json:"load_average_end"`
	FirstErrors      []string     `json:"first_errors,omitempty"`
}

type kindReport struct {
	Name     string  `json:"name"`
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	P50      float64 `json:"p50_ms"`
	P95      float64 `json:"p95_ms"`
	P99      float64 `json:"p99_ms"`
	Max      float64 `json:"max_ms"`
}

func summarise(results [][]result, mix []kind, measured time.Duration) report {
	byKind := make([][]time.Duration, len(mix))
	errs := make([]int, len(mix))
	var all []time.Duration
	var first []string
	for _, rs := range results {
		for _, r := range rs {
			byKind[r.kind] = append(byKind[r.kind], r.elapsed)
			all = append(all, r.elapsed)
			if r.err != "" {
				errs[r.kind]++
				if len(first) < 5 {
					first = append(first, r.err)
				}
			}
		}
	}
	rep := report{Seconds: measured.Seconds(), Requests: len(all), FirstErrors: first}
	for i, k := range mix {
		kr := percentiles(k.name, byKind[i])
		kr.Errors = errs[i]
		rep.Errors += errs[i]
		rep.Kinds = append(rep.Kinds, kr)
	}
	rep.All = percentiles("all", all)
	rep.All.Errors = rep.Errors
	if measured > 0 {
		rep.Throughput = float64(len(all)) / measured.Seconds()
	}
	return rep
}

func percentiles(name string, ds []time.Duration) kindReport {
	kr := kindReport{Name: name, Requests: len(ds)}
	if len(ds) == 0 {
		return kr
	}
	slices.Sort(ds)
	at := func(q float64) float64 {
		i := int(q*float64(len(ds)) + 0.5)
		i = min(max(i-1, 0), len(ds)-1)
		return ms(ds[i])
	}
	kr.P50, kr.P95, kr.P99, kr.Max = at(0.50), at(0.95), at(0.99), ms(ds[len(ds)-1])
	return kr
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func (r report) print(w io.Writer) {
	fmt.Fprintf(w, "engine %s, %d users, think %s, measured %.1f s\n", r.Engine, r.Users, r.Think, r.Seconds)
	fmt.Fprintf(w, "throughput %.1f requests/s, %d requests, %d errors\n", r.Throughput, r.Requests, r.Errors)
	fmt.Fprintf(w, "server peak RSS %.0f MB during the run (%.0f MB since it started)\n",
		float64(r.PeakRSSDuringRun)/(1<<20), float64(r.PeakRSSLifetime)/(1<<20))
	fmt.Fprintf(w, "load average %s at the start, %s at the end\n", r.LoadAverageStart, r.LoadAverageEnd)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kind\trequests\terrors\tp50 ms\tp95 ms\tp99 ms\tmax ms\t")
	for _, k := range append(r.Kinds, r.All) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t\n", k.Name, k.Requests, k.Errors, k.P50, k.P95, k.P99, k.Max)
	}
	tw.Flush()
	for _, e := range r.FirstErrors {
		fmt.Fprintln(w, "error:", e)
	}
}
