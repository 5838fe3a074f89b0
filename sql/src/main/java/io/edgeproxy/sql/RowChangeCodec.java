package io.edgeproxy.sql;

import io.edgeproxy.core.change.Cell;
import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.core.change.Version;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A row state as bytes, for changes held in {@code __edge_held} until the clock reaches them. */
final class RowChangeCodec {
  private static final int FORMAT = 1;

  private RowChangeCodec() {}

  static byte[] encode(RowChange row) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      out.writeUTF(row.table());
      out.writeUTF(row.key());
      out.writeLong(row.cl());
      writeVersion(out, row.version());
      out.writeInt(row.cells().size());
      for (var cell : row.cells().entrySet()) {
        out.writeUTF(cell.getKey());
        writeVersion(out, cell.getValue().version());
        writeValue(out, cell.getValue().value());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static RowChange decode(byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      int format = in.readUnsignedByte();
      if (format != FORMAT) {
        throw new IllegalArgumentException("held change in format " + format + " (expected: " + FORMAT + ")");
      }
      String table = in.readUTF();
      String key = in.readUTF();
      long cl = in.readLong();
      Version version = readVersion(in);
      int count = in.readInt();
      Map<String, Cell> cells = new LinkedHashMap<>();
      for (int i = 0; i < count; i++) {
        String column = in.readUTF();
        Version v = readVersion(in);
        cells.put(column, new Cell(readValue(in), v));
      }
      return new RowChange(table, key, cl, version, cells);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writeVersion(DataOutputStream out, Version v) throws IOException {
    out.writeLong(v.hlc());
    out.writeUTF(v.node());
  }

  private static Version readVersion(DataInputStream in) throws IOException {
    return new Version(in.readLong(), in.readUTF());
  }

  private static void writeValue(DataOutputStream out, @Nullable Object value) throws IOException {
    switch (value) {
      case null -> out.writeByte(0);
      case Long l -> {
        out.writeByte(1);
        out.writeLong(l);
      }
      case Integer i -> {
        out.writeByte(1);
        out.writeLong(i);
      }
      case Double d -> {
        out.writeByte(2);
        out.writeDouble(d);
      }
      case byte[] b -> {
        out.writeByte(4);
        out.writeInt(b.length);
        out.write(b);
      }
      default -> {
        byte[] text = value.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeByte(3);
        out.writeInt(text.length);
        out.write(text);
      }
    }
  }

  private static @Nullable Object readValue(DataInputStream in) throws IOException {
    return switch (in.readUnsignedByte()) {
      case 0 -> null;
      case 1 -> in.readLong();
      case 2 -> in.readDouble();
      case 3 -> new String(in.readNBytes(in.readInt()), java.nio.charset.StandardCharsets.UTF_8);
      case 4 -> in.readNBytes(in.readInt());
      default -> throw new IllegalArgumentException("held change with a value of unknown kind");
    };
  }
}
