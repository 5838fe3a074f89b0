package io.edgeproxy.tools.wireguard;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WireGuard interface this POP creates and owns: kernel WireGuard ({@code ip link add ... type
 * wireguard}) when the module is there, else the userspace {@code wireguard-go} as a child process;
 * configured with {@code wg} (wireguard-tools) either way. The interface carries an alias naming its
 * owner ({@code edgeproxy:<node>}): an interface of that name without it was made by someone else
 * and is never touched; one with it is this POP's own, left by an agent that died, and is replaced.
 */
final class WgDevice implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(WgDevice.class);
  /** WireGuard's usual MTU on a 1,500-byte path (80 bytes of IPv6, UDP and WireGuard headers). */
  static final int MTU = 1420;

  /** A peer as {@code wg show dump} reports it. */
  record PeerState(String publicKey, @Nullable String endpoint, List<String> allowedIps, long latestHandshakeEpochSecs,
      long rxBytes, long txBytes) {}

  /** The interface could not be made or configured; the message says what is missing. */
  static final class DeviceException extends RuntimeException {
    DeviceException(String message) {
      super(message);
    }
  }

  private final String name;
  private final String kind;
  private final @Nullable Process userspace;
  private final String ifindex;

  private WgDevice(String name, String kind, @Nullable Process userspace, String ifindex) {
    this.name = name;
    this.kind = kind;
    this.userspace = userspace;
    this.ifindex = ifindex;
  }

  /**
   * Creates interface {@code name} for node {@code owner}, with its key, port and address, up.
   *
   * @throws DeviceException saying what is missing or in the way
   */
  static WgDevice create(String name, String owner, char[] privateKey, int listenPort, String addressWithPrefix) {
    if (!Shell.onPath("ip")) {
      throw new DeviceException("the WireGuard mesh needs ip (iproute2), which is not installed");
    }
    if (!Shell.onPath("wg")) {
      throw new DeviceException("the WireGuard mesh needs wg (Debian package wireguard-tools), which is not installed");
    }
    String alias = "edgeproxy:" + owner;
    Shell.Ran existing = Shell.run("ip", "-o", "link", "show", "dev", name);
    if (existing.ok()) {
      if (!existing.output().contains(" alias " + alias)) {
        throw new DeviceException("interface " + name + " exists and was not made by this POP (it has no alias " + alias
            + "): not touching it; set EDGEPROXY_WG_INTERFACE to another name, or remove it");
      }
      logger.info("wireguard: replacing interface {} left by an earlier agent of this POP", name);
      delete(name);
    }
    String kind = "kernel";
    Process userspace = null;
    Shell.Ran added = Shell.run("ip", "link", "add", "dev", name, "type", "wireguard");
    if (!added.ok()) {
      if (added.output().contains("Operation not permitted")) {
        throw new DeviceException("cannot create interface " + name + ": the agent lacks CAP_NET_ADMIN (run it as root, or"
            + " grant AmbientCapabilities=CAP_NET_ADMIN as the packaged unit does when EDGEPROXY_WG_ENABLED is on)");
      }
      if (!Shell.onPath("wireguard-go")) {
        throw new DeviceException("cannot create interface " + name + ": this kernel has no WireGuard (" + added.output()
            + ") and wireguard-go (Debian package wireguard-go) is not installed");
      }
      kind = "wireguard-go";
      userspace = startUserspace(name);
    }
    Shell.Ran shown = Shell.run("ip", "-o", "link", "show", "dev", name);
    String ifindex = shown.ok() ? shown.output().substring(0, Math.max(0, shown.output().indexOf(':'))) : "";
    WgDevice device = new WgDevice(name, kind, userspace, ifindex);
    try {
      device.must(Shell.run(List.of("wg", "set", name, "listen-port", Integer.toString(listenPort), "private-key", "/dev/stdin"),
          privateKey));
      device.must(Shell.run("ip", "link", "set", "dev", name, "alias", alias));
      device.must(Shell.run("ip", "address", "replace", addressWithPrefix, "dev", name));
      device.must(Shell.run("ip", "link", "set", "dev", name, "mtu", Integer.toString(MTU), "up"));
    } catch (DeviceException e) {
      device.close();
      throw e;
    }
    logger.info("wireguard: interface {} up ({}), address {}, UDP port {}", name, kind, addressWithPrefix, listenPort);
    return device;
  }

  private static Process startUserspace(String name) {
    Process p;
    try {
      ProcessBuilder builder = new ProcessBuilder("wireguard-go", "-f", name).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD);
      builder.environment().put("LOG_LEVEL", "error");
      p = builder.start();
    } catch (java.io.IOException e) {
      throw new DeviceException("cannot start wireguard-go for " + name + ": " + e.getMessage());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      if (Shell.run("ip", "-o", "link", "show", "dev", name).ok()) {
        return p;
      }
      if (!p.isAlive()) {
        throw new DeviceException("wireguard-go exited (status " + p.exitValue() + ") before creating " + name
            + " (it needs /dev/net/tun and CAP_NET_ADMIN)");
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    p.destroyForcibly();
    throw new DeviceException("wireguard-go did not create " + name + " within 5 s");
  }

  String name() {
    return name;
  }

  /** {@code kernel} or {@code wireguard-go}. */
  String kind() {
    return kind;
  }

  /** Adds the peer, or sets what it has: its endpoint, the addresses it answers for, a keepalive for NAT. */
  void setPeer(String publicKey, String endpoint, List<String> allowedIps) {
    must(Shell.run("wg", "set", name, "peer", publicKey, "endpoint", endpoint, "allowed-ips", String.join(",", allowedIps),
        "persistent-keepalive", "25"));
  }

  void removePeer(String publicKey) {
    must(Shell.run("wg", "set", name, "peer", publicKey, "remove"));
  }

  /** Routes {@code network} into the interface (WireGuard then picks the peer that answers for it). */
  void route(String network) {
    must(Shell.run("ip", "route", "replace", network, "dev", name));
  }

  void unroute(String network) {
    Shell.run("ip", "route", "del", network, "dev", name); // already gone with its peer's addresses: fine
  }

  /** The peers the interface has now, from {@code wg show <name> dump} (the private key on its first line is skipped). */
  List<PeerState> peers() {
    Shell.Ran dump = must(Shell.run("wg", "show", name, "dump"));
    List<PeerState> out = new ArrayList<>();
    String[] lines = dump.output().split("\n");
    for (int i = 1; i < lines.length; i++) {
      String[] f = lines[i].split("\t");
      if (f.length < 8) {
        continue;
      }
      List<String> allowed = f[3].equals("(none)") ? List.of() : List.of(f[3].split(","));
      out.add(new PeerState(f[0], f[2].equals("(none)") ? null : f[2], allowed, Long.parseLong(f[4]), Long.parseLong(f[5]),
          Long.parseLong(f[6])));
    }
    return out;
  }

  private Shell.Ran must(Shell.Ran ran) {
    if (!ran.ok()) {
      throw new DeviceException("interface " + name + ": " + ran.output());
    }
    return ran;
  }

  /** Deletes the interface, unless another agent of this POP has replaced it meanwhile (a reload). */
  @Override
  public void close() {
    Shell.Ran shown = Shell.run("ip", "-o", "link", "show", "dev", name);
    if (shown.ok() && shown.output().startsWith(ifindex + ":")) {
      delete(name);
    }
    if (userspace != null) {
      userspace.destroy();
      try {
        if (!userspace.waitFor(3, TimeUnit.SECONDS)) {
          userspace.destroyForcibly();
        }
      } catch (InterruptedException e) {
        userspace.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void delete(String name) {
    Shell.Ran deleted = Shell.run("ip", "link", "del", "dev", name);
    if (!deleted.ok()) {
      logger.warn("wireguard: cannot delete interface {}: {}", name, deleted.output());
    }
  }
}
