package devserver

import (
	"fmt"
	"time"

	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/membership/static"
	"go.temporal.io/server/common/primitives"

	"github.com/sluice-dev/sluice/internal/freeport"
)

// servicePorts holds the ports of the Temporal services. Only the frontend
// gRPC port is chosen by the user; the others are free ports picked at start.
type servicePorts struct {
	grpc map[primitives.ServiceName]int
	// frontendHTTP serves the frontend HTTP API, which Nexus needs.
	frontendHTTP int
}

// allocateServicePorts picks ports for the frontend and the internal services.
func allocateServicePorts(opts Options) (servicePorts, error) {
	ports := servicePorts{grpc: map[primitives.ServiceName]int{
		primitives.FrontendService: opts.FrontendPort,
	}}
	for _, svc := range []primitives.ServiceName{
		primitives.HistoryService,
		primitives.MatchingService,
		primitives.WorkerService,
	} {
		port, err := freeport.On(opts.IP)
		if err != nil {
			return ports, fmt.Errorf("pick port for %s service: %w", svc, err)
		}
		ports.grpc[svc] = port
	}
	port, err := freeport.On(opts.IP)
	if err != nil {
		return ports, fmt.Errorf("pick port for frontend HTTP API: %w", err)
	}
	ports.frontendHTTP = port
	return ports, nil
}

// staticHosts tells each service where to find the others, replacing the
// gossip-based membership of a real cluster.
func (p servicePorts) staticHosts(ip string) map[primitives.ServiceName]static.Hosts {
	hosts := make(map[primitives.ServiceName]static.Hosts, len(p.grpc))
	for svc, port := range p.grpc {
		hosts[svc] = static.SingleLocalHost(hostPort(ip, port))
	}
	return hosts
}

// serverConfig builds the static Temporal server configuration.
func serverConfig(opts Options, sqlConf *config.SQL, ports servicePorts) *config.Config {
	var conf config.Config
	conf.Global.Membership.MaxJoinDuration = 30 * time.Second
	conf.Global.Membership.BroadcastAddress = opts.IP

	conf.Persistence.DefaultStore = sqlStoreName
	conf.Persistence.VisibilityStore = sqlStoreName
	conf.Persistence.NumHistoryShards = 1
	conf.Persistence.DataStores = map[string]config.DataStore{
		sqlStoreName: {SQL: sqlConf},
	}

	conf.ClusterMetadata = &cluster.Config{
		EnableGlobalNamespace:    false,
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			clusterName: {
				Enabled:                true,
				InitialFailoverVersion: 1,
				RPCAddress:             opts.frontendAddress(),
				HTTPAddress:            hostPort(opts.IP, ports.frontendHTTP),
			},
		},
	}
	conf.DCRedirectionPolicy.Policy = "noop"

	conf.Services = make(map[string]config.Service, len(ports.grpc))
	for svc, port := range ports.grpc {
		var s config.Service
		s.RPC.GRPCPort = port
		s.RPC.BindOnIP = opts.IP
		if svc == primitives.FrontendService {
			s.RPC.HTTPPort = ports.frontendHTTP
		}
		conf.Services[string(svc)] = s
	}

	conf.Archival.History.State = "disabled"
	conf.Archival.Visibility.State = "disabled"
	conf.NamespaceDefaults.Archival.History.State = "disabled"
	conf.NamespaceDefaults.Archival.Visibility.State = "disabled"
	conf.PublicClient.HostPort = opts.frontendAddress()
	return &conf
}

// dynamicConfig returns dynamic config values suited to a single-user
// development server.
func dynamicConfig() dynamicconfig.StaticClient {
	return dynamicconfig.StaticClient{
		// Make new search attributes and Nexus endpoints visible at once
		// instead of after a cache refresh.
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key(): true,
		dynamicconfig.ForceNexusEndpointRefreshOnRead.Key():         true,
		// Bypassing the caches costs persistence queries, so raise the limits.
		dynamicconfig.FrontendPersistenceMaxQPS.Key(): 10000,
		dynamicconfig.HistoryPersistenceMaxQPS.Key():  45000,
		// Cache the mutable state of only the few hundred workflows a
		// single-user server works on at once: every task run reported to
		// /log/task is a workflow, and at 8096 entries (kept an hour) the
		// cache grew the process's Go heap by about 20 KiB per run for the
		// first 8096 runs (`make load`: +25% live heap in 5 minutes of
		// steady reporting, +3% at 512).
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key(): 512,
		// Allow frequent UI list queries.
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
	}
}
