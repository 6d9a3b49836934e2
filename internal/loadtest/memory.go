package loadtest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// A MemoryProbe reads the server's resident memory, in bytes.
type MemoryProbe struct {
	// Source says where the figure comes from, for the report.
	Source string
	Read   func(ctx context.Context) (int64, error)
}

// ProcRSS reads the resident memory of process pid from /proc/PID/status (Linux).
func ProcRSS(pid int) MemoryProbe {
	path := fmt.Sprintf("/proc/%d/status", pid)
	return MemoryProbe{Source: path + " VmRSS", Read: func(context.Context) (int64, error) {
		f, err := os.Open(path)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		return parseVmRSS(f)
	}}
}

// parseVmRSS finds the line "VmRSS:   12345 kB" of a /proc status file.
func parseVmRSS(r io.Reader) (int64, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:")
		if !ok {
			continue
		}
		kb, ok := strings.CutSuffix(strings.TrimSpace(rest), " kB")
		n, err := strconv.ParseInt(strings.TrimSpace(kb), 10, 64)
		if !ok || err != nil {
			return 0, fmt.Errorf("unreadable VmRSS line %q", sc.Text())
		}
		return n * 1024, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errNoRSS
}

// MetricsRSS reads process_resident_memory_bytes from a Prometheus page such as
// Guichet's /metrics, through c (without its credentials).
func MetricsRSS(c *Client, metricsURL string) MemoryProbe {
	return MemoryProbe{Source: metricsURL + " process_resident_memory_bytes", Read: func(ctx context.Context) (int64, error) {
		req, err := http.NewRequestWithContext(ctx, "GET", metricsURL, nil)
		if err != nil {
			return 0, err
		}
		res, err := c.http.Do(req)
		if err != nil {
			return 0, err
		}
		defer drain(res)
		if res.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("GET %s: %s", metricsURL, res.Status)
		}
		return parseMetricsRSS(res.Body)
	}}
}

// parseMetricsRSS finds the sample "process_resident_memory_bytes 2.5e+07" in
// the Prometheus text format.
func parseMetricsRSS(r io.Reader) (int64, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || fields[0] != "process_resident_memory_bytes" {
			continue
		}
		v, err := strconv.ParseFloat(fields[1], 64)
		if err != nil {
			return 0, fmt.Errorf("unreadable sample %q", sc.Text())
		}
		return int64(v), nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errNoRSS
}

// Watch reads the probe every interval until the returned stop is called, which
// returns the largest figure read (0 when none could be read).
func (p MemoryProbe) Watch(ctx context.Context, every time.Duration) (stop func() int64) {
	var (
		peak int64
		done = make(chan struct{})
		out  = make(chan int64)
	)
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			if n, err := p.Read(ctx); err == nil {
				peak = max(peak, n)
			}
			select {
			case <-done:
				out <- peak
				return
			case <-ctx.Done():
				<-done
				out <- peak
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 {
		close(done)
		return <-out
	}
}

// PIDListening finds the process that listens on TCP port of this machine, from
// /proc (Linux): the socket's inode in /proc/net/tcp and tcp6, then the process
// holding it among /proc/PID/fd. It needs the right to read the other process's
// descriptors (the same user, or root).
func PIDListening(port int) (int, error) {
	inodes := map[string]bool{}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			fields := strings.Fields(line)
			if len(fields) < 10 || fields[3] != "0A" { // 0A: LISTEN
				continue
			}
			_, hexPort, _ := strings.Cut(fields[1], ":")
			if p, err := strconv.ParseUint(hexPort, 16, 16); err == nil && int(p) == port {
				inodes["socket:["+fields[9]+"]"] = true
			}
		}
	}
	if len(inodes) == 0 {
		return 0, fmt.Errorf("no process of this machine listens on port %d", port)
	}
	fds, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range fds {
		if link, err := os.Readlink(fd); err == nil && inodes[link] {
			pid, err := strconv.Atoi(strings.Split(fd, "/")[2])
			if err == nil {
				return pid, nil
			}
		}
	}
	return 0, fmt.Errorf("the process listening on port %d is not readable here (give --pid)", port)
}
