package io.edgeproxy.sql;

import io.edgeproxy.core.change.Version;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The cells of one row's life as one value ({@code __edge_rows.cells}): reading and writing a row's
 * versions is one row of SQLite, not one per column (each column its own B-tree entry made applying
 * a change several times slower). Layout: a format byte; the node ids used, once each; the first
 * cell's clock reading; then per cell its column, version (clock reading as a zigzag varint from
 * the first's, usually one byte, and node index), flags (kept here, value present) and the value
 * when present.
 */
final class CellsCodec {
  private static final int FORMAT = 1;
  private static final int KEPT = 1;
  private static final int HAS_VALUE = 2;
  /** No cells: the format and zero nodes (nothing follows). */
  private static final byte[] EMPTY = {FORMAT, 0};

  /** One writer per thread, reused: encoding is once per row written. */
  private static final ThreadLocal<Writer> WRITER = ThreadLocal.withInitial(() -> new Writer(512));
  /** Column names and node ids decoded before (a small set), so decoding a row makes no strings. */
  private static final Texts TEXTS = new Texts();

  private CellsCodec() {}

  static byte[] encode(Map<String, Clocks.StoredCell> cells) {
    if (cells.isEmpty()) {
      return EMPTY;
    }
    List<String> nodes = new ArrayList<>(2);
    for (Clocks.StoredCell cell : cells.values()) {
      if (!nodes.contains(cell.version().node())) {
        nodes.add(cell.version().node());
      }
    }
    Writer out = WRITER.get();
    out.reset();
    out.byte1(FORMAT);
    out.varint(nodes.size());
    for (String node : nodes) {
      out.bytes(TEXTS.bytesOf(node));
    }
    long base = cells.values().iterator().next().version().hlc();
    out.long8(base);
    out.varint(cells.size());
    for (var entry : cells.entrySet()) {
      Clocks.StoredCell cell = entry.getValue();
      out.bytes(TEXTS.bytesOf(entry.getKey()));
      out.varlong(zigzag(cell.version().hlc() - base));
      out.varint(nodes.indexOf(cell.version().node()));
      boolean hasValue = cell.kept() || cell.value() != null;
      out.byte1((cell.kept() ? KEPT : 0) | (hasValue ? HAS_VALUE : 0));
      if (hasValue) {
        out.value(cell.value());
      }
    }
    return out.bytes();
  }

  static Map<String, Clocks.StoredCell> decode(byte @Nullable [] data) {
    if (data == null || data.length == 0) {
      return new LinkedHashMap<>();
    }
    ByteBuffer in = ByteBuffer.wrap(data);
    int format = in.get();
    if (format != FORMAT) {
      throw new IllegalArgumentException("row versions in format " + format + " (expected: " + FORMAT + ")");
    }
    int nodeCount = varint(in);
    if (nodeCount == 0) {
      return new LinkedHashMap<>(); // no cells (the encoding of none stops here)
    }
    String[] nodes = new String[nodeCount];
    for (int i = 0; i < nodeCount; i++) {
      nodes[i] = name(in);
    }
    long base = in.getLong();
    int count = varint(in);
    Map<String, Clocks.StoredCell> cells = new LinkedHashMap<>(count * 4 / 3 + 2);
    Version previous = null;
    for (int i = 0; i < count; i++) {
      String column = name(in);
      long hlc = base + unzigzag(varlong(in));
      String node = nodes[varint(in)];
      int flags = in.get();
      Object value = (flags & HAS_VALUE) != 0 ? value(in) : null;
      Version version = previous != null && previous.hlc() == hlc && previous.node().equals(node) ? previous : new Version(hlc, node);
      previous = version; // the cells of one write share their version
      cells.put(column, new Clocks.StoredCell(version, (flags & KEPT) != 0, value));
    }
    return cells;
  }

  /**
   * The sum of {@link RowHashes#cellHash} over the cells in {@code data}, straight from the bytes
   * (no strings, no maps): a digest rebuild hashes every row.
   */
  static long hashCells(byte @Nullable [] data, long cellSeed, long cl) {
    if (data == null || data.length == 0) {
      return 0;
    }
    ByteBuffer in = ByteBuffer.wrap(data);
    if (in.get() != FORMAT) {
      return RowHashes.cellsHash(decode(data), cellSeed, cl); // fails with the format's message
    }
    int nodeCount = varint(in);
    if (nodeCount == 0) {
      return 0;
    }
    int[] nodeAt = new int[nodeCount];
    int[] nodeLength = new int[nodeCount];
    for (int i = 0; i < nodeCount; i++) {
      nodeLength[i] = varint(in);
      nodeAt[i] = in.position();
      in.position(in.position() + nodeLength[i]);
    }
    long base = in.getLong();
    int count = varint(in);
    long sum = 0;
    for (int i = 0; i < count; i++) {
      int nameLength = varint(in);
      long h = RowHashes.fnv(cellSeed, data, in.position(), nameLength);
      in.position(in.position() + nameLength);
      long hlc = base + unzigzag(varlong(in));
      int node = varint(in);
      h = RowHashes.fnv(h, data, nodeAt[node], nodeLength[node]);
      sum += RowHashes.finishCell(h, hlc, cl);
      if ((in.get() & HAS_VALUE) != 0) {
        skipValue(in);
      }
    }
    return sum;
  }

  private static void skipValue(ByteBuffer in) {
    switch (in.get()) {
      case 0 -> { }
      case 1, 2 -> in.position(in.position() + 8);
      case 3, 4 -> {
        int length = varint(in);
        in.position(in.position() + length);
      }
      default -> throw new IllegalArgumentException("a cell value of unknown kind");
    }
  }

  private static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  private static long unzigzag(long v) {
    return (v >>> 1) ^ -(v & 1);
  }

  private static long varlong(ByteBuffer in) {
    long value = 0;
    for (int shift = 0; ; shift += 7) {
      byte b = in.get();
      value |= (long) (b & 0x7f) << shift;
      if (b >= 0) {
        return value;
      }
    }
  }

  private static int varint(ByteBuffer in) {
    int value = 0;
    for (int shift = 0; ; shift += 7) {
      byte b = in.get();
      value |= (b & 0x7f) << shift;
      if (b >= 0) {
        return value;
      }
    }
  }

  /** A column name or node id: from the cache of those seen before when it is there. */
  private static String name(ByteBuffer in) {
    int length = varint(in);
    String known = TEXTS.find(in.array(), in.position(), length);
    if (known != null) {
      in.position(in.position() + length);
      return known;
    }
    byte[] bytes = new byte[length];
    in.get(bytes);
    return TEXTS.add(bytes);
  }

  private static String text(ByteBuffer in) {
    byte[] bytes = new byte[varint(in)];
    in.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static @Nullable Object value(ByteBuffer in) {
    return switch (in.get()) {
      case 0 -> null;
      case 1 -> in.getLong();
      case 2 -> in.getDouble();
      case 3 -> text(in);
      case 4 -> {
        byte[] bytes = new byte[varint(in)];
        in.get(bytes);
        yield bytes;
      }
      default -> throw new IllegalArgumentException("a cell value of unknown kind");
    };
  }

  /** A growing byte buffer. */
  private static final class Writer {
    private byte[] buf;
    private int len;

    Writer(int capacity) {
      buf = new byte[capacity];
    }

    void reset() {
      len = 0;
    }

    private void room(int n) {
      if (len + n > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
      }
    }

    void byte1(int b) {
      room(1);
      buf[len++] = (byte) b;
    }

    void varint(int value) {
      room(5);
      int v = value;
      while ((v & ~0x7f) != 0) {
        buf[len++] = (byte) ((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      buf[len++] = (byte) v;
    }

    void varlong(long value) {
      room(10);
      long v = value;
      while ((v & ~0x7fL) != 0) {
        buf[len++] = (byte) ((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      buf[len++] = (byte) v;
    }

    void long8(long v) {
      room(8);
      for (int i = 7; i >= 0; i--) {
        buf[len++] = (byte) (v >>> (i * 8));
      }
    }

    void bytes(byte[] b) {
      varint(b.length);
      room(b.length);
      System.arraycopy(b, 0, buf, len, b.length);
      len += b.length;
    }

    void text(String s) {
      bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    void value(@Nullable Object v) {
      switch (v) {
        case null -> byte1(0);
        case Long l -> {
          byte1(1);
          long8(l);
        }
        case Integer i -> {
          byte1(1);
          long8(i);
        }
        case Double d -> {
          byte1(2);
          long8(Double.doubleToRawLongBits(d));
        }
        case byte[] b -> {
          byte1(4);
          bytes(b);
        }
        default -> {
          byte1(3);
          text(v.toString());
        }
      }
    }

    byte[] bytes() {
      return java.util.Arrays.copyOf(buf, len);
    }
  }

  /**
   * A bounded cache of short texts and their UTF-8 bytes, looked up by either. Slots are replaced
   * on collision, never grown; entries are immutable, so threads may share the array racily (a
   * miss only costs an allocation).
   */
  private static final class Texts {
    private static final int SLOTS = 512;
    private static final int MAX_LENGTH = 64;

    private record Entry(String text, byte[] bytes) {}

    private final Entry[] byBytes = new Entry[SLOTS];
    private final Entry[] byText = new Entry[SLOTS];

    @Nullable String find(byte[] data, int from, int length) {
      Entry e = byBytes[hash(data, from, length) & (SLOTS - 1)];
      return e != null && java.util.Arrays.equals(e.bytes(), 0, e.bytes().length, data, from, from + length) ? e.text() : null;
    }

    String add(byte[] bytes) {
      String text = new String(bytes, StandardCharsets.UTF_8);
      if (bytes.length <= MAX_LENGTH) {
        Entry e = new Entry(text, bytes);
        byBytes[hash(bytes, 0, bytes.length) & (SLOTS - 1)] = e;
        byText[text.hashCode() & (SLOTS - 1)] = e;
      }
      return text;
    }

    byte[] bytesOf(String text) {
      Entry e = byText[text.hashCode() & (SLOTS - 1)];
      if (e != null && e.text().equals(text)) {
        return e.bytes();
      }
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      add(bytes);
      return bytes;
    }

    private static int hash(byte[] data, int from, int length) {
      int h = length;
      for (int i = from; i < from + length; i++) {
        h = 31 * h + data[i];
      }
      return h ^ (h >>> 16);
    }
  }
}
