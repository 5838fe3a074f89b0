package io.edgeproxy.proxy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * What the HTTP and TCP access logs share: the logger ({@code edgeproxy.access}), the escaping of
 * what clients send, and whether a line carries its fields as key-value pairs. Those are wanted
 * only by the JSON log format, which turns logger {@code edgeproxy.access.fields} on; text logs never
 * show them, so building them per request would be allocation on the I/O threads for nothing.
 */
final class AccessLogs {
  static final Logger ACCESS = LoggerFactory.getLogger("edgeproxy.access");
  private static final Logger FIELDS = LoggerFactory.getLogger("edgeproxy.access.fields");

  private AccessLogs() {}

  /** A line's builder with its fields attached, or null when text is all that is written. */
  static @org.jspecify.annotations.Nullable LoggingEventBuilder withFields() {
    return FIELDS.isInfoEnabled() ? ACCESS.atInfo() : null;
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
