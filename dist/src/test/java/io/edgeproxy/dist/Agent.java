package io.edgeproxy.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeproxy.core.testing.LocalPorts;
import io.edgeproxy.core.testing.NamedBackend;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * An edgeproxy agent started from a package as its own process, its output (stdout and stderr) in a
 * log file. Closing it kills the process if it still runs.
 */
final class Agent implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Process process;
  private final File log;
  private final InetSocketAddress admin;

  private Agent(Process process, File log, InetSocketAddress admin) {
    this.process = process;
    this.log = log;
    this.admin = admin;
  }

  /** Starts what {@code builder} describes, its output to {@code log}; {@code admin} is its EDGEPROXY_ADMIN_ADDR. */
  static Agent start(ProcessBuilder builder, File log, InetSocketAddress admin) throws IOException {
    builder.redirectErrorStream(true).redirectOutput(log);
    return new Agent(builder.start(), log, admin);
  }

  /** Waits (at most 60 s) until the admin endpoint answers {@code /v1/status}; returns that JSON. */
  String awaitStatus() {
    String[] status = new String[1];
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
      assertThat(process.isAlive()).as("the agent exited %s early:%n%s", exitValue(), log()).isTrue();
      status[0] = status().orElse(null);
      return status[0] != null;
    });
    return status[0];
  }

  private Optional<String> status() {
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + LocalPorts.format(admin) + "/v1/status"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? Optional.of(response.body()) : Optional.empty();
    } catch (IOException notYet) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** Waits (at most 20 s) until a client of {@code proxy} is answered by the backend named {@code name}. */
  void awaitProxied(InetSocketAddress proxy, String name) {
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
        .untilAsserted(() -> assertThat(NamedBackend.ask(proxy)).as(this::log).isEqualTo(name));
  }

  /** The SQL that adds a backend of app web on 127.0.0.1 in region sa (an agent's default region) to routing.db. */
  static String backendRow(String id, int port) {
    return "INSERT INTO backends (id, app, region, country, wg_ip, port) VALUES ('" + id + "', 'web', 'sa', 'BR', '127.0.0.1', " + port + ")";
  }

  /** The executable the process runs (the JVM, once the launcher has exec'd it). */
  String command() {
    return process.info().command().orElse("");
  }

  /** The JVM's arguments (the launcher's options included), as the kernel lists them. */
  java.util.List<String> arguments() {
    return java.util.List.of(process.info().arguments().orElse(new String[0]));
  }

  /** Sends SIGTERM without waiting (several agents stopped at once; {@link #stop} then waits). */
  void signalStop() {
    process.destroy();
  }

  /** Sends SIGTERM and waits (at most 30 s) for the exit; returns its status. */
  int stop() throws InterruptedException {
    process.destroy();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("still running 30 s after SIGTERM:%n%s", log()).isTrue();
    return process.exitValue();
  }

  /** Waits (at most 60 s) for the process to end by itself; returns its status. */
  int awaitExit() throws InterruptedException {
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("still running after 60 s:%n%s", log()).isTrue();
    return process.exitValue();
  }

  private String exitValue() {
    return process.isAlive() ? "(running)" : String.valueOf(process.exitValue());
  }

  String log() {
    try {
      return Files.readString(log.toPath());
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
