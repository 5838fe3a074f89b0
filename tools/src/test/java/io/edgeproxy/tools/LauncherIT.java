package io.edgeproxy.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Black-box tests of the packaged jar in its own JVM, driven as a user would, with real curl. */
@Timeout(120)
class LauncherIT {
  private static final Path JAR = Path.of("target/edgeproxy.jar");
  @TempDir Path dir;

  private static Process launch(Path workDir, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-XX:+UseSerialGC", "-jar", JAR.toAbsolutePath().toString()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).directory(workDir.toFile())
        .redirectError(workDir.resolve("stderr.log").toFile()).start();
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  @Test
  void demoServesThroughTheProxyAndSaysWhichBackendAnsweredAndWhy() throws Exception {
    // Every port picked by the kernel: a CI machine may run something on 8081 or 5353 (mDNS).
    Process demo = launch(dir, "demo", "--listen", "127.0.0.1:0", "--db-reload-secs", "1", "--admin", "127.0.0.1:0",
        "--api-listen", "127.0.0.1:0", "--dns-listen", "127.0.0.1:0");
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8));
      String first = out.readLine();
      Matcher m = Pattern.compile("proxy: 127\\.0\\.0\\.1:(\\d+) -> app demo").matcher(first == null ? "" : first);
      assertThat(m.matches()).as("first line: %s; stderr: %s", first, Files.readString(dir.resolve("stderr.log"))).isTrue();
      String url = "http://127.0.0.1:" + m.group(1) + "/";
      StringBuilder banner = new StringBuilder();
      for (String line = out.readLine(); line != null && !line.startsWith("Ctrl-C"); line = out.readLine()) {
        banner.append(line).append('\n');
      }
      assertThat(banner).contains("curl -s " + url).contains("sqlite3 demo-data/routing.db")
          .contains("Discovery API on http://127.0.0.1:").contains("TOKEN=edp_").contains("dig @127.0.0.1 -p ");

      Matcher http = Pattern.compile("curl -sk --http2 --resolve (\\S+) (https://\\S+)").matcher(banner);
      assertThat(http.find()).as(banner.toString()).isTrue();
      String viaHttpMode = run("curl", "-sk", "--max-time", "5", "--http2", "--resolve", http.group(1), http.group(2));
      assertThat(viaHttpMode).startsWith("hello from demo-").contains("client:  for=127.0.0.1;proto=https;host=");

      String reply = run("curl", "-s", "--max-time", "5", url);
      assertThat(reply).startsWith("hello from demo-sa-").contains("routing: backend=demo-sa-").contains("tier=2 (this POP's region)");
      String servedBy = reply.substring("hello from ".length(), reply.indexOf(' ', "hello from ".length()));

      // The demo's own suggestion: take that backend out with sqlite3, and the next request moves.
      run("sqlite3", dir.resolve("demo-data/routing.db").toString(), "UPDATE backends SET healthy = 0 WHERE id = '" + servedBy + "'");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      String moved = reply;
      while (moved.startsWith("hello from " + servedBy) && System.nanoTime() < deadline) {
        Thread.sleep(100);
        moved = run("curl", "-s", "--max-time", "5", url);
      }
      assertThat(moved).startsWith("hello from demo-").doesNotStartWith("hello from " + servedBy);
    } finally {
      demo.destroy();
      assertThat(demo.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void anInvalidSettingStopsTheAgentWithTheKeyValueAndExpectation() throws Exception {
    Process agent = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar",
        JAR.toAbsolutePath().toString(), "agent", "--listen", "0.0.0.0:99999", "--db", dir.resolve("r.db").toString())
        .redirectErrorStream(true).start();
    agent.getOutputStream().close();
    String output = new String(agent.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(agent.exitValue()).isEqualTo(2);
    assertThat(output).contains("EDGEPROXY_LISTEN_ADDR (--listen): \"0.0.0.0:99999\" is not a valid address (expected: host:port, port 0-65535)");
    assertThat(Files.exists(dir.resolve("r.db"))).isFalse();
  }

  @Test
  void theAgentReadsTheOriginalsEnvironmentAndStopsCleanlyOnSigterm() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar",
        JAR.toAbsolutePath().toString(), "agent", "--admin", "127.0.0.1:0").directory(dir.toFile()).redirectError(dir.resolve("agent.log").toFile());
    pb.environment().put("EDGEPROXY_LISTEN_ADDR", "127.0.0.1:0");
    pb.environment().put("EDGEPROXY_DB_PATH", dir.resolve("routing.db").toString());
    pb.environment().put("EDGEPROXY_REGION", "eu");
    Process agent = pb.start();
    BufferedReader out = new BufferedReader(new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8));
    assertThat(out.readLine()).matches("proxy: 127\\.0\\.0\\.1:\\d+ -> app \\*");
    assertThat(out.readLine()).as("every listener is printed, the admin one too").matches("admin: 127\\.0\\.0\\.1:\\d+ \\(TCP: .*\\)");
    agent.destroy(); // SIGTERM
    assertThat(agent.waitFor(15, TimeUnit.SECONDS)).isTrue();
    String log = Files.readString(dir.resolve("agent.log"));
    assertThat(log).contains("EDGEPROXY_REGION=eu (EDGEPROXY_REGION)").contains("edgeproxy node up: region eu");
    assertThat(Files.exists(dir.resolve("routing.db"))).isTrue();
  }
}
