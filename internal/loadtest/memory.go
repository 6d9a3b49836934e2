package loadtest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
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
