package io.edgeproxy.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.core.testing.LocalPorts;
import io.edgeproxy.core.testing.NamedBackend;
import io.edgeproxy.dist.Commands.Run;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Debian package on this machine, as root (CI runs as root; elsewhere this test fails saying so):
 * dpkg -i, the files, the user and the unit as systemd-analyze sees them; the agent started the way
 * the unit starts it (its user, capabilities, environment and command; CI has no systemd as PID 1),
 * on a port below 1024; then dpkg --purge leaves nothing behind. The package is purged even when a
 * step fails.
 */
@Timeout(240)
class DebPackageIT {
  private static final Path UNIT = Path.of("/lib/systemd/system/edgeproxy.service");
  private static final String USER = "edgeproxy";
  private static final List<Path> INSTALLED = List.of(Path.of("/usr/bin/edgeproxy"), Path.of("/usr/lib/edgeproxy"), UNIT,
      Path.of("/etc/edgeproxy/edgeproxy.env"), Path.of("/etc/sysctl.d/60-edgeproxy.conf"), Path.of("/var/lib/edgeproxy"),
      Path.of("/var/cache/edgeproxy"), Path.of("/usr/share/doc/edgeproxy/install.md"), WireGuardUnit.DROP_IN);

  @TempDir Path tmp;

  @Test
  void installsRunsAsItsOwnUserOnAPrivilegedPortAndPurgesWithoutATrace() throws Exception {
    assertThat(Commands.run("id", "-u").ok().out().strip())
        .as("DebPackageIT installs and purges a Debian package: run the tests as root (CI does)").isEqualTo("0");
    assertThat(Commands.run("dpkg-query", "-W", "edgeproxy").exit())
        .as("package edgeproxy is already installed here, and this test would purge it: remove it first (dpkg --purge edgeproxy)")
        .isNotZero();
    try {
      Commands.run("dpkg", "-i", Packages.deb().toString()).ok();
      assertInstalled();
      runAsTheUnitDoes();
      WireGuardUnit.runTheMeshAsTheUnitWithItsDropInDoes(tmp);
      Commands.run("dpkg", "--purge", "edgeproxy").ok();
      assertThat(INSTALLED).allSatisfy(p -> assertThat(Files.exists(p, LinkOption.NOFOLLOW_LINKS)).as(p.toString()).isFalse());
      assertThat(Commands.run("getent", "passwd", USER).exit()).as("user edgeproxy after purge").isNotZero();
      assertThat(Commands.run("getent", "group", USER).exit()).as("group edgeproxy after purge").isNotZero();
    } finally {
      if (Commands.run("dpkg-query", "-W", "edgeproxy").exit() == 0) {
        Commands.run("dpkg", "--purge", "edgeproxy");
      }
    }
  }

  private static void assertInstalled() throws Exception {
    assertThat(INSTALLED).allSatisfy(p -> assertThat(p).exists());
    assertThat(Path.of("/usr/bin/edgeproxy").toRealPath()).isEqualTo(Path.of("/usr/lib/edgeproxy/bin/edgeproxy"));
    assertThat(Path.of("/usr/lib/edgeproxy/runtime/bin/java")).isExecutable();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of("/etc/edgeproxy/edgeproxy.env")))).isEqualTo("rw-------");
    assertThat(Commands.run("dpkg-query", "-W", "-f", "${Conffiles}", "edgeproxy").ok().out())
        .contains("/etc/edgeproxy/edgeproxy.env", "/etc/sysctl.d/60-edgeproxy.conf");
    assertThat(Files.readString(Path.of("/etc/sysctl.d/60-edgeproxy.conf"))).contains("net.ipv4.tcp_migrate_req = 1");
    Path migrateReq = Path.of("/proc/sys/net/ipv4/tcp_migrate_req");
    if (Files.isWritable(migrateReq)) { // postinst applies it where /proc/sys can be written (not in every container)
      assertThat(Files.readString(migrateReq).strip()).isEqualTo("1");
    }

    String[] passwd = Commands.run("getent", "passwd", USER).ok().out().strip().split(":");
    assertThat(Integer.parseInt(passwd[2])).as("a system user's uid").isLessThan(1000);
    assertThat(passwd[5]).isEqualTo("/var/lib/edgeproxy");
    assertThat(passwd[6]).isEqualTo("/usr/sbin/nologin");
    assertThat(Commands.run("stat", "-c", "%U:%G", "/var/lib/edgeproxy").ok().out().strip()).isEqualTo("edgeproxy:edgeproxy");

    // Warnings (an unknown key, say) leave the exit status 0: any output is a failure too.
    Run verify = Commands.run("systemd-analyze", "verify", UNIT.toString());
    assertThat(verify.exit()).as(verify.out()).isZero();
    assertThat(verify.out()).isEmpty();
  }

  /**
   * Starts {@code ExecStart} as systemd would from the unit: as its User and Group, with its ambient and
   * bounding capabilities, no new privileges, its environment (plus CACHE_DIRECTORY for CacheDirectory=)
   * and working directory, with the test's addresses on top.
   */
  private void runAsTheUnitDoes() throws Exception {
    UnitFile unit = UnitFile.read(UNIT);
    InetSocketAddress listen = LocalPorts.privilegedTcp();
    InetSocketAddress admin = LocalPorts.tcp();
    assertRefusedWithoutTheCapability(unit, listen, admin);

    try (NamedBackend backend = new NamedBackend("web-1");
        Agent agent = Agent.start(serviceProcess(unit, "ExecStart", listen, admin, true), tmp.resolve("agent.log").toFile(), admin)) {
      assertThat(agent.awaitStatus()).contains("\"routingDb\" : \"/var/lib/edgeproxy/routing.db\"");
      assertThat(agent.command()).isEqualTo("/usr/lib/edgeproxy/runtime/bin/java");
      Commands.run("runuser", "-u", USER, "--", "sqlite3", "-cmd", ".timeout 5000", "/var/lib/edgeproxy/routing.db", Agent.backendRow("web-1", backend.port())).ok();
      agent.awaitProxied(listen, "web-1");

      int exit = agent.stop();
      List<String> success = new ArrayList<>(List.of("0"));
      unit.values("SuccessExitStatus").forEach(v -> success.addAll(Arrays.asList(v.split("\\s+"))));
      assertThat(success).as("exit status %d after SIGTERM; the unit's successes: %s%n%s", exit, success, agent.log())
          .contains(String.valueOf(exit));
    }
    Path archive;
    try (var files = Files.list(Path.of("/var/cache/edgeproxy"))) { // edgeproxy-<jar mtime>-<jar size>.jsa
      archive = files.filter(f -> f.getFileName().toString().matches("edgeproxy-\\d+-\\d+\\.jsa")).findFirst().orElseThrow();
    }
    assertThat(archive).isNotEmptyFile();
    assertThat(Files.getOwner(archive).getName()).isEqualTo(USER);
    reloadAsTheUnitDoes(unit, listen, admin);
  }

  /**
   * {@code systemctl reload} while the agent serves: ExecReload starts a new agent that takes over
   * and returns once it serves; the old agent exits 0 by itself, and the new one proxies.
   */
  private void reloadAsTheUnitDoes(UnitFile unit, InetSocketAddress listen, InetSocketAddress admin) throws Exception {
    try (NamedBackend backend = new NamedBackend("web-1");
        Agent old = Agent.start(serviceProcess(unit, "ExecStart", listen, admin, true), tmp.resolve("old.log").toFile(), admin)) {
      old.awaitStatus();
      Commands.run("runuser", "-u", USER, "--", "sqlite3", "-cmd", ".timeout 5000", "/var/lib/edgeproxy/routing.db",
          "UPDATE backends SET port = " + backend.port() + " WHERE id = 'web-1'").ok();
      old.awaitProxied(listen, "web-1");
      Process reload = serviceProcess(unit, "ExecReload", listen, admin, true).redirectErrorStream(true)
          .redirectOutput(tmp.resolve("reload.log").toFile()).start();
      assertThat(reload.waitFor(120, TimeUnit.SECONDS)).as("ExecReload returns within 120 s").isTrue();
      String said = Files.readString(tmp.resolve("reload.log"));
      assertThat(reload.exitValue()).as(said).isZero();
      java.util.regex.Matcher took = java.util.regex.Pattern.compile("agent pid (\\d+) took over from pid (\\d+)").matcher(said);
      assertThat(took.find()).as(said).isTrue();
      ProcessHandle next = ProcessHandle.of(Long.parseLong(took.group(1))).orElseThrow();
      try {
        assertThat(next.info().user()).contains(USER);
        assertThat(old.awaitExit()).as(old::log).isZero();
        old.awaitProxied(listen, "web-1"); // answered by the new agent now
      } finally {
        next.destroy();
        next.onExit().get(30, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * The same start without the capability must fail: so it is the capability, not a lenient kernel,
   * that opens the port. Where the kernel lets anyone bind it (Docker sets
   * ip_unprivileged_port_start to 0) there is nothing to show, and the test says so.
   */
  private void assertRefusedWithoutTheCapability(UnitFile unit, InetSocketAddress listen, InetSocketAddress admin) throws Exception {
    int unprivilegedStart = Integer.parseInt(Files.readString(Path.of("/proc/sys/net/ipv4/ip_unprivileged_port_start")).strip());
    if (listen.getPort() >= unprivilegedStart) {
      System.out.println("DebPackageIT: this kernel lets any user bind port " + listen.getPort()
          + " (ip_unprivileged_port_start " + unprivilegedStart + "): the start without CAP_NET_BIND_SERVICE is not tried");
      return;
    }
    try (Agent agent = Agent.start(serviceProcess(unit, "ExecStart", listen, admin, false), tmp.resolve("denied.log").toFile(), admin)) {
      assertThat(agent.awaitExit()).as(agent::log).isNotZero();
      assertThat(agent.log()).contains(LocalPorts.format(listen)).containsIgnoringCase("permission denied");
    }
  }

  /** {@code line} (ExecStart, ExecReload) of {@code unit} as systemd runs it; see {@link #runAsTheUnitDoes()}. */
  static ProcessBuilder serviceProcess(UnitFile unit, String line, InetSocketAddress listen, InetSocketAddress admin,
      boolean capabilities) throws Exception {
    List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + unit.value("User"), "--regid=" + unit.value("Group"),
        "--init-groups", "--no-new-privs", "--bounding-set=-all" + caps(String.join(" ", unit.values("CapabilityBoundingSet")))));
    if (capabilities) { // a capability list given twice (the unit and a drop-in) is merged, as systemd does
      command.add("--inh-caps=-all" + caps(String.join(" ", unit.values("AmbientCapabilities"))));
      command.add("--ambient-caps=-all" + caps(String.join(" ", unit.values("AmbientCapabilities"))));
    }
    command.add("--");
    command.addAll(Arrays.asList(unit.value(line).split("\\s+")));

    ProcessBuilder builder = new ProcessBuilder(command).directory(Path.of(unit.value("WorkingDirectory")).toFile());
    Map<String, String> env = builder.environment();
    env.clear();
    env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"); // systemd's default
    env.put("HOME", "/var/lib/edgeproxy");
    env.put("CACHE_DIRECTORY", "/var/cache/" + unit.value("CacheDirectory"));
    env.putAll(unit.environment());
    env.put("EDGEPROXY_LISTEN_ADDR", LocalPorts.format(listen));
    env.put("EDGEPROXY_ADMIN_ADDR", LocalPorts.format(admin));
    env.put("EDGEPROXY_DB_RELOAD_SECS", "1");
    return builder;
  }

  /** "CAP_NET_BIND_SERVICE CAP_X" as setpriv's ",+net_bind_service,+x". */
  private static String caps(String unitCapabilities) {
    StringBuilder out = new StringBuilder();
    for (String cap : unitCapabilities.split("\\s+")) {
      out.append(",+").append(cap.toLowerCase(Locale.ROOT).replaceFirst("^cap_", ""));
    }
    return out.toString();
  }
}
