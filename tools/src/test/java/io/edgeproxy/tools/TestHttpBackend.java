package io.edgeproxy.tools;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1.1 backend on a raw socket, for HTTP mode's tests: it counts connections and records
 * every request it reads (head and body), and answers as {@link Responder} says, including what
 * well-behaved servers never do (answer late, close without answering, switch protocols).
 */
final class TestHttpBackend implements AutoCloseable {
  /** One request as the backend read it. */
  record Request(String method, String target, Map<String, List<String>> headers, byte[] body) {
    String header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null ? null : String.join(",", values);
    }
  }

  /** What the backend does with one request: write to {@code out}; return false to close the connection. */
  @FunctionalInterface
  interface Responder {
    boolean respond(Request request, OutputStream out, InputStream in) throws IOException;
  }

  private final ServerSocket server;
  private final AtomicInteger connections = new AtomicInteger();
  private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());

  TestHttpBackend(Responder responder) throws IOException {
    this(InetAddress.getLoopbackAddress(), responder);
  }

  /** A backend listening on {@code address} (::1 for one on IPv6) instead of 127.0.0.1. */
  TestHttpBackend(InetAddress address, Responder responder) throws IOException {
    server = new ServerSocket(0, 200, address);
    Thread.ofVirtual().start(() -> {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          s.setTcpNoDelay(true);
          connections.incrementAndGet();
          Thread.ofVirtual().start(() -> serve(s, responder));
        } catch (IOException e) {
          return;
        }
      }
    });
  }

  /** Answers 200 with {@code name}, keeping the connection. */
  static Responder named(String name) {
    return (request, out, in) -> {
      ok(out, name + "\n");
      return true;
    };
  }

  static void ok(OutputStream out, String body) throws IOException {
    ok(out, body, false);
  }

  /** 200 with {@code body}, or (for a HEAD request) its head alone. */
  static void ok(OutputStream out, String body, boolean headOnly) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + bytes.length + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    if (!headOnly) {
      out.write(bytes);
    }
    out.flush();
  }

  int port() {
    return server.getLocalPort();
  }

  int connections() {
    return connections.get();
  }

  List<Request> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  private void serve(Socket socket, Responder responder) {
    try (socket) {
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      while (true) {
        Request request = read(in);
        if (request == null) {
          return;
        }
        requests.add(request);
        if (!responder.respond(request, out, in)) {
          return;
        }
      }
    } catch (IOException e) {
      // the edge went away
    }
  }

  private static Request read(InputStream in) throws IOException {
    String head = line(in);
    if (head == null) {
      return null;
    }
    String[] parts = head.split(" ");
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
      int colon = line.indexOf(':');
      headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
          .add(line.substring(colon + 1).trim());
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    List<String> length = headers.get("content-length");
    List<String> coding = headers.get("transfer-encoding");
    if (coding != null && coding.getLast().equalsIgnoreCase("chunked")) {
      while (true) {
        int size = Integer.parseInt(line(in).split(";")[0].trim(), 16);
        if (size == 0) {
          while (!line(in).isEmpty()) {
            // trailers
          }
          break;
        }
        body.write(in.readNBytes(size));
        line(in);
      }
    } else if (length != null) {
      body.write(in.readNBytes(Integer.parseInt(length.getFirst())));
    }
    return new Request(parts[0], parts.length > 1 ? parts[1] : "", headers, body.toByteArray());
  }

  /** One CRLF-terminated line, or null at the end of the stream. */
  static String line(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        String s = out.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      out.write(b);
    }
    return out.size() == 0 ? null : out.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
