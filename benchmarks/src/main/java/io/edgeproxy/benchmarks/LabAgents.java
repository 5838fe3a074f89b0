package io.edgeproxy.benchmarks;

import io.edgeproxy.core.testing.net.Host;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The cluster benchmarks' agents: {@code ./edgeproxy agent} processes, one per host of a
 * NetworkLab, replicating with each other as an operator would set them up.
 */
final class LabAgents {
  static final int GOSSIP_PORT = 4001;
  static final int STREAM_PORT = 4002;

  private LabAgents() {}

  /**
   * Starts {@code pop-i} on {@code hosts.get(i)}, home {@code work/pop-i} (routing.db, agent.log),
   * joining through the hosts before it; {@code extra} adds flags given its host's address.
   */
  static Process start(Path launcher, Path work, String cluster, List<Host> hosts, int i, Function<String, List<String>> extra)
      throws IOException {
    Host host = hosts.get(i);
    String ip = host.address().getHostAddress();
    Path home = work.resolve("pop-" + i);
    Files.createDirectories(home);
    List<String> argv = new ArrayList<>(List.of(launcher.toString(), "agent",
        "--listen", ip + ":8080", "--db", home.resolve("routing.db").toString(), "--region", "sa",
        "--replication", "--node-id", "pop-" + i, "--tls-dir", work.resolve("tls").toString(), "--cluster-name", cluster,
        "--gossip-addr", ip + ":" + GOSSIP_PORT, "--transport-addr", ip + ":" + STREAM_PORT, "--advertise-host", ip,
        "--gossip-interval-ms", "200", "--sync-interval-ms", "1000", "--db-reload-secs", "1"));
    List<String> seeds = new ArrayList<>();
    for (int j = 0; j < i; j++) {
      seeds.add(hosts.get(j).address().getHostAddress() + ":" + GOSSIP_PORT);
    }
    if (!seeds.isEmpty()) {
      argv.addAll(List.of("--bootstrap-peers", String.join(",", seeds)));
    }
    argv.addAll(extra.apply(ip));
    ProcessBuilder builder = host.command(argv).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("agent.log").toFile()));
    builder.environment().put("EDGEPROXY_NO_BUILD", "1"); // built once by the benchmark's script
    return host.start(builder);
  }
}
