package io.edgeproxy.proxy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log of HTTP mode: one line per request on logger {@code edgeproxy.access}, fields
 * separated by spaces, strings quoted: client, host, method, path, protocol, status, body bytes,
 * milliseconds, app, backend ("-" when the edge answered), outcome. Each field is also a key-value
 * pair of the line, so a JSON log (EDGEPROXY_LOG_FORMAT=json) carries them as fields.
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
    if (!access.isInfoEnabled()) {
      return;
    }
    StringBuilder line = new StringBuilder(160).append(r.client()).append(" \"");
    quoted(line, r.host()).append("\" \"").append(r.method()).append(' ');
    quoted(line, r.path()).append(' ').append(r.protocol()).append("\" ").append(r.status()).append(' ').append(r.bytes())
        .append(' ');
    long tenths = r.nanos() / 100_000; // milliseconds with one decimal, without String.format
    line.append(tenths / 10).append('.').append(tenths % 10).append(' ').append(r.app().isEmpty() ? "-" : r.app()).append(' ')
        .append(r.backend() == null ? "-" : r.backend()).append(" \"");
    quoted(line, r.outcome()).append('"');
    access.atInfo().addKeyValue("client", r.client()).addKeyValue("host", r.host()).addKeyValue("method", r.method())
        .addKeyValue("path", r.path()).addKeyValue("protocol", r.protocol()).addKeyValue("status", r.status())
        .addKeyValue("bytes", r.bytes()).addKeyValue("ms", r.nanos() / 1e6).addKeyValue("app", r.app())
        .addKeyValue("backend", r.backend()).addKeyValue("outcome", r.outcome()).log(line.toString());
  }

  /** Appends {@code text} with control characters and quotes escaped, so a client cannot forge log lines. */
  static StringBuilder quoted(StringBuilder out, String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        out.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
      } else {
        out.append(c);
      }
    }
    return out;
  }
}
