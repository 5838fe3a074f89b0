package io.edgeproxy.cache;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;

/**
 * The disk tier's file of one stored response:
 * <pre>
 *   "EPC1"  int head length  head (key, status, freshness, Vary names and values, header fields)
 *   body
 *   long body length  int CRC-32 of the head  "EPCE"
 * </pre>
 * The head is known when the response head arrives, so the body streams into the file after it;
 * the trailer, written last, says the file is whole: a file cut short (a crash, a full disk) has
 * none and is dropped when the tier is opened.
 */
final class EntryFile {
  private static final int MAGIC = 0x45504331; // EPC1
  private static final int END = 0x45504345; // EPCE
  static final int TRAILER_BYTES = 16;
  /** Heads larger than this are not ours (or are corrupt). */
  static final int MAX_HEAD_BYTES = 1 << 20;

  private EntryFile() {}

  /** What a file says about its response: everything but the body, and where the body is. */
  record Head(String key, int status, HttpHeaders headers, Freshness freshness, List<String> varyNames,
      List<@Nullable String> varyValues, long bodyOffset, long bodyLength) {}

  /** The start of a file for {@code entry} (whose body is ignored) stored under {@code key}. */
  static byte[] head(String key, CacheEntry entry) {
    var bytes = new ByteArrayOutputStream(512);
    try (var out = new DataOutputStream(bytes)) {
      string(out, key);
      out.writeInt(entry.status());
      Freshness f = entry.freshness();
      out.writeLong(f.lifetimeMs());
      out.writeLong(f.initialAgeMs());
      out.writeLong(f.receivedMs());
      out.writeLong(f.staleWhileRevalidateMs());
      out.writeLong(f.staleIfErrorMs());
      out.writeBoolean(f.noCache());
      out.writeBoolean(f.forbidsStale());
      out.writeInt(entry.varyNames().size());
      for (int i = 0; i < entry.varyNames().size(); i++) {
        string(out, entry.varyNames().get(i));
        String v = entry.varyValues().get(i);
        out.writeBoolean(v != null);
        if (v != null) {
          string(out, v);
        }
      }
      out.writeInt(entry.headers().size());
      for (var e : entry.headers()) {
        string(out, e.getKey());
        string(out, e.getValue());
      }
    } catch (IOException e) {
      throw new IllegalStateException(e); // in memory: cannot happen
    }
    byte[] head = bytes.toByteArray();
    return ByteBuffer.allocate(8 + head.length).putInt(MAGIC).putInt(head.length).put(head).array();
  }

  /** The trailer that ends a file whose head is {@code head} and whose body is {@code bodyLength} bytes. */
  static byte[] trailer(byte[] head, long bodyLength) {
    CRC32 crc = new CRC32();
    crc.update(head, 8, head.length - 8);
    return ByteBuffer.allocate(TRAILER_BYTES).putLong(bodyLength).putInt((int) crc.getValue()).putInt(END).array();
  }

  /** Reads and checks a whole file's head and trailer; the problem, as an exception, when it is not one of ours or not whole. */
  static Head read(FileChannel file) throws IOException {
    long size = file.size();
    if (size < 8 + TRAILER_BYTES) {
      throw new IOException("cut short: " + size + " bytes, less than a head and a trailer");
    }
    ByteBuffer start = readFully(file, 0, 8);
    if (start.getInt() != MAGIC) {
      throw new IOException("not a cache entry (no EPC1 at its start)");
    }
    int headLength = start.getInt();
    if (headLength < 0 || headLength > MAX_HEAD_BYTES || 8L + headLength + TRAILER_BYTES > size) {
      throw new IOException("head length " + headLength + " does not fit a file of " + size + " bytes");
    }
    ByteBuffer trailer = readFully(file, size - TRAILER_BYTES, TRAILER_BYTES);
    long bodyLength = trailer.getLong();
    int crc = trailer.getInt();
    if (trailer.getInt() != END) {
      throw new IOException("no trailer: the file was not finished");
    }
    if (8L + headLength + bodyLength + TRAILER_BYTES != size) {
      throw new IOException("body length " + bodyLength + " does not match the file's size " + size);
    }
    byte[] head = new byte[headLength];
    readFully(file, 8, headLength).get(head);
    CRC32 check = new CRC32();
    check.update(head);
    if ((int) check.getValue() != crc) {
      throw new IOException("head checksum mismatch");
    }
    return parse(head, 8L + headLength, bodyLength);
  }

  private static Head parse(byte[] head, long bodyOffset, long bodyLength) throws IOException {
    try (var in = new DataInputStream(new java.io.ByteArrayInputStream(head))) {
      String key = string(in);
      int status = in.readInt();
      Freshness freshness = new Freshness(in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong(),
          in.readBoolean(), in.readBoolean());
      int vary = count(in);
      List<String> names = new ArrayList<>(vary);
      List<@Nullable String> values = new ArrayList<>(vary);
      for (int i = 0; i < vary; i++) {
        names.add(string(in));
        values.add(in.readBoolean() ? string(in) : null);
      }
      int fields = count(in);
      HttpHeaders headers = new DefaultHttpHeaders(false);
      for (int i = 0; i < fields; i++) {
        headers.add(string(in), string(in));
      }
      return new Head(key, status, headers, freshness, List.copyOf(names), java.util.Collections.unmodifiableList(values),
          bodyOffset, bodyLength);
    } catch (java.io.EOFException e) {
      throw new IOException("head ends early");
    }
  }

  private static int count(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > 10_000) {
      throw new IOException("a count of " + n + " in the head");
    }
    return n;
  }

  private static void string(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String string(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > MAX_HEAD_BYTES) {
      throw new IOException("a string of " + n + " bytes in the head");
    }
    return new String(in.readNBytes(n), StandardCharsets.UTF_8);
  }

  private static ByteBuffer readFully(FileChannel file, long position, int length) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(length);
    while (b.hasRemaining()) {
      if (file.read(b, position + b.position()) < 0) {
        throw new IOException("cut short");
      }
    }
    return b.flip();
  }
}
