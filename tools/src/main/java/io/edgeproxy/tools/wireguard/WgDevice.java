package io.edgeproxy.tools.wireguard;

import io.edgeproxy.core.geo.IpNetwork;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WireGuard interface this POP's agent owns: kernel WireGuard ({@code ip link add ... type
 * wireguard}) when the module is there, else the userspace {@code wireguard-go} as a child process;
 * configured with {@code wg} (wireguard-tools) either way. Its alias says who owns it:
 * {@code edgeproxy:<node>:<pid>}. An interface of that name without an alias for this node was made
 * by someone else and is never touched. One with it was left by an earlier agent of this POP (a
 * reload hands it over; a killed agent leaves it): it is taken over as it is, peers and all, so
 * traffic over the mesh does not stop, and the next reconciliation corrects what differs.
 */
final class WgDevice implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(WgDevice.class);
  /** WireGuard's usual MTU on a 1,500-byte path (80 bytes of IPv6, UDP and WireGuard headers). */
  static final int MTU = 1420;
  /**
   * The routing protocol number the agent's routes carry ({@code ip route ... proto 247}): it
   * changes only those, never a route an operator or a routing daemon put on the interface.
   */
  static final String ROUTE_PROTO = "247";

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
  private final String alias;
  private final @Nullable Process userspace;
  private final String ifindex;

  private WgDevice(String name, String kind, String alias, @Nullable Process userspace, String ifindex) {
    this.name = name;
    this.kind = kind;
    this.alias = alias;
    this.userspace = userspace;
    this.ifindex = ifindex;
  }

  /**
   * Creates (or takes over) interface {@code name} for node {@code owner}, with its key, port and address, up.
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
    String ours = "edgeproxy:" + owner + ":";
    String alias = ours + ProcessHandle.current().pid();
    Shell.Ran existing = Shell.run("ip", "-d", "-o", "link", "show", "dev", name);
    String kind;
    Process userspace = null;
    if (existing.ok()) {
      String had = aliasOf(existing.output());
      if (had == null || !had.startsWith(ours)) {
        throw new DeviceException("interface " + name + " exists and was not made by this POP (its alias is "
            + (had == null ? "empty" : Shell.printable(had)) + ", not " + ours + "<pid>): not touching it; set"
            + " EDGEPROXY_WG_INTERFACE to another name, or remove it");
      }
      kind = existing.output().contains(" wireguard ") ? "kernel" : "wireguard-go";
      logger.info("wireguard: taking over interface {} from an earlier agent of this POP ({})", name, Shell.printable(had));
    } else {
      kind = "kernel";
      Shell.Ran added = Shell.run("ip", "link", "add", "dev", name, "type", "wireguard");
      if (!added.ok()) {
        if (added.output().contains("Operation not permitted")) {
          throw new DeviceException("cannot create interface " + name + ": the agent lacks CAP_NET_ADMIN (run it as root,"
              + " or, for the packaged service, link /usr/share/edgeproxy/systemd/wireguard.conf into"
              + " /etc/systemd/system/edgeproxy.service.d/ and run systemctl daemon-reload)");
        }
        if (!Shell.onPath("wireguard-go")) {
          throw new DeviceException("cannot create interface " + name + ": this kernel has no WireGuard (" + added.output()
              + ") and wireguard-go (Debian package wireguard-go) is not installed");
        }
        kind = "wireguard-go";
        userspace = startUserspace(name);
      }
    }
    Shell.Ran shown = Shell.run("ip", "-o", "link", "show", "dev", name);
    if (!shown.ok() || shown.output().indexOf(':') <= 0) {
      if (userspace != null) {
        userspace.destroyForcibly();
      }
      throw new DeviceException("interface " + name + " was made but cannot be read back: " + shown.output());
    }
    WgDevice device = new WgDevice(name, kind, alias, userspace, shown.output().substring(0, shown.output().indexOf(':')));
    try {
      device.must(Shell.run("ip", "link", "set", "dev", name, "alias", alias)); // first: a kill -9 from here on leaves it ours
      device.must(Shell.run(List.of("wg", "set", name, "listen-port", Integer.toString(listenPort), "private-key", "/dev/stdin"),
          privateKey));
      device.must(Shell.run("ip", "address", "replace", addressWithPrefix, "dev", name));
      device.dropOtherAddresses(addressWithPrefix); // one taken over may carry an address of an earlier setting
      device.must(Shell.run("ip", "link", "set", "dev", name, "mtu", Integer.toString(MTU), "up"));
    } catch (DeviceException e) {
      device.close();
      throw e;
    }
    logger.info("wireguard: interface {} up ({}), address {}, UDP port {}", name, kind, addressWithPrefix, listenPort);
    return device;
  }

  /**
   * Why this process cannot open {@code tun} for reading and writing (wireguard-go would exit at
   * once), or null. Capabilities count as the kernel counts them (access(2)).
   */
  static @Nullable String tunProblem(java.nio.file.Path tun) {
    if (!java.nio.file.Files.exists(tun)) {
      return tun + " does not exist (load the tun module: modprobe tun)";
    }
    if (java.nio.file.Files.isReadable(tun) && java.nio.file.Files.isWritable(tun)) {
      return null;
    }
    String mode;
    try {
      var attributes = java.nio.file.Files.readAttributes(tun, java.nio.file.attribute.PosixFileAttributes.class);
      mode = java.nio.file.attribute.PosixFilePermissions.toString(attributes.permissions()) + " "
          + attributes.owner().getName() + ":" + attributes.group().getName();
    } catch (java.io.IOException | UnsupportedOperationException e) {
      mode = "mode unknown";
    }
    return tun + " is not readable and writable by user " + System.getProperty("user.name") + " (" + mode
        + "); udev's default rule makes it rw-rw-rw-: restore that (chmod 0666 " + tun + ") or run the agent as root";
  }

  /** The alias in a line of {@code ip -o link show}, or null. */
  private static @Nullable String aliasOf(String shown) {
    int at = shown.indexOf(" alias ");
    if (at < 0) {
      return null;
    }
    String rest = shown.substring(at + " alias ".length());
    int end = rest.indexOf('\\');
    return (end < 0 ? rest : rest.substring(0, end)).strip();
  }

  private static Process startUserspace(String name) {
    String tun = tunProblem(java.nio.file.Path.of("/dev/net/tun"));
    if (tun != null) {
      throw new DeviceException("cannot start wireguard-go for " + name + ": " + tun);
    }
    Process p;
    try {
      ProcessBuilder builder = new ProcessBuilder("wireguard-go", "-f", name).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD);
      builder.environment().put("LOG_LEVEL", "error");
      p = builder.start();
    } catch (java.io.IOException e) {
      throw new DeviceException("cannot start wireguard-go for " + name + ": " + e.getMessage());
    }
    // Ready once its control socket is there too: wireguard-go makes the interface first, and a `wg`
    // run in between finds no socket, falls back to the kernel's netlink and fails ("Unable to modify
    // interface: Protocol not supported"; DebPackageIT once).
    java.nio.file.Path socket = java.nio.file.Path.of("/var/run/wireguard", name + ".sock");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      if (java.nio.file.Files.exists(socket) && Shell.run("ip", "-o", "link", "show", "dev", name).ok()) {
        return p;
      }
      if (!p.isAlive()) {
        throw new DeviceException("wireguard-go exited (status " + p.exitValue() + ") before creating " + name
            + " (it needs /dev/net/tun, CAP_NET_ADMIN and a writable /run/wireguard)");
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

  /**
   * False once the interface this object made is gone (or replaced, or its wireguard-go ended); a
   * failure to look (a slow {@code ip}) is not taken for that. Without {@code look}, only whether
   * the wireguard-go it started runs.
   */
  boolean alive(boolean look) {
    if (userspace != null && !userspace.isAlive()) {
      return false;
    }
    if (!look) {
      return true; // only its own wireguard-go checked: looking at the interface costs a process
    }
    Shell.Ran shown = Shell.run("ip", "-o", "link", "show", "dev", name);
    if (shown.ok()) {
      return shown.output().startsWith(ifindex + ":");
    }
    return !shown.output().contains("does not exist");
  }

  /** Deletes every address of the interface but {@code keep} (address/prefix) and IPv6 link-local ones. */
  private void dropOtherAddresses(String keep) {
    for (String line : must(Shell.run("ip", "-o", "address", "show", "dev", name)).output().split("\n")) {
      String[] f = line.strip().split("\\s+");
      for (int i = 0; i + 1 < f.length; i++) {
        if ((f[i].equals("inet") || f[i].equals("inet6")) && !f[i + 1].startsWith("fe80:") && !sameInterfaceAddress(f[i + 1], keep)) {
          must(Shell.run("ip", "address", "del", f[i + 1], "dev", name));
        }
      }
    }
  }

  /** {@code 10.0.0.1/24} and {@code 10.0.0.1/24}, or {@code fdaa::1/48} and {@code fdaa:0:0::1/48}: the same. */
  private static boolean sameInterfaceAddress(String a, String b) {
    int sa = a.indexOf('/');
    int sb = b.indexOf('/');
    return sa > 0 && sb > 0 && a.substring(sa).equals(b.substring(sb))
        && io.edgeproxy.core.geo.IpAddresses.parseLiteral(a.substring(0, sa))
            .equals(io.edgeproxy.core.geo.IpAddresses.parseLiteral(b.substring(0, sb)));
  }

  /** Adds the peer, or sets what it has: its endpoint, the addresses it answers for (replacing any), a keepalive for NAT. */
  void setPeer(String publicKey, String endpoint, List<String> allowedIps) {
    must(Shell.run("wg", "set", name, "peer", publicKey, "endpoint", endpoint, "allowed-ips", String.join(",", allowedIps),
        "persistent-keepalive", "25"));
  }

  void removePeer(String publicKey) {
    must(Shell.run("wg", "set", name, "peer", publicKey, "remove"));
  }

  /**
   * Routes {@code network} into the interface (WireGuard then picks the peer that answers for it).
   * Added, never replaced: a route the host already has for that prefix (its LAN) stays, and this fails.
   */
  void route(IpNetwork network) {
    must(Shell.run("ip", "route", "add", network.toString(), "dev", name, "proto", ROUTE_PROTO));
  }

  void unroute(IpNetwork network) {
    must(Shell.run("ip", "route", "del", network.toString(), "dev", name, "proto", ROUTE_PROTO));
  }

  /** The routes into the interface the agent added ({@link #ROUTE_PROTO}), both families. */
  List<IpNetwork> routes() {
    List<IpNetwork> out = new ArrayList<>();
    for (String family : List.of("-4", "-6")) {
      for (String line : must(Shell.run("ip", family, "route", "show", "dev", name, "proto", ROUTE_PROTO)).output().split("\n")) {
        String first = line.strip().split("\\s+")[0];
        if (first.isEmpty()) {
          continue;
        }
        String cidr = first.contains("/") ? first : first + (first.contains(":") ? "/128" : "/32");
        IpNetwork.parse(cidr).ifPresent(out::add);
      }
    }
    return out;
  }

  /** The peers the interface has now, from {@code wg show <name> dump} (the private key on its first line is skipped). */
  List<PeerState> peers() {
    return dump(name);
  }

  /** The peers of interface {@code name}, whoever runs it (only read). */
  static List<PeerState> dump(String name) {
    Shell.Ran dump = Shell.run("wg", "show", name, "dump");
    if (!dump.ok()) {
      throw new DeviceException("interface " + name + ": " + dump.output());
    }
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

  /**
   * Deletes the interface (its wireguard-go ends with it), unless a newer agent of this POP has
   * taken it over meanwhile (a reload): then both stay, serving that agent.
   */
  @Override
  public void close() {
    Shell.Ran shown = Shell.run("ip", "-o", "link", "show", "dev", name);
    boolean stillOurs = shown.ok() && shown.output().startsWith(ifindex + ":") && alias.equals(aliasOf(shown.output()));
    if (!stillOurs && shown.ok() && shown.output().startsWith(ifindex + ":")) {
      logger.info("wireguard: interface {} is another agent's now ({}); leaving it", name, Shell.printable(String.valueOf(aliasOf(shown.output()))));
      return;
    }
    if (stillOurs) {
      Shell.Ran deleted = Shell.run("ip", "link", "del", "dev", name);
      if (!deleted.ok()) {
        logger.warn("wireguard: cannot delete interface {}: {}", name, deleted.output());
      }
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
}
