package io.edgeproxy.tools;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.edgeproxy.core.config.ApiConfig;
import io.edgeproxy.core.config.TlsFiles;
import io.edgeproxy.core.config.EdgeConfig;
import io.edgeproxy.replication.tls.ClusterPki;
import io.edgeproxy.sql.ApiTokens;
import io.edgeproxy.sql.RoutingDb;
import io.edgeproxy.tools.cli.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The discovery API over TLS (EDGEPROXY_API_TLS), driven by curl and openssl as operators would:
 * the operator's certificate (a chain under a private CA, an RSA key in PKCS#1 form), and the
 * self-signed default pinned by the public-key hash the agent logs. Plain HTTP and TLS 1.1 are
 * refused; tokens are still required.
 */
@Timeout(120)
class ApiTlsIT {
  @TempDir Path dir;
  private final List<EdgeNode> nodes = new ArrayList<>();

  @AfterEach
  void stop() {
    nodes.forEach(EdgeNode::close);
  }

  private static Commands.Run run(String... command) throws Exception {
    return Commands.run(command);
  }

  /** A node with the API over TLS; returns its admin token. */
  private String start(Path home, ApiConfig.Tls tls) throws Exception {
    Files.createDirectories(home);
    EdgeConfig config = EdgeConfig.forTest(home).withApi(ApiConfig.forTest().withTls(tls));
    String admin;
    try (RoutingDb db = RoutingDb.open(config.node().dbPath())) {
      admin = new ApiTokens(db).create(ApiTokens.ADMIN, "test admin", System.currentTimeMillis());
    }
    nodes.add(EdgeNode.start(config));
    return admin;
  }

  private int port() {
    return nodes.getLast().apiAddress().getPort();
  }

  @Test
  void theOperatorsCertificateChainAndRsaKeyServeTheApiAndNothingElseIsAccepted() throws Exception {
    // A private CA, an intermediate-less chain (leaf + CA in one file) and an RSA key in PKCS#1 form.
    Path ca = dir.resolve("ca.pem");
    Path key = dir.resolve("api.key");
    Path csr = dir.resolve("api.csr");
    Path cert = dir.resolve("api.pem");
    assertThat(run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir.resolve("ca.key").toString(),
        "-out", ca.toString(), "-subj", "/CN=test CA", "-days", "2").exit()).isZero();
    assertThat(run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", dir.resolve("pkcs8.key").toString(),
        "-out", csr.toString(), "-subj", "/CN=api.test").exit()).isZero();
    Path ext = Files.writeString(dir.resolve("ext.cnf"), "subjectAltName=DNS:api.test,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
    assertThat(run("openssl", "x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", dir.resolve("ca.key").toString(),
        "-CAcreateserial", "-out", cert.toString(), "-days", "2", "-extfile", ext.toString()).exit()).isZero();
    assertThat(run("openssl", "rsa", "-in", dir.resolve("pkcs8.key").toString(), "-traditional", "-out", key.toString()).exit())
        .isZero();
    assertThat(Files.readString(key)).contains("BEGIN RSA PRIVATE KEY");
    Files.writeString(cert, Files.readString(cert) + Files.readString(ca));

    String admin = start(dir.resolve("pop"), new ApiConfig.Tls(new TlsFiles(cert, key)));
    String url = "https://api.test:" + port() + "/api/v1/members";
    String resolve = "api.test:" + port() + ":127.0.0.1";

    Commands.Run ok = run("curl", "-sS", "--cacert", ca.toString(), "--resolve", resolve, "-H", "Authorization: Bearer " + admin,
        "-w", "\n%{http_code} %{ssl_verify_result}", url);
    assertThat(ok.out()).contains("\"members\"").endsWith("200 0");
    // Still a bearer token API: TLS adds privacy, not access.
    assertThat(run("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", ca.toString(), "--resolve", resolve, url)
        .out()).isEqualTo("401");
    // Plain HTTP to the TLS port gets no HTTP answer, only a closed connection.
    Commands.Run plain = run("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:" + port() + "/api/v1/members");
    assertThat(plain.exit()).isEqualTo(52); // empty reply from server
    assertThat(plain.out()).endsWith("000");
    // The CLI registers over TLS when told whom to trust, and refuses an untrusted certificate.
    String https = "https://127.0.0.1:" + port();
    String[] register = {"register", "--api", https, "--token", admin, "--id", "web-1", "--app", "web", "--region", "sa",
        "--ip", "10.0.0.5", "--port", "8080"};
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] trusted = Stream.concat(Arrays.stream(register), Stream.of("--cacert",
        ca.toString())).toArray(String[]::new);
    assertThat(Cli.run(Map.of(), new PrintWriter(out), new PrintWriter(err), trusted))
        .as(err.toString()).isZero();
    assertThat(out.toString()).contains("web-1 registered");
    StringWriter refusedErr = new StringWriter();
    assertThat(Cli.run(Map.of(), new PrintWriter(new StringWriter()),
        new PrintWriter(refusedErr), register)).isNotZero();
    assertThat(refusedErr.toString()).contains("cannot reach the discovery API at " + https);
    // Nothing below TLS 1.2 is offered.
    Commands.Run old = run("openssl", "s_client", "-connect", "127.0.0.1:" + port(), "-servername", "api.test", "-tls1_1");
    assertThat(old.out()).contains("alert protocol version").contains("Cipher is (NONE)").doesNotContain("BEGIN CERTIFICATE");
    Commands.Run modern = run("sh", "-c", "openssl s_client -connect 127.0.0.1:" + port() + " -servername api.test -tls1_2 -brief"
        + " </dev/null 2>&1");
    assertThat(modern.out()).contains("Protocol version: TLSv1.2").containsPattern("Ciphersuite: ECDHE-RSA-(AES|CHACHA20)");
  }

  @Test
  void withoutFilesASelfSignedCertificateIsServedAndItsLoggedPinMatches() throws Exception {
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    Logger logger = (Logger) LoggerFactory.getLogger(io.edgeproxy.tools.tls.TlsContexts.class);
    logger.addAppender(log);
    String admin;
    try {
      admin = start(dir.resolve("pop"), new ApiConfig.Tls(null));
    } finally {
      logger.detachAppender(log);
    }
    Matcher pin = Pattern.compile("--pinnedpubkey (sha256//\\S+)").matcher(
        log.list.stream().map(ILoggingEvent::getFormattedMessage).reduce("", String::concat));
    assertThat(pin.find()).as("the agent logs the pin of its self-signed certificate").isTrue();
    String url = "https://127.0.0.1:" + port() + "/api/v1/members";
    // Not trusted by default: curl refuses it (60: certificate problem).
    assertThat(run("curl", "-sS", "-o", "/dev/null", url).exit()).isEqualTo(60);
    // Pinned by its public key, it is accepted; a wrong pin is refused (90).
    assertThat(run("curl", "-sS", "-k", "--pinnedpubkey", pin.group(1), "-H", "Authorization: Bearer " + admin,
        "-o", "/dev/null", "-w", "%{http_code}", url).out()).isEqualTo("200");
    assertThat(run("curl", "-sS", "-k", "--pinnedpubkey", "sha256//" + "A".repeat(43) + "=", "-o", "/dev/null", url).exit())
        .isEqualTo(90);
    // The certificate names the loopback address it is reached on.
    Commands.Run text = run("sh", "-c", "openssl s_client -connect 127.0.0.1:" + port() + " </dev/null 2>/dev/null | openssl x509 -noout -text");
    assertThat(text.out()).contains("IP Address:127.0.0.1").contains("DNS:localhost");
    // Its key was never written: the node's home holds no private key.
    try (var files = Files.walk(dir.resolve("pop"))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        assertThat(Files.readString(f, StandardCharsets.ISO_8859_1)).doesNotContain("PRIVATE KEY");
      }
    }
  }

  @Test
  void aSelfSignedCertificateNamesIpLiteralsAsAddressesAndOtherNamesAsDnsNames() throws Exception {
    var identity = ClusterPki.selfSigned(List.of("localhost", "127.0.0.1"), Duration.ofDays(1));
    assertThat(identity.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
    assertThat(identity.certificate().getSubjectAlternativeNames())
        .containsExactlyInAnyOrder(List.of(2, "localhost"), List.of(7, "127.0.0.1"));
    assertThat(io.edgeproxy.tools.tls.TlsContexts.pin(identity.certificate())).startsWith("sha256//").hasSize(8 + 44);
  }
}
