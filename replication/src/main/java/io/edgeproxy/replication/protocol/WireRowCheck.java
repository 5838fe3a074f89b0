package io.edgeproxy.replication.protocol;

import static io.edgeproxy.replication.protocol.WireRows.CELL_COLUMN;
import static io.edgeproxy.replication.protocol.WireRows.CELL_NODE;
import static io.edgeproxy.replication.protocol.WireRows.CELL_VALUE;
import static io.edgeproxy.replication.protocol.WireRows.ROW_CELLS;
import static io.edgeproxy.replication.protocol.WireRows.ROW_CL;
import static io.edgeproxy.replication.protocol.WireRows.ROW_KEY;
import static io.edgeproxy.replication.protocol.WireRows.ROW_NODE;
import static io.edgeproxy.replication.protocol.WireRows.ROW_TABLE;
import static io.edgeproxy.replication.protocol.WireRows.VALUE_BLOB;
import static io.edgeproxy.replication.protocol.WireRows.VALUE_INTEGER;
import static io.edgeproxy.replication.protocol.WireRows.VALUE_IS_NULL;
import static io.edgeproxy.replication.protocol.WireRows.VALUE_REAL;
import static io.edgeproxy.replication.protocol.WireRows.VALUE_TEXT;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.edgeproxy.core.change.RowChange;
import java.io.IOException;
import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;
import org.jspecify.annotations.Nullable;

/**
 * Rows of a message as they arrive: checked at once, without decoding them (a malformed row refuses
 * the whole message before anything of it is queued), and decoded only when merged. Pure.
 */
final class WireRowCheck {
  private WireRowCheck() {}

  /** What is wrong with the first malformed row of a message, or null when every row is well formed. */
  static @Nullable String problemIn(List<ByteString> rows) {
    for (ByteString row : rows) {
      String problem = problemWith(row);
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  /**
   * What {@link WireRows#decode} would refuse in {@code bytes}, found without making the row state (no
   * string, cell or value is built: this runs on every row as it arrives, and the row is decoded
   * again when it is merged); null when nothing.
   */
  static @Nullable String problemWith(ByteString bytes) {
    CodedInputStream in = bytes.newCodedInput();
    in.enableAliasing(true); // the texts checked below are views of the row's bytes, not copies
    long cl = 0;
    try {
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        switch (tag) {
          case ROW_TABLE << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED, ROW_KEY << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED,
               ROW_NODE << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> text(in);
          case ROW_CL << 3 | WireFormat.WIRETYPE_VARINT -> cl = in.readUInt64();
          case ROW_CELLS << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> {
            String problem = cellProblem(in);
            if (problem != null) {
              return problem;
            }
          }
          default -> in.skipField(tag);
        }
      }
    } catch (IOException e) {
      return "not a row (" + e.getMessage() + ")";
    }
    return cl < 1 ? "cl: " + cl + " (expected: >= 1)" : null; // as RowChange says it
  }

  private static @Nullable String cellProblem(CodedInputStream in) throws IOException {
    int limit = in.pushLimit(in.readRawVarint32());
    ByteString column = ByteString.EMPTY;
    boolean hasValue = false;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag) {
        case CELL_COLUMN << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> column = text(in);
        case CELL_VALUE << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> hasValue |= valueHasKind(in);
        case CELL_NODE << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> text(in);
        default -> in.skipField(tag);
      }
    }
    in.checkLastTagWas(0);
    in.popLimit(limit);
    return hasValue ? null : "column " + column.toStringUtf8() + " has a value of no known kind";
  }

  private static boolean valueHasKind(CodedInputStream in) throws IOException {
    int limit = in.pushLimit(in.readRawVarint32());
    boolean kind = false;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag) {
        case VALUE_TEXT << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> {
          text(in);
          kind = true;
        }
        case VALUE_IS_NULL << 3 | WireFormat.WIRETYPE_VARINT, VALUE_INTEGER << 3 | WireFormat.WIRETYPE_VARINT -> {
          in.readRawVarint64(); // not skipField: its varint check is stricter than the read's about a tenth byte
          kind = true;
        }
        case VALUE_REAL << 3 | WireFormat.WIRETYPE_FIXED64, VALUE_BLOB << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED -> {
          in.skipField(tag);
          kind = true;
        }
        default -> in.skipField(tag);
      }
    }
    in.checkLastTagWas(0);
    in.popLimit(limit);
    return kind;
  }

  /** A string field, checked as the decoder's {@code readStringRequireUtf8} checks it. */
  private static ByteString text(CodedInputStream in) throws IOException {
    ByteString text = in.readBytes();
    if (!text.isValidUtf8()) {
      throw new InvalidProtocolBufferException("Protocol message had invalid UTF-8.");
    }
    return text;
  }

  /**
   * Rows {@link #problemIn checked} before, as row states decoded one at a time as they are read (the
   * merge reads each once): rows waiting for the merge stay one array each, and each row state is
   * garbage as soon as it is merged, so none lives long enough to be promoted out of the young
   * generation.
   */
  static List<RowChange> decodedWhenRead(List<ByteString> rows) {
    return new DecodedWhenRead(rows);
  }

  private static final class DecodedWhenRead extends AbstractList<RowChange> implements RandomAccess {
    private final List<ByteString> rows;

    DecodedWhenRead(List<ByteString> rows) {
      this.rows = rows;
    }

    @Override
    public RowChange get(int index) {
      return WireRows.decode(rows.get(index));
    }

    @Override
    public int size() {
      return rows.size();
    }
  }
}
