package awstest

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrMotoMissing is returned by Start when python3 or moto cannot be run.
var ErrMotoMissing = errors.New("the local AWS double needs moto: python3 with moto installed (pip install 'moto[server]==5.2.1')")

// motoProcess is a moto server owned by the double.
type motoProcess struct {
	cmd  *exec.Cmd
	url  string
	logs *tailBuffer
	done chan struct{}
	// lifeline is moto's standard input, held open while the double runs:
	// moto_route53.py exits when it reads end of file, so moto ends with
	// the process that started it on every platform, however that ends.
	lifeline *os.File
}

// motoRoute53Script runs moto's server with its Route 53 change journal
// indexed (moto scans the whole journal for every change of a batch, which
// makes large zones take tens of seconds a batch); moto's answers are the same.
//
//go:embed moto_route53.py
var motoRoute53Script string

// startMoto runs moto's server (moto_route53.py) on a free loopback port and
// waits until it answers.
func startMoto(ctx context.Context, python string) (*motoProcess, error) {
	if python == "" {
		python = "python3"
	}
	if _, err := exec.LookPath(python); err != nil {
		return nil, fmt.Errorf("%w: %s not found", ErrMotoMissing, python)
	}
	probe := exec.CommandContext(ctx, python, "-c", "import moto.server")
	if out, err := probe.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrMotoMissing, lastLine(string(out)))
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logs := &tailBuffer{max: 16 << 10}
	cmd := exec.Command(python, "-c", motoRoute53Script, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Stdout = logs
	cmd.Stderr = logs
	cmd.Env = append(os.Environ(), "MOTO_ALLOW_NONEXISTENT_REGION=true", "PYTHONUNBUFFERED=1")
	cmd.SysProcAttr = motoProcAttr()
	stdin, lifeline, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("starting moto: %w", err)
	}
	cmd.Stdin = stdin
	err = cmd.Start()
	stdin.Close()
	if err != nil {
		lifeline.Close()
		return nil, fmt.Errorf("starting moto: %w", err)
	}
	m := &motoProcess{cmd: cmd, url: fmt.Sprintf("http://127.0.0.1:%d", port), logs: logs, done: make(chan struct{}), lifeline: lifeline}
	go func() { _ = cmd.Wait(); close(m.done) }()

	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-m.done:
			return nil, fmt.Errorf("moto exited while starting: %s", lastLine(logs.String()))
		case <-ctx.Done():
			m.stop()
			return nil, ctx.Err()
		default:
		}
		resp, err := http.Get(m.url + "/moto-api/")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return m, nil
			}
		}
		if time.Now().After(deadline) {
			m.stop()
			return nil, fmt.Errorf("moto did not answer within 60s: %s", lastLine(logs.String()))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// reset empties every moto backend.
func (m *motoProcess) reset(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.url+"/moto-api/reset", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("resetting moto: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("resetting moto: HTTP %d", resp.StatusCode)
	}
	return nil
}

// stop ends moto: it asks (terminateMoto), and after 3 seconds it kills
// (killMoto). How is per platform: moto_unix.go, moto_other.go.
func (m *motoProcess) stop() {
	if m.cmd.Process == nil {
		return
	}
	m.lifeline.Close()
	terminateMoto(m.cmd.Process)
	select {
	case <-m.done:
	case <-time.After(3 * time.Second):
		killMoto(m.cmd.Process)
		<-m.done
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// tailBuffer keeps the last max bytes written to it, for error messages.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = t.buf[len(t.buf)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
