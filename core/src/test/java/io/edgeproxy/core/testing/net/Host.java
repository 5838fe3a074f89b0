package io.edgeproxy.core.testing.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One machine of a {@link NetworkLab}: its own network namespace, one interface {@code eth0} on the lab's
 * bridge, {@code lo} up, and a default route via the lab's gateway. Processes started through
 * {@link #start} run inside the namespace and are SIGKILLed by {@link NetworkLab#close()}. Thread-safe;
 * the {@code start} methods block only while the process is spawned.
 */
public final class Host {
  private final String name;
  private final String namespace;
  private final InetAddress address;
  private final HostFirewall firewall;
  private final TrackedProcesses processes;

  Host(String name, String namespace, InetAddress address, TrackedProcesses processes) {
    this.name = name;
    this.namespace = namespace;
    this.address = address;
    this.firewall = new HostFirewall(namespace);
    this.processes = processes;
  }

  /** The name given to {@link NetworkLab#addHost}. */
  public String name() {
    return name;
  }

  /** The network namespace, as {@code ip netns} names it; unique on the machine. */
  public String namespace() {
    return namespace;
  }

  /** The address of this host's {@code eth0}, reachable from the other hosts and from the root namespace. */
  public InetAddress address() {
    return address;
  }

  /**
   * A builder for {@code argv} run inside this host's namespace ({@code ip netns exec <ns> argv...}). Not
   * tracked: start it with {@link #start(ProcessBuilder)} to have the lab kill it on close.
   */
  public ProcessBuilder command(List<String> argv) {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    command.addAll(argv);
    return new ProcessBuilder(command);
  }

  /** Starts {@code argv} inside the namespace with piped stdin, stdout and stderr; the lab tracks it. */
  public Process start(List<String> argv) {
    return start(command(argv));
  }

  /** Starts a builder made by {@link #command}, with the caller's redirects; the lab tracks it. */
  public Process start(ProcessBuilder builder) {
    List<String> command = builder.command();
    if (command.size() < 4 || !command.subList(0, 4).equals(List.of("ip", "netns", "exec", namespace))) {
      throw new IllegalArgumentException(
          "builder: " + command + " (expected: one made by command(...) of " + name + ")");
    }
    try {
      return processes.track(builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  /**
   * Starts {@code mainClass} in a new JVM inside the namespace: this JVM's {@code java} binary and class
   * path, tuned for fast start-up (serial GC, C1 only). Piped stdin, stdout and stderr; the lab tracks it.
   */
  public Process startJava(Class<?> mainClass, List<String> args) {
    List<String> argv = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
        "-cp", System.getProperty("java.class.path"), mainClass.getName()));
    argv.addAll(args);
    return start(argv);
  }

  HostFirewall firewall() {
    return firewall;
  }

  @Override
  public String toString() {
    return name + "(" + address.getHostAddress() + " in " + namespace + ")";
  }
}
