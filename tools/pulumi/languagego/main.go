// pulumi-language-go: a small Go language host, so `runtime: go` stacks run on this machine.
// Pulumi's own host lives in a module the Go proxy here refuses
// (github.com/pulumi/pulumi/sdk/go/pulumi-language-go/v3), but what `pulumi up` needs from it is
// small: build the program with `go build` and run it with the engine's addresses and the stack's
// config in the environment variables the Go SDK reads (sdk/go/pulumi/run.go). It does not install
// dependencies, report program dependencies or generate code (those answer "unimplemented").
//
//	pulumi-language-go [-flags] <engine-address>
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

type goHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
}

func (h *goHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// The engine starts provider plugins when resources name them; a project lists local ones in Pulumi.yaml.
func (h *goHost) GetRequiredPlugins(context.Context, *pulumirpc.GetRequiredPluginsRequest) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *goHost) GetRequiredPackages(context.Context, *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

// Run builds the program (or takes the prebuilt `binary` runtime option) and runs it to completion.
func (h *goHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	dir := req.GetPwd()
	if info := req.GetInfo(); info != nil && info.GetProgramDirectory() != "" {
		dir = info.GetProgramDirectory()
	}
	binary := ""
	if options := req.GetInfo().GetOptions(); options != nil {
		if value, ok := options.AsMap()["binary"].(string); ok && value != "" {
			binary = value
			if !filepath.IsAbs(binary) {
				binary = filepath.Join(dir, binary)
			}
		}
	}
	if binary == "" {
		built, err := os.MkdirTemp("", "pulumi-go-program-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(built)
		binary = filepath.Join(built, "program")
		build := exec.CommandContext(ctx, "go", "build", "-o", binary, ".")
		build.Dir = dir
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("go build in %s failed: %v", dir, err)}, nil
		}
	}

	config, err := json.Marshal(req.GetConfig())
	if err != nil {
		return nil, err
	}
	secretKeys, err := json.Marshal(req.GetConfigSecretKeys())
	if err != nil {
		return nil, err
	}
	root := dir
	if info := req.GetInfo(); info != nil && info.GetRootDirectory() != "" {
		root = info.GetRootDirectory()
	}
	program := exec.CommandContext(ctx, binary, req.GetArgs()...)
	program.Dir = dir
	program.Stdout, program.Stderr = os.Stdout, os.Stderr
	program.Env = append(os.Environ(),
		"PULUMI_PROJECT="+req.GetProject(),
		"PULUMI_STACK="+req.GetStack(),
		"PULUMI_ORGANIZATION="+req.GetOrganization(),
		"PULUMI_ROOT_DIRECTORY="+root,
		"PULUMI_CONFIG="+string(config),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeys),
		"PULUMI_DRY_RUN="+strconv.FormatBool(req.GetDryRun()),
		"PULUMI_PARALLEL="+strconv.Itoa(int(req.GetParallel())),
		"PULUMI_MONITOR="+req.GetMonitorAddress(),
		"PULUMI_ENGINE="+h.engineAddress,
	)
	if err := program.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			// 32: the program reported its error to the engine already (the Go SDK's bail code).
			if exit.ExitCode() == 32 {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("the program exited with code %d", exit.ExitCode())}, nil
		}
		return nil, err
	}
	return &pulumirpc.RunResponse{}, nil
}

func main() {
	flags := flag.NewFlagSet("pulumi-language-go", flag.ContinueOnError)
	// Flags engines pass to language hosts; none changes what this host does.
	flags.String("tracing", "", "")
	flags.String("root", "", "")
	flags.String("binary", "", "")
	flags.String("buildTarget", "", "")
	if err := flags.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if flags.NArg() < 1 {
		fmt.Fprintln(os.Stderr, "usage: pulumi-language-go [-flags] <engine-address>")
		os.Exit(2)
	}
	host := &goHost{engineAddress: flags.Arg(0)}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(server *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(server, host)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-go: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-go: %v\n", err)
		os.Exit(1)
	}
}
