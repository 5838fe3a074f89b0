package io.edgeproxy.tools.cli;

import io.edgeproxy.replication.tls.ClusterPki;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code edgeproxy certs}: the cluster's private PKI for the change-stream's mutual TLS. */
@Command(name = "certs", mixinStandardHelpOptions = true, description = "Manage the cluster PKI.",
    subcommands = CertsCommand.Init.class)
public final class CertsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code edgeproxy certs init}: a cluster CA, node certificates and a gossip key, in one directory. */
  @Command(name = "init", mixinStandardHelpOptions = true,
      description = {"Create the cluster CA (unless DIR has one), a certificate and key for each node that has none,",
          "and the gossip key (cluster.key). Point each node's EDGEPROXY_REPLICATION_TLS_DIR at a copy holding",
          "ca.crt, its own <node>.crt and <node>.key, and cluster.key; keep ca.key offline."})
  static final class Init implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--dir", required = true, description = "Directory for the files (created if missing).")
    Path dir;

    @Option(names = "--nodes", required = true, split = ",", description = "Node ids: comma-separated.")
    List<String> nodes;

    @Option(names = "--cluster-name", defaultValue = "edgeproxy", description = "Cluster name (in the CA's name). Default: ${DEFAULT-VALUE}.")
    String clusterName;

    @Override
    public Integer call() {
      for (String node : nodes) {
        if (!node.matches("[A-Za-z0-9._-]{1,128}")) {
          spec.commandLine().getErr().println("edgeproxy certs init: node id '" + node
              + "' (expected: letters, digits, '.', '_' or '-', 1-128 characters)");
          return 2;
        }
      }
      List<Path> written = ClusterPki.init(dir, clusterName, nodes);
      written.forEach(p -> spec.commandLine().getOut().println("wrote " + p));
      if (written.isEmpty()) {
        spec.commandLine().getOut().println("nothing to do: " + dir + " already has the CA, every node's certificate and cluster.key");
      }
      return 0;
    }
  }
}
