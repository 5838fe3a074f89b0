package io.edgeproxy.replication.protocol;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnsafeByteOperations;
import com.google.protobuf.WireFormat;
import io.edgeproxy.core.change.Cell;
import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.core.change.Version;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Row states as the bytes of a wire {@code Row} message ({@code ChangeSet.rows},
 * {@code RowBatch.rows} in replication.proto), written and read field by field: no message per
 * cell and value is built on either side, and a receiver keeps one array per row until it decodes
 * it. Reads as the generated classes read (unknown fields skipped, the last of a repeated scalar
 * wins, a value's kinds merged): {@code WireRowsTest} holds both directions to them. Pure.
 */
public final class WireRows {
  // Field numbers of Row, Cell and Value in replication.proto.
  static final int ROW_TABLE = 1;
  static final int ROW_KEY = 2;
  static final int ROW_CL = 3;
  static final int ROW_HLC = 4;
  static final int ROW_NODE = 5;
  static final int ROW_CELLS = 6;
  static final int CELL_COLUMN = 1;
  static final int CELL_VALUE = 2;
  static final int CELL_HLC = 3;
  static final int CELL_NODE = 4;
  static final int VALUE_IS_NULL = 1;
  static final int VALUE_INTEGER = 2;
  static final int VALUE_REAL = 3;
  static final int VALUE_TEXT = 4;
  static final int VALUE_BLOB = 5;

  private WireRows() {}

  /** A row state as the bytes of a wire {@code Row}, written without building a message per cell. */
  public static ByteString encode(RowChange change) {
    Version row = change.version();
    int count = change.cells().size();
    int[] valueSizes = new int[count];
    int[] cellSizes = new int[count];
    int size = stringSize(ROW_TABLE, change.table()) + stringSize(ROW_KEY, change.key())
        + (change.cl() == 0 ? 0 : CodedOutputStream.computeUInt64Size(ROW_CL, change.cl()))
        + (row.hlc() == 0 ? 0 : CodedOutputStream.computeFixed64Size(ROW_HLC, row.hlc())) + stringSize(ROW_NODE, row.node());
    int i = 0;
    for (var entry : change.cells().entrySet()) {
      Cell cell = entry.getValue();
      int valueSize = valueSize(cell.value());
      int cellSize = stringSize(CELL_COLUMN, entry.getKey()) + nestedSize(CELL_VALUE, valueSize)
          + (cell.version().hlc() == row.hlc() ? 0 : CodedOutputStream.computeFixed64Size(CELL_HLC, cell.version().hlc()))
          + (cell.version().node().equals(row.node()) ? 0 : stringSize(CELL_NODE, cell.version().node()));
      valueSizes[i] = valueSize;
      cellSizes[i++] = cellSize;
      size += nestedSize(ROW_CELLS, cellSize);
    }
    byte[] bytes = new byte[size];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      writeString(out, ROW_TABLE, change.table());
      writeString(out, ROW_KEY, change.key());
      if (change.cl() != 0) {
        out.writeUInt64(ROW_CL, change.cl());
      }
      if (row.hlc() != 0) {
        out.writeFixed64(ROW_HLC, row.hlc());
      }
      writeString(out, ROW_NODE, row.node());
      i = 0;
      for (var entry : change.cells().entrySet()) {
        Cell cell = entry.getValue();
        out.writeTag(ROW_CELLS, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(cellSizes[i]);
        writeString(out, CELL_COLUMN, entry.getKey());
        out.writeTag(CELL_VALUE, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(valueSizes[i++]);
        writeValue(out, cell.value());
        if (cell.version().hlc() != row.hlc()) {
          out.writeFixed64(CELL_HLC, cell.version().hlc());
        }
        if (!cell.version().node().equals(row.node())) {
          writeString(out, CELL_NODE, cell.version().node());
        }
      }
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("row " + change.table() + "/" + change.key() + " did not fit the size computed for it", e);
    }
    return UnsafeByteOperations.unsafeWrap(bytes);
  }

  /**
   * The row state the bytes of a wire {@code Row} describe, read as Protobuf would (unknown fields
   * skipped, the last of a repeated scalar wins, a value's kinds merged) without a message per cell.
   *
   * @throws IllegalArgumentException when the bytes are no Row, a value has no kind set or the
   *     causal length is 0 (a corrupt or foreign message)
   */
  public static RowChange decode(ByteString bytes) {
    CodedInputStream in = bytes.newCodedInput();
    String table = "";
    String key = "";
    long cl = 0;
    long hlc = 0;
    String node = "";
    List<WireCell> wireCells = new ArrayList<>(12);
    try {
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        switch (tag) {
          case ROW_TABLE << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> table = in.readStringRequireUtf8();
          case ROW_KEY << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> key = in.readStringRequireUtf8();
          case ROW_CL << 3 | WireFormat.WIRETYPE_VARINT -> cl = in.readUInt64();
          case ROW_HLC << 3 | WireFormat.WIRETYPE_FIXED64 -> hlc = in.readFixed64();
          case ROW_NODE << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> node = in.readStringRequireUtf8();
          case ROW_CELLS << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> wireCells.add(readCell(in));
          default -> in.skipField(tag);
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("not a row (" + e.getMessage() + ")", e);
    }
    Version rowVersion = new Version(hlc, node);
    Map<String, Cell> cells = new LinkedHashMap<>(wireCells.size() * 4 / 3 + 1);
    for (WireCell cell : wireCells) {
      if (!cell.hasValue) {
        throw new IllegalArgumentException("column " + cell.column + " has a value of no known kind");
      }
      Version version = rowVersion;
      if (cell.hasHlc || !cell.node.isEmpty()) {
        version = new Version(cell.hasHlc ? cell.hlc : hlc, cell.node.isEmpty() ? node : cell.node);
      }
      cells.put(cell.column, new Cell(cell.value, version));
    }
    return new RowChange(table, key, cl, rowVersion, cells);
  }

  private static WireCell readCell(CodedInputStream in) throws IOException {
    int limit = in.pushLimit(in.readRawVarint32());
    WireCell cell = new WireCell();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag) {
        case CELL_COLUMN << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> cell.column = in.readStringRequireUtf8();
        case CELL_VALUE << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> readValue(in, cell);
        case CELL_HLC << 3 | WireFormat.WIRETYPE_FIXED64 -> {
          cell.hlc = in.readFixed64();
          cell.hasHlc = true;
        }
        case CELL_NODE << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> cell.node = in.readStringRequireUtf8();
        default -> in.skipField(tag);
      }
    }
    in.checkLastTagWas(0);
    in.popLimit(limit);
    return cell;
  }

  /** A value message into {@code cell}: a later kind replaces an earlier one, an empty message keeps it (Protobuf's merge). */
  private static void readValue(CodedInputStream in, WireCell cell) throws IOException {
    int limit = in.pushLimit(in.readRawVarint32());
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag) {
        case VALUE_IS_NULL << 3 | WireFormat.WIRETYPE_VARINT -> {
          in.readBool(); // the kind is what counts, as in the message: is_null = false is null too
          cell.set(null);
        }
        case VALUE_INTEGER << 3 | WireFormat.WIRETYPE_VARINT -> cell.set(in.readSInt64());
        case VALUE_REAL << 3 | WireFormat.WIRETYPE_FIXED64 -> cell.set(in.readDouble());
        case VALUE_TEXT << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> cell.set(in.readStringRequireUtf8());
        case VALUE_BLOB << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> cell.set(in.readByteArray());
        default -> in.skipField(tag);
      }
    }
    in.checkLastTagWas(0);
    in.popLimit(limit);
  }

  /** A cell as read, before the row's version (which may come after it) is known. */
  private static final class WireCell {
    String column = "";
    boolean hasValue;
    @Nullable Object value;
    boolean hasHlc;
    long hlc;
    String node = "";

    void set(@Nullable Object value) {
      this.value = value;
      this.hasValue = true;
    }
  }

  private static int valueSize(@Nullable Object value) {
    return switch (value) {
      case null -> CodedOutputStream.computeBoolSize(VALUE_IS_NULL, true);
      case Long l -> CodedOutputStream.computeSInt64Size(VALUE_INTEGER, l);
      case Integer n -> CodedOutputStream.computeSInt64Size(VALUE_INTEGER, n);
      case Double d -> CodedOutputStream.computeDoubleSize(VALUE_REAL, d);
      case Float f -> CodedOutputStream.computeDoubleSize(VALUE_REAL, f);
      case String s -> CodedOutputStream.computeStringSize(VALUE_TEXT, s);
      case byte[] b -> CodedOutputStream.computeByteArraySize(VALUE_BLOB, b);
      default -> CodedOutputStream.computeStringSize(VALUE_TEXT, value.toString());
    };
  }

  private static void writeValue(CodedOutputStream out, @Nullable Object value) throws IOException {
    switch (value) {
      case null -> out.writeBool(VALUE_IS_NULL, true);
      case Long l -> out.writeSInt64(VALUE_INTEGER, l);
      case Integer n -> out.writeSInt64(VALUE_INTEGER, n);
      case Double d -> out.writeDouble(VALUE_REAL, d);
      case Float f -> out.writeDouble(VALUE_REAL, f);
      case String s -> out.writeString(VALUE_TEXT, s);
      case byte[] b -> out.writeByteArray(VALUE_BLOB, b);
      default -> out.writeString(VALUE_TEXT, value.toString());
    }
  }

  /** A proto3 string field: absent when empty. */
  private static int stringSize(int field, String value) {
    return value.isEmpty() ? 0 : CodedOutputStream.computeStringSize(field, value);
  }

  private static void writeString(CodedOutputStream out, int field, String value) throws IOException {
    if (!value.isEmpty()) {
      out.writeString(field, value);
    }
  }

  private static int nestedSize(int field, int size) {
    return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
  }
}
