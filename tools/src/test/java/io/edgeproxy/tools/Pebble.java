package io.edgeproxy.tools;

import io.edgeproxy.core.testing.LocalPorts;
import io.edgeproxy.replication.tls.ClusterPki;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Let's Encrypt's test CA, Debian's {@code pebble}, with {@code pebble-challtestsrv} as its DNS
 * (every name resolves to 127.0.0.1 unless told otherwise): an ACME server on loopback for one
 * test. Its HTTPS certificate is issued by the test's CA, so clients trust it by that CA's PEM.
 */
final class Pebble implements AutoCloseable {
  private final Process dns;
  private final Process pebble;
  private final int acmePort;
  private final int managementPort;
  private final int dnsManagementPort;

  private Pebble(Process dns, Process pebble, int acmePort, int managementPort, int dnsManagementPort) {
    this.dns = dns;
    this.pebble = pebble;
    this.acmePort = acmePort;
    this.managementPort = managementPort;
    this.dnsManagementPort = dnsManagementPort;
  }

  /**
   * Starts both, HTTP-01 validation going to port {@code httpPort} of whatever a name resolves to.
   *
   * @param ca the authority that issues pebble's own HTTPS certificate (for "localhost")
   */
  static Pebble start(Path dir, ClusterPki.Identity ca, int httpPort) throws Exception {
    Files.createDirectories(dir);
    ClusterPki.Identity tls = ClusterPki.issue(ca, "localhost");
    Files.writeString(dir.resolve("cert.pem"), ClusterPki.pem(tls.certificate()));
    Files.writeString(dir.resolve("key.pem"), ClusterPki.pem(tls.key()));
    int acme = LocalPorts.tcp().getPort();
    int management = LocalPorts.tcp().getPort();
    int dnsPort = LocalPorts.tcp().getPort();
    int dnsManagement = LocalPorts.tcp().getPort();
    Files.writeString(dir.resolve("pebble.json"), """
        {"pebble": {"listenAddress": "127.0.0.1:%d", "managementListenAddress": "127.0.0.1:%d",
          "certificate": "%s", "privateKey": "%s", "httpPort": %d, "tlsPort": %d,
          "ocspResponderURL": "", "externalAccountBindingRequired": false}}
        """.formatted(acme, management, dir.resolve("cert.pem"), dir.resolve("key.pem"), httpPort, LocalPorts.tcp().getPort()));
    Process dns = new ProcessBuilder("pebble-challtestsrv", "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "",
        "-dns01", "127.0.0.1:" + dnsPort, "-http01", "", "-https01", "", "-tlsalpn01", "", "-management",
        "127.0.0.1:" + dnsManagement).redirectErrorStream(true).redirectOutput(dir.resolve("challtestsrv.log").toFile()).start();
    ProcessBuilder pb = new ProcessBuilder("pebble", "-config", dir.resolve("pebble.json").toString(), "-dnsserver",
        "127.0.0.1:" + dnsPort).redirectErrorStream(true).redirectOutput(dir.resolve("pebble.log").toFile());
    pb.environment().put("PEBBLE_VA_NOSLEEP", "1");
    pb.environment().put("PEBBLE_WFE_NONCEREJECT", "0");
    pb.environment().put("PEBBLE_AUTHZREUSE", "0");
    Process pebble = pb.start();
    Pebble p = new Pebble(dns, pebble, acme, management, dnsManagement);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!(listening(acme) && listening(dnsManagement) && listening(management))) {
      if (System.nanoTime() > deadline || !pebble.isAlive() || !dns.isAlive()) {
        p.close();
        throw new IllegalStateException("pebble did not start: " + Files.readString(dir.resolve("pebble.log"))
            + Files.readString(dir.resolve("challtestsrv.log")));
      }
      Thread.sleep(50);
    }
    return p;
  }

  /** The ACME directory URL. */
  URI directory() {
    return URI.create("https://localhost:" + acmePort + "/dir");
  }

  /** The root that issues this run's certificates (it changes with every pebble start), as PEM. */
  String root(Path caPem) throws Exception {
    return Commands.run("curl", "-sS", "--cacert", caPem.toString(), "https://localhost:" + managementPort + "/roots/0").out();
  }

  /** Makes {@code host} resolve to {@code address} for the CA (a name whose validation must fail). */
  void resolve(String host, String address) throws Exception {
    Commands.run("curl", "-sS", "-X", "POST", "-d", "{\"host\":\"" + host + "\",\"addresses\":[\"" + address + "\"]}",
        "http://127.0.0.1:" + dnsManagementPort + "/add-a");
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() throws Exception {
    pebble.destroy();
    dns.destroy();
    pebble.waitFor(5, TimeUnit.SECONDS);
    dns.waitFor(5, TimeUnit.SECONDS);
  }
}
