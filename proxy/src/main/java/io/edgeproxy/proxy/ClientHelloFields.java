package io.edgeproxy.proxy;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What the HTTPS edge reads from a TLS ClientHello before deciding where a connection goes: the
 * server name (SNI, RFC 6066 section 3) and the ALPN protocols offered (RFC 7301). Pure and
 * defensive: every length is checked against what is left, and anything inconsistent makes the
 * whole hello malformed (no partial answer).
 *
 * @param serverName the host_name entry, or null when the client sent none
 * @param protocols ALPN names in the client's order; empty when not offered
 */
record ClientHelloFields(@Nullable String serverName, List<String> protocols) {
  private static final int SERVER_NAME = 0;
  private static final int ALPN = 16;

  ClientHelloFields {
    protocols = List.copyOf(protocols);
  }

  /**
   * Parses a ClientHello body (after the 4-byte handshake header), not moving {@code hello}'s
   * indexes; empty when it is malformed.
   */
  static Optional<ClientHelloFields> parse(ByteBuf hello) {
    Cursor c = new Cursor(hello, hello.readerIndex(), hello.writerIndex());
    if (!c.skip(2 + 32) || !c.skip(c.u8()) || !c.skip(c.u16()) || !c.skip(c.u8())) {
      return Optional.empty(); // version, random, session id, cipher suites, compression methods
    }
    if (c.remaining() == 0) {
      return Optional.of(new ClientHelloFields(null, List.of())); // no extensions at all
    }
    int extensionsLength = c.u16();
    if (extensionsLength < 0 || extensionsLength != c.remaining()) {
      return Optional.empty();
    }
    String serverName = null;
    List<String> protocols = List.of();
    while (c.remaining() > 0) {
      int type = c.u16();
      int length = c.u16();
      if (length < 0 || length > c.remaining()) {
        return Optional.empty();
      }
      Cursor ext = c.slice(length);
      if (type == SERVER_NAME) {
        serverName = serverName(ext);
        if (serverName == null) {
          return Optional.empty();
        }
      } else if (type == ALPN) {
        protocols = protocols(ext);
        if (protocols == null) {
          return Optional.empty();
        }
      }
    }
    return Optional.of(new ClientHelloFields(serverName == null || serverName.isEmpty() ? null : serverName, protocols));
  }

  /** The host_name entry ("" when the list has none); null when malformed. */
  private static @Nullable String serverName(Cursor ext) {
    int listLength = ext.u16();
    if (listLength < 0 || listLength != ext.remaining()) {
      return null;
    }
    String name = "";
    while (ext.remaining() > 0) {
      int nameType = ext.u8();
      int length = ext.u16();
      if (nameType < 0 || length <= 0 || length > ext.remaining()) {
        return null;
      }
      String value = ext.ascii(length);
      if (nameType == 0) {
        if (value == null || !name.isEmpty()) {
          return null; // not ASCII, or a second host_name (RFC 6066 forbids it)
        }
        name = value;
      }
    }
    return name;
  }

  /** The ALPN names; null when malformed. */
  private static @Nullable List<String> protocols(Cursor ext) {
    int listLength = ext.u16();
    if (listLength < 2 || listLength != ext.remaining()) {
      return null;
    }
    List<String> out = new ArrayList<>();
    while (ext.remaining() > 0) {
      int length = ext.u8();
      if (length <= 0 || length > ext.remaining()) {
        return null;
      }
      String value = ext.ascii(length);
      if (value == null) {
        return null;
      }
      out.add(value);
    }
    return out;
  }

  /** Bounds-checked reads over [position, end) of a buffer; a read past the end yields -1 and exhausts it. */
  private static final class Cursor {
    private final ByteBuf buf;
    private int position;
    private final int end;

    Cursor(ByteBuf buf, int position, int end) {
      this.buf = buf;
      this.position = position;
      this.end = end;
    }

    int remaining() {
      return end - position;
    }

    int u8() {
      if (remaining() < 1) {
        position = end;
        return -1;
      }
      return buf.getUnsignedByte(position++);
    }

    int u16() {
      if (remaining() < 2) {
        position = end;
        return -1;
      }
      int v = buf.getUnsignedShort(position);
      position += 2;
      return v;
    }

    boolean skip(int n) {
      if (n < 0 || n > remaining()) {
        return false;
      }
      position += n;
      return true;
    }

    Cursor slice(int n) {
      Cursor out = new Cursor(buf, position, position + n);
      position += n;
      return out;
    }

    /** {@code n} bytes as text if all are printable ASCII; null otherwise. */
    @Nullable String ascii(int n) {
      for (int i = position; i < position + n; i++) {
        byte b = buf.getByte(i);
        if (b <= 0x20 || b >= 0x7f) {
          position += n;
          return null;
        }
      }
      String s = buf.toString(position, n, StandardCharsets.US_ASCII);
      position += n;
      return s;
    }
  }
}
