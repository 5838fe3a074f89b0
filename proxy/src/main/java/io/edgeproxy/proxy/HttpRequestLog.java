package io.edgeproxy.proxy;

import org.jspecify.annotations.Nullable;

/** What one request's {@link HttpObserver.Request} is built from while it runs. Loop thread only. */
final class HttpRequestLog {
  private final String client;
  private final String host;
  private final String method;
  private final String path;
  private final String protocol;
  private String app = "";
  private int status;
  private long bytes;
  private long nanos;
  private @Nullable String backend;
  private String outcome = "";

  HttpRequestLog(String client, String host, String method, String path, String protocol) {
    this.client = client;
    this.host = host;
    this.method = method;
    this.path = path;
    this.protocol = protocol;
  }

  HttpRequestLog app(String value) {
    app = value;
    return this;
  }

  HttpRequestLog status(int value) {
    status = value;
    return this;
  }

  HttpRequestLog addBytes(long value) {
    bytes += value;
    return this;
  }

  HttpRequestLog nanos(long value) {
    nanos = value;
    return this;
  }

  HttpRequestLog backend(@Nullable String value) {
    backend = value;
    return this;
  }

  HttpRequestLog outcome(String value) {
    outcome = value;
    return this;
  }

  HttpObserver.Request build() {
    return new HttpObserver.Request(app, client, host, method, path, protocol, status, bytes, nanos, backend, outcome);
  }
}
