package devtemporal

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"
)

// checkPortFree reports a clear error when ip:port cannot be listened on.
// purpose names what the port is for, e.g. "the Temporal UI".
func checkPortFree(ip string, port int, purpose string) error {
	l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("port %d for %s is in use", port, purpose)
		}
		return fmt.Errorf("cannot listen on port %d for %s: %w", port, purpose, err)
	}
	return l.Close()
}

// portPicker hands out free ports. It keeps each picked port bound until
// release so that it cannot hand out the same port twice.
type portPicker struct {
	held []net.Listener
}

func (p *portPicker) pick(ip string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		return 0, fmt.Errorf("picking a free port on %s: %w", ip, err)
	}
	p.held = append(p.held, l)
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (p *portPicker) release() {
	for _, l := range p.held {
		l.Close()
	}
	p.held = nil
}

// dialableIP turns a wildcard bind address into one a client can dial.
func dialableIP(ip string) string {
	if parsed := net.ParseIP(ip); parsed != nil && parsed.IsUnspecified() {
		if parsed.To4() != nil {
			return "127.0.0.1"
		}
		return "::1"
	}
	return ip
}
