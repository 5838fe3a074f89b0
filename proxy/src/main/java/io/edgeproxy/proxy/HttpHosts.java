package io.edgeproxy.proxy;

import io.edgeproxy.core.edge.HostNames;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** What the edge reads from a request's target and {@code Host}. Pure. */
final class HttpHosts {
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._:\\[\\]-]{1,260}");
  private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

  private HttpHosts() {}

  /** A request's {@code Host}, or why it is unusable. */
  sealed interface HostHeader {
    /** @param name the normalized host name, or null when the header names an IP address */
    record Present(@Nullable String name, String raw) implements HostHeader {}

    /** HTTP/1.0 without a Host header: the name is unknown. */
    record Absent() implements HostHeader {}

    record Invalid(String problem) implements HostHeader {}
  }

  /** The Host of {@code request}: exactly one header, a name or an address with an optional port (RFC 9112 section 3.2). */
  static HostHeader hostOf(HttpRequest request, boolean http11) {
    List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
    if (hosts.size() > 1) {
      return new HostHeader.Invalid("more than one Host header (expected: exactly one)");
    }
    if (hosts.isEmpty()) {
      return http11 ? new HostHeader.Invalid("no Host header (expected: Host: name[:port])") : new HostHeader.Absent();
    }
    String raw = hosts.getFirst().trim();
    if (raw.isEmpty() || !HOST.matcher(raw).matches()) {
      return new HostHeader.Invalid("Host is not a host name or address (expected: Host: name[:port])");
    }
    return new HostHeader.Present(nameOf(raw), raw);
  }

  /** The name of a Host header ({@code name[:port]}), normalized; null when it is not a host name (IP literals are not names). */
  static @Nullable String nameOf(String header) {
    String text = header.trim();
    int colon = text.lastIndexOf(':');
    if (colon > 0 && text.indexOf(':') == colon && PORT.matcher(text).region(colon + 1, text.length()).matches()) {
      text = text.substring(0, colon);
    }
    return HostNames.normalize(text).filter(n -> !HostNames.isWildcard(n)).orElse(null);
  }

  /** The path and query of a request target: origin-form as is, absolute-form's path, "/" for anything else. */
  static String pathOf(String target) {
    if (target.startsWith("/")) {
      return target;
    }
    try {
      URI uri = new URI(target);
      String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    } catch (URISyntaxException e) {
      return "/";
    }
  }
}
