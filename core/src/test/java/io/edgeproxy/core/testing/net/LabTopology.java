package io.edgeproxy.core.testing.net;

import java.net.InetAddress;
import java.util.List;
import java.util.Random;

/**
 * The kernel side of one lab run: its machine-unique run id, its /24, the bridge {@code <runId>br} and,
 * per host, namespace {@code <runId>-<name>} with veth {@code <runId>v<n>} (at most 15 characters, the
 * kernel's limit for interface names). Every name starts with the run id, which is what
 * {@link LabTeardown} relies on. Methods block while {@code ip}/{@code iptables} run.
 */
record LabTopology(String runId, Subnet subnet) {

  /**
   * Under the machine-wide lab lock: removes runs whose JVM died, picks an unused run id and a free /24,
   * and writes the run's marker (before anything else of the run exists, so a crash from here on is
   * reaped later).
   */
  static LabTopology allocate() {
    Random random = new Random();
    return LabRegistry.locked(() -> {
      List<String> leftovers = LabRegistry.reapDeadRuns();
      if (!leftovers.isEmpty()) {
        System.err.println("NetworkLab: could not remove all leftovers:\n" + String.join("\n", leftovers));
      }
      String runId = LabRegistry.newRunId(random,
          Shell.run(List.of("ip", "netns", "list")) + Shell.run(List.of("ip", "-o", "link", "show")));
      Subnet subnet = Subnet.pickFree(
          Shell.run(List.of("ip", "-o", "addr", "show")) + Shell.run(List.of("ip", "route", "show")), random);
      LabRegistry.writeMarker(runId);
      return new LabTopology(runId, subnet);
    });
  }

  String bridge() {
    return runId + "br";
  }

  String namespace(String hostName) {
    return runId + "-" + hostName;
  }

  /** The bridge, with the gateway address, up, and let through the root namespace's FORWARD chain. */
  void createBridge() {
    Shell.run(List.of("ip", "link", "add", bridge(), "type", "bridge"));
    Shell.run(List.of("ip", "addr", "add", subnet.gateway().getHostAddress() + "/24", "dev", bridge()));
    Shell.run(List.of("ip", "link", "set", bridge(), "up"));
    // With br_netfilter loaded, bridged frames pass the root namespace's FORWARD chain (Docker sets its
    // policy to DROP); let the lab's own traffic through.
    Shell.run(List.of("iptables", "-w", "-I", "FORWARD", "-i", bridge(), "-o", bridge(),
        "-m", "comment", "--comment", LabTeardown.forwardComment(runId), "-j", "ACCEPT"));
  }

  /** Namespace {@code namespace} with {@code eth0} on the bridge at {@code address}, lo up, default route. */
  void createHost(String namespace, int index, InetAddress address) {
    String veth = runId + "v" + index;
    Shell.run(List.of("ip", "netns", "add", namespace));
    Shell.run(List.of("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", namespace));
    Shell.run(List.of("ip", "link", "set", veth, "master", bridge(), "up"));
    Shell.run(List.of("ip", "-n", namespace, "addr", "add", address.getHostAddress() + "/24", "dev", "eth0"));
    Shell.run(List.of("ip", "-n", namespace, "link", "set", "eth0", "up"));
    Shell.run(List.of("ip", "-n", namespace, "link", "set", "lo", "up"));
    Shell.run(List.of("ip", "-n", namespace, "route", "add", "default", "via", subnet.gateway().getHostAddress()));
  }
}
