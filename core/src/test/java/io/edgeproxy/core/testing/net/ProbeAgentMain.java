package io.edgeproxy.core.testing.net;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The program {@link ProbeAgent} runs inside a lab host: reads one command per line on stdin, answers one
 * line on stdout ({@code ok ...} or {@code error ...}), one command at a time. Commands:
 * <pre>
 * tcp-echo PORT                                      -> ok BOUND_PORT
 * udp-echo PORT                                      -> ok BOUND_PORT
 * udp-received PORT                                  -> ok COUNT
 * tcp HOST PORT BYTES TIMEOUT_MS                     -> ok TcpRoundTrip line
 * udp HOST PORT COUNT INTERVAL_MICROS WAIT_MS        -> ok UdpBurst line
 * quit
 * </pre>
 * Echo servers bind the wildcard address and live until the process ends.
 */
public final class ProbeAgentMain {
  private final Map<Integer, TcpEchoServer> tcpEchoes = new HashMap<>();
  private final Map<Integer, UdpEchoServer> udpEchoes = new HashMap<>();

  private ProbeAgentMain() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    ProbeAgentMain agent = new ProbeAgentMain();
    out.println("ready");
    for (String line; (line = in.readLine()) != null && !line.equals("quit"); ) {
      String answer;
      try {
        answer = "ok " + agent.execute(line.strip().split(" "));
      } catch (Exception e) {
        answer = "error " + e.toString().replace('\n', ' ');
      }
      out.println(answer);
    }
    System.exit(0); // Echo servers run on virtual threads, which would not keep the JVM up anyway.
  }

  private String execute(String[] c) throws Exception {
    return switch (c[0]) {
      case "tcp-echo" -> {
        TcpEchoServer echo = TcpEchoServer.start(new InetSocketAddress(Integer.parseInt(c[1])));
        tcpEchoes.put(echo.address().getPort(), echo);
        yield Integer.toString(echo.address().getPort());
      }
      case "udp-echo" -> {
        UdpEchoServer echo = UdpEchoServer.start(new InetSocketAddress(Integer.parseInt(c[1])));
        udpEchoes.put(echo.address().getPort(), echo);
        yield Integer.toString(echo.address().getPort());
      }
      case "udp-received" -> Long.toString(udpEchoes.get(Integer.parseInt(c[1])).received());
      case "tcp" -> TcpRoundTrip.measure(target(c[1], c[2]), Integer.parseInt(c[3]),
          Duration.ofMillis(Long.parseLong(c[4]))).toLine();
      case "udp" -> UdpBurst.send(target(c[1], c[2]), Integer.parseInt(c[3]),
          Duration.ofNanos(Long.parseLong(c[4]) * 1000), Duration.ofMillis(Long.parseLong(c[5]))).toLine();
      default -> throw new IllegalArgumentException("unknown command: " + c[0]);
    };
  }

  private static InetSocketAddress target(String host, String port) throws Exception {
    return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(port));
  }
}
