package io.edgeproxy.core.testing.net;

import static java.util.Objects.requireNonNull;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Hosts in their own network namespaces, joined by veth links to one bridge in the root namespace, with
 * real, reversible network faults made of iptables rules. Test code in the root namespace reaches every
 * host, and every host reaches it, at {@link #gateway()}. Needs root, iproute2 and iptables; see
 * DEVELOPERS.md.
 *
 * <p>All methods block while {@code ip}/{@code iptables} run (milliseconds each) and are thread-safe.
 * Faults act on packets, not on flows, except {@link #redirect}: NAT is decided by conntrack on a flow's
 * first packet, so a redirect only catches flows that start after it, and clearing it leaves existing
 * flows redirected until conntrack forgets them.
 */
public final class NetworkLab implements AutoCloseable {
  private final LabTopology topology;
  private final TrackedProcesses processes = new TrackedProcesses();
  private final List<Host> hosts = new ArrayList<>(); // guarded by this
  private final Set<Host> isolated = new HashSet<>(); // guarded by this
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch closeDone = new CountDownLatch(1);
  private final Thread shutdownHook;

  private NetworkLab(LabTopology topology) {
    this.topology = topology;
    this.shutdownHook = new Thread(this::closeQuietly, "netlab-" + topology.runId() + "-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Checks the machine (root, iproute2, iptables), removes leftovers of runs whose JVM died, then makes a
   * bridge with a free /24 of 10.0.0.0/8 and {@code .254} as the gateway. Throws
   * {@link NetworkLabException} naming what is missing or which command failed.
   */
  public static NetworkLab create() {
    LabPreflight.check();
    NetworkLab lab = new NetworkLab(LabTopology.allocate());
    try {
      lab.topology.createBridge();
      return lab;
    } catch (RuntimeException e) {
      lab.closeAfterFailure(e);
      throw e;
    }
  }

  /**
   * Adds a host: a namespace {@code <runId>-<name>}, a veth to the bridge ({@code eth0} inside), the next
   * free address of the lab's /24, {@code lo} up and the lab's chains in iptables. {@code name}: 1-12
   * characters, lowercase letters and digits, starting with a letter, unique in this lab.
   */
  public synchronized Host addHost(String name) {
    requireNonNull(name, "name");
    if (!name.matches("[a-z][a-z0-9]{0,11}")) {
      throw new IllegalArgumentException("name: \"" + name + "\" (expected: [a-z][a-z0-9]{0,11})");
    }
    if (hosts.stream().anyMatch(h -> h.name().equals(name))) {
      throw new IllegalArgumentException("name: \"" + name + "\" (expected: unique in this lab)");
    }
    if (closed.get()) {
      throw new IllegalStateException("lab " + runId() + " is closed");
    }
    int index = hosts.size() + 1;
    Host host = new Host(name, topology.namespace(name), topology.subnet().host(index), processes);
    topology.createHost(host.namespace(), index, host.address());
    host.firewall().install();
    for (Host cut : isolated) {
      host.firewall().cutIsolatedPeer(cut.address());
    }
    hosts.add(host);
    return host;
  }

  /** The bridge's address in the root namespace: bind test servers and relays here. */
  public InetAddress gateway() {
    return topology.subnet().gateway();
  }

  /** This run's id, the prefix of every namespace and link it made (e.g. {@code ep3k9zq}). */
  public String runId() {
    return topology.runId();
  }

  public synchronized List<Host> hosts() {
    return List.copyOf(hosts);
  }

  /**
   * Drops all packets between {@code a} and {@code b}, both ways: each drops on INPUT what comes from the
   * other, so senders see silence, not errors. Idempotent.
   */
  public void partition(Host a, Host b) {
    requirePair(a, b);
    a.firewall().partitionFrom(b.address());
    b.firewall().partitionFrom(a.address());
  }

  /** Undoes {@link #partition} of exactly this pair. Idempotent. */
  public void heal(Host a, Host b) {
    requirePair(a, b);
    a.firewall().healFrom(b.address());
    b.firewall().healFrom(a.address());
  }

  /** Undoes every {@link #partition} and {@link #isolate}; loss and redirects stay. */
  public synchronized void healAll() {
    for (Host host : hosts) {
      host.firewall().healAll();
      host.firewall().clearIsolation();
    }
    isolated.clear();
  }

  /**
   * Drops each packet between {@code a} and {@code b} with {@code probability}, independently in each
   * direction (a round trip survives with (1-p)²). Replaces an earlier loss for the pair.
   */
  public void loss(Host a, Host b, double probability) {
    requirePair(a, b);
    if (!(probability >= 0 && probability <= 1)) {
      throw new IllegalArgumentException("probability: " + probability + " (expected: 0-1)");
    }
    a.firewall().loseFrom(b.address(), probability);
    b.firewall().loseFrom(a.address(), probability);
  }

  public void clearLoss(Host a, Host b) {
    requirePair(a, b);
    a.firewall().clearLossFrom(b.address());
    b.firewall().clearLossFrom(a.address());
  }

  public void clearLoss() {
    hosts().forEach(h -> h.firewall().clearAllLoss());
  }

  /**
   * Cuts {@code host} from every other host, present and future, both ways, but not from
   * {@link #gateway()}: it drops what comes from the subnet except the gateway, and every other host
   * drops what comes from it. Partitions of the host stay in place beneath. Idempotent.
   */
  public synchronized void isolate(Host host) {
    requireMember(host).firewall().isolateSelf(topology.subnet(), gateway());
    for (Host other : hosts) {
      if (other != host) {
        other.firewall().cutIsolatedPeer(host.address());
      }
    }
    isolated.add(host);
  }

  /** Undoes {@link #isolate} of {@code host}. Idempotent. */
  public synchronized void rejoin(Host host) {
    requireMember(host).firewall().rejoinSelf();
    for (Host other : hosts) {
      if (other != host) {
        other.firewall().uncutIsolatedPeer(host.address());
      }
    }
    isolated.remove(host);
  }

  /**
   * Makes new flows that {@code from} sends to {@code original} go to {@code via} instead (DNAT in
   * {@code from}'s namespace; replies come back looking as if from {@code original}). Typically
   * {@code via} is a {@link DelayRelay} on the gateway whose target is {@code original}. Replaces an
   * earlier redirect of the same protocol and original.
   */
  public void redirect(Host from, Protocol protocol, InetSocketAddress original, InetSocketAddress via) {
    requireMember(from).firewall().redirect(requireNonNull(protocol, "protocol"),
        requireIpv4("original", original), requireIpv4("via", via));
  }

  public void clearRedirects() {
    hosts().forEach(h -> h.firewall().clearRedirects());
  }

  /**
   * SIGKILLs tracked processes and anything else inside the namespaces, deletes namespaces, veths, the
   * bridge, its FORWARD rule and the run's marker. Carries on past failures and throws one
   * {@link NetworkLabException} listing them at the end; the marker then stays, so the next
   * {@link #create()} after this JVM exits retries. Safe to call again, from any thread: a second call
   * returns once the first has finished (so a {@code main} that closes while the shutdown hook is
   * closing does not let the JVM end half-way).
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      awaitCloseDone();
      return;
    }
    try {
      tearDown();
    } finally {
      closeDone.countDown();
      // Only now: while the hook is registered, a JVM exit waits for it, and it waits for this close.
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // The JVM is already shutting down; the hook will find the lab closed.
      }
    }
  }

  private void tearDown() {
    List<String> failures = new ArrayList<>(processes.killAll());
    failures.addAll(LabTeardown.removeAll(runId()));
    if (!failures.isEmpty()) {
      throw new NetworkLabException("lab " + runId() + " not fully removed:\n" + String.join("\n", failures));
    }
    LabRegistry.removeMarker(runId());
  }

  private void awaitCloseDone() {
    boolean interrupted = false;
    while (true) {
      try {
        closeDone.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void closeAfterFailure(RuntimeException cause) {
    try {
      close();
    } catch (RuntimeException e) {
      cause.addSuppressed(e);
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (RuntimeException e) {
      System.err.println("NetworkLab " + runId() + ": " + e.getMessage());
    }
  }

  private Host requireMember(Host host) {
    requireNonNull(host, "host");
    if (!hosts().contains(host)) {
      throw new IllegalArgumentException("host: " + host + " (expected: a host of lab " + runId() + ")");
    }
    return host;
  }

  private static InetSocketAddress requireIpv4(String name, InetSocketAddress address) {
    requireNonNull(address, name);
    if (!(address.getAddress() instanceof Inet4Address) || address.getAddress().isAnyLocalAddress()) {
      throw new IllegalArgumentException(name + ": " + address + " (expected: a concrete IPv4 address)");
    }
    return address;
  }

  private void requirePair(Host a, Host b) {
    if (requireMember(a) == requireMember(b)) {
      throw new IllegalArgumentException("hosts: " + a + " twice (expected: two different hosts)");
    }
  }
}
