package io.edgeproxy.sql;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Collections;
import java.util.List;

/**
 * Reads by many keys at once: a statement with {@value #SIZE} key places ({@link #IN}), run once
 * per chunk of keys, unused places bound to NULL (which matches nothing). A capture of thousands
 * of rows, or the routing refresh after replication applied them, then runs a few dozen statements,
 * not two per row.
 */
final class KeyChunks {
  static final int SIZE = 64;
  /** {@code " IN (?, ?, ...)"} with {@value #SIZE} places. */
  static final String IN = " IN (" + String.join(", ", Collections.nCopies(SIZE, "?")) + ")";

  /** One chunk's work: the statement is bound, run it and read its rows. */
  interface ChunkReader {
    void read(PreparedStatement bound) throws SQLException;
  }

  private KeyChunks() {}

  /** Binds each chunk of {@code keys} to places {@code first..first+SIZE-1} of {@code st} and hands it to {@code reader}. */
  static void forEach(PreparedStatement st, int first, List<String> keys, ChunkReader reader) throws SQLException {
    for (int from = 0; from < keys.size(); from += SIZE) {
      int n = Math.min(SIZE, keys.size() - from);
      for (int i = 0; i < SIZE; i++) {
        if (i < n) {
          st.setString(first + i, keys.get(from + i));
        } else {
          st.setNull(first + i, Types.VARCHAR);
        }
      }
      reader.read(st);
    }
  }
}
