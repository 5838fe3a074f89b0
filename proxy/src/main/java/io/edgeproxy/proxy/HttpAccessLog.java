package io.edgeproxy.proxy;


/**
 * The access log of HTTP mode: one line per request on logger {@code edgeproxy.access}, fields
 * separated by spaces, strings quoted: client, host, method, path, protocol, status, body bytes,
 * milliseconds, app, backend ("-" when the edge answered), outcome. With JSON logs each field is
 * also a key-value pair of the line (see {@link AccessLogs}).
 */
final class HttpAccessLog implements HttpObserver {

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
    if (!AccessLogs.ACCESS.isInfoEnabled()) {
      return;
    }
    StringBuilder line = new StringBuilder(160).append(r.client()).append(" \"");
    AccessLogs.quoted(line, r.host()).append("\" \"").append(r.method()).append(' ');
    AccessLogs.quoted(line, r.path()).append(' ').append(r.protocol()).append("\" ").append(r.status()).append(' ').append(r.bytes())
        .append(' ');
    long tenths = r.nanos() / 100_000; // milliseconds with one decimal, without String.format
    line.append(tenths / 10).append('.').append(tenths % 10).append(' ').append(r.app().isEmpty() ? "-" : r.app()).append(' ')
        .append(r.backend() == null ? "-" : r.backend()).append(" \"");
    AccessLogs.quoted(line, r.outcome()).append('"');
    var fields = AccessLogs.withFields();
    if (fields == null) {
      AccessLogs.ACCESS.info(line.toString());
      return;
    }
    fields.addKeyValue("client", r.client()).addKeyValue("host", r.host()).addKeyValue("method", r.method())
        .addKeyValue("path", r.path()).addKeyValue("protocol", r.protocol()).addKeyValue("status", r.status())
        .addKeyValue("bytes", r.bytes()).addKeyValue("ms", r.nanos() / 1e6).addKeyValue("app", r.app())
        .addKeyValue("backend", r.backend()).addKeyValue("outcome", r.outcome()).log(line.toString());
  }

}
