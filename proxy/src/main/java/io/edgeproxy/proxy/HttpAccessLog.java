package io.edgeproxy.proxy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log of HTTP mode: one line per request on logger {@code edgeproxy.access}, fields
 * separated by spaces, strings quoted: client, host, method, path, protocol, status, body bytes,
 * milliseconds, app, backend ("-" when the edge answered), outcome.
 */
final class HttpAccessLog implements HttpObserver {
  private static final Logger access = LoggerFactory.getLogger("edgeproxy.access");

  private HttpAccessLog() {}

  /** The access log, then {@code next}. */
  static HttpObserver and(HttpObserver next) {
    HttpAccessLog log = new HttpAccessLog();
    return request -> {
      log.completed(request);
      next.completed(request);
    };
  }

  @Override
  public void completed(Request r) {
    if (access.isInfoEnabled()) {
      access.info("{} \"{}\" \"{} {} {}\" {} {} {} {} {} \"{}\"", r.client(), quoted(r.host()), r.method(), quoted(r.path()),
          r.protocol(), r.status(), r.bytes(), String.format("%.1f", r.nanos() / 1e6), r.app().isEmpty() ? "-" : r.app(),
          r.backend() == null ? "-" : r.backend(), quoted(r.outcome()));
    }
  }

  /** Control characters and quotes escaped, so a client cannot forge log lines. */
  private static String quoted(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\x%02x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
