package io.edgeproxy.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.core.testing.LocalPorts;
import io.edgeproxy.core.testing.NamedBackend;
import io.edgeproxy.core.testing.Sqlite3Cli;
import io.edgeproxy.dist.Commands.Run;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tarball on a machine as bare as it gets: unpacked with tar, run with no environment but PATH and
 * HOME (no JAVA_HOME; a JDK on the PATH is never looked at), serving through every native part it
 * ships (sqlite, BoringSSL through netty-tcnative, QUIC, io_uring or epoll) and stopping on SIGTERM.
 */
@Timeout(180)
class TarballIT {
  @TempDir Path tmp;

  @Test
  void runsOnItsOwnRuntimeServesEverySubsystemAndStopsCleanlyOnSigterm() throws Exception {
    Path dir = Packages.unpackTarball(tmp);
    Path home = Files.createDirectory(tmp.resolve("home"));

    Run version = Commands.run("env", "-i", "PATH=/usr/bin:/bin", "HOME=" + home, dir.resolve("bin/edgeproxy").toString(), "--version").ok();
    assertThat(version.out().strip()).isEqualTo("edgeproxy " + Packages.version());

    InetSocketAddress listen = LocalPorts.tcp();
    InetSocketAddress admin = LocalPorts.tcp();
    InetSocketAddress tls = LocalPorts.tcp();
    InetSocketAddress dns = LocalPorts.udp();
    InetSocketAddress tunnels = LocalPorts.udp();
    Path db = tmp.resolve("routing.db");
    ProcessBuilder agentCommand = new ProcessBuilder(dir.resolve("bin/edgeproxy").toString(), "agent").directory(tmp.toFile());
    agentCommand.environment().clear();
    agentCommand.environment().putAll(Map.of("PATH", "/usr/bin:/bin", "HOME", home.toString(),
        "EDGEPROXY_LISTEN_ADDR", LocalPorts.format(listen), "EDGEPROXY_ADMIN_ADDR", LocalPorts.format(admin),
        "EDGEPROXY_DB_PATH", db.toString(), "EDGEPROXY_DB_RELOAD_SECS", "1"));
    agentCommand.environment().putAll(Map.of("EDGEPROXY_TLS_ENABLED", "true", "EDGEPROXY_TLS_PROVIDER", "openssl",
        "EDGEPROXY_TLS_LISTEN_ADDR", LocalPorts.format(tls), "EDGEPROXY_DNS_ENABLED", "true",
        "EDGEPROXY_DNS_LISTEN_ADDR", LocalPorts.format(dns), "EDGEPROXY_TUNNEL_ENABLED", "true",
        "EDGEPROXY_TUNNEL_LISTEN_ADDR", LocalPorts.format(tunnels)));

    try (NamedBackend backend = new NamedBackend("web-1");
        Agent agent = Agent.start(agentCommand, tmp.resolve("agent.log").toFile(), admin)) {
      String status = agent.awaitStatus();
      assertThat(agent.command()).isEqualTo(dir.resolve("runtime/bin/java").toString());
      assertThat(status).contains("\"provider\" : \"OpenSSL (BoringSSL)\"");
      assertThat(agent.log()).contains("tunnel listener on /" + LocalPorts.format(tunnels) + " (QUIC");
      assertThat(agent.log()).contains("GeoIP: embedded /geo/iptoasn-country.mmdb, mapped from "
          + dir.resolve("lib/native/iptoasn-country.mmdb"));

      Sqlite3Cli.exec(db, Agent.backendRow("web-1", backend.port()));
      agent.awaitProxied(listen, "web-1");
      Run dig = Commands.run("dig", "+short", "+time=2", "+tries=1", "@127.0.0.1", "-p", String.valueOf(dns.getPort()), "web.internal", "A").ok();
      assertThat(dig.out().strip()).isEqualTo("127.0.0.1");
      // No app is served at this name: a 421 is the answer of a finished TLS handshake.
      Run https = Commands.run("curl", "-sk", "--max-time", "5", "-o", "/dev/null", "-w", "%{http_code}",
          "--resolve", "nothing.example:" + tls.getPort() + ":127.0.0.1", "https://nothing.example:" + tls.getPort() + "/").ok();
      assertThat(https.out()).isEqualTo("421");

      // 143 = 128 + SIGTERM: the JVM's status after its shutdown hooks ran (edgeproxy.service lists it
      // in SuccessExitStatus).
      assertThat(agent.stop()).as(agent::log).isEqualTo(143);
      assertThat(agent.log()).doesNotContain(" ERROR ", "failed to close", "Exception in thread");
    }
    // The launcher's class-data-sharing archive, made at exit in the writable place, not in the install tree.
    try (var files = java.nio.file.Files.list(home.resolve(".cache/edgeproxy"))) { // edgeproxy-VERSION-<jar mtime>-<jar size>.jsa
      String prefix = "edgeproxy-" + Packages.version() + "-";
      assertThat(files.filter(f -> f.getFileName().toString().startsWith(prefix) && f.toString().endsWith(".jsa")).toList())
          .singleElement().satisfies(f -> assertThat(f).isNotEmptyFile());
    }
  }
}
