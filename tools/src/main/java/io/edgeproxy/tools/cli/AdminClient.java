package io.edgeproxy.tools.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Talks to a running agent's admin endpoint (see {@code AdminServer}). */
public final class AdminClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AdminClient() {}

  /** The answer, or an error naming what went wrong (no agent running, bad address, HTTP error). */
  public sealed interface Reply {
    public record Ok(String body) implements Reply {
      public JsonNode json() throws IOException {
        return JSON.readTree(body);
      }
    }

    /** The agent answered with an error, or the address is unusable. */
    public record Failed(String message) implements Reply {}

    /** Nothing listens there: no agent is running (the message says where it looked and how to start one). */
    public record NoAgent(String message) implements Reply {}
  }

  /** The admin address: the flag, else EDGEPROXY_ADMIN_ADDR, else 127.0.0.1:8082. */
  public static String address(@Nullable String flag, Map<String, String> env) {
    return flag != null ? flag : env.getOrDefault("EDGEPROXY_ADMIN_ADDR", "127.0.0.1:8082");
  }

  /**
   * After a write to routing.db: when an agent runs on that file, asks it (its admin endpoint
   * {@code where}) to version and apply the write now, and prints the write receipt, for
   * {@code edgeproxy wait}. Otherwise says the change replicates once an agent runs on the file.
   */
  public static void flushAndReport(String where, java.nio.file.Path db, java.io.PrintWriter err, String command) {
    String query = "/v1/flush?db=" + java.net.URLEncoder.encode(db.toAbsolutePath().toString(), java.nio.charset.StandardCharsets.UTF_8);
    switch (post(where, query)) {
      case Reply.Ok ok -> {
        try {
          err.println("receipt: " + ok.json().path("receipt").asText() + " (edgeproxy wait RECEIPT: until every POP has it)");
        } catch (IOException e) {
          err.println(command + ": the agent at " + where + " answered something else than a receipt");
        }
      }
      case Reply.NoAgent n -> err.println("no agent at " + where + ": the change replicates once one runs on " + db);
      case Reply.Failed f -> err.println("no receipt: " + f.message());
    }
    err.flush();
  }

  public static Reply get(String admin, String path) {
    return send(admin, path, "GET");
  }

  public static Reply post(String admin, String path) {
    return send(admin, path, "POST");
  }

  private static Reply send(String admin, String path, String method) {
    URI uri;
    try {
      uri = URI.create("http://" + admin + path);
    } catch (IllegalArgumentException e) {
      return new Reply.Failed("admin address '" + admin + "' (expected: host:port)");
    }
    try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
      HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
              .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return new Reply.Failed(method + " " + uri + " answered " + response.statusCode() + ": " + response.body().strip());
      }
      return new Reply.Ok(response.body());
    } catch (ConnectException e) {
      return new Reply.NoAgent("no agent is running with its admin endpoint at " + admin
          + " (start one with 'edgeproxy agent', or point --admin / EDGEPROXY_ADMIN_ADDR at it)");
    } catch (IOException e) {
      return new Reply.Failed("cannot reach the agent at " + admin + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Reply.Failed("interrupted");
    }
  }
}
