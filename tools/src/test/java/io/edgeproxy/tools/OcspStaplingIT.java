package io.edgeproxy.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeproxy.core.config.EdgeTlsConfig;
import io.edgeproxy.core.testing.LocalPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * OCSP stapling against a real responder ({@code openssl ocsp}): a certificate whose
 * authorityInfoAccess names the responder is served with the responder's "good" answer stapled,
 * as {@code openssl s_client -status} shows; a revoked one gets nothing stapled.
 */
@Timeout(120)
class OcspStaplingIT extends HttpsEdgeTestBase {

  @Test
  void aGoodResponseIsStapledAndARevokedOneIsNot() throws Exception {
    Path pki = dir.resolve("ocsp");
    Files.createDirectories(pki);
    int responderPort = LocalPorts.tcp().getPort();
    openssl(pki, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out",
        "ca.crt", "-days", "30", "-subj", "/CN=ocsp-test-ca", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature");
    Path certs = dir.resolve("certs");
    Files.createDirectories(certs);
    String good = leaf(pki, certs, "good", "good.apps.test", responderPort);
    String revoked = leaf(pki, certs, "revoked", "revoked.apps.test", responderPort);
    Files.writeString(pki.resolve("index.txt"), good + revoked.replaceFirst("^V\t([^\t]*)\t", "R\t$1\t"
        + DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC).format(java.time.Instant.now())));
    Process responder = new ProcessBuilder("openssl", "ocsp", "-index", "index.txt", "-port", String.valueOf(responderPort),
        "-rsigner", "ca.crt", "-rkey", "ca.key", "-CA", "ca.crt", "-ndays", "1").directory(pki.toFile())
        .redirectErrorStream(true).redirectOutput(pki.resolve("responder.log").toFile()).start();
    closers.add(() -> {
      responder.destroy();
      responder.waitFor(5, TimeUnit.SECONDS);
    });

    // Not probed by connecting: openssl's responder serves one connection at a time and waits on an empty one.
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(pki.resolve("responder.log")).contains("waiting for OCSP"));
    EdgeNode node = startNode(dir.resolve("pop"), c -> c.withTls(EdgeTlsConfig.forTest().withCertificatesDir(certs)
        .withProvider(EdgeTlsConfig.Provider.OPENSSL)));
    int port = node.edgeAddress().getPort();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(status(port, "good.apps.test"))
        .contains("OCSP Response Status: successful").contains("Cert Status: good"));
    assertThat(status(port, "revoked.apps.test")).contains("OCSP response: no response sent");
  }

  private static String status(int port, String name) throws Exception {
    return run(15, "sh", "-c", "echo | openssl s_client -connect 127.0.0.1:" + port + " -servername " + name + " -status 2>&1").out();
  }

  /** Issues {@code name}'s certificate naming the responder; returns its index.txt line. */
  private static String leaf(Path pki, Path certs, String file, String name, int responderPort) throws Exception {
    Files.writeString(pki.resolve(file + ".ext"), "subjectAltName=DNS:" + name + "\nauthorityInfoAccess=OCSP;URI:http://127.0.0.1:"
        + responderPort + "\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
    openssl(pki, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", file + ".key", "-out",
        file + ".csr", "-subj", "/CN=" + name);
    openssl(pki, "x509", "-req", "-in", file + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out",
        file + ".crt", "-days", "10", "-extfile", file + ".ext");
    Files.writeString(certs.resolve(file + ".crt"), Files.readString(pki.resolve(file + ".crt")) + Files.readString(pki.resolve("ca.crt")));
    Files.copy(pki.resolve(file + ".key"), certs.resolve(file + ".key"));
    X509Certificate cert;
    try (var in = Files.newInputStream(pki.resolve(file + ".crt"))) {
      cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    String expiry = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC).format(cert.getNotAfter().toInstant());
    return "V\t" + expiry + "\t\t" + cert.getSerialNumber().toString(16).toUpperCase(java.util.Locale.ROOT) + "\tunknown\t/CN=" + name + "\n";
  }

  private static void openssl(Path dir, String... args) throws Exception {
    String[] command = new String[args.length + 1];
    command[0] = "openssl";
    System.arraycopy(args, 0, command, 1, args.length);
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }
}
