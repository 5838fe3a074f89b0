package io.edgeproxy.proxy;

import org.jspecify.annotations.Nullable;

/**
 * Told about every request the HTTPS edge answers for an app in HTTP mode, and for the requests it
 * answers itself (redirects, 4xx, 5xx), once the response is complete or abandoned. Called on I/O
 * threads: must not block.
 */
@FunctionalInterface
public interface HttpObserver {
  HttpObserver NONE = request -> {};

  void completed(Request request);

  /**
   * One request.
   *
   * @param app the app it was routed to, or "" when none
   * @param client the client's address
   * @param host the Host (or :authority) it named, or "" when none
   * @param protocol "HTTP/1.1", "HTTP/1.0" or "HTTP/2"
   * @param status the status sent to the client; 0 when the client went away first
   * @param bytes response body bytes sent
   * @param nanos from the request's head to the end of its response
   * @param backend the backend that answered, or null when the edge answered itself
   * @param outcome "ok", or why the exchange ended otherwise ("client closed", "backend closed", ...)
   */
  record Request(String app, String client, String host, String method, String path, String protocol, int status,
      long bytes, long nanos, @Nullable String backend, String outcome) {}
}
