package io.edgeproxy.tools.cli;

import io.edgeproxy.core.geo.SocketAddresses;
import io.edgeproxy.replication.tls.ClusterPki;
import io.edgeproxy.tunnel.TunnelAgent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code edgeproxy tunnel}: device tunnels, for apps on machines nothing can connect to. */
@Command(name = "tunnel", mixinStandardHelpOptions = true, description = "Device tunnels: serve an app from behind NAT.")
public final class TunnelCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code edgeproxy tunnel run}: the agent, in the foreground until stopped. */
  @Command(name = "run", mixinStandardHelpOptions = true,
      description = {"Keep tunnels from this machine to the nearest POPs and serve every client connection they",
          "send by connecting to the local app (--to). Runs until stopped (Ctrl-C, SIGTERM)."},
      footer = {"", "Example:", "  EDGEPROXY_TUNNEL_TOKEN=... edgeproxy tunnel run --app web --to 127.0.0.1:3000 \\",
          "      --pops pop-gru.example.com:4443,pop-iad.example.com:4443 --ca cluster-ca.pem"})
  public static final class Run implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--app", required = true, description = "The app this machine serves.")
    String app;

    @Option(names = "--to", required = true, paramLabel = "HOST:PORT", description = "Where the app listens on this machine.")
    String to;

    @Option(names = "--token", defaultValue = "${env:EDGEPROXY_TUNNEL_TOKEN}", paramLabel = "TOKEN",
        description = "An API token of the app (edgeproxy token create --app APP). Default: EDGEPROXY_TUNNEL_TOKEN"
            + " (keeps it out of the process list).")
    String token;

    @Option(names = "--pops", required = true, split = ",", paramLabel = "HOST:PORT",
        description = "Each POP's tunnel address (EDGEPROXY_TUNNEL_LISTEN_ADDR, UDP); names are resolved again on every"
            + " reconnect. Without UDP, the same host on --fallback-port (TCP) is used.")
    List<String> pops;

    @Option(names = "--ca", paramLabel = "FILE",
        description = "PEM certificates the POPs' certificates must chain to. Default: the JDK's trusted CAs.")
    Path ca;

    @Option(names = "--fallback-port", defaultValue = "443", paramLabel = "PORT",
        description = "The POPs' HTTPS edge port, for the TCP fallback used when QUIC (UDP) cannot get through; 0 for none."
            + " Default: ${DEFAULT-VALUE}.")
    int fallbackPort;

    @Option(names = "--transport", defaultValue = "auto", paramLabel = "auto|quic|tcp",
        description = "auto: QUIC, and TCP on --fallback-port when QUIC cannot get through; quic or tcp: that one only."
            + " Default: ${DEFAULT-VALUE}.")
    String transport;

    @Option(names = "--keep", defaultValue = "2", description = "Tunnels kept open, to the nearest POPs. Default: ${DEFAULT-VALUE}.")
    int keep;

    @Option(names = "--agent-id", description = "This agent's name, as POPs list it. Default: host name and process id.")
    String agentId;

    @Override
    public Integer call() throws Exception {
      if (token == null || token.isBlank()) {
        throw new ParameterException(spec.commandLine(), "no token: set --token or EDGEPROXY_TUNNEL_TOKEN (an API token of app "
            + app + ")");
      }
      List<X509Certificate> trust = ca == null ? null : ClusterPki.loadChain(ca);
      String id = agentId != null ? agentId : InetAddress.getLocalHost().getHostName() + "-" + ProcessHandle.current().pid();
      TunnelAgent.Settings settings;
      try {
        settings = new TunnelAgent.Settings(app, id, token.trim(), target(to), pops, trust, keep, 10_000, 2_000, 1024, fallbackPort,
            transport(transport));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      Logging.configure(false);
      CountDownLatch stopped = new CountDownLatch(1);
      try (TunnelAgent agent = TunnelAgent.start(settings)) {
        Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "tunnel-stop"));
        spec.commandLine().getErr().printf("edgeproxy tunnel: serving app %s (%s) through %s; Ctrl-C stops%n", app, to,
            String.join(", ", pops));
        spec.commandLine().getErr().flush();
        stopped.await();
      }
      return 0;
    }

    private TunnelAgent.Transport transport(String value) {
      return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
        case "auto" -> TunnelAgent.Transport.AUTO;
        case "quic" -> TunnelAgent.Transport.QUIC;
        case "tcp" -> TunnelAgent.Transport.TCP;
        default -> throw new ParameterException(spec.commandLine(), "--transport '" + value + "' (expected: auto, quic or tcp)");
      };
    }

    private InetSocketAddress target(String hostPort) {
      InetSocketAddress parsed = SocketAddresses.parseUnresolved(hostPort);
      if (parsed == null || parsed.getPort() == 0) {
        throw new ParameterException(spec.commandLine(), "--to '" + hostPort + "' (expected: HOST:PORT with a port 1-65535)");
      }
      return new InetSocketAddress(parsed.getHostString(), parsed.getPort());
    }
  }

  /** {@code edgeproxy tunnel list}: the tunnels the local agent knows, asked of its admin endpoint. */
  @Command(name = "list", mixinStandardHelpOptions = true,
      description = {"List device tunnels: those this POP holds, with open streams, bytes and round-trip time, then",
          "those other POPs hold (as replicated here)."})
  public static final class ListCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @picocli.CommandLine.Mixin AdminQuery query;

    @Override
    public Integer call() throws java.io.IOException {
      return query.show(spec, "/v1/tunnels", ListCommand::print);
    }

    private static void print(java.io.PrintWriter out, com.fasterxml.jackson.databind.JsonNode tunnels) {
      if (tunnels.isEmpty()) {
        out.println("no tunnels");
        return;
      }
      long now = System.currentTimeMillis();
      TextTable table = new TextTable("ID", "APP", "AGENT", "POP", "REMOTE", "VIA", "AGE", "STREAMS", "BYTES IN/OUT", "RTT");
      for (com.fasterxml.jackson.databind.JsonNode t : tunnels) {
        boolean held = t.path("held").asBoolean();
        table.add(t.path("id").asText(), t.path("app").asText(), held ? t.path("agent").asText() : null,
            t.path("pop").asText() + (held ? " (here)" : ""), t.path("remote").asText(), held ? t.path("transport").asText() : null,
            held ? java.time.Duration.ofMillis(now - t.path("sinceMs").asLong()).toSeconds() + "s" : null,
            held ? t.path("openStreams").asInt() + " open, " + t.path("streams").asLong() + " total" : null,
            held ? t.path("bytesIn").asLong() + "/" + t.path("bytesOut").asLong() : null,
            held && t.hasNonNull("rttMs") ? String.format(java.util.Locale.ROOT, "%.1f ms", t.path("rttMs").asDouble()) : null);
      }
      table.print(out, "");
    }
  }
}
