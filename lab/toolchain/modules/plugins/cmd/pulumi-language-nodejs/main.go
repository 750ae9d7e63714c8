// pulumi-language-nodejs for the lab: a small Node.js language host written for this project.
//
// The upstream host (module github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) is not
// served by the Go module proxy this project builds from, so this one speaks the same LanguageRuntime
// protocol (sdk/v3's pulumirpc) for the calls `pulumi preview`, `up`, `destroy` and policy packs make:
// it runs the program with the @pulumi/pulumi SDK's own entry point (cmd/run) and policy packs with
// cmd/run-policy-pack, resolved from the program's node_modules, exactly as the SDK expects to be run.
// Not implemented (the engine falls back or the command reports it): code generation, `pulumi new`
// templating, `pulumi install` (run npm yourself).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// Set by the build (-X main.version=...).
var version = "0.0.0-dev"

// The exit code @pulumi/pulumi's cmd/run uses after it has already reported a user-facing error.
const exitAfterReportedError = 32

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
}

func main() {
	flag.String("tracing", "", "ignored: tracing endpoint")
	flag.String("root", "", "ignored: project root")
	// -logtostderr and -v are glog's, registered by the SDK's logging package.
	flag.Parse()
	h := &host{}
	if args := flag.Args(); len(args) > 0 {
		h.engineAddress = args[len(args)-1]
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
	// The engine reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
}

func (h *host) Handshake(_ context.Context, req *pulumirpc.LanguageHandshakeRequest) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

// packageJSON is the part of a package.json this host reads.
type packageJSON struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Pulumi  *struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
	Dependencies    map[string]string `json:"dependencies"`
	DevDependencies map[string]string `json:"devDependencies"`
}

func readPackageJSON(path string) (*packageJSON, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p packageJSON
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &p, nil
}

// nodeModules finds the node_modules directory serving dir (dir or its nearest ancestor that has one).
func nodeModules(dir string) (string, error) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		nm := filepath.Join(d, "node_modules")
		if st, err := os.Stat(nm); err == nil && st.IsDir() {
			return nm, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no node_modules found from %s upwards: run `npm ci` first", dir)
		}
		d = parent
	}
}

// installedPackages lists the packages directly under node_modules (scoped ones included).
func installedPackages(nm string) ([]string, error) {
	entries, err := os.ReadDir(nm)
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		if strings.HasPrefix(name, "@") {
			scoped, err := os.ReadDir(filepath.Join(nm, name))
			if err != nil {
				continue
			}
			for _, s := range scoped {
				dirs = append(dirs, filepath.Join(nm, name, s.Name()))
			}
			continue
		}
		dirs = append(dirs, filepath.Join(nm, name))
	}
	sort.Strings(dirs)
	return dirs, nil
}

// GetRequiredPackages reports every installed npm package that declares a resource plugin
// ("pulumi": {"resource": true, ...} in its package.json), as the SDK packages do.
func (h *host) GetRequiredPackages(_ context.Context, req *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	nm, err := nodeModules(req.GetInfo().GetProgramDirectory())
	if err != nil {
		return nil, status.Error(codes.FailedPrecondition, err.Error())
	}
	dirs, err := installedPackages(nm)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []*pulumirpc.PackageDependency
	for _, d := range dirs {
		p, err := readPackageJSON(filepath.Join(d, "package.json"))
		if err != nil || p.Pulumi == nil || !p.Pulumi.Resource {
			continue
		}
		name := p.Pulumi.Name
		if name == "" {
			name = strings.TrimPrefix(filepath.Base(d), "pulumi-")
		}
		v := p.Pulumi.Version
		if v == "" {
			v = p.Version
		}
		if seen[name+"@"+v] {
			continue
		}
		seen[name+"@"+v] = true
		out = append(out, &pulumirpc.PackageDependency{Name: name, Kind: "resource", Version: v, Server: p.Pulumi.Server})
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: out}, nil
}

func (h *host) GetProgramDependencies(_ context.Context, req *pulumirpc.GetProgramDependenciesRequest) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := req.GetInfo().GetProgramDirectory()
	p, err := readPackageJSON(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil, err
	}
	nm, err := nodeModules(dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(p.Dependencies)+len(p.DevDependencies))
	for n := range p.Dependencies {
		names = append(names, n)
	}
	if req.GetTransitiveDependencies() {
		for n := range p.DevDependencies {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var deps []*pulumirpc.DependencyInfo
	for _, n := range names {
		dp, err := readPackageJSON(filepath.Join(nm, n, "package.json"))
		if err != nil {
			continue
		}
		deps = append(deps, &pulumirpc.DependencyInfo{Name: n, Version: dp.Version})
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

func (h *host) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	out, err := exec.Command("node", "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("node not found on PATH: %w", err)
	}
	return &pulumirpc.AboutResponse{Executable: "node", Version: strings.TrimPrefix(strings.TrimSpace(string(out)), "v")}, nil
}

// sdkEntry finds @pulumi/pulumi's cmd/<name> for the program in dir.
func sdkEntry(dir, name string) (string, error) {
	nm, err := nodeModules(dir)
	if err != nil {
		return "", err
	}
	p := filepath.Join(nm, "@pulumi", "pulumi", "cmd", name)
	if _, err := os.Stat(filepath.Join(p, "index.js")); err != nil {
		return "", fmt.Errorf("@pulumi/pulumi is not installed for %s (no %s): run `npm ci`", dir, p)
	}
	return p, nil
}

func option(info *pulumirpc.ProgramInfo, key string) (any, bool) {
	if info.GetOptions() == nil {
		return nil, false
	}
	v, ok := info.GetOptions().AsMap()[key]
	return v, ok
}

// nodeEnv is the environment @pulumi/pulumi's cmd/run reads: config, secret keys and TypeScript options.
func nodeEnv(info *pulumirpc.ProgramInfo, config map[string]string, secretKeys []string) ([]string, error) {
	env := os.Environ()
	if config != nil {
		b, err := json.Marshal(config)
		if err != nil {
			return nil, err
		}
		env = append(env, "PULUMI_CONFIG="+string(b))
	}
	if secretKeys != nil {
		b, err := json.Marshal(secretKeys)
		if err != nil {
			return nil, err
		}
		env = append(env, "PULUMI_CONFIG_SECRET_KEYS="+string(b))
	}
	typescript := true
	if v, ok := option(info, "typescript"); ok {
		if b, isBool := v.(bool); isBool {
			typescript = b
		}
	}
	env = append(env, "PULUMI_NODEJS_TYPESCRIPT="+strconv.FormatBool(typescript))
	if v, ok := option(info, "tsconfig"); ok {
		if s, isString := v.(string); isString && s != "" {
			env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+s)
		}
	}
	return env, nil
}

func nodeArgs(info *pulumirpc.ProgramInfo) []string {
	if v, ok := option(info, "nodeargs"); ok {
		if s, isString := v.(string); isString {
			return strings.Fields(s)
		}
	}
	return nil
}

func exitCode(err error) (int, bool) {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()), true
		}
		return ee.ExitCode(), true
	}
	return 0, false
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	dir := info.GetProgramDirectory()
	if dir == "" {
		dir = req.GetPwd()
	}
	runPath, err := sdkEntry(dir, "run")
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	entry := info.GetEntryPoint()
	if entry == "" {
		entry = req.GetProgram()
	}
	if entry == "" {
		entry = "."
	}
	args := append(nodeArgs(info), runPath)
	if req.GetOrganization() != "" {
		args = append(args, "--organization="+req.GetOrganization())
	}
	args = append(args,
		"--monitor="+req.GetMonitorAddress(),
		"--engine="+h.engineAddress,
		"--project="+req.GetProject(),
		"--stack="+req.GetStack(),
		"--pwd="+req.GetPwd(),
	)
	if info.GetRootDirectory() != "" {
		args = append(args, "--root-directory="+info.GetRootDirectory())
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if req.GetParallel() > 0 {
		args = append(args, "--parallel="+strconv.Itoa(int(req.GetParallel())))
	}
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	env, err := nodeEnv(info, req.GetConfig(), req.GetConfigSecretKeys())
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = req.GetPwd()
	cmd.Env = env
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	err = cmd.Run()
	if err == nil {
		return &pulumirpc.RunResponse{}, nil
	}
	if code, ok := exitCode(err); ok {
		if code == exitAfterReportedError {
			return &pulumirpc.RunResponse{Bail: true}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", code)}, nil
	}
	return &pulumirpc.RunResponse{Error: fmt.Sprintf("Problem executing program (could not run language executor): %v", err)}, nil
}

// streamWriter forwards a child's output to the engine as RunPlugin messages.
type streamWriter struct {
	send   func(*pulumirpc.RunPluginResponse) error
	stderr bool
}

func (w streamWriter) Write(p []byte) (int, error) {
	b := append([]byte(nil), p...)
	var msg *pulumirpc.RunPluginResponse
	if w.stderr {
		msg = &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}}
	} else {
		msg = &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}}
	}
	if err := w.send(msg); err != nil {
		return 0, err
	}
	return len(p), nil
}

// RunPlugin runs a plugin written in Node.js; the engine uses it for policy packs (kind "analyzer").
func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, srv grpc.ServerStreamingServer[pulumirpc.RunPluginResponse]) error {
	info := req.GetInfo()
	dir := info.GetProgramDirectory()
	var entry string
	switch req.GetKind() {
	case "analyzer":
		e, err := sdkEntry(dir, "run-policy-pack")
		if err != nil {
			return err
		}
		entry = e
	case "resource", "":
		e, err := sdkEntry(dir, "run-plugin")
		if err != nil {
			return err
		}
		entry = e
	default:
		return status.Errorf(codes.Unimplemented, "plugins of kind %q are not supported by this language host", req.GetKind())
	}
	args := append(nodeArgs(info), entry)
	args = append(args, req.GetArgs()...)
	args = append(args, dir)
	env := append(os.Environ(), req.GetEnv()...)
	typescript := true
	if v, ok := option(info, "typescript"); ok {
		if b, isBool := v.(bool); isBool {
			typescript = b
		}
	}
	env = append(env, "PULUMI_NODEJS_TYPESCRIPT="+strconv.FormatBool(typescript))

	cmd := exec.CommandContext(srv.Context(), "node", args...)
	cmd.Dir = dir
	cmd.Env = env
	send := func(m *pulumirpc.RunPluginResponse) error { return srv.Send(m) }
	var mu = make(chan struct{}, 1)
	locked := func(m *pulumirpc.RunPluginResponse) error {
		mu <- struct{}{}
		defer func() { <-mu }()
		return send(m)
	}
	cmd.Stdout = streamWriter{send: locked}
	cmd.Stderr = streamWriter{send: locked, stderr: true}
	err := cmd.Run()
	code := 0
	if err != nil {
		c, ok := exitCode(err)
		if !ok {
			return err
		}
		code = c
	}
	return locked(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(code)}})
}

var _ io.Writer = streamWriter{}
