package io.edgeproxy.tools.cli.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits shell input into complete SQL statements, as {@code sqlite3_complete} decides: a
 * statement ends at a {@code ;} outside quotes ({@code '..'}, {@code ".."}, {@code `..`},
 * {@code [..]}) and comments ({@code --}, {@code /* *}{@code /}); in {@code CREATE TRIGGER} only a
 * {@code ;} right after {@code END} ends it (the body has semicolons of its own).
 */
final class SqlStatements {
  private SqlStatements() {}

  /**
   * @param statements complete statements, each with its {@code ;}, comment-only ones left out
   * @param rest the text after the last complete statement (perhaps only whitespace or comments)
   */
  record Split(List<String> statements, String rest) {}

  static Split split(CharSequence text) {
    List<String> out = new ArrayList<>();
    Scanner s = new Scanner(text);
    int start = 0; // of the statement being scanned
    while (s.pos < text.length()) {
      if (s.step()) {
        String statement = text.subSequence(start, s.pos).toString().strip();
        if (s.hasContent) {
          out.add(statement);
        }
        start = s.pos;
        s.resetStatement();
      }
    }
    return new Split(out, text.subSequence(start, text.length()).toString());
  }

  /** True when {@code text} has something besides whitespace and comments. */
  static boolean hasContent(CharSequence text) {
    Scanner s = new Scanner(text);
    while (s.pos < text.length()) {
      s.step();
    }
    return s.hasContent;
  }

  private static final class Scanner {
    private final String text;
    int pos;
    boolean hasContent;
    private final List<String> words = new ArrayList<>();
    private String lastWord = "";

    Scanner(CharSequence text) {
      this.text = text.toString();
    }

    void resetStatement() {
      hasContent = false;
      words.clear();
      lastWord = "";
    }

    /** Consumes one token; true when it was a statement-ending semicolon. */
    boolean step() {
      char c = text.charAt(pos);
      if (c == ';') {
        pos++;
        if (isTrigger() && !lastWord.equals("END")) {
          lastWord = ";";
          return false;
        }
        return true;
      }
      if (Character.isWhitespace(c)) {
        pos++;
      } else if (c == '-' && peek(1) == '-') {
        pos = indexOrEnd("\n", pos + 2);
      } else if (c == '/' && peek(1) == '*') {
        int end = indexOrEnd("*/", pos + 2);
        pos = Math.min(text.length(), end + 2);
      } else if (c == '\'' || c == '"' || c == '`' || c == '[') {
        char close = c == '[' ? ']' : c;
        pos = Math.min(text.length(), indexOrEnd(String.valueOf(close), pos + 1) + 1);
        hasContent = true;
        lastWord = "";
      } else if (Character.isLetterOrDigit(c) || c == '_') {
        int begin = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
          pos++;
        }
        lastWord = text.subSequence(begin, pos).toString().toUpperCase(Locale.ROOT);
        if (words.size() < 3) {
          words.add(lastWord);
        }
        hasContent = true;
      } else {
        pos++;
        hasContent = true;
        lastWord = "";
      }
      return false;
    }

    private boolean isTrigger() {
      if (words.size() < 2 || !words.get(0).equals("CREATE")) {
        return false;
      }
      return words.get(1).equals("TRIGGER")
          || (words.size() == 3 && (words.get(1).equals("TEMP") || words.get(1).equals("TEMPORARY")) && words.get(2).equals("TRIGGER"));
    }

    private char peek(int ahead) {
      return pos + ahead < text.length() ? text.charAt(pos + ahead) : '\0';
    }

    private int indexOrEnd(String needle, int from) {
      int i = text.indexOf(needle, from);
      return i < 0 ? text.length() : i;
    }
  }
}
