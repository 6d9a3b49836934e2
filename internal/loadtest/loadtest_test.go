package loadtest

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func ms(ns ...int) []time.Duration {
	d := make([]time.Duration, len(ns))
	for i, n := range ns {
		d[i] = time.Duration(n) * time.Millisecond
	}
	return d
}

func TestPercentileIsTheNearestRank(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond // 1 ms … 100 ms
	}
	thousand := make([]time.Duration, 1000)
	for i := range thousand {
		thousand[i] = time.Duration(i+1) * time.Microsecond
	}
	cases := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"no samples", nil, 50, 0},
		{"one sample is every percentile", ms(7), 1, 7 * time.Millisecond},
		{"one sample, p100", ms(7), 100, 7 * time.Millisecond},
		{"median of two is the lower", ms(1, 2), 50, 1 * time.Millisecond},
		{"median of three", ms(1, 2, 3), 50, 2 * time.Millisecond},
		{"p50 of 1..100", hundred, 50, 50 * time.Millisecond},
		{"p95 of 1..100 is rank 95, not 96", hundred, 95, 95 * time.Millisecond},
		{"p99 of 1..100", hundred, 99, 99 * time.Millisecond},
		{"p100 is the max", hundred, 100, 100 * time.Millisecond},
		{"p99.9 of 1000 is rank 999", thousand, 99.9, 999 * time.Microsecond},
		{"p99 of 10 is the max", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
		{"p90 of 10 is rank 9", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 90, 9 * time.Millisecond},
		{"a tiny p is the min", hundred, 0.001, 1 * time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Percentile(c.sorted, c.p); got != c.want {
				t.Errorf("Percentile(p%v) = %v, want %v", c.p, got, c.want)
			}
		})
	}
}

func TestStatsCountErrorsButTimeOnlySuccesses(t *testing.T) {
	s := stats("op", ms(4, 1, 3, 2), 2, 2*time.Second)
	if s.Count != 6 || s.Errors != 2 || s.Throughput != 3 {
		t.Errorf("count %d errors %d throughput %v, want 6, 2, 3/s", s.Count, s.Errors, s.Throughput)
	}
	if s.P50 != Millis(2*time.Millisecond) || s.Max != Millis(4*time.Millisecond) {
		t.Errorf("p50 %v max %v, want 2 ms and 4 ms", s.P50, s.Max)
	}
}

func TestParseTargetRefusesOtherMachines(t *testing.T) {
	cases := []struct {
		url    string
		remote bool
		ok     bool
	}{
		{"http://127.0.0.1:8080", false, true},
		{"http://127.8.9.10:8080", false, true},
		{"http://localhost:8080/", false, true},
		{"https://LOCALHOST", false, true},
		{"http://[::1]:8080", false, true},
		{"http://[::ffff:127.0.0.1]:8080", false, true},
		{"http://192.168.1.20:8080", false, false},
		{"http://10.0.0.1", false, false},
		{"http://0.0.0.0:8080", false, false},
		{"http://[::]:8080", false, false},
		{"http://example.com", false, false},
		{"http://localhost.example.com", false, false},
		{"http://127.0.0.1.nip.io", false, false},
		{"http://example.com", true, true},
		{"ftp://127.0.0.1", false, false},
		{"127.0.0.1:8080", false, false},
		{"http://", true, false},
	}
	for _, c := range cases {
		_, err := ParseTarget(c.url, c.remote)
		if (err == nil) != c.ok {
			t.Errorf("ParseTarget(%q, allowRemote=%v) = %v, want ok=%v", c.url, c.remote, err, c.ok)
		}
	}
}

func TestOptionsMustBeBounded(t *testing.T) {
	cases := []struct {
		o  Options
		ok bool
	}{
		{Options{Concurrency: 1, Duration: time.Second}, true},
		{Options{Concurrency: 1, Operations: 10}, true},
		{Options{Concurrency: 1}, false},
		{Options{Concurrency: 0, Duration: time.Second}, false},
		{Options{Concurrency: 1, Duration: -time.Second, Operations: 10}, false},
	}
	for _, c := range cases {
		if err := c.o.Check(); (err == nil) != c.ok {
			t.Errorf("%+v: Check() = %v, want ok=%v", c.o, err, c.ok)
		}
	}
}

func TestMixFollowsTheWeights(t *testing.T) {
	m := newMix([]int{1, 0, 8}) // 0 counts as 1
	rng := rand.New(rand.NewPCG(1, 2))
	n := make([]int, 3)
	for range 10000 {
		n[m.pick(rng)]++
	}
	if n[2] < 7600 || n[2] > 8400 || n[0] < 800 || n[0] > 1200 || n[1] < 800 || n[1] > 1200 {
		t.Errorf("picks %v, want about 1000, 1000, 8000", n)
	}
}

func TestParseVmRSS(t *testing.T) {
	status := "Name:\tguichet\nVmPeak:\t 1300000 kB\nVmRSS:\t   24576 kB\nRssAnon:\t 12000 kB\n"
	if n, err := parseVmRSS(strings.NewReader(status)); err != nil || n != 24576*1024 {
		t.Errorf("parseVmRSS = %d, %v; want %d", n, err, 24576*1024)
	}
	if _, err := parseVmRSS(strings.NewReader("Name:\tkthreadd\n")); !errors.Is(err, errNoRSS) {
		t.Errorf("a kernel thread's status gave %v, want errNoRSS", err)
	}
}

func TestParseMetricsRSS(t *testing.T) {
	page := "# HELP process_resident_memory_bytes Resident memory size in bytes.\n" +
		"# TYPE process_resident_memory_bytes gauge\n" +
		"process_resident_memory_bytes_other 1\n" +
		"process_resident_memory_bytes 2.5165824e+07\n"
	if n, err := parseMetricsRSS(strings.NewReader(page)); err != nil || n != 25165824 {
		t.Errorf("parseMetricsRSS = %d, %v; want 25165824", n, err)
	}
	if _, err := parseMetricsRSS(strings.NewReader("go_goroutines 8\n")); !errors.Is(err, errNoRSS) {
		t.Errorf("a page without the metric gave %v, want errNoRSS", err)
	}
}

// TestRunStopsAtTheRequestCount runs a mix against a test server that fails one
// path, and checks the counts add up.
func TestRunStopsAtTheRequestCount(t *testing.T) {
	var served atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		if r.Header.Get("Authorization") != "Bearer s3cret" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.URL.Path == "/broken" {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer ts.Close()
	base, _ := url.Parse(ts.URL)
	c := NewClient(base, 4, time.Second)
	c.SetToken("s3cret")
	rep, err := Run(context.Background(), c, []Operation{Get("/ok"), Get("/broken")},
		Options{Concurrency: 4, Operations: 500})
	if err != nil {
		t.Fatal(err)
	}
	if served.Load() != 500 || rep.Total.Count != 500 {
		t.Fatalf("served %d, report counts %d; want 500", served.Load(), rep.Total.Count)
	}
	ok, broken := rep.Operations[0], rep.Operations[1]
	if ok.Errors != 0 || broken.Errors != broken.Count || ok.Count+broken.Count != 500 {
		t.Errorf("ok %d/%d errors, broken %d/%d errors", ok.Errors, ok.Count, broken.Errors, broken.Count)
	}
	if len(broken.ErrorSamples) != 1 || !strings.Contains(broken.ErrorSamples[0], "500") {
		t.Errorf("error samples %q", broken.ErrorSamples)
	}
	if ok.P50 <= 0 || ok.Max < ok.P99 || ok.P99 < ok.P95 || ok.P95 < ok.P50 {
		t.Errorf("latencies out of order: %+v", ok)
	}
}

func TestParseMix(t *testing.T) {
	all, err := ParseMix("")
	if err != nil || len(all) != len(SessionOps) {
		t.Errorf("the empty mix is %d operations, %v; want the default mix", len(all), err)
	}
	ops, err := ParseMix("create=1")
	if err != nil || len(ops) != 1 || ops[0].Name != "create" || ops[0].Weight != 1 || ops[0].do == nil {
		t.Errorf("create=1 gave %+v, %v", ops, err)
	}
	ops, err = ParseMix(" queue=5, agent-read=2")
	if err != nil || len(ops) != 2 || ops[0].Weight != 5 || ops[1].Name != "agent-read" {
		t.Errorf("queue=5,agent-read=2 gave %+v, %v", ops, err)
	}
	for _, bad := range []string{"create", "create=0", "create=-1", "create=x", "fly=1", "create=1,create=2", "create=1,"} {
		if _, err := ParseMix(bad); err == nil {
			t.Errorf("ParseMix(%q) accepted it", bad)
		}
	}
}

func TestEveryOperationHasAnAccountOfItsRole(t *testing.T) {
	roles := map[Role]bool{}
	for _, a := range DemoAccounts {
		roles[a.Role] = true
		if a.Role == ClientRole {
			roles[ReaderRole] = true // a client also reads
		}
	}
	for _, op := range SessionOps {
		if !roles[op.role()] {
			t.Errorf("%s needs a %s and the demo accounts have none", op.Name, op.role())
		}
	}
}

func TestShareGivesEachTicketToOneWorker(t *testing.T) {
	shares := share([]int64{1, 2, 3, 4, 5, 6, 7}, 3)
	want := [][]int64{{1, 4, 7}, {2, 5}, {3, 6}}
	for i := range want {
		if !slices.Equal(shares[i], want[i]) {
			t.Errorf("share %d is %v, want %v", i, shares[i], want[i])
		}
	}
}

func TestPIDListeningFindsThisProcess(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	if pid, err := PIDListening(port); err != nil || pid != os.Getpid() {
		t.Errorf("PIDListening(%d) = %d, %v; want %d", port, pid, err, os.Getpid())
	}
	ln.Close()
	if _, err := PIDListening(port); err == nil {
		t.Errorf("a closed port still has a listener")
	}
}

func TestWatchKeepsTheLargestFigure(t *testing.T) {
	var n atomic.Int64
	probe := MemoryProbe{Read: func(context.Context) (int64, error) { return 10 * n.Add(1), nil }}
	stop := probe.Watch(context.Background(), time.Millisecond)
	for n.Load() < 3 {
		time.Sleep(time.Millisecond)
	}
	if peak := stop(); peak < 30 || peak > 10*n.Load() {
		t.Errorf("peak %d after %d reads", peak, n.Load())
	}
}

func TestTrimQueryNamesTheKindOfPath(t *testing.T) {
	if got := trimQuery("/api/v1/tickets/4812/comments?limit=50"); got != "/api/v1/tickets/{id}/comments" {
		t.Errorf("trimQuery = %q", got)
	}
}

func TestParseProcessTicks(t *testing.T) {
	// A command name with a space and a parenthesis; utime 1234, stime 56.
	stat := "4242 (guichet (x) y) S 1 4242 4242 0 -1 4194560 900 0 0 0 1234 56 0 0 20 0 9 0 100 2000000 3000"
	if n, err := parseProcessTicks(stat); err != nil || n != 1290 {
		t.Errorf("parseProcessTicks = %d, %v; want 1290", n, err)
	}
	for _, bad := range []string{"", "4242 (guichet) S 1 2", "4242 (guichet) S 1 4242 4242 0 -1 0 0 0 0 0 x 56 0"} {
		if _, err := parseProcessTicks(bad); err == nil {
			t.Errorf("parseProcessTicks(%q) took it", bad)
		}
	}
}

func TestParseMachineTicks(t *testing.T) {
	// user nice system idle iowait irq softirq steal guest guest_nice
	stat := "cpu  100 5 50 800 20 3 2 10 40 0\ncpu0 50 2 25 400 10 1 1 5 20 0\ncpu1 50 3 25 400 10 2 1 5 20 0\n" +
		"intr 1 2 3\nctxt 42\n"
	busy, total, cores, err := parseMachineTicks(stat)
	if err != nil || busy != 170 || total != 990 || cores != 2 {
		t.Errorf("parseMachineTicks = %d, %d, %d cores, %v; want 170 busy of 990, 2 cores", busy, total, cores, err)
	}
	if _, _, _, err := parseMachineTicks("intr 1 2 3\n"); err == nil {
		t.Error("a stat without its cpu line was taken")
	}
}

func TestCPUOfThisProcess(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	s0, err := ReadCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	// Work until /proc counts a fifth of a second more for this process.
	var c *CPU
	for give := time.Now().Add(20 * time.Second); ; {
		s1, err := ReadCPU(os.Getpid())
		if err != nil {
			t.Fatal(err)
		}
		if c = s1.Since(s0, 4); c.ServerSeconds >= 0.2 {
			break
		}
		if time.Now().After(give) {
			t.Fatalf("%+v after 20 s of work, want at least 0.2 s of this process", c)
		}
		for end := time.Now().Add(10 * time.Millisecond); time.Now().Before(end); {
		}
	}
	if c.ServerPerOperation != 1000*c.ServerSeconds/4 {
		t.Errorf("%+v: want a quarter of the time per operation, in ms", c)
	}
	if c.ServerCores <= 0 || c.MachineBusy <= 0 || c.MachineBusy > 1 || c.Cores < runtime.NumCPU() {
		t.Errorf("%+v: want a share of cores, a busy share of the machine in (0, 1], at least the cores this process may use", c)
	}
}
