package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pquerna/otp/totp"
)

// kind is one kind of request in the mix.
type kind struct {
	name   string
	weight int
}

// The default mix: what people of every role do most (their work, the list of cases, a case, a search), the
// API's list for integrations, and 5% new referrals.
var defaultMix = []kind{
	{"my-work", 20},
	{"case-list", 15},
	{"case-page", 30},
	{"search", 15},
	{"api-list", 15},
	{"new-referral", 5},
}

// participant is a signed-in demo account: a session cookie for the pages and a token for the API, and the
// cases and names it can see.
type participant struct {
	acc     account
	cookie  string
	token   string
	cases   []int64
	names   []string
	creates bool
}

// result is one request's outcome.
type result struct {
	kind    int
	elapsed time.Duration
	err     string
}

type options struct {
	users     int
	duration  time.Duration
	requests  int64
	think     time.Duration
	warmup    time.Duration
	mix       string
	jsonOut   string
	profile   string
	startWait time.Duration
	roles     string
	seed      uint64
	listLimit int
	maxCases  int
}

func load(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("preventload run", flag.ContinueOnError)
	var s store
	s.flags(fs)
	var o options
	fs.IntVar(&o.users, "users", 64, "simulated users, each in a closed loop")
	fs.DurationVar(&o.duration, "duration", 60*time.Second, "how long to measure (after the warm-up)")
	fs.Int64Var(&o.requests, "requests", 0, "stop after this many measured requests (0: no limit but the duration)")
	fs.DurationVar(&o.think, "think", 0, "each user's mean think time between requests (exponentially distributed; 0: none)")
	fs.DurationVar(&o.warmup, "warmup", 5*time.Second, "requests sent before measuring begins, not counted")
	fs.StringVar(&o.mix, "mix", "", "the mix as name=weight,… over my-work, case-list, case-page, search, api-list, new-referral")
	fs.StringVar(&o.jsonOut, "json", "", "also write the figures as JSON to this file")
	fs.StringVar(&o.profile, "cpuprofile", "", "write the server's CPU profile of the measured period to this file")
	fs.DurationVar(&o.startWait, "start-timeout", 10*time.Minute, "how long to wait for serve to answer")
	fs.StringVar(&o.roles, "roles", "Prevent coordinator,Police Prevent officer,Referrer,Panel member,Referrer,Intervention provider",
		"the roles of the demo accounts the users act as, in turn (a role named twice takes its next account)")
	fs.Uint64Var(&o.seed, "seed", 1, "the seed of the users' choices")
	fs.IntVar(&o.listLimit, "list-limit", 50, "the page size of the API list")
	fs.IntVar(&o.maxCases, "cases", 1000, "how many of each account's visible cases the users open")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := s.check(); err != nil {
		return err
	}
	mix, err := parseMix(o.mix)
	if err != nil {
		return err
	}
	if o.users < 1 || o.duration <= 0 {
		return errors.New("--users must be at least 1 and --duration positive")
	}

	var env []string
	if o.profile != "" {
		env = append(env, "PREVENT_CPU_PROFILE="+o.profile)
	}
	fmt.Fprintf(os.Stderr, "starting %s serve on %s …\n", s.prevent, strings.Join(s.args(), " "))
	srv, err := startServer(ctx, s, env, o.startWait)
	if err != nil {
		return err
	}
	defer srv.stop()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.users + 8, MaxConnsPerHost: 0},
		Timeout: 5 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}

	parts, err := signIn(ctx, srv, s, o, client)
	if err != nil {
		return err
	}
	pid, err := partnershipID(client, srv.base, parts[0].token)
	if err != nil {
		return err
	}
	for _, p := range parts {
		if err := discover(client, srv.base, pid, p, o.maxCases); err != nil {
			return fmt.Errorf("%s (%s): %w", p.acc.Name, p.acc.Role, err)
		}
	}
	var creator *participant
	for _, p := range parts {
		if p.creates {
			creator = p
			break
		}
	}

	loadStart := loadAverage()
	var measuring atomic.Bool
	var count atomic.Int64
	results := make([][]result, o.users)
	var wg sync.WaitGroup
	stopAt := time.Now().Add(o.warmup + o.duration)
	measureAt := time.Now().Add(o.warmup)
	runCtx, cancel := context.WithDeadline(ctx, stopAt)
	defer cancel()
	go func() {
		// Measuring begins after the warm-up; the server's profile covers the measured period only.
		select {
		case <-time.After(time.Until(measureAt)):
		case <-runCtx.Done():
			return
		}
		measuring.Store(true)
		if o.profile != "" {
			_ = srv.cmd.Process.Signal(syscall.SIGUSR1)
		}
	}()
	var peak atomic.Int64
	go func() {
		for runCtx.Err() == nil {
			if rss, err := currentRSS(srv.cmd.Process.Pid); err == nil && rss > peak.Load() {
				peak.Store(rss)
			}
			time.Sleep(250 * time.Millisecond)
		}
	}()
	began := time.Now()
	for u := 0; u < o.users; u++ {
		wg.Add(1)
		go func(u int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(o.seed, uint64(u)))
			p := parts[u%len(parts)]
			for runCtx.Err() == nil {
				k := pick(rng, mix)
				t0 := time.Now()
				msg := do(runCtx, client, srv.base, pid, p, creator, mix[k].name, rng, o.listLimit)
				el := time.Since(t0)
				if runCtx.Err() != nil && msg != "" {
					return // cut off by the end of the run: not a result
				}
				if measuring.Load() {
					results[u] = append(results[u], result{kind: k, elapsed: el, err: msg})
					if o.requests > 0 && count.Add(1) >= o.requests {
						cancel()
						return
					}
				}
				if o.think > 0 {
					d := time.Duration(rng.ExpFloat64() * float64(o.think))
					select {
					case <-time.After(d):
					case <-runCtx.Done():
					}
				}
			}
		}(u)
	}
	wg.Wait()
	measured := time.Since(began) - o.warmup
	if t := time.Since(measureAt); t < measured {
		measured = t
	}
	hwm, _ := peakRSS(srv.cmd.Process.Pid)
	loadEnd := loadAverage()
	srv.stop()

	rep := summarise(results, mix, measured)
	rep.Users, rep.Think, rep.Engine = o.users, o.think.String(), engineOf(s)
	rep.PeakRSSDuringRun, rep.PeakRSSLifetime = peak.Load(), hwm
	rep.LoadAverageStart, rep.LoadAverageEnd = loadStart, loadEnd
	rep.print(os.Stdout)
	if o.profile != "" {
		fmt.Printf("\nserver CPU profile of the measured period: %s (go tool pprof -top %s %s)\n", o.profile, s.prevent, o.profile)
		top, err := exec.Command("go", "tool", "pprof", "-top", "-nodecount=5", s.prevent, o.profile).Output()
		if err == nil {
			fmt.Println(lastLines(string(top), 6))
		}
	}
	if o.jsonOut != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(o.jsonOut, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func engineOf(s store) string {
	if s.database != "" {
		return "postgres"
	}
	return "sqlite"
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func parseMix(s string) ([]kind, error) {
	if s == "" {
		return defaultMix, nil
	}
	var out []kind
	for _, part := range strings.Split(s, ",") {
		name, w, ok := strings.Cut(strings.TrimSpace(part), "=")
		n, err := strconv.Atoi(w)
		if !ok || err != nil || n < 0 {
			return nil, fmt.Errorf("--mix: %q is not name=weight", part)
		}
		if !slices.ContainsFunc(defaultMix, func(k kind) bool { return k.name == name }) {
			return nil, fmt.Errorf("--mix: unknown kind %q", name)
		}
		out = append(out, kind{name, n})
	}
	return out, nil
}

func pick(rng *rand.Rand, mix []kind) int {
	total := 0
	for _, k := range mix {
		total += k.weight
	}
	n := rng.IntN(max(total, 1))
	for i, k := range mix {
		if n < k.weight {
			return i
		}
		n -= k.weight
	}
	return 0
}

// signIn signs each account the users act as in through the pages (password, then the second factor) and
// gives it an API token from `prevent tokens create`.
func signIn(ctx context.Context, srv *server, s store, o options, client *http.Client) ([]*participant, error) {
	used := map[string]int{}
	var parts []*participant
	for _, role := range strings.Split(o.roles, ",") {
		role = strings.TrimSpace(role)
		var acc *account
		n := used[role]
		for i := range srv.accounts {
			if srv.accounts[i].Role == role {
				if n == 0 {
					acc = &srv.accounts[i]
					break
				}
				n--
			}
		}
		if acc == nil {
			return nil, fmt.Errorf("no demo account for the role %q (or not that many)", role)
		}
		used[role]++
		cookie, err := pageSession(ctx, srv.base, *acc)
		if err != nil {
			return nil, fmt.Errorf("signing %s in: %w", acc.Email, err)
		}
		out, err := exec.CommandContext(ctx, s.prevent, append([]string{"tokens", "create", "--email", acc.Email,
			"--name", "load test", "--days", "1"}, s.args()...)...).Output()
		if err != nil {
			return nil, fmt.Errorf("token for %s: %w", acc.Email, err)
		}
		parts = append(parts, &participant{acc: *acc, cookie: cookie, token: strings.TrimSpace(string(out)),
			creates: role == "Referrer" || role == "Prevent coordinator" || role == "Police Prevent officer"})
	}
	if len(parts) == 0 {
		return nil, errors.New("--roles names no role")
	}
	return parts, nil
}

// pageSession signs in through the sign-in page and the second factor, and returns the session cookie.
// A code already used in this 30-second step is refused, so on refusal it waits for the next step once.
func pageSession(ctx context.Context, base string, acc account) (string, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: time.Minute}
	post := func(path string, form url.Values) (*http.Response, error) {
		res, err := c.PostForm(base+path, form)
		if err != nil {
			return nil, err
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res, nil
	}
	res, err := post("/sign-in", url.Values{"email": {acc.Email}, "password": {acc.Password}})
	if err != nil {
		return "", err
	}
	if res.Request.URL.Path != "/sign-in/second-factor" {
		return "", fmt.Errorf("after the password the page is %s, not the second factor", res.Request.URL.Path)
	}
	for try := 0; try < 2; try++ {
		code, err := totp.GenerateCode(acc.TOTPSecret, time.Now())
		if err != nil {
			return "", err
		}
		res, err = post("/sign-in/second-factor", url.Values{"code": {code}})
		if err != nil {
			return "", err
		}
		if res.Request.URL.Path != "/sign-in/second-factor" {
			u, _ := url.Parse(base)
			for _, ck := range jar.Cookies(u) {
				if ck.Name == "prevent_session" {
					return ck.Name + "=" + ck.Value, nil
				}
			}
			return "", errors.New("signed in but no session cookie")
		}
		wait := 30*time.Second - time.Duration(time.Now().Unix()%30)*time.Second + time.Second
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	return "", errors.New("the second factor was refused")
}

func partnershipID(client *http.Client, base, token string) (int64, error) {
	var v struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	if err := getJSON(client, base+"/api/v1/partnerships", token, &v); err != nil {
		return 0, err
	}
	if len(v.Items) == 0 {
		return 0, errors.New("the first account sees no partnership")
	}
	return v.Items[0].ID, nil
}

// discover lists the cases an account may see (up to max) and the family names on them, for case pages and
// searches that find something.
func discover(client *http.Client, base string, pid int64, p *participant, limit int) error {
	next := ""
	names := map[string]bool{}
	for len(p.cases) < limit {
		u := fmt.Sprintf("%s/api/v1/partnerships/%d/cases?limit=200", base, pid)
		if next != "" {
			u += "&after=" + url.QueryEscape(next)
		}
		var v struct {
			Items []struct {
				ID   int64  `json:"id"`
				Name string `json:"name"`
			} `json:"items"`
			Next *string `json:"next"`
		}
		if err := getJSON(client, u, p.token, &v); err != nil {
			return err
		}
		for _, it := range v.Items {
			p.cases = append(p.cases, it.ID)
			if f := strings.Fields(it.Name); len(f) > 0 && !names[f[len(f)-1]] {
				names[f[len(f)-1]] = true
				p.names = append(p.names, f[len(f)-1])
			}
		}
		if v.Next == nil || len(v.Items) == 0 {
			break
		}
		next = *v.Next
	}
	sort.Strings(p.names)
	if len(p.names) == 0 {
		p.names = []string{"Smith"}
	}
	return nil
}

func getJSON(client *http.Client, u, token string, v any) error {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", u, res.StatusCode, b)
	}
	return json.Unmarshal(b, v)
}

var referralSeq atomic.Int64

// do sends one request of the named kind as p and returns "" or what went wrong.
func do(ctx context.Context, client *http.Client, base string, pid int64, p, creator *participant, name string, rng *rand.Rand, limit int) string {
	var req *http.Request
	page := func(path string) {
		req, _ = http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		req.Header.Set("Cookie", p.cookie)
	}
	want := http.StatusOK
	switch name {
	case "my-work":
		page("/work")
	case "case-list":
		page(fmt.Sprintf("/partnerships/%d/cases", pid))
	case "case-page":
		if len(p.cases) == 0 {
			page("/work")
		} else {
			page(fmt.Sprintf("/partnerships/%d/cases/%d", pid, p.cases[rng.IntN(len(p.cases))]))
		}
	case "search":
		page(fmt.Sprintf("/partnerships/%d/cases/search?q=%s", pid, url.QueryEscape(p.names[rng.IntN(len(p.names))])))
	case "api-list":
		req, _ = http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/api/v1/partnerships/%d/cases?limit=%d", base, pid, limit), nil)
		req.Header.Set("Authorization", "Bearer "+p.token)
	case "new-referral":
		who := p
		if !who.creates {
			who = creator
		}
		n := referralSeq.Add(1)
		body, _ := json.Marshal(map[string]any{
			"partnership_id": pid,
			"person": map[string]any{"given_names": "Load", "family_name": fmt.Sprintf("Tester%d", n), "approximate_age": 15 + n%40,
				"local_authority": "Elmshire"},
			"concern": map[string]any{"what_happened": "Shared extremist material (load test)", "fears": "Being drawn in",
				"types": []string{"extreme_right_wing"}},
			"person_knows": "no", "danger_acknowledged": true,
		})
		req, _ = http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/referrals", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+who.token)
		req.Header.Set("Content-Type", "application/json")
		want = http.StatusCreated
	default:
		return "unknown kind " + name
	}
	res, err := client.Do(req)
	if err != nil {
		return err.Error()
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return err.Error()
	}
	if res.StatusCode != want {
		msg := string(b)
		if len(msg) > 200 {
			msg = msg[:200]
		}
		return fmt.Sprintf("%s %s: %d %s", req.Method, req.URL.Path, res.StatusCode, msg)
	}
	return ""
}
