package io.edgeproxy.tunnel;

import java.util.regex.Pattern;

/**
 * The control stream of a tunnel: one text line per message, at most {@link #MAX_LINE} bytes,
 * fields separated by one space. The agent opens the stream and speaks first.
 *
 * <pre>
 * agent -> POP   HELLO 1 &lt;app&gt; &lt;agent-id&gt; &lt;token&gt;     (version 1; once, first)
 * POP -> agent   WELCOME &lt;tunnel-id&gt; &lt;pop&gt;              (or REFUSED &lt;reason&gt;, then the POP closes)
 * agent -> POP   PING &lt;n&gt; [&lt;rtt-us&gt;]                     (every few seconds; the POP answers PONG &lt;n&gt;;
 *                                                         over TCP the agent adds its RTT, QUIC measures its own)
 * POP -> agent   GOAWAY &lt;reason&gt;                         (the POP is shutting down: connect elsewhere first)
 * </pre>
 *
 * Every other stream of the connection is opened by the POP and carries one client connection's
 * bytes, both ways, with half-close (a QUIC FIN is a TCP FIN), after one preamble byte from the POP
 * ({@link StreamPreamble}). Anything else is a protocol error and closes the connection.
 */
public final class TunnelWire {
  /** The ALPN of the QUIC tunnel listener and of the TCP fallback on the HTTPS edge. */
  public static final String ALPN = "edgeproxy-tunnel";
  public static final int VERSION = 1;
  /**
   * How a GOAWAY's reason starts when the POP's process is being replaced on the same address: the
   * agent reconnects there at once and keeps the old connection for its open streams. Agents that
   * do not know it treat it as any GOAWAY.
   */
  public static final String RELOAD = "reload:";
  public static final int MAX_LINE = 1024;
  private static final Pattern FIELD = Pattern.compile("[\\x21-\\x7e]{1,256}");

  private TunnelWire() {}

  /** A message of the control stream. */
  public sealed interface Message {}

  public record Hello(String app, String agent, String token) implements Message {
    @Override
    public String toString() {
      return "Hello[app=" + app + ", agent=" + agent + ", token=<hidden>]"; // never log a token
    }
  }

  public record Welcome(String tunnelId, String pop) implements Message {}

  public record Refused(String reason) implements Message {}

  /** {@code rttMicros}: the agent's round-trip time, or -1 (left out: QUIC POPs measure their own). */
  public record Ping(long n, long rttMicros) implements Message {
    public Ping(long n) {
      this(n, -1);
    }
  }

  public record Pong(long n) implements Message {}

  public record GoAway(String reason) implements Message {}

  /** A line that is not a message; {@code reason} says what was wrong and what was expected. */
  public record Invalid(String reason) implements Message {}

  /** The line for {@code message}, without its newline. */
  public static String encode(Message message) {
    return switch (message) {
      case Hello h -> "HELLO " + VERSION + " " + field(h.app()) + " " + field(h.agent()) + " " + field(h.token());
      case Welcome w -> "WELCOME " + field(w.tunnelId()) + " " + field(w.pop());
      case Refused r -> "REFUSED " + oneLine(r.reason());
      case Ping p -> "PING " + p.n() + (p.rttMicros() < 0 ? "" : " " + p.rttMicros());
      case Pong p -> "PONG " + p.n();
      case GoAway g -> "GOAWAY " + oneLine(g.reason());
      case Invalid i -> throw new IllegalArgumentException("an invalid message is not sent: " + i.reason());
    };
  }

  /** Parses one line (without its newline); never throws. */
  public static Message parse(String line) {
    String[] f = line.split(" ", -1);
    String verb = f[0];
    return switch (verb) {
      case "HELLO" -> {
        if (f.length != 5) {
          yield new Invalid("HELLO takes 4 fields (version app agent token), got " + (f.length - 1));
        }
        if (!f[1].equals(String.valueOf(VERSION))) {
          yield new Invalid("tunnel protocol version " + clip(f[1]) + " is not supported (expected: " + VERSION + ")");
        }
        for (int i = 2; i < 5; i++) {
          if (!FIELD.matcher(f[i]).matches()) {
            yield new Invalid("HELLO field " + i + " must be 1-256 printable characters without spaces");
          }
        }
        yield new Hello(f[2], f[3], f[4]);
      }
      case "WELCOME" -> f.length == 3 && FIELD.matcher(f[1]).matches() && FIELD.matcher(f[2]).matches()
          ? new Welcome(f[1], f[2]) : new Invalid("WELCOME takes 2 fields (tunnel-id pop)");
      case "REFUSED" -> new Refused(rest(line, verb));
      case "GOAWAY" -> new GoAway(rest(line, verb));
      case "PING", "PONG" -> {
        int most = verb.equals("PING") ? 3 : 2;
        if (f.length < 2 || f.length > most || !f[1].matches("[0-9]{1,18}") || (f.length == 3 && !f[2].matches("[0-9]{1,12}"))) {
          yield new Invalid(verb.equals("PING") ? "PING takes a decimal number and, optionally, a round-trip time in microseconds"
              : "PONG takes one decimal number");
        }
        long n = Long.parseLong(f[1]);
        yield verb.equals("PING") ? new Ping(n, f.length == 3 ? Long.parseLong(f[2]) : -1) : new Pong(n);
      }
      default -> new Invalid("unknown message '" + clip(verb) + "' (expected: HELLO, WELCOME, REFUSED, PING, PONG or GOAWAY)");
    };
  }

  private static String rest(String line, String verb) {
    return line.length() > verb.length() ? line.substring(verb.length() + 1) : "";
  }

  private static String field(String value) {
    if (!FIELD.matcher(value).matches()) {
      throw new IllegalArgumentException("not a tunnel field (1-256 printable characters without spaces): " + clip(value));
    }
    return value;
  }

  private static String oneLine(String text) {
    String s = text.replaceAll("[\\r\\n]+", " ");
    return s.length() > 512 ? s.substring(0, 512) : s;
  }

  private static String clip(String s) {
    String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
    return printable.length() > 40 ? printable.substring(0, 40) + "..." : printable;
  }
}
