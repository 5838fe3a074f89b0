package io.edgeproxy.core.testing.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One exchange with a TCP echo server: connect, send {@code bytes} of a known pattern, half-close, read the
 * echo to its end and compare.
 *
 * @param connected whether the connection was set up within the timeout
 * @param connectTime time to connect (zero if not connected)
 * @param firstByte time from the first byte sent to the first byte echoed (zero if none came back)
 * @param echoed bytes read back before end of stream, error or timeout
 * @param intact whether exactly the bytes sent came back, in order, followed by end of stream
 * @param detail "ok", or the exception that ended the exchange
 */
public record TcpRoundTrip(
    boolean connected, Duration connectTime, Duration firstByte, long echoed, boolean intact, String detail) {

  /** Runs one exchange; blocks for up to about twice {@code timeout}. Never throws for network errors. */
  public static TcpRoundTrip measure(InetSocketAddress target, int bytes, Duration timeout) {
    long start = System.nanoTime();
    try (Socket socket = new Socket()) {
      socket.connect(target, (int) timeout.toMillis());
      Duration connectTime = Duration.ofNanos(System.nanoTime() - start);
      socket.setSoTimeout((int) timeout.toMillis());
      AtomicReference<String> writeError = new AtomicReference<>("ok");
      long sentAt = System.nanoTime();
      Thread writer = Thread.ofVirtual().name("tcp-probe-write").start(() -> write(socket, bytes, writeError));
      Echo echo = read(socket.getInputStream(), bytes, sentAt);
      writer.join();
      boolean intact = echo.error().equals("ok") && writeError.get().equals("ok") && echo.count() == bytes
          && echo.matched();
      String detail = !writeError.get().equals("ok") ? writeError.get() : echo.error();
      return new TcpRoundTrip(true, connectTime, echo.firstByte(), echo.count(), intact, detail);
    } catch (IOException e) {
      return new TcpRoundTrip(false, Duration.ZERO, Duration.ZERO, 0, false, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new TcpRoundTrip(false, Duration.ZERO, Duration.ZERO, 0, false, e.toString());
    }
  }

  /** The byte at {@code index} of every probe's payload. */
  static byte pattern(long index) {
    return (byte) (index * 31 + (index >>> 8));
  }

  /** One line for {@link ProbeAgentMain}'s protocol; {@link #fromLine} reverses it. */
  String toLine() {
    return connected + " " + connectTime.toNanos() + " " + firstByte.toNanos() + " " + echoed + " " + intact + " "
        + detail.replace('\n', ' ');
  }

  static TcpRoundTrip fromLine(String line) {
    String[] f = line.split(" ", 6);
    return new TcpRoundTrip(Boolean.parseBoolean(f[0]), Duration.ofNanos(Long.parseLong(f[1])),
        Duration.ofNanos(Long.parseLong(f[2])), Long.parseLong(f[3]), Boolean.parseBoolean(f[4]), f[5]);
  }

  private record Echo(long count, boolean matched, Duration firstByte, String error) {}

  private static void write(Socket socket, int bytes, AtomicReference<String> error) {
    try {
      OutputStream out = socket.getOutputStream();
      byte[] chunk = new byte[16 * 1024];
      for (int sent = 0; sent < bytes; ) {
        int n = Math.min(chunk.length, bytes - sent);
        for (int i = 0; i < n; i++) {
          chunk[i] = pattern(sent + i);
        }
        out.write(chunk, 0, n);
        sent += n;
      }
      socket.shutdownOutput();
    } catch (IOException e) {
      error.set("write: " + e);
    }
  }

  private static Echo read(InputStream in, int bytes, long sentAt) {
    long count = 0;
    boolean matched = true;
    Duration firstByte = Duration.ZERO;
    byte[] buffer = new byte[16 * 1024];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        if (count == 0 && n > 0) {
          firstByte = Duration.ofNanos(System.nanoTime() - sentAt);
        }
        for (int i = 0; i < n; i++) {
          matched &= count + i < bytes && buffer[i] == pattern(count + i);
        }
        count += n;
      }
      return new Echo(count, matched, firstByte, "ok");
    } catch (IOException e) {
      return new Echo(count, matched, firstByte, "read: " + e);
    }
  }
}
