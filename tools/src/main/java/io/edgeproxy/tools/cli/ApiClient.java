package io.edgeproxy.tools.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Calls the discovery API ({@code discovery-api/}) with a bearer token. */
final class ApiClient {
  private final URI base;
  private final String token;
  private final javax.net.ssl.@Nullable SSLContext trust;

  private ApiClient(URI base, String token, javax.net.ssl.@Nullable SSLContext trust) {
    this.base = base;
    this.token = token;
    this.trust = trust;
  }

  /**
   * The API at {@code url} (else http:// plus EDGEPROXY_API_LISTEN_ADDR, else 127.0.0.1:8081) with
   * {@code token} (else EDGEPROXY_API_TOKEN), trusting the PEM certificates in {@code cacert} (a
   * private CA, or an agent's self-signed certificate) for an https:// API, as curl's --cacert.
   *
   * @throws ParameterException (a usage error) when there is no token or the URL is unusable
   */
  static ApiClient of(@Nullable String url, @Nullable String token, java.nio.file.@Nullable Path cacert, Map<String, String> env,
      CommandSpec spec) {
    String t = token != null ? token : env.get("EDGEPROXY_API_TOKEN");
    if (t == null || t.isBlank()) {
      throw new ParameterException(spec.commandLine(), "no API token (expected: --token TOKEN or EDGEPROXY_API_TOKEN; create one with"
          + " 'edgeproxy token create --admin' or '--app APP')");
    }
    String u = url != null ? url : "http://" + env.getOrDefault("EDGEPROXY_API_LISTEN_ADDR", "127.0.0.1:8081");
    try {
      URI uri = URI.create(u.endsWith("/") ? u : u + "/");
      if (uri.getScheme() == null || uri.getHost() == null) {
        throw new IllegalArgumentException("no scheme or host");
      }
      return new ApiClient(uri, t.strip(), cacert == null ? null : trusting(cacert, spec));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "API URL '" + u + "' (expected: http://host:port)");
    }
  }

  /** A TLS context that trusts exactly the certificates in {@code file}. */
  private static javax.net.ssl.SSLContext trusting(java.nio.file.Path file, CommandSpec spec) {
    try (var in = java.nio.file.Files.newInputStream(file)) {
      var store = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
      store.load(null, null);
      int n = 0;
      for (var certificate : java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("trusted-" + n++, certificate);
      }
      if (n == 0) {
        throw new ParameterException(spec.commandLine(), "--cacert " + file + " holds no PEM certificate");
      }
      var factory = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      var context = javax.net.ssl.SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (IOException | java.security.GeneralSecurityException e) {
      throw new ParameterException(spec.commandLine(), "--cacert " + file + ": " + e.getMessage());
    }
  }

  record Answer(int status, String body) {
    boolean ok() {
      return status / 100 == 2;
    }
  }

  /**
   * Sends {@code method path} (path relative to the base, e.g. "api/v1/register").
   *
   * @throws CommandFailure when nothing answers at the address
   */
  Answer send(String method, String path, @Nullable String json) {
    URI uri = base.resolve(path);
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + token)
        .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      request.header("Content-Type", "application/json");
    }
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    if (trust != null) {
      builder.sslContext(trust);
    }
    try (HttpClient client = builder.build()) {
      HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), response.body());
    } catch (ConnectException e) {
      throw new CommandFailure("nothing answers at " + base + " (expected: a running agent with the discovery API on:"
          + " EDGEPROXY_API_ENABLED=true edgeproxy agent; point --api or EDGEPROXY_API_LISTEN_ADDR at it)");
    } catch (IOException e) {
      throw new CommandFailure("cannot reach the discovery API at " + base + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CommandFailure("interrupted");
    }
  }
}
