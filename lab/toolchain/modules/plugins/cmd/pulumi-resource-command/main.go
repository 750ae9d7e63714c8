// pulumi-resource-command for the lab: command:remote:Command over SSH with the inputs, defaults,
// checks, replace rules (triggers replace; other changes run `update`, or `create` when no update
// is given) and outputs (stdout, stderr) of pulumi-command 1.x. Commands run through
// golang.org/x/crypto/ssh with a private key, a password or an SSH agent; host keys are not
// verified (as upstream). Not implemented: proxy (jump) hosts, command:local, CopyToRemote, and
// streaming a command's output into the engine's log (the `logging` input is accepted and
// ignored). The upstream provider (github.com/pulumi/pulumi-command/provider) is not served by
// the Go module proxy; see lab/toolchain/README.md.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"hacluster.lab/toolchain/plugins/internal/standin"
)

var version = "1.2.1"

var connectionFields = []string{"host", "port", "user", "password", "privateKey", "privateKeyPassword",
	"agentSocketPath", "dialErrorLimit", "perDialTimeout", "proxy", "hostKey"}

func check(m resource.PropertyMap, f *standin.Failures) resource.PropertyMap {
	out := m.Copy()
	if !standin.Present(m, "connection") {
		f.Add("connection", "Missing required argument connection")
	}
	if c, ok := standin.Object(m, "connection", f); ok {
		for k := range c {
			found := false
			for _, known := range connectionFields {
				found = found || string(k) == known
			}
			if !found {
				f.Add("connection."+string(k), "%s is not a connection field", k)
			}
		}
		if !standin.Present(c, "host") {
			f.Add("connection.host", "Missing required argument connection.host")
		}
		standin.String(c, "host", f)
		standin.String(c, "user", f)
		if p, ok := standin.Int(c, "port", f); ok && (p < 1 || p > 65535) {
			f.Add("connection.port", "port must be 1-65535, got %d", p)
		}
		standin.Int(c, "dialErrorLimit", f)
		standin.Int(c, "perDialTimeout", f)
		if standin.Present(c, "password") && !standin.Unknown(c, "password") {
			standin.String(c, "password", f)
		}
	}
	for _, k := range []string{"create", "update", "delete", "stdin"} {
		standin.String(m, k, f)
	}
	if l, ok := standin.String(m, "logging", f); ok {
		switch l {
		case "stdout", "stderr", "stdoutAndStderr", "none":
		default:
			f.Add("logging", "logging must be one of stdout, stderr, stdoutAndStderr, none, got %q", l)
		}
	}
	if env, ok := standin.Object(m, "environment", f); ok {
		for k := range env {
			standin.String(env, string(k), f)
		}
	}
	standin.Bool(m, "addPreviousOutputInEnv", true, f)
	standin.Default(out, "addPreviousOutputInEnv", resource.NewBoolProperty(true))
	return out
}

type conn struct {
	host, user, password, key, keyPassword, agentSocket string
	port, dialLimit, perDial                            int
}

func connectionOf(in resource.PropertyMap) (conn, error) {
	var f standin.Failures
	c := conn{port: 22, user: "root", dialLimit: 10, perDial: 15}
	m, _ := standin.Object(in, "connection", &f)
	if standin.Present(m, "proxy") {
		return c, fmt.Errorf("connection.proxy is not supported by the lab's stand-in command provider")
	}
	c.host, _ = standin.String(m, "host", &f)
	if u, ok := standin.String(m, "user", &f); ok {
		c.user = u
	}
	if p, ok := standin.Int(m, "port", &f); ok {
		c.port = p
	}
	if n, ok := standin.Int(m, "dialErrorLimit", &f); ok {
		c.dialLimit = n
	}
	if n, ok := standin.Int(m, "perDialTimeout", &f); ok {
		c.perDial = n
	}
	c.password, _ = standin.String(m, "password", &f)
	c.key, _ = standin.String(m, "privateKey", &f)
	c.keyPassword, _ = standin.String(m, "privateKeyPassword", &f)
	c.agentSocket, _ = standin.String(m, "agentSocketPath", &f)
	return c, nil
}

func (c conn) dial(ctx context.Context) (*ssh.Client, error) {
	var auth []ssh.AuthMethod
	if c.key != "" {
		var signer ssh.Signer
		var err error
		if c.keyPassword != "" {
			signer, err = ssh.ParsePrivateKeyWithPassphrase([]byte(c.key), []byte(c.keyPassword))
		} else {
			signer, err = ssh.ParsePrivateKey([]byte(c.key))
		}
		if err != nil {
			return nil, fmt.Errorf("connection.privateKey: %w", err)
		}
		auth = append(auth, ssh.PublicKeys(signer))
	}
	if c.agentSocket != "" {
		sock, err := net.Dial("unix", c.agentSocket)
		if err != nil {
			return nil, fmt.Errorf("connection.agentSocketPath: %w", err)
		}
		auth = append(auth, ssh.PublicKeysCallback(agent.NewClient(sock).Signers))
	}
	if c.password != "" {
		auth = append(auth, ssh.Password(c.password))
	}
	if len(auth) == 0 {
		return nil, fmt.Errorf("connection to %s has no privateKey, agentSocketPath or password", c.host)
	}
	cfg := &ssh.ClientConfig{
		User: c.user, Auth: auth,
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), //nolint:gosec // upstream pulumi-command does not verify host keys either
		Timeout:         time.Duration(c.perDial) * time.Second,
	}
	addr := net.JoinHostPort(c.host, fmt.Sprint(c.port))
	var lastErr error
	for attempt := 1; c.dialLimit < 0 || attempt <= c.dialLimit; attempt++ {
		client, err := ssh.Dial("tcp", addr, cfg)
		if err == nil {
			return client, nil
		}
		lastErr = err
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Duration(min(attempt, 10)) * time.Second):
		}
	}
	return nil, fmt.Errorf("failed to dial %s after %d attempts: %w", addr, c.dialLimit, lastErr)
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'" }

// run executes one command on the connection's host with stdin and the environment.
func run(ctx context.Context, in resource.PropertyMap, script string, extraEnv map[string]string) (string, string, error) {
	c, err := connectionOf(in)
	if err != nil {
		return "", "", err
	}
	client, err := c.dial(ctx)
	if err != nil {
		return "", "", err
	}
	defer client.Close()
	session, err := client.NewSession()
	if err != nil {
		return "", "", err
	}
	defer session.Close()
	var f standin.Failures
	env := map[string]string{}
	if m, ok := standin.Object(in, "environment", &f); ok {
		for k := range m {
			env[string(k)], _ = standin.String(m, string(k), &f)
		}
	}
	for k, v := range extraEnv {
		env[k] = v
	}
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var prefix strings.Builder
	for _, k := range keys {
		// sshd refuses variables it does not AcceptEnv: export those in the command instead.
		if session.Setenv(k, env[k]) != nil {
			fmt.Fprintf(&prefix, "export %s=%s; ", k, shellQuote(env[k]))
		}
	}
	if stdin, ok := standin.String(in, "stdin", &f); ok {
		session.Stdin = strings.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	session.Stdout, session.Stderr = &stdout, &stderr
	done := make(chan error, 1)
	go func() { done <- session.Run(prefix.String() + script) }()
	select {
	case <-ctx.Done():
		_ = session.Signal(ssh.SIGTERM)
		return "", "", ctx.Err()
	case err = <-done:
	}
	out, errOut := strings.TrimSuffix(stdout.String(), "\n"), strings.TrimSuffix(stderr.String(), "\n")
	if err != nil {
		return out, errOut, fmt.Errorf("%w: running %q on %s:\n%s", err, firstLine(script), c.host, tail(errOut))
	}
	return out, errOut, nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}

func tail(s string) string {
	lines := strings.Split(s, "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return strings.Join(lines, "\n")
}

func outputs(stdout, stderr string) resource.PropertyMap {
	return resource.PropertyMap{"stdout": resource.NewStringProperty(stdout), "stderr": resource.NewStringProperty(stderr)}
}

func previousEnv(in, state resource.PropertyMap) map[string]string {
	var f standin.Failures
	if !standin.Bool(in, "addPreviousOutputInEnv", true, &f) {
		return nil
	}
	out, _ := standin.String(state, "stdout", &f)
	errOut, _ := standin.String(state, "stderr", &f)
	return map[string]string{"PULUMI_COMMAND_STDOUT": out, "PULUMI_COMMAND_STDERR": errOut}
}

func newID(name string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return name + hex.EncodeToString(b)
}

func main() {
	remoteCommand := &standin.Type{
		Token:           "command:remote:Command",
		Inputs:          []string{"connection", "environment", "triggers", "create", "delete", "update", "stdin", "logging", "addPreviousOutputInEnv"},
		Outputs:         []string{"stdout", "stderr"},
		SecretOutputs:   []string{"connection"},
		Check:           check,
		ReplaceOnChange: func(k string) bool { return k == "triggers" },
		Create: func(ctx context.Context, name string, in resource.PropertyMap) (string, resource.PropertyMap, error) {
			var f standin.Failures
			script, ok := standin.String(in, "create", &f)
			if !ok {
				return newID(name), outputs("", ""), nil
			}
			stdout, stderr, err := run(ctx, in, script, nil)
			if err != nil {
				return "", nil, err
			}
			return newID(name), outputs(stdout, stderr), nil
		},
		Update: func(ctx context.Context, _ string, olds, news resource.PropertyMap) (resource.PropertyMap, error) {
			var f standin.Failures
			script, ok := standin.String(news, "update", &f)
			if !ok {
				script, ok = standin.String(news, "create", &f)
			}
			if !ok {
				return outputs("", ""), nil
			}
			stdout, stderr, err := run(ctx, news, script, previousEnv(news, olds))
			if err != nil {
				return nil, err
			}
			return outputs(stdout, stderr), nil
		},
		Delete: func(ctx context.Context, _ string, state resource.PropertyMap) error {
			var f standin.Failures
			script, ok := standin.String(state, "delete", &f)
			if !ok {
				return nil
			}
			_, _, err := run(ctx, state, script, previousEnv(state, state))
			return err
		},
	}
	if len(os.Args) > 1 && os.Args[1] == "-version" {
		fmt.Println(version)
		return
	}
	standin.Serve("command", version, remoteCommand)
}
